"""Verification attempts: three failures lock a conversation for 30 minutes.

The counter lives in the store, not in memory, so it holds across action-server
processes and restarts (PRODUCT.md §9). A lock is per conversation, whatever NIK is
tried next: otherwise a guesser would simply move on to another number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import VerificationLock, utcnow

MAX_FAILURES = 3
LOCK_DURATION = timedelta(minutes=30)


@dataclass(frozen=True)
class Attempts:
    """Where a conversation stands after a failure."""

    failures: int
    locked_until: datetime | None

    @property
    def left(self) -> int:
        """Attempts left before the lock."""
        return max(MAX_FAILURES - self.failures, 0)


def _row(session: Session, sender_id: str) -> VerificationLock:
    row = session.scalar(
        select(VerificationLock).where(VerificationLock.sender_id == sender_id)
    )
    if row is not None:
        return row
    row = VerificationLock(sender_id=sender_id, failures=0)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = session.scalar(
            select(VerificationLock).where(VerificationLock.sender_id == sender_id)
        )
        if found is None:
            raise
        return found
    return row


def locked_until(
    session: Session, sender_id: str, now: datetime | None = None
) -> datetime | None:
    """When the lock on ``sender_id`` ends, if it is locked now."""
    moment = now or utcnow()
    row = session.scalar(
        select(VerificationLock).where(VerificationLock.sender_id == sender_id)
    )
    if row is None or row.locked_until is None or row.locked_until <= moment:
        return None
    return row.locked_until


def record_failure(
    session: Session,
    sender_id: str,
    participant_hash: str | None,
    now: datetime | None = None,
) -> Attempts:
    """Count a failed verification; the third locks the conversation."""
    moment = now or utcnow()
    row = _row(session, sender_id)
    if row.locked_until is not None and row.locked_until <= moment:
        row.locked_until = None  # an expired lock starts a fresh count
        row.failures = 0
    row.failures += 1
    row.participant_hash = participant_hash
    row.updated_at = moment
    if row.failures >= MAX_FAILURES:
        row.locked_until = moment + LOCK_DURATION
    session.flush()
    return Attempts(failures=row.failures, locked_until=row.locked_until)


def record_success(
    session: Session, sender_id: str, now: datetime | None = None
) -> None:
    """A verified identity clears the failure count."""
    row = session.scalar(
        select(VerificationLock).where(VerificationLock.sender_id == sender_id)
    )
    if row is not None:
        row.failures = 0
        row.locked_until = None
        row.updated_at = now or utcnow()
