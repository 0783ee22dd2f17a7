"""Fixtures every test folder shares."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

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


@pytest.fixture
def sessions_on_loop(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every session ``db`` opens on a running event loop (the rule: none)."""
    opened: list[str] = []
    session = db.session

    def watched() -> AbstractContextManager[Session]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return session()  # a worker thread: no loop runs here
        opened.append("session opened on the event loop")
        return session()

    monkeypatch.setattr(db, "session", watched)
    return opened


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """Entry points called in-process (``bot.cli.main``) install the JSON handler on
    the root logger; put pytest's own capture back so later tests' logs stay quiet."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
