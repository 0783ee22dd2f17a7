"""Three failed verifications lock the sender and the participant for 30 minutes."""

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


def _fail(
    db: Database,
    at: datetime,
    sender: str = SENDER,
    participant: str | None = "hash",
    ceiling: int = 30,
) -> verification.Attempts:
    with db.session() as session:
        return verification.record_failure(
            session, sender, participant, now=at, global_per_minute=ceiling
        )


def _locked(
    db: Database, at: datetime, sender: str = SENDER, participant: str | None = None
) -> datetime | None:
    with db.session() as session:
        return verification.locked_until(session, sender, participant, now=at)


def test_third_failure_locks_for_thirty_minutes(db: Database) -> None:
    assert _fail(db, NOW).left == 2
    assert _fail(db, NOW + timedelta(minutes=1)).left == 1
    assert _locked(db, NOW + timedelta(minutes=1)) is None
    third = _fail(db, NOW + timedelta(minutes=2))
    assert third.left == 0
    assert third.locked_until == NOW + timedelta(minutes=32)
    assert _locked(db, NOW + timedelta(minutes=31)) == NOW + timedelta(minutes=32)
    assert _locked(db, NOW + timedelta(minutes=32)) is None


def test_the_lock_holds_for_the_sender_whatever_nik_is_tried(db: Database) -> None:
    for minute in range(3):
        _fail(db, NOW + timedelta(minutes=minute), participant=f"nik{minute}")
    assert _locked(db, NOW + timedelta(minutes=5)) is not None
    assert _locked(db, NOW + timedelta(minutes=5), participant="other") is not None
    assert _locked(db, NOW + timedelta(minutes=5), "whatsapp:555") is None


def test_failures_for_one_participant_count_across_conversations(
    db: Database,
) -> None:
    """Rotating web chat session ids does not reset the count for the NIK tried."""
    first = _fail(db, NOW, "webchat:a", "victim")
    second = _fail(db, NOW + timedelta(minutes=1), "webchat:b", "victim")
    assert (first.left, second.left) == (2, 1)
    third = _fail(db, NOW + timedelta(minutes=2), "webchat:c", "victim")
    assert third.locked_until == NOW + timedelta(minutes=32)
    later = NOW + timedelta(minutes=3)
    assert _locked(db, later, "webchat:d", "victim") == third.locked_until
    assert _locked(db, later, "webchat:d", "someone-else") is None
    # the sender that tripped the lock is locked for other NIKs too
    assert _locked(db, later, "webchat:c", "someone-else") == third.locked_until


def test_the_global_ceiling_alerts_once_per_minute(db: Database) -> None:
    surges = [
        _fail(db, NOW, f"webchat:{n}", f"nik{n}", ceiling=4).surge for n in range(7)
    ]
    assert surges == [False, False, False, False, True, False, False]
    next_minute = NOW + timedelta(minutes=1)
    assert _fail(db, next_minute, "webchat:x", "nikx", ceiling=4).surge is False


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
        verification.record_success(session, SENDER, "hash", now=NOW)
    assert _fail(db, NOW).left == 2
    assert _fail(db, NOW, "telegram:other").left == 1


def test_another_process_sees_the_lock(db: Database, url: str) -> None:
    for minute in range(3):
        _fail(db, NOW + timedelta(minutes=minute))
    other = Database(url)  # a second action server on the same store
    try:
        assert _locked(other, NOW + timedelta(minutes=10)) is not None
    finally:
        other.dispose()
