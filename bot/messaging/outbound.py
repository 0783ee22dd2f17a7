"""Sending to a participant: every message goes through the outbox.

Each channel registers how it delivers; every outbound message (bot replies, staff
replies, notifications) is queued in the outbox with its transcript row
(``bot.messaging.outbox``), in the same transaction as its cause when the caller
has one (``enqueue``), and delivered at once, retried later when the provider
fails for a while (``bot.messaging.delivery``). WhatsApp's 24-hour
customer-service window is one of the channels' rules: a proactive message to a
participant who has not written for 24 hours goes out as the approved template
(``WHATSAPP_TEMPLATE_NAME``), decided by :func:`window_open` here and applied by the
WhatsApp channel. Provider delivery reports (sent, delivered, read, failed) land on
the recorded message through :meth:`Outbound.record_status`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.messaging import conversations, outbox
from bot.messaging.conversations import ConversationKey
from bot.messaging.delivery import (
    AttemptHook,
    ChannelDeliver,
    Delivery,
    OutboxDelivery,
    RetryPolicy,
)
from bot.messaging.messages import BotMessage
from bot.store.db import Database
from bot.store.models import Message, utcnow
from bot.store.models.outbox import OutboxItem

__all__ = [
    "ChannelDeliver",
    "ChannelUnavailable",
    "Delivery",
    "Outbound",
    "window_open",
]

# WhatsApp lets a business send free-form messages for 24 hours after the
# participant's last message; after that only approved templates.
CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)

# A later report never overwrites a more advanced one (a late "sent" after "read").
STATUS_RANK = {
    "pending": 0,
    "sent": 1,
    "delivered": 2,
    "read": 3,
    "failed": 4,
    "unreachable": 4,
}


class ChannelUnavailable(RuntimeError):
    """The conversation's channel is not configured in this gateway."""


def window_open(last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether the 24-hour customer-service window is open for free-form messages."""
    if last_inbound_at is None:
        return False
    return (now or utcnow()) - last_inbound_at < CUSTOMER_SERVICE_WINDOW


class Outbound:
    """Queues, delivers and records messages to participants on their channel."""

    def __init__(
        self,
        db: Database,
        policy: RetryPolicy | None = None,
        *,
        on_attempt: AttemptHook | None = None,
    ) -> None:
        self._db = db
        self._channels: dict[str, ChannelDeliver] = {}
        self.delivery = OutboxDelivery(
            db, self._channels, policy or RetryPolicy(), on_attempt=on_attempt
        )

    def register(self, channel: str, deliver: ChannelDeliver) -> None:
        """Make ``channel`` reachable (done by each channel at start-up)."""
        self._channels[channel] = deliver

    @property
    def channels(self) -> frozenset[str]:
        """The channels this gateway can deliver to."""
        return frozenset(self._channels)

    def require(self, channel: str) -> None:
        """Raise ``ChannelUnavailable`` unless this gateway serves ``channel``."""
        if channel not in self._channels:
            raise ChannelUnavailable(f"channel {channel!r} is not configured")

    async def send(
        self,
        key: ConversationKey,
        message: BotMessage,
        *,
        proactive: bool = True,
        origin: str = "staff",
    ) -> Delivery:
        """Queue ``message`` on its own and deliver it now (see ``send_all``)."""
        (delivery,) = await self.send_all(
            key, [message], proactive=proactive, origin=origin
        )
        return delivery

    async def send_all(
        self,
        key: ConversationKey,
        messages: Sequence[BotMessage],
        *,
        proactive: bool,
        origin: str,
    ) -> list[Delivery]:
        """Queue ``messages`` (one transaction) and deliver them now, in order.

        A message that could not go at once stays queued and is retried; its
        delivery says "pending". On WhatsApp a proactive message outside the
        24-hour window is sent as the configured template (``via_template``).
        """
        if not messages:
            return []
        conversation_id, ids = await asyncio.to_thread(
            self.queue_all, key, messages, proactive=proactive, origin=origin
        )
        return await self.deliver_queued(conversation_id, ids)

    def queue_all(
        self,
        key: ConversationKey,
        messages: Sequence[BotMessage],
        *,
        proactive: bool,
        origin: str,
        also: Callable[[Session], None] | None = None,
    ) -> tuple[int, list[int]]:
        """Queue ``messages`` in one transaction of their own (not yet delivered).

        ``also`` runs in the same transaction, after the queueing: the gateway ends
        its turn there (README "Performance"). The conversation's id and the
        items' ids, for ``deliver_queued``.
        """
        self.require(key.channel)
        return self._enqueue_all(key, messages, proactive, origin, also)

    async def deliver_queued(
        self, conversation_id: int, item_ids: Sequence[int]
    ) -> list[Delivery]:
        """Deliver what a caller queued in its own transaction (``enqueue``)."""
        results = await self.delivery.deliver_conversation(conversation_id, fresh=True)
        deliveries = []
        for item_id in item_ids:
            delivery = results.get(item_id, Delivery("pending"))
            if delivery.status == "retry":  # queued for the next attempt
                delivery = Delivery("pending", error=delivery.error)
            deliveries.append(delivery)
        return deliveries

    @staticmethod
    def enqueue(
        session: Session,
        key: ConversationKey,
        message: BotMessage,
        *,
        origin: str,
        proactive: bool = True,
    ) -> OutboxItem:
        """Queue ``message`` in the caller's transaction (with what caused it)."""
        return outbox.enqueue(
            session, key, message, origin=origin, proactive=proactive, now=utcnow()
        )

    def _enqueue_all(
        self,
        key: ConversationKey,
        messages: Sequence[BotMessage],
        proactive: bool,
        origin: str,
        also: Callable[[Session], None] | None = None,
    ) -> tuple[int, list[int]]:
        with self._db.session() as session:
            items = outbox.enqueue_all(
                session, key, messages, origin=origin, proactive=proactive, now=utcnow()
            )
            if also is not None:
                also(session)
            return items[0].conversation_id, [item.id for item in items]

    def last_inbound_at(self, key: ConversationKey) -> datetime | None:
        """When the participant last wrote (for the 24-hour window)."""
        with self._db.session() as session:
            conversation = conversations.find(session, key.sender_id)
            return conversation.last_inbound_at if conversation else None

    def record_status(
        self,
        channel: str,
        provider_message_id: str,
        status: str,
        at: datetime,
        error: str | None = None,
    ) -> bool:
        """Record a provider's delivery report; False when the message is unknown."""
        with self._db.session() as session:
            row = _outbound_by_provider_id(session, channel, provider_message_id)
            if row is None:
                return False
            current = STATUS_RANK.get(row.status or "", 0)
            if STATUS_RANK.get(status, 0) < current:
                return True  # a late, less advanced report: keep what we know
            row.status = status
            row.status_at = at
            if error:
                row.error = error[:300]
            return True


def _outbound_by_provider_id(
    session: Session, channel: str, provider_message_id: str
) -> Message | None:
    base = select(Message).where(Message.channel == channel, Message.direction == "out")
    found = session.scalar(
        base.where(Message.provider_message_id == provider_message_id)
    )
    if found is not None:
        return found
    # A long message went out in several parts; their ids are stored comma-joined.
    return session.scalar(
        base.where(
            Message.provider_message_id.contains(provider_message_id, autoescape=True)
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
