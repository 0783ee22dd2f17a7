""" "hapus data saya": one conversation's personal data, deleted on request.

Deleted: the transcript (with the encrypted numbers staff could reveal), the
identity tokens issued in it, shared contacts. Kept: open tickets, so staff still
handle them, but without who filed them (NIK, contact number); closed tickets keep
their facts only. Rasa's slots are cleared by the action's restart event. Failure
counters of identity checks are kept: asking to be forgotten must not reset a lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import or_, select

from bot.retention.records import (
    delete_messages,
    delete_where,
    drop_tokens,
    has_identity,
    has_personal_data,
    ids_where,
    in_batches,
    not_pending,
    strip_identity,
    strip_personal_data,
)
from bot.store.db import Database
from bot.store.models import (
    Conversation,
    Message,
    MessageSecret,
    SharedContact,
    Ticket,
)
from bot.tickets.lifecycle import FINAL


@dataclass(frozen=True)
class ErasureReport:
    """What was deleted and kept, for the confirmation and the log."""

    messages: int
    open_tickets_kept: int
    closed_tickets_stripped: int
    shared_contacts: int
    identity_tokens: int

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return asdict(self)


def erase_conversation(
    db: Database, sender_id: str, tokens: Iterable[str] = ()
) -> ErasureReport:
    """Delete what identifies the participant of ``sender_id``'s conversation.

    ``tokens`` are the identity tokens the conversation used (the action server
    finds them in Rasa's tracker); their numbers are deleted with them, and so are
    all tokens issued to the conversation.
    """
    with db.session() as session:
        conversation_id = session.scalar(
            select(Conversation.id).where(Conversation.sender_id == sender_id)
        )
    if conversation_id is None:
        messages = open_kept = closed = 0
    else:
        messages = in_batches(
            db,
            ids_where(
                Message.id,
                Message.conversation_id == conversation_id,
                not_pending(Message.id),
            ),
            delete_messages,
        )
        mine = Ticket.conversation_id == conversation_id
        with db.session() as session:
            open_kept = len(
                session.scalars(
                    select(Ticket.id).where(mine, Ticket.status.not_in(FINAL))
                ).all()
            )
        in_batches(
            db,
            ids_where(Ticket.id, mine, Ticket.status.not_in(FINAL), has_identity()),
            strip_identity,
        )
        closed = in_batches(
            db,
            ids_where(Ticket.id, mine, Ticket.status.in_(FINAL), has_personal_data()),
            strip_personal_data,
        )
    contacts = delete_where(db, SharedContact.id, SharedContact.sender_id == sender_id)
    used = sorted(set(tokens))
    issued = drop_tokens(
        db, or_(MessageSecret.owner == sender_id, MessageSecret.token.in_(used))
    )
    return ErasureReport(
        messages=messages,
        open_tickets_kept=open_kept,
        closed_tickets_stripped=closed,
        shared_contacts=contacts,
        identity_tokens=issued,
    )
