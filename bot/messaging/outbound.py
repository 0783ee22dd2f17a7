"""Sending to a participant outside a turn: staff replies, status notifications.

Each channel registers how it delivers; everything proactive goes through
:meth:`Outbound.send`, so it is recorded in the transcript the same way as the bot's
own replies and each channel can apply its own rules. WhatsApp's 24-hour
customer-service window is one of them: a proactive message to a participant who
has not written for 24 hours goes out as the approved template
(``WHATSAPP_TEMPLATE_NAME``), decided by :func:`window_open` here and applied by the
WhatsApp channel. Provider delivery reports (sent, delivered, read, failed) land on
the recorded message through :meth:`Outbound.record_status`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.privacy import mask_identifiers
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage, buttons_as_dicts
from bot.store.db import Database
from bot.store.models import Message, utcnow

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


@dataclass(frozen=True)
class Delivery:
    """What the provider said about one outbound message."""

    status: str  # "sent", "failed", "unreachable", "pending"
    provider_message_id: str | None = None
    error: str | None = None
    via_template: bool = False  # sent as the WhatsApp template (window closed)


# How a channel delivers one message to one participant. ``proactive`` is True when
# the participant did not just write (staff reply, notification).
ChannelDeliver = Callable[[ConversationKey, BotMessage, bool], Awaitable[Delivery]]


class ChannelUnavailable(RuntimeError):
    """The conversation's channel is not configured in this gateway."""


def window_open(last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether the 24-hour customer-service window is open for free-form messages."""
    if last_inbound_at is None:
        return False
    return (now or utcnow()) - last_inbound_at < CUSTOMER_SERVICE_WINDOW


class Outbound:
    """Delivers and records messages to participants on whichever channel they use."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._channels: dict[str, ChannelDeliver] = {}

    def register(self, channel: str, deliver: ChannelDeliver) -> None:
        """Make ``channel`` reachable (done by each channel at start-up)."""
        self._channels[channel] = deliver

    async def send(
        self, key: ConversationKey, message: BotMessage, *, proactive: bool = True
    ) -> Delivery:
        """Deliver ``message`` to ``key`` and record it in the transcript.

        On WhatsApp a proactive message outside the 24-hour window is sent as the
        configured template; the returned delivery says so (``via_template``).
        """
        deliver = self._channels.get(key.channel)
        if deliver is None:
            raise ChannelUnavailable(f"channel {key.channel!r} is not configured")
        delivery = await deliver(key, message, proactive)
        await asyncio.to_thread(self.record, key, message, delivery)
        return delivery

    def record(
        self, key: ConversationKey, message: BotMessage, delivery: Delivery
    ) -> None:
        """Write one outbound message to the transcript (identity numbers masked)."""
        now = utcnow()
        with self._db.session() as session:
            conversation = conversations.get_or_create(session, key)
            row = conversations.record_outbound(
                session,
                conversation,
                mask_identifiers(message.text),
                buttons_as_dicts(message.buttons),
                status=delivery.status,
                provider_message_id=delivery.provider_message_id,
            )
            row.status_at = now
            row.error = delivery.error[:300] if delivery.error else None
            if delivery.via_template:
                row.kind = "template"
            if delivery.status == "unreachable":
                conversation.unreachable_at = now

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
