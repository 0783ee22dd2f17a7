"""One-time codes: six digits, five minutes, three tries, stored only as a hash."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.core.crypto import DataCipher
from bot.resignation import codes
from bot.resignation.codes import Check
from bot.store.db import Database
from bot.store.models import VerificationCode

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=timezone.utc)
SENDER = "webchat:abc"
PARTICIPANT = "a" * 64
CIPHER = DataCipher("k" * 40)


def _issue(db: Database, *, delivered: bool = True, at: datetime = NOW) -> str:
    with db.session() as session:
        return codes.issue(
            session, CIPHER, SENDER, PARTICIPANT, delivered=delivered, now=at
        )


def _check(db: Database, typed: str, at: datetime = NOW) -> codes.Checked:
    with db.session() as session:
        return codes.check(session, CIPHER, SENDER, typed, now=at)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_six_digits_and_works_once(db: Database) -> None:
    code = _issue(db)
    assert len(code) == 6 and code.isdigit()
    assert _check(db, code).check is Check.RIGHT
    assert _check(db, code).check is Check.NONE


def test_only_a_salted_keyed_hash_is_stored(db: Database) -> None:
    code = _issue(db)
    with db.session() as session:
        row = session.scalars(select(VerificationCode)).one()
        stored = " ".join(str(v) for v in vars(row).values())
    assert code not in stored
    assert row.code_hash != CIPHER.lookup_hash(code, kind="otp")  # salted


def test_three_wrong_tries_spend_the_code(db: Database) -> None:
    code = _issue(db)
    assert _check(db, _wrong(code)) == codes.Checked(Check.WRONG, 2)
    assert _check(db, _wrong(code)) == codes.Checked(Check.WRONG, 1)
    assert _check(db, _wrong(code)).check is Check.SPENT
    assert _check(db, code).check is Check.NONE  # the right one is too late


def test_a_code_expires_after_five_minutes(db: Database) -> None:
    code = _issue(db)
    assert _check(db, code, NOW + timedelta(minutes=5)).check is Check.EXPIRED
    code = _issue(db, at=NOW + timedelta(minutes=6))
    assert _check(db, code, NOW + timedelta(minutes=10)).check is Check.RIGHT


def test_a_new_code_replaces_the_old_one(db: Database) -> None:
    old = _issue(db)
    new = _issue(db, at=NOW + timedelta(seconds=30))
    if old != new:
        assert _check(db, old, NOW + timedelta(minutes=1)).check is Check.WRONG
    assert _check(db, new, NOW + timedelta(minutes=1)).check is Check.RIGHT


def test_an_undelivered_challenge_is_never_right(db: Database) -> None:
    code = _issue(db, delivered=False)
    assert _check(db, code) == codes.Checked(Check.WRONG, 2)


def test_codes_per_participant_are_limited(db: Database) -> None:
    with db.session() as session:
        assert codes.sends_left(session, PARTICIPANT, NOW) == codes.MAX_SENDS
    for minute in range(codes.MAX_SENDS):
        _issue(db, at=NOW + timedelta(minutes=minute))
    with db.session() as session:
        assert codes.sends_left(session, PARTICIPANT, NOW + timedelta(minutes=5)) == 0
        later = NOW + codes.SEND_WINDOW + timedelta(minutes=3)
        assert codes.sends_left(session, PARTICIPANT, later) == codes.MAX_SENDS


def test_the_pending_participant_is_the_challenges(db: Database) -> None:
    with db.session() as session:
        assert codes.pending_participant(session, SENDER) is None
    _issue(db)
    with db.session() as session:
        assert codes.pending_participant(session, SENDER) == PARTICIPANT
