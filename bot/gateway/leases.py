"""One participant's turns run one at a time, in arrival order, across gateways.

A turn takes a lease on its conversation row (one conditional UPDATE: cheap on
SQLite and PostgreSQL alike) and only when no older message of the same
participant is still waiting. A crashed gateway's lease simply expires.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.messaging.messages import Button, buttons_as_dicts
from bot.store.models import Conversation, Message

WAITING = "received"


def try_acquire(
    session: Session,
    conversation_id: int,
    message_id: int,
    holder: str,
    now: datetime,
    ttl: timedelta,
) -> bool:
    """Take the lease for message ``message_id`` if it is its turn."""
    older = aliased(Message)
    older_waiting = exists(
        select(older.id).where(
            older.conversation_id == conversation_id,
            older.direction == "in",
            older.status == WAITING,
            older.id < message_id,
            older.created_at > now - ttl,
        )
    )
    result = session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            or_(
                Conversation.lease_until.is_(None),
                Conversation.lease_until < now,
                Conversation.lease_holder == holder,
            ),
            ~older_waiting,
        )
        .values(lease_holder=holder, lease_until=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def release(
    session: Session,
    conversation_id: int,
    message_id: int,
    holder: str,
    status: str,
    *,
    offered: list[dict[str, str]] | tuple[()] | None = (),
) -> None:
    """Mark the message handled (``status``) and give the lease back.

    ``offered``: the options the turn's replies offered (None: none), kept on the
    conversation in the same UPDATE; ``()`` leaves them as they are.
    """
    session.execute(
        update(Message)
        .where(Message.id == message_id, Message.status == WAITING)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Conversation)
        .where(
            and_(
                Conversation.id == conversation_id, Conversation.lease_holder == holder
            )
        )
        .values(
            lease_holder=None,
            lease_until=None,
            **({} if offered == () else {"last_buttons": offered}),
        )
        .execution_options(synchronize_session=False)
    )


def end_turn(
    session: Session,
    conversation_id: int,
    message_id: int,
    holder: str,
    status: str,
    buttons: Sequence[tuple[Button, ...]],
) -> None:
    """Mark the message, free the lease and remember the options the turn's last
    question offered (``buttons``: of each reply). A notice of ours (any status
    but "answered") leaves the question asked before."""
    offered = buttons_as_dicts(next((b for b in reversed(buttons) if b), ())) or None
    remembered = offered if status == "answered" else ()
    release(session, conversation_id, message_id, holder, status, offered=remembered)
