"""Tickets of both kinds (``ADU-`` complaints, ``BRH-`` requests): look-up, JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.parsing import references
from bot.parsing.references import ReferenceKind
from bot.store.models import Ticket

STATUSES = ("baru", "diproses", "menunggu_peserta", "selesai", "ditolak")


def new_reference(session: Session, kind: ReferenceKind) -> str:
    # 40 random bits: a clash is vanishingly rare, but check rather than hope.
    for _ in range(5):
        reference = references.generate(kind)
        if (
            session.scalar(select(Ticket.id).where(Ticket.reference == reference))
            is None
        ):
            return reference
    raise RuntimeError("could not find a free reference")


def insert_with_new_reference(
    session: Session, kind: ReferenceKind, build_ticket: Callable[[str], Ticket]
) -> Ticket:
    """Add the ticket ``build_ticket(reference)`` under a fresh reference of ``kind``.

    The free reference is checked first, but another process may take it before
    this insert lands: the unique constraint then fails only the savepoint, and the
    ticket is built again under a new reference.
    """
    for _ in range(3):
        ticket = build_ticket(new_reference(session, kind))
        try:
            with session.begin_nested():
                session.add(ticket)
        except IntegrityError:
            continue  # another process took the reference in between
        return ticket
    raise RuntimeError(f"could not store the {kind.name.lower()} ticket")


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
