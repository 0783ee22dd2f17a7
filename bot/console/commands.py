"""What staff change from the console: units of work, each taking one Session.

Each returns only what the route needs after the transaction (a conversation key to
send to, a reference to redirect to), never a row: the session is gone by then.
Free text staff type is masked before it is stored, like everything else.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.console import access
from bot.console.errors import Refused
from bot.console.queries import find_ticket
from bot.core.privacy import mask_identifiers
from bot.handoff import handoffs
from bot.messaging.conversations import ConversationKey
from bot.staff.accounts import StaffUser
from bot.store.models import Conversation, InternalNote
from bot.tickets import lifecycle


def _key(conversation: Conversation) -> ConversationKey:
    return ConversationKey(conversation.channel, conversation.external_id)


def take(session: Session, cid: int, user: StaffUser) -> None:
    """Assign the conversation to ``user`` (atomic), if they may open it."""
    access.check_conversation(session, cid, user)
    handoffs.take_over(session, cid, user)


def held_conversation_key(
    session: Session, cid: int, user: StaffUser
) -> ConversationKey:
    """Where a reply goes; refused unless ``user`` holds the conversation."""
    access.check_conversation(session, cid, user)
    return _key(handoffs.held_by(session, cid, user).conversation)


def finish_handoff(
    session: Session, cid: int, user: StaffUser, status: str
) -> ConversationKey:
    """Hand the conversation back to the bot or close it; where to say so."""
    access.check_conversation(session, cid, user)
    handoff = handoffs.active_for(session, cid)
    if handoff is None:
        raise handoffs.HandoffError("percakapan ini tidak sedang dipegang petugas")
    handoffs.finish(session, handoff.id, user, status)
    return _key(handoff.conversation)


def note_conversation(session: Session, cid: int, user: StaffUser, text: str) -> None:
    """An internal note on a conversation: staff only, never sent."""
    if session.get(Conversation, cid) is None:
        raise Refused("Percakapan tidak ditemukan.")
    access.check_conversation(session, cid, user)
    session.add(
        InternalNote(conversation_id=cid, staff_id=user.id, text=mask_identifiers(text))
    )


def note_ticket(session: Session, reference: str, user: StaffUser, text: str) -> str:
    """An internal note on a ticket (none when ``text`` is empty); its reference."""
    ticket = find_ticket(session, reference, user)
    if text:
        session.add(
            InternalNote(
                ticket_id=ticket.id, staff_id=user.id, text=mask_identifiers(text)
            )
        )
    return ticket.reference


def change_ticket_status(
    session: Session, reference: str, to_status: str, user: StaffUser, note: str
) -> lifecycle.StatusChange:
    """A legal status move, recorded; ``TransitionError`` before any write if not."""
    return lifecycle.change_status(
        session,
        find_ticket(session, reference, user),
        to_status,
        staff_id=user.id,
        note=mask_identifiers(note),
    )
