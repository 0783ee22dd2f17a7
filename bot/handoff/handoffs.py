"""Handing a conversation to a person and back (PRODUCT.md §3.4).

While a conversation is handed off, the gateway records the participant's messages
and does not forward them to Rasa (``is_active``). One staff member holds it at a
time: taking it is one conditional UPDATE, so two people clicking "ambil" at once
cannot both win, on SQLite or PostgreSQL, on one gateway or several.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.core.texts import text
from bot.core.workdays import JAKARTA, WorkingCalendar
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.staff.accounts import StaffUser
from bot.store.models import Conversation, Handoff, Message, StaffMessage, utcnow

ACTIVE = ("open", "assigned")
# Conversation.state while people hold it; "bot" otherwise.
HANDED_OFF = "handoff"

# Reasons, as other features pass them in the ``handoff_reason`` slot.
REASON_ASKED = "diminta_peserta"
REASON_SENSITIVE = "aduan_sensitif"
REASON_TAKEN = "diambil_petugas"
# A death reported by the family: staff talk to the heirs, not the participant.
REASON_DECEASED = "deceased"


SUPERVISOR_ONLY = "aduan sensitif hanya ditangani supervisor"


class HandoffError(RuntimeError):
    """The handoff cannot change as asked (someone else holds it, it is closed...)."""


def is_active(conversation: Conversation) -> bool:
    """Whether people hold the conversation: the bot must stay silent."""
    return conversation.state != "bot"


def open_handoff(
    session: Session,
    key: ConversationKey,
    reason: str,
    *,
    supervisor_only: bool = False,
    ticket_id: int | None = None,
) -> Handoff:
    """Hand the conversation to people; an already open handoff is reused."""
    conversation = conversations.get_or_create(session, key)
    existing = active_for(session, conversation.id)
    if existing is not None:
        existing.supervisor_only = existing.supervisor_only or supervisor_only
        existing.ticket_id = existing.ticket_id or ticket_id
        conversation.state = HANDED_OFF
        return existing
    handoff = Handoff(
        conversation_id=conversation.id,
        channel=conversation.channel,
        reason=reason[:64] or REASON_ASKED,
        status="open",
        supervisor_only=supervisor_only,
        ticket_id=ticket_id,
    )
    session.add(handoff)
    conversation.state = HANDED_OFF
    session.flush()
    return handoff


def active_for(session: Session, conversation_id: int) -> Handoff | None:
    """The conversation's open or assigned handoff, if any."""
    return session.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .where(Handoff.status.in_(ACTIVE))
        .order_by(Handoff.id.desc())
    )


