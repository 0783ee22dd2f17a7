"""var/, the SQLite store and key files are the installation user's only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core.private_files import ensure_local_secret
from bot.store.db import make_engine


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common default: files world-readable unless created otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_store_and_var_are_created_owner_only(tmp_path: Path) -> None:
    var = tmp_path / "var"
    engine = make_engine(f"sqlite:///{var / 'bpu.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    assert _mode(var) == 0o700
    assert _mode(var / "bpu.sqlite3") == 0o600


def test_a_secret_is_created_once_owner_only_even_by_many_at_once(
    tmp_path: Path,
) -> None:
    with ThreadPoolExecutor(8) as pool:
        values = set(pool.map(lambda _: ensure_local_secret(tmp_path, "k"), range(16)))
    assert len(values) == 1
    assert _mode(tmp_path / "secrets") == 0o700
    assert _mode(tmp_path / "secrets" / "k") == 0o600
    assert sorted(p.name for p in (tmp_path / "secrets").iterdir()) == ["k"]
    assert ensure_local_secret(tmp_path, "k") == values.pop()


def test_a_planted_symlink_is_never_followed(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    elsewhere = tmp_path / "attacker" / "key"
    (tmp_path / "attacker").mkdir()
    (tmp_path / "secrets" / "data_key").symlink_to(elsewhere)
    with pytest.raises(RuntimeError, match="symbolic link"):
        ensure_local_secret(tmp_path, "data_key")
    assert not elsewhere.exists()
