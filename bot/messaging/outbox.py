"""The outbox in the store: enqueue with the cause, claim in order, record the end.

Synchronous store work only (the async delivery is ``bot.messaging.delivery``).
Order per conversation: only the oldest pending item of a conversation (its head)
and the due items right behind it can be claimed, so a message never overtakes an
earlier one that is still failing. Claims are taken with ``SELECT ... FOR UPDATE
SKIP LOCKED`` on PostgreSQL (several gateways share the work without waiting on
each other) and confirmed by a conditional ``UPDATE`` whose row count must match,
which is also all SQLite needs: it has one writer at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.core.privacy import mask_identifiers
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage, Button, buttons_as_dicts
from bot.store.models import Conversation, Message
from bot.store.models.outbox import FAILED, PENDING, SENT, OutboxItem

# A fresh item is left to the gateway that queued it for this long: it delivers
# at once, and the worker of any gateway takes over only if that did not happen.
FRESH_GRACE = timedelta(seconds=10)


class ClaimLost(RuntimeError):
    """Another gateway claimed part of the run first; the transaction must roll back."""


@dataclass(frozen=True)
class Claimed:
    """A claimed item as the delivery needs it, detached from its session."""

    id: int
    conversation_id: int
    key: ConversationKey
    message: BotMessage
    proactive: bool
    attempts: int


def enqueue(
    session: Session,
    key: ConversationKey,
    message: BotMessage,
    *,
    origin: str,
    proactive: bool,
    now: datetime,
) -> OutboxItem:
    """Queue ``message`` and its transcript row (status "pending") in ``session``."""
    (item,) = enqueue_all(
        session, key, [message], origin=origin, proactive=proactive, now=now
    )
    return item


def enqueue_all(
    session: Session,
    key: ConversationKey,
    messages: Sequence[BotMessage],
    *,
    origin: str,
    proactive: bool,
    now: datetime,
) -> list[OutboxItem]:
    """Queue ``messages`` in order, each with its transcript row, in ``session``.

    The conversation is read once for the batch, and each transcript row is
    inserted with its ``status_at``: two statements per reply (its row and its
    item) instead of four (README "Performance").
    """
    conversation = conversations.get_or_create(session, key)
    items = []
    for message in messages:
        row = conversations.record_outbound(
            session,
            conversation,
            mask_identifiers(message.text),
            buttons_as_dicts(message.buttons),
            status=PENDING,
            status_at=now,
        )
        item = OutboxItem(
            conversation_id=conversation.id,
            message_id=row.id,
            origin=origin,
            text=message.text,
            buttons=buttons_as_dicts(message.buttons) or None,
            custom=message.custom or None,
            proactive=proactive,
            status=PENDING,
            attempts=0,
            next_attempt_at=now + FRESH_GRACE,
            created_at=now,
        )
        session.add(item)
        items.append(item)
    session.flush()
    return items


def _claimable(now: datetime) -> Any:
    return or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until < now)


def claim_conversation(
    session: Session,
    conversation_id: int,
    holder: str,
    now: datetime,
    lease: timedelta,
    limit: int = 20,
    *,
    fresh: bool = False,
) -> list[Claimed]:
    """Claim the conversation's head and the due items right behind it, in order.

    ``fresh``: the caller just queued messages and delivers them at once, so items
    never tried yet count as due (a retry still waits for its time). Empty when the
    head is not due, is claimed by someone alive, or another gateway is claiming it
    at this moment.
    """
    pending = (
        select(OutboxItem)
        .where(
            OutboxItem.conversation_id == conversation_id,
            OutboxItem.status == PENDING,
        )
        .order_by(OutboxItem.id)
        .limit(limit)
    )
    rows = list(session.scalars(pending.with_for_update(skip_locked=True)))
    if not rows or _head_passed_over(session, conversation_id, rows[0].id):
        return []  # nothing pending, or another gateway holds the head's row lock
    run: list[OutboxItem] = []
    for row in rows:
        free = row.claimed_until is None or row.claimed_until < now
        # Never tried and behind a head that goes now: it only waited its turn.
        due = row.next_attempt_at <= now or (row.attempts == 0 and (fresh or run))
        if not free or not due:
            break
        run.append(row)
    if not run:
        return []
    ids = [row.id for row in run]
    result = session.execute(
        update(OutboxItem)
        .where(OutboxItem.id.in_(ids), _claimable(now))
        .values(claimed_by=holder, claimed_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(ids):  # type: ignore[attr-defined]
        raise ClaimLost(conversation_id)  # someone claimed part of it in between
    conversation = session.get_one(Conversation, conversation_id)
    key = ConversationKey(conversation.channel, conversation.external_id)
    return [_claimed(row, key) for row in run]


def head_claimed_elsewhere(
    session: Session, conversation_id: int, holder: str, now: datetime
) -> bool:
    """Whether the conversation's head is claimed, alive, by another holder."""
    head = session.scalar(
        select(OutboxItem)
        .where(
            OutboxItem.conversation_id == conversation_id,
            OutboxItem.status == PENDING,
        )
        .order_by(OutboxItem.id)
        .limit(1)
    )
    return (
        head is not None
        and head.claimed_by not in (None, holder)
        and head.claimed_until is not None
        and head.claimed_until >= now
    )


