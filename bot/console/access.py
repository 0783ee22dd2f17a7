"""What only supervisors may see or touch in the console, decided in one place.

A complaint about bribery or threats (``ComplaintDetails.sensitive``) and a handoff
marked ``supervisor_only`` are supervisor-only items, and so is everything around
them: the conversation they came from (its transcript tells the same story) and the
tickets handed off with them. Agents do not see them in the queue or the export, and
every route that opens or changes one asks here first, so a typed URL or a forged
form is refused as well as a hidden link.
"""

from __future__ import annotations

from sqlalchemy import CompoundSelect, Select, select, union
from sqlalchemy.orm import Session

from bot.console.errors import Refused
from bot.staff.accounts import StaffUser
from bot.store.models import ComplaintDetails, Handoff, Ticket

SENSITIVE_ONLY = "Hanya supervisor yang boleh membuka atau mengubah aduan sensitif."


def _sensitive_ticket_ids() -> Select[tuple[int]]:
    return select(ComplaintDetails.ticket_id).where(ComplaintDetails.sensitive)


def _ids(session: Session, query: CompoundSelect[tuple[int | None]]) -> set[int]:
    rows: list[int | None] = list(session.scalars(query))
    return {row for row in rows if row is not None}


def restricted_tickets(session: Session) -> set[int]:
    """Ids of tickets only supervisors may open: sensitive or handed off as such."""
    handed = select(Handoff.ticket_id).where(
        Handoff.supervisor_only, Handoff.ticket_id.is_not(None)
    )
    return _ids(session, union(_sensitive_ticket_ids(), handed))


def restricted_conversations(session: Session) -> set[int]:
    """Ids of conversations only supervisors may open.

    A conversation that ever had a supervisor-only handoff, or that filed a
    sensitive complaint: its transcript holds the sensitive story.
    """
    handed = select(Handoff.conversation_id).where(Handoff.supervisor_only)
    filed = select(Ticket.conversation_id).where(
        Ticket.id.in_(_sensitive_ticket_ids()), Ticket.conversation_id.is_not(None)
    )
    return _ids(session, union(handed, filed))


def check_conversation(session: Session, cid: int, viewer: StaffUser) -> None:
    """Refuse an agent a supervisor-only conversation."""
    if not viewer.is_supervisor and cid in restricted_conversations(session):
        raise Refused(SENSITIVE_ONLY)


def check_ticket(session: Session, ticket: Ticket, viewer: StaffUser) -> None:
    """Refuse an agent a supervisor-only ticket."""
    if not viewer.is_supervisor and ticket.id in restricted_tickets(session):
        raise Refused(SENSITIVE_ONLY)
