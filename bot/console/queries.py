"""What each console page shows: plain reads, one Session in, template data out.

The page is rendered in the same session (``context.render``), so rows may be handed
to the templates as they are and their relationships still load.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from bot.complaints.escalation import is_overdue
from bot.console import access
from bot.console.errors import Refused
from bot.console.pages import waiting_text
from bot.core.workdays import jakarta_date
from bot.handoff import handoffs
from bot.messaging import conversations, secrets
from bot.staff.accounts import StaffUser
from bot.store.models import (
    ComplaintDetails,
    Conversation,
    Handoff,
    InternalNote,
    Message,
    Staff,
    StaffMessage,
    Ticket,
    utcnow,
)
from bot.tickets import lifecycle
from bot.tickets.records import STATUSES, get_by_reference


def find_ticket(session: Session, reference: str, viewer: StaffUser) -> Ticket:
    """The ticket with this reference, if ``viewer`` may open it; else a refusal."""
    ticket = get_by_reference(session, reference)
    if ticket is None:
        raise Refused("Tiket tidak ditemukan.")
    access.check_ticket(session, ticket, viewer)
    return ticket


def queue(
    session: Session,
    viewer: StaffUser,
    *,
    show_all: bool,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Handoffs (longest wait first), then tickets (overdue first).

    An agent's queue leaves out what only supervisors may open.
    """
    now = now or utcnow()
    today = jakarta_date(now)
    counts = handoffs.message_counts(session)
    hidden_conversations: set[int] = set()
    hidden_tickets: set[int] = set()
    if not viewer.is_supervisor:
        hidden_conversations = access.restricted_conversations(session)
        hidden_tickets = access.restricted_tickets(session)
    waiting = [
        {
            "h": h,
            "waiting": waiting_text(h.created_at, now),
            "messages": counts.get(h.conversation_id, 0),
        }
        for h in handoffs.list_handoffs(session, active_only=True)
        if h.conversation_id not in hidden_conversations
    ]
    query = select(Ticket)
    if not show_all:
        query = query.where(Ticket.status.not_in(lifecycle.FINAL))
    tickets = [t for t in session.scalars(query) if t.id not in hidden_tickets]
    tickets.sort(
        key=lambda t: (not is_overdue(t, today), t.resolution_due or today, t.id)
    )
    rows = [{"t": t, "overdue": is_overdue(t, today)} for t in tickets]
    return {"waiting": waiting, "tickets": rows, "show_all": show_all}


def _staff_names(session: Session) -> dict[int, str]:
    return {s.id: s.name for s in session.scalars(select(Staff))}


def _reply_authors(session: Session, message_ids: list[int]) -> dict[int, int]:
    """Which staff member wrote each outbound message that a person sent."""
    if not message_ids:
        return {}
    rows = session.scalars(
        select(StaffMessage).where(StaffMessage.message_id.in_(message_ids))
    )
    return {row.message_id: row.staff_id for row in rows}


def _notes(session: Session, about: ColumnElement[bool]) -> list[InternalNote]:
    return list(
        session.scalars(select(InternalNote).where(about).order_by(InternalNote.id))
    )


def conversation(session: Session, cid: int, viewer: StaffUser) -> dict[str, Any]:
    """The transcript (numbers masked), notes, tickets and who holds it."""
    found = session.get(Conversation, cid)
    if found is None:
        raise Refused("Percakapan tidak ditemukan.", 404)
    access.check_conversation(session, cid, viewer)
    messages = list(
        session.scalars(
            select(Message).where(Message.conversation_id == cid).order_by(Message.id)
        )
    )
    ids = [m.id for m in messages]
    names = _staff_names(session)
    authors = _reply_authors(session, ids)
    active = handoffs.active_for(session, cid)
    return {
        "conversation": found,
        "messages": messages,
        "pressed": conversations.pressed_titles(messages),
        "authors": {mid: names.get(sid, "?") for mid, sid in authors.items()},
        "secrets": secrets.secrets_for(session, ids),
        "notes": _notes(session, InternalNote.conversation_id == cid),
        "tickets": list(
            session.scalars(
                select(Ticket).where(Ticket.conversation_id == cid).order_by(Ticket.id)
            )
        ),
        "handoff": active,
        "handoff_history": list(
            session.scalars(
                select(Handoff)
                .where(Handoff.conversation_id == cid)
                .order_by(Handoff.id)
            )
        ),
        "holder": names.get(active.assigned_staff_id or -1) if active else None,
        "mine": bool(active and active.assigned_staff_id == viewer.id),
    }


def ticket(session: Session, reference: str, viewer: StaffUser) -> dict[str, Any]:
    """Everything about one ticket: fields, deadlines, history, notes."""
    found = find_ticket(session, reference, viewer)
    return {
        "t": found,
        "d": session.get(ComplaintDetails, found.id),
        "overdue": is_overdue(found, jakarta_date(utcnow())),
        "history": lifecycle.history(session, found.id),
        "next_statuses": [
            s for s in STATUSES if s in lifecycle.TRANSITIONS.get(found.status, ())
        ],
        "notes": _notes(session, InternalNote.ticket_id == found.id),
        "phone": None,
        "error": None,
    }
