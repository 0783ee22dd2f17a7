"""A ticket's life: allowed status changes, history, telling the participant.

Every change is recorded (from, to, who, note, when) and announced to the
participant on the channel the ticket came from (PRODUCT.md §3.2 step 5).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.texts import label, text
from bot.messaging import outbox
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Outbound
from bot.store.db import Database
from bot.store.models import Ticket, TicketStatusChange, utcnow

# The allowed moves. A finished ticket can only be reopened (back to "diproses").
TRANSITIONS: dict[str, frozenset[str]] = {
    "baru": frozenset({"diproses", "menunggu_peserta", "selesai", "ditolak"}),
    "diproses": frozenset({"menunggu_peserta", "selesai", "ditolak"}),
    "menunggu_peserta": frozenset({"diproses", "selesai", "ditolak"}),
    "selesai": frozenset({"diproses"}),
    "ditolak": frozenset({"diproses"}),
}
FINAL = frozenset({"selesai", "ditolak"})
MAX_NOTE_CHARS = 2000


class TransitionError(ValueError):
    """The status change is not allowed (or lacks the resolution note it needs)."""


@dataclass(frozen=True)
class StatusChange:
    """What happened, for the notification sent after the transaction commits."""

    change_id: int
    reference: str
    to_status: str
    note: str | None
    key: ConversationKey | None
    # The notification queued in the outbox with the change (None: no channel).
    outbox_id: int | None = None
    conversation_id: int | None = None


def allowed(from_status: str, to_status: str) -> bool:
    """Whether a ticket may move from ``from_status`` to ``to_status``."""
    return to_status in TRANSITIONS.get(from_status, frozenset())


def change_status(
    session: Session,
    ticket: Ticket,
    to_status: str,
    *,
    staff_id: int | None,
    note: str | None,
) -> StatusChange:
    """Move ``ticket`` to ``to_status`` and record it; refuses illegal moves.

    Finishing a ticket (selesai, ditolak) needs a resolution note: the participant
    is told why.
    """
    note = (note or "").strip()[:MAX_NOTE_CHARS] or None
    if not allowed(ticket.status, to_status):
        raise TransitionError(
            f"status {ticket.status!r} tidak bisa diubah ke {to_status!r}"
        )
    if to_status in FINAL and not note:
        raise TransitionError("catatan penyelesaian wajib diisi")
    change = TicketStatusChange(
        ticket_id=ticket.id,
        from_status=ticket.status,
        to_status=to_status,
        staff_id=staff_id,
        note=note,
        created_at=utcnow(),
    )
    session.add(change)
    ticket.status = to_status
    ticket.updated_at = utcnow()
    session.flush()
    conversation = ticket.conversation
    if conversation is None:
        return StatusChange(change.id, ticket.reference, to_status, note, None)
    key = ConversationKey(conversation.channel, conversation.external_id)
    result = StatusChange(change.id, ticket.reference, to_status, note, key)
    # Queued with the change itself: committed together or not at all.
    item = outbox.enqueue(
        session,
        key,
        notification(result),
        origin="notification",
        proactive=True,
        now=utcnow(),
    )
    return replace(result, outbox_id=item.id, conversation_id=conversation.id)


def history(session: Session, ticket_id: int) -> list[TicketStatusChange]:
    """The ticket's status changes, oldest first."""
    return list(
        session.scalars(
            select(TicketStatusChange)
            .where(TicketStatusChange.ticket_id == ticket_id)
            .order_by(TicketStatusChange.id)
        )
    )


def notification(change: StatusChange) -> BotMessage:
    """What the participant reads about the change."""
    lines = [
        text(
            "ticket_status_changed",
            reference=change.reference,
            status=label("status", change.to_status),
        )
    ]
    if change.note:
        lines.append(text("ticket_status_note", note=change.note))
    if change.to_status == "menunggu_peserta":
        lines.append(text("ticket_status_waiting"))
    return BotMessage(text="\n".join(lines))


async def notify(db: Database, outbound: Outbound, change: StatusChange) -> str:
    """Deliver the notification queued with the change; record and return how.

    A ticket filed outside the gateway (no channel to reach) is recorded as
    ``unreachable`` rather than failing the staff member's action; a provider
    failure leaves the notification queued ("pending") for the outbox's retries.
    The record is written off the event loop (``Database.run``), like every store
    call from async code.
    """
    if change.outbox_id is None or change.conversation_id is None:
        status = "unreachable"
    else:
        (delivery,) = await outbound.deliver_queued(
            change.conversation_id, [change.outbox_id]
        )
        status = delivery.status
    await db.run(lambda session: _record_notified(session, change.change_id, status))
    return status


def _record_notified(session: Session, change_id: int, status: str) -> None:
    row = session.get(TicketStatusChange, change_id)
    if row is not None:
        row.notified = status
