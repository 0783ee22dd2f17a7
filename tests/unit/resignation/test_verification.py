"""Three failed verifications lock a conversation for 30 minutes, in the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.resignation import verification
from bot.store.db import Database
from bot.store.migrate import upgrade

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
SENDER = "telegram:555"


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    database = Database(url)
    yield database
    database.dispose()


def _fail(db: Database, at: datetime, sender: str = SENDER) -> verification.Attempts:
    with db.session() as session:
        return verification.record_failure(session, sender, "hash", now=at)


def _locked(db: Database, at: datetime, sender: str = SENDER) -> datetime | None:
    with db.session() as session:
        return verification.locked_until(session, sender, now=at)


def test_third_failure_locks_for_thirty_minutes(db: Database) -> None:
    assert _fail(db, NOW).left == 2
    assert _fail(db, NOW + timedelta(minutes=1)).left == 1
    assert _locked(db, NOW + timedelta(minutes=1)) is None
    third = _fail(db, NOW + timedelta(minutes=2))
    assert third.left == 0
    assert third.locked_until == NOW + timedelta(minutes=32)
    assert _locked(db, NOW + timedelta(minutes=31)) == NOW + timedelta(minutes=32)
    assert _locked(db, NOW + timedelta(minutes=32)) is None


def test_the_lock_is_per_conversation(db: Database) -> None:
    for minute in range(3):
        _fail(db, NOW + timedelta(minutes=minute))
    assert _locked(db, NOW + timedelta(minutes=5)) is not None
    assert _locked(db, NOW + timedelta(minutes=5), "whatsapp:555") is None


def test_after_the_lock_the_count_starts_again(db: Database) -> None:
    for minute in range(3):
        _fail(db, NOW + timedelta(minutes=minute))
    later = NOW + timedelta(hours=1)
    assert _fail(db, later).left == 2
    assert _locked(db, later) is None


def test_success_clears_the_count(db: Database) -> None:
    _fail(db, NOW)
    _fail(db, NOW)
    with db.session() as session:
        verification.record_success(session, SENDER, now=NOW)
    assert _fail(db, NOW).left == 2


def test_another_process_sees_the_lock(db: Database, url: str) -> None:
    for minute in range(3):
        _fail(db, NOW + timedelta(minutes=minute))
    other = Database(url)  # a second action server on the same store
    try:
        assert _locked(other, NOW + timedelta(minutes=10)) is not None
    finally:
        other.dispose()
