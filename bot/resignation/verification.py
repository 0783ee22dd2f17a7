"""Failed verifications: three lock the sender and the participant for 30 minutes.

Counted per sender (``telegram:123``) and per participant (``nik:<keyed hash>``),
in the store, not per conversation: the web chat lets a caller pick a new session
id for every try, and a guesser would simply move on to another chat, so the count
for the NIK they are trying holds wherever they try it. A global count of failures
per minute tells when someone tries many NIKs at once (``surge``: the caller alerts
staff, once per minute). The store holds the counts, so they hold across action
servers and restarts (PRODUCT.md §9).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store import ratelimit
from bot.store.models import VerificationLock, utcnow

MAX_FAILURES = 3
LOCK_DURATION = timedelta(minutes=30)
DEFAULT_GLOBAL_PER_MINUTE = 30
# Counter keys: a participant's is the keyed hash of their NIK.
PARTICIPANT_PREFIX = "nik:"
GLOBAL_KEY = "verify-fail:*"


@dataclass(frozen=True)
class Attempts:
    """Where a sender and a participant stand after a failure."""

    failures: int
    locked_until: datetime | None
    # This failure crossed the global ceiling for the minute: alert staff.
    surge: bool = False

    @property
    def left(self) -> int:
        """Attempts left before the lock."""
        return max(MAX_FAILURES - self.failures, 0)


def counter_keys(sender_id: str, participant_hash: str | None) -> list[str]:
    """The counters one attempt counts against."""
    keys = [sender_id]
    if participant_hash:
        keys.append(PARTICIPANT_PREFIX + participant_hash)
    return keys


def _find(session: Session, key: str) -> VerificationLock | None:
    return session.scalar(
        select(VerificationLock).where(VerificationLock.sender_id == key)
    )


def _row(session: Session, key: str) -> VerificationLock:
    row = _find(session, key)
    if row is not None:
        return row
    row = VerificationLock(sender_id=key, failures=0)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = _find(session, key)
        if found is None:
            raise
        return found
    return row


def _latest(moments: Iterable[datetime | None]) -> datetime | None:
    found = [m for m in moments if m is not None]
    return max(found) if found else None


def locked_until(
    session: Session,
    sender_id: str,
    participant_hash: str | None = None,
    now: datetime | None = None,
) -> datetime | None:
    """When the lock on the sender or the participant ends, if either is locked."""
    moment = now or utcnow()
    ends = []
    for key in counter_keys(sender_id, participant_hash):
        row = _find(session, key)
        if row is not None and row.locked_until is not None:
            ends.append(row.locked_until if row.locked_until > moment else None)
    return _latest(ends)


def _count(
    session: Session, key: str, participant_hash: str | None, moment: datetime
) -> VerificationLock:
    row = _row(session, key)
    if row.locked_until is not None and row.locked_until <= moment:
        row.locked_until = None  # an expired lock starts a fresh count
        row.failures = 0
    row.failures += 1
    row.participant_hash = participant_hash
    row.updated_at = moment
    if row.failures >= MAX_FAILURES:
        row.locked_until = moment + LOCK_DURATION
    return row


def record_failure(
    session: Session,
    sender_id: str,
    participant_hash: str | None,
    now: datetime | None = None,
    *,
    global_per_minute: int = DEFAULT_GLOBAL_PER_MINUTE,
) -> Attempts:
    """Count a failed verification for the sender and the participant.

    The third failure of either locks both; ``failures`` is the higher count.
    """
    moment = now or utcnow()
    rows = [
        _count(session, key, participant_hash, moment)
        for key in counter_keys(sender_id, participant_hash)
    ]
    until = _latest(r.locked_until for r in rows)
    if until is not None:
        for row in rows:  # one locked, both locked: the other key is tried next
            row.locked_until = until
    overall = ratelimit.count_message(session, GLOBAL_KEY, moment, global_per_minute)
    session.flush()
    return Attempts(
        failures=max(r.failures for r in rows),
        locked_until=until,
        surge=overall.notify,
    )


def record_success(
    session: Session,
    sender_id: str,
    participant_hash: str | None = None,
    now: datetime | None = None,
) -> None:
    """A verified identity clears the sender's and the participant's counts."""
    for key in counter_keys(sender_id, participant_hash):
        row = _find(session, key)
        if row is not None:
            row.failures = 0
            row.locked_until = None
            row.updated_at = now or utcnow()