def assign(session: Session, handoff_id: int, staff: StaffUser) -> None:
    """Take the handoff; refused if someone else holds it or it is not open.

    The ``assigned_staff_id IS NULL`` condition in the UPDATE is what makes this
    safe: the database lets exactly one of two concurrent takers change the row.
    """
    handoff = session.get(Handoff, handoff_id)
    if handoff is None or handoff.status not in ACTIVE:
        raise HandoffError("percakapan ini tidak sedang menunggu petugas")
    if handoff.assigned_staff_id == staff.id:
        return
    if handoff.supervisor_only and not staff.is_supervisor:
        raise HandoffError(SUPERVISOR_ONLY)
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id)
        .where(Handoff.assigned_staff_id.is_(None))
        .where(Handoff.status == "open")
        .values(assigned_staff_id=staff.id, status="assigned", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise HandoffError("percakapan ini sudah dipegang petugas lain")
    session.refresh(handoff)


def take_over(session: Session, conversation_id: int, staff: StaffUser) -> Handoff:
    """Staff step into a conversation the bot still holds (or take its handoff)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HandoffError("percakapan tidak ditemukan")
    handoff = active_for(session, conversation_id)
    if handoff is None:
        key = ConversationKey(conversation.channel, conversation.external_id)
        handoff = open_handoff(session, key, REASON_TAKEN)
    assign(session, handoff.id, staff)
    return handoff


def held_by(session: Session, conversation_id: int, staff: StaffUser) -> Handoff:
    """The active handoff ``staff`` holds on the conversation, else HandoffError."""
    handoff = active_for(session, conversation_id)
    if handoff is None or handoff.assigned_staff_id != staff.id:
        raise HandoffError("ambil percakapan ini dulu sebelum membalas")
    return handoff


def finish(session: Session, handoff_id: int, staff: StaffUser, status: str) -> Handoff:
    """Hand back to the bot (``returned``) or close (``closed``); the bot answers again.

    Only the holder may finish a handoff, or a supervisor; a supervisor-only
    handoff only a supervisor (an agent never held it: ``assign`` refuses them).
    """
    if status not in ("returned", "closed"):
        raise ValueError(status)
    handoff = session.get(Handoff, handoff_id)
    if handoff is None or handoff.status not in ACTIVE:
        raise HandoffError("percakapan ini tidak sedang dipegang petugas")
    if handoff.supervisor_only and not staff.is_supervisor:
        raise HandoffError(SUPERVISOR_ONLY)
    if handoff.assigned_staff_id not in (None, staff.id) and not staff.is_supervisor:
        raise HandoffError("percakapan ini dipegang petugas lain")
    handoff.status = status
    handoff.closed_at = utcnow()
    handoff.conversation.state = "bot"
    return handoff


def mark_staff_reply(session: Session, conversation_id: int, staff_id: int) -> None:
    """Mark the newest outbound message of the conversation as a person's reply."""
    message_id = session.scalar(
        select(func.max(Message.id))
        .where(Message.conversation_id == conversation_id)
        .where(Message.direction == "out")
    )
    if message_id is not None and session.get(StaffMessage, message_id) is None:
        session.add(StaffMessage(message_id=message_id, staff_id=staff_id))


def list_handoffs(session: Session, *, active_only: bool = False) -> list[Handoff]:
    """Handoffs, oldest waiting first."""
    query = select(Handoff).order_by(Handoff.created_at, Handoff.id)
    if active_only:
        query = query.where(Handoff.status.in_(ACTIVE))
    return list(session.scalars(query))


def message_counts(session: Session) -> dict[int, int]:
    """Messages per conversation, for the queue and ``handoffs list``."""
    rows = session.execute(
        select(Message.conversation_id, func.count(Message.id)).group_by(
            Message.conversation_id
        )
    )
    return {int(conversation_id): int(count) for conversation_id, count in rows}


def as_json(handoff: Handoff, message_count: int) -> dict[str, Any]:
    """The handoff as ``handoffs list --json`` shows it (PRODUCT.md §10)."""
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "channel": handoff.channel,
        "reason": handoff.reason,
        "status": handoff.status,
        "created_at": handoff.created_at.isoformat(),
        "message_count": message_count,
        "assigned_staff": handoff.assigned_staff.name
        if handoff.assigned_staff
        else None,
        "supervisor_only": handoff.supervisor_only,
    }


@dataclass(frozen=True)
class StaffHours:
    """When people answer: working days (no weekends, no holidays), start to end WIB."""

    start: time
    end: time
    calendar: WorkingCalendar

    def is_open(self, moment: datetime) -> bool:
        """Whether staff are at work at ``moment``."""
        local = moment.astimezone(JAKARTA)
        return (
            self.calendar.is_working_day(local.date())
            and self.start <= local.time() < self.end
        )

    def next_opening(self, moment: datetime) -> datetime:
        """The next time staff start work after ``moment`` (Jakarta time)."""
        local = moment.astimezone(JAKARTA)
        day = local.date()
        if local.time() >= self.start:
            day += timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=JAKARTA)

    def describe(self) -> str:
        """``Senin–Jumat pukul 08.00–16.00 WIB``."""
        return text("staff_hours", start=f"{self.start:%H.%M}", end=f"{self.end:%H.%M}")
