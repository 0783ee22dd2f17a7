"""Complaint tickets and resignation requests: filing, look-up, JSON view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import references
from bot.conversations import ConversationKey, find
from bot.references import ReferenceKind
from bot.store.models import Ticket, utcnow
from bot.workdays import WorkingCalendar, jakarta_date

# Ombudsman RI maladministration categories (docs/domain-facts.md §5, [S43]).
CATEGORY_REFUSAL = "tidak memberikan pelayanan"
CATEGORY_WRONG_PROCEDURE = "penyimpangan prosedur"

STATUSES = ("baru", "diproses", "menunggu_peserta", "selesai", "ditolak")


@dataclass(frozen=True)
class ComplaintDraft:
    """What the complaint form collected; ``office`` is a directory id or free text."""

    office_id: str | None
    office_text: str | None
    event_at: str | None
    staff_role: str | None
    staff_said: str | None
    resolution_wanted: str | None


@dataclass(frozen=True)
class Deadlines:
    """Service-level settings in working days."""

    first_response_days: int
    resolution_days: int
    calendar: WorkingCalendar


def _new_reference(session: Session, kind: ReferenceKind) -> str:
    # 40 random bits: a clash is vanishingly rare, but check rather than hope.
    for _ in range(5):
        reference = references.generate(kind)
        if (
            session.scalar(select(Ticket.id).where(Ticket.reference == reference))
            is None
        ):
            return reference
    raise RuntimeError("could not find a free reference")


def file_complaint(
    session: Session,
    key: ConversationKey,
    draft: ComplaintDraft,
    deadlines: Deadlines,
    now: datetime | None = None,
) -> Ticket:
    """File a complaint about an office that refused service; returns the ticket."""
    filed_at = now or utcnow()
    filed_day = jakarta_date(filed_at)
    conversation = find(session, key.sender_id)
    for _ in range(3):
        ticket = Ticket(
            reference=_new_reference(session, ReferenceKind.COMPLAINT),
            kind="complaint",
            status="baru",
            channel=key.channel,
            conversation_id=conversation.id if conversation else None,
            category=CATEGORY_REFUSAL,
            office_id=draft.office_id,
            office_text=draft.office_text,
            event_at=draft.event_at,
            staff_role=draft.staff_role,
            staff_said=draft.staff_said,
            resolution_wanted=draft.resolution_wanted,
            first_response_due=deadlines.calendar.add_working_days(
                filed_day, deadlines.first_response_days
            ),
            resolution_due=deadlines.calendar.add_working_days(
                filed_day, deadlines.resolution_days
            ),
            created_at=filed_at,
            updated_at=filed_at,
        )
        try:
            with session.begin_nested():
                session.add(ticket)
        except IntegrityError:
            continue  # another process took the reference in between
        return ticket
    raise RuntimeError("could not store the ticket")


def get_by_reference(session: Session, reference: str) -> Ticket | None:
    """The ticket with ``reference`` in any accepted spelling, if it exists."""
    try:
        canonical = references.parse(reference)
    except references.InvalidReference:
        return None
    return session.scalar(select(Ticket).where(Ticket.reference == canonical))


def list_tickets(session: Session) -> list[Ticket]:
    """All tickets, newest first."""
    return list(session.scalars(select(Ticket).order_by(Ticket.created_at.desc())))


def as_json(ticket: Ticket) -> dict[str, Any]:
    """The ticket as ``tickets list --json`` shows it (PRODUCT.md §10)."""
    return {
        "id": ticket.reference,
        "kind": ticket.kind,
        "status": ticket.status,
        "channel": ticket.channel,
        "created_at": ticket.created_at.isoformat(),
        "office": ticket.office_id,
        "office_text": ticket.office_text,
        "event_at": ticket.event_at,
        "staff_role": ticket.staff_role,
        "staff_said": ticket.staff_said,
        "resolution_wanted": ticket.resolution_wanted,
        "category": ticket.category,
        "outcome": ticket.outcome,
        "first_response_due": _iso(ticket.first_response_due),
        "resolution_due": _iso(ticket.resolution_due),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