def _head_passed_over(session: Session, conversation_id: int, first: int) -> bool:
    """Whether SKIP LOCKED passed over the head (PostgreSQL: another gateway is
    claiming it). SQLite has no row locks, so its first row is the head: asking
    would be one more round trip per delivery for nothing."""
    if session.get_bind().dialect.name == "sqlite":
        return False
    head = session.scalar(
        select(func.min(OutboxItem.id)).where(
            OutboxItem.conversation_id == conversation_id,
            OutboxItem.status == PENDING,
        )
    )
    return first != head


def _claimed(row: OutboxItem, key: ConversationKey) -> Claimed:
    buttons = tuple(
        Button(title=b.get("title", ""), payload=b.get("payload", ""))
        for b in row.buttons or []
    )
    message = BotMessage(text=row.text, buttons=buttons, custom=dict(row.custom or {}))
    return Claimed(
        row.id, row.conversation_id, key, message, row.proactive, row.attempts
    )


def due_conversations(session: Session, now: datetime, limit: int) -> list[int]:
    """Conversations whose oldest pending item is due and not claimed."""
    earlier = aliased(OutboxItem)
    older_pending = (
        select(earlier.id)
        .where(
            earlier.conversation_id == OutboxItem.conversation_id,
            earlier.status == PENDING,
            earlier.id < OutboxItem.id,
        )
        .exists()
    )
    query = (
        select(OutboxItem.conversation_id)
        .where(
            OutboxItem.status == PENDING,
            OutboxItem.next_attempt_at <= now,
            _claimable(now),
            ~older_pending,
        )
        .order_by(OutboxItem.id)
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended, as the store records it."""

    status: str  # SENT, FAILED, or PENDING (retry at ``retry_at``)
    transcript_status: str  # the transcript row's status (sent, failed, unreachable)
    provider_message_id: str | None = None
    error: str | None = None
    via_template: bool = False
    retry_at: datetime | None = None


def record_outcome(
    session: Session, item_id: int, holder: str, outcome: Outcome, now: datetime
) -> bool:
    """Record an attempt on the item and its transcript row; False if not ours."""
    item = session.get(OutboxItem, item_id)
    if item is None or item.status != PENDING or item.claimed_by != holder:
        return False  # our claim expired and someone else took the item over
    item.attempts += 1
    item.claimed_by = None
    item.claimed_until = None
    item.last_error = outcome.error[:300] if outcome.error else None
    # The transcript row is updated by id, never loaded: a SELECT less per reply.
    changes: dict[str, Any] = {"error": item.last_error}
    if outcome.status == PENDING:
        item.next_attempt_at = outcome.retry_at or now
    else:
        item.status = outcome.status
        item.done_at = now
        item.text = mask_identifiers(item.text)  # the raw text is no longer needed
        changes.update(
            status=outcome.transcript_status,
            status_at=now,
            provider_message_id=outcome.provider_message_id,
        )
        if outcome.via_template:
            changes["kind"] = "template"
    session.execute(
        update(Message)
        .where(Message.id == item.message_id)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if outcome.status == PENDING:
        return True
    if outcome.transcript_status == "unreachable":
        conversation = session.get(Conversation, item.conversation_id)
        if conversation is not None:
            conversation.unreachable_at = now
    return True


def release(session: Session, item_ids: Sequence[int], holder: str) -> None:
    """Give back claims not used (an earlier item of the run must be retried)."""
    if item_ids:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(item_ids), OutboxItem.claimed_by == holder)
            .values(claimed_by=None, claimed_until=None)
            .execution_options(synchronize_session=False)
        )


def depth(session: Session) -> int:
    """How many items wait to be delivered (a metric)."""
    return int(
        session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.status == PENDING)
        )
        or 0
    )


def failures(session: Session, limit: int = 100) -> list[OutboxItem]:
    """Items given up on, newest first (shown in the console)."""
    query = (
        select(OutboxItem)
        .where(OutboxItem.status == FAILED)
        .order_by(OutboxItem.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


__all__ = [
    "FAILED",
    "PENDING",
    "SENT",
    "ClaimLost",
    "Claimed",
    "Outcome",
    "claim_conversation",
    "depth",
    "due_conversations",
    "enqueue",
    "enqueue_all",
    "failures",
    "head_claimed_elsewhere",
    "record_outcome",
    "release",
]
