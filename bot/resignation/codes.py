"""One-time codes sent to the registered phone number (PRODUCT.md §3.1 step 3).

Six digits, valid five minutes, three tries; only a keyed hash of the code is
stored (with a salt per code: equal codes do not look equal, and without the key a
stolen table cannot be searched for them). A challenge for a NIK that is not in the
registry, or whose KPJ differs, is stored too but sends nothing (``delivered``
false): its every answer is wrong, and the caller says exactly what it says for a
real one, so the conversation reveals nothing about the registry. How many codes a
participant may be sent is limited, so nobody can flood their phone.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.crypto import DataCipher
from bot.store.models import VerificationCode, utcnow

CODE_DIGITS = 6
LIFETIME = timedelta(minutes=5)
MAX_TRIES = 3
# Codes one participant may be sent within ``SEND_WINDOW``.
MAX_SENDS = 3
SEND_WINDOW = timedelta(minutes=30)


class CodeSender(Protocol):
    """Delivers a one-time code to a phone number (WhatsApp template, SMS, ...)."""

    def send_code(self, phone: str, code: str) -> None:
        """Send ``code`` to ``phone`` (``62...``).

        Raises ``bot.messaging.code_sender.CodeDeliveryError`` when it was not sent.
        """


class Check(Enum):
    """What a typed code turned out to be."""

    RIGHT = "right"
    WRONG = "wrong"  # tries are left
    SPENT = "spent"  # wrong, and no try is left: a new code is needed
    EXPIRED = "expired"
    NONE = "none"  # no code was asked for in this conversation


@dataclass(frozen=True)
class Checked:
    """The result, and the tries left on the code."""

    check: Check
    left: int = 0


def new_code() -> str:
    """Six random digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _hash(cipher: DataCipher, salt: str, code: str) -> str:
    return cipher.lookup_hash(code, kind=f"otp:{salt}")


def sends_left(
    session: Session, participant_hash: str, now: datetime | None = None
) -> int:
    """How many more codes the participant may be sent now."""
    since = (now or utcnow()) - SEND_WINDOW
    sent = session.scalar(
        select(func.count(VerificationCode.id)).where(
            VerificationCode.participant_hash == participant_hash,
            VerificationCode.created_at > since,
        )
    )
    return max(MAX_SENDS - int(sent or 0), 0)


def issue(
    session: Session,
    cipher: DataCipher,
    sender_id: str,
    participant_hash: str,
    *,
    delivered: bool,
    now: datetime | None = None,
) -> str:
    """A new code for ``sender_id``; earlier codes of the sender stop working.

    The caller sends the returned code when ``delivered`` (a real participant);
    otherwise it is thrown away. Check ``sends_left`` first.
    """
    moment = now or utcnow()
    _retire(session, sender_id, moment)
    code = new_code()
    salt = secrets.token_hex(8)
    session.add(
        VerificationCode(
            sender_id=sender_id,
            participant_hash=participant_hash,
            code_hash=_hash(cipher, salt, code),
            salt=salt,
            delivered=delivered,
            tries=0,
            expires_at=moment + LIFETIME,
            created_at=moment,
        )
    )
    session.flush()
    return code


def undelivered(session: Session, sender_id: str) -> None:
    """The sender's open code never reached the phone: it verifies nothing.

    The conversation then goes on exactly as for a NIK not in the registry (the
    challenge stays, every answer is wrong), so a provider failure does not tell
    the person typing that the NIK exists.
    """
    row = _current(session, sender_id)
    if row is not None:
        row.delivered = False


def _retire(session: Session, sender_id: str, moment: datetime) -> None:
    for row in session.scalars(
        select(VerificationCode).where(
            VerificationCode.sender_id == sender_id,
            VerificationCode.used_at.is_(None),
        )
    ):
        row.used_at = moment


def _current(session: Session, sender_id: str) -> VerificationCode | None:
    return session.scalar(
        select(VerificationCode)
        .where(
            VerificationCode.sender_id == sender_id,
            VerificationCode.used_at.is_(None),
        )
        .order_by(VerificationCode.id.desc())
        .limit(1)
    )


def awaited(session: Session, sender_id: str) -> bool:
    """Whether ``sender_id`` has an open challenge: six digits it types now may be
    its code, which the gateway must forward as typed (bot/core/privacy.py)."""
    return _current(session, sender_id) is not None


def pending_participant(session: Session, sender_id: str) -> str | None:
    """The participant hash of the sender's open challenge, if there is one."""
    row = _current(session, sender_id)
    return row.participant_hash if row is not None else None


def check(
    session: Session,
    cipher: DataCipher,
    sender_id: str,
    typed: str,
    now: datetime | None = None,
) -> Checked:
    """Check the code ``typed`` against the sender's open challenge."""
    moment = now or utcnow()
    row = _current(session, sender_id)
    if row is None:
        return Checked(Check.NONE)
    if row.expires_at <= moment:
        row.used_at = moment
        return Checked(Check.EXPIRED)
    row.tries += 1
    right = hmac.compare_digest(row.code_hash, _hash(cipher, row.salt, typed))
    if right and row.delivered:
        row.used_at = moment
        return Checked(Check.RIGHT)
    left = MAX_TRIES - row.tries
    if left <= 0:
        row.used_at = moment
        return Checked(Check.SPENT)
    return Checked(Check.WRONG, left)
