"""Fixtures every test folder shares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store.db import Database
from bot.store.migrate import upgrade


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A store migrated to the newest revision, in a fresh SQLite file."""
    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()
