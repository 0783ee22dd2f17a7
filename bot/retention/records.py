"""What purge and erasure both delete or strip, a batch per short transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.store.db import Database, retry_on_conflict
from bot.store.models import (
    ComplaintDetails,
    InternalNote,
    Message,
    MessageSecret,
    OutboxItem,
    StaffMessage,
    Ticket,
    TicketStatusChange,
)
from bot.store.models.outbox import PENDING

# Each transaction touches at most this many rows of its main table, so a purge of
# a large backlog never holds locks the serving processes wait on for long.
BATCH = 500


def in_batches(
    db: Database,
    pick: Callable[[Session], Sequence[Any]],
    act: Callable[[Session, list[Any]], None],
) -> int:
    """Pick up to BATCH keys and act on them, a transaction each, until none left."""
    done = 0
    while True:

        def step() -> int:
            with db.session() as session:
                ids = list(pick(session))
                if ids:
                    act(session, ids)
                return len(ids)

        count = retry_on_conflict(step)
        done += count
        if count < BATCH:
            return done


def not_pending(message_id: Any) -> ColumnElement[bool]:
    """A message whose delivery is not still waiting in the outbox."""
    return ~exists().where(
        OutboxItem.message_id == message_id, OutboxItem.status == PENDING
    )


def delete_messages(session: Session, ids: list[int]) -> None:
    """Transcript rows with everything hanging on them (revealable numbers, outbox)."""
    session.execute(delete(MessageSecret).where(MessageSecret.message_id.in_(ids)))
    session.execute(delete(StaffMessage).where(StaffMessage.message_id.in_(ids)))
    session.execute(delete(OutboxItem).where(OutboxItem.message_id.in_(ids)))
    session.execute(delete(Message).where(Message.id.in_(ids)))


# Who the participant is: gone from every ticket the participant asked to forget.
IDENTITY_CLEARED = {
    Ticket.participant_hash: None,
    Ticket.participant_ciphertext: None,
}
# Free text the participant or staff wrote: gone once a ticket has been closed long.
FREE_TEXT_CLEARED = {
    Ticket.staff_said: None,
    Ticket.resolution_wanted: None,
    Ticket.request_reason: None,
}
DETAILS_CLEARED = {
    ComplaintDetails.description: None,
    ComplaintDetails.service_wanted: None,
    ComplaintDetails.harm: None,
    ComplaintDetails.earlier_attempts: None,
}


def has_identity() -> ColumnElement[bool]:
    """A ticket that still says who filed it."""
    return or_(
        Ticket.participant_hash.is_not(None),
        Ticket.participant_ciphertext.is_not(None),
        exists().where(
            ComplaintDetails.ticket_id == Ticket.id,
            ComplaintDetails.contact_phone_encrypted.is_not(None),
        ),
    )


def has_personal_data() -> ColumnElement[bool]:
    """A ticket holding more than its facts (kind, status, dates, office, outcome)."""
    return or_(
        has_identity(),
        Ticket.conversation_id.is_not(None),
        *(column.is_not(None) for column in FREE_TEXT_CLEARED),
        exists().where(
            ComplaintDetails.ticket_id == Ticket.id,
            or_(*(column.is_not(None) for column in DETAILS_CLEARED)),
        ),
        exists().where(
            TicketStatusChange.ticket_id == Ticket.id,
            TicketStatusChange.note.is_not(None),
        ),
        exists().where(InternalNote.ticket_id == Ticket.id),
    )


def strip_identity(session: Session, ids: list[int]) -> None:
    """Tickets kept, but no longer tied to a person (NIK, contact number)."""
    # updated_at set to itself: stripping is not a change staff made to the ticket.
    session.execute(
        update(Ticket)
        .where(Ticket.id.in_(ids))
        .values({**IDENTITY_CLEARED, Ticket.updated_at: Ticket.updated_at})
    )
    session.execute(
        update(ComplaintDetails)
        .where(ComplaintDetails.ticket_id.in_(ids))
        .values(
            {
                ComplaintDetails.contact_phone_encrypted: None,
                ComplaintDetails.anonymous: True,
            }
        )
    )


def strip_personal_data(session: Session, ids: list[int]) -> None:
    """Closed tickets keep their facts only: who, what was said and notes go."""
    strip_identity(session, ids)
    session.execute(
        update(Ticket)
        .where(Ticket.id.in_(ids))
        .values(
            {
                **FREE_TEXT_CLEARED,
                Ticket.conversation_id: None,
                Ticket.updated_at: Ticket.updated_at,
            }
        )
    )
    session.execute(
        update(ComplaintDetails)
        .where(ComplaintDetails.ticket_id.in_(ids))
        .values(DETAILS_CLEARED)
    )
    session.execute(
        update(TicketStatusChange)
        .where(TicketStatusChange.ticket_id.in_(ids))
        .values(note=None)
    )
    session.execute(delete(InternalNote).where(InternalNote.ticket_id.in_(ids)))


def ids_where(
    column: Any, *conditions: ColumnElement[bool]
) -> Callable[[Session], Sequence[Any]]:
    """A ``pick`` for ``in_batches``: the first BATCH keys matching ``conditions``."""

    def pick(session: Session) -> Sequence[Any]:
        return session.scalars(select(column).where(*conditions).limit(BATCH)).all()

    return pick


def delete_where(db: Database, column: Any, *conditions: ColumnElement[bool]) -> int:
    """Delete the rows of ``column``'s table matching ``conditions``, in batches."""
    table = column.class_

    def act(session: Session, keys: list[Any]) -> None:
        session.execute(delete(table).where(column.in_(keys)))

    return in_batches(db, ids_where(column, *conditions), act)


def drop_tokens(db: Database, *conditions: ColumnElement[bool]) -> int:
    """Identity tokens matching ``conditions``, gone: a number read by the action
    server (no message) is deleted with its token; a message's number loses only the
    token, its reveal copy lives as long as the transcript."""
    tokened = [MessageSecret.token.is_not(None), *conditions]

    def act(session: Session, ids: list[int]) -> None:
        session.execute(
            delete(MessageSecret).where(
                MessageSecret.id.in_(ids), MessageSecret.message_id.is_(None)
            )
        )
        session.execute(
            update(MessageSecret)
            .where(MessageSecret.id.in_(ids))
            .values(token=None, owner=None, token_expires_at=None)
        )

    return in_batches(db, ids_where(MessageSecret.id, *tokened), act)
