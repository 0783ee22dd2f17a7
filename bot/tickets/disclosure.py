"""Who may read a ticket's details by reference, and how many wrong tries anyone gets.

A reference is short and travels (a screenshot, a shared phone), and a complaint's
details name an office, a time, what staff said and the harm. So the details go
only to the conversation that filed the ticket, or to the participant verified as
the one the ticket is about (``participant_hash``); anyone else learns only that the
number exists. Unknown references and other people's count as failed look-ups,
per sender and in total, in the store (so the limit holds on every server); over
either limit the answer is a refusal that says nothing about the reference.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy.orm import Session

from bot.core.limit_settings import StatusLookupLimits
from bot.store import ratelimit
from bot.store.models import Ticket, utcnow
from bot.tickets.records import get_by_reference

# Counter keys in the store: per sender (hashed: a sender id may be long), and one
# shared by everyone.
_SENDER_KEY = "status-fail:"
_GLOBAL_KEY = "status-fail:*"
HOUR_SECONDS = 3600


class Disclosure(Enum):
    """What the asker may be told about the reference."""

    FULL = "full"  # the filer: status, deadlines, chronology
    PRIVATE = "private"  # it exists; the details are the filer's
    NOT_FOUND = "not_found"
    LIMITED = "limited"  # too many failed look-ups: nothing at all


@dataclass(frozen=True)
class Asker:
    """Who asks: the Rasa sender id, and the participant they were verified as."""

    sender_id: str
    verified_hash: str | None = None


def is_filer(ticket: Ticket, asker: Asker) -> bool:
    """The conversation that filed ``ticket``, or its verified participant."""
    conversation = ticket.conversation
    if conversation is not None and conversation.sender_id == asker.sender_id:
        return True
    return bool(
        asker.verified_hash
        and ticket.participant_hash
        and hmac.compare_digest(asker.verified_hash, ticket.participant_hash)
    )


def count_failure(
    session: Session, sender_id: str, limits: StatusLookupLimits, now: datetime
) -> bool:
    """Count one failed look-up; whether the sender is still within both limits."""
    sender = hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:40]
    own = ratelimit.count_message(
        session,
        _SENDER_KEY + sender,
        now,
        limits.per_sender_per_hour,
        window_seconds=HOUR_SECONDS,
    )
    everyone = ratelimit.count_message(
        session, _GLOBAL_KEY, now, limits.global_per_minute
    )
    return own.allowed and everyone.allowed


def look_up(
    session: Session,
    reference: str,
    asker: Asker,
    limits: StatusLookupLimits,
    now: datetime | None = None,
) -> tuple[Disclosure, Ticket | None]:
    """What ``asker`` may be told about ``reference``; the ticket only for FULL.

    The filer is never limited: their own ticket is not a guess.
    """
    ticket = get_by_reference(session, reference)
    if ticket is not None and is_filer(ticket, asker):
        return Disclosure.FULL, ticket
    if not count_failure(session, asker.sender_id, limits, now or utcnow()):
        return Disclosure.LIMITED, None
    return (Disclosure.PRIVATE if ticket else Disclosure.NOT_FOUND), None
