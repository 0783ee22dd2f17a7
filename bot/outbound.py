"""Sending to a participant outside a turn: staff replies, status notifications.

Each channel registers how it delivers; everything proactive goes through
:meth:`Outbound.send`, so it is recorded in the transcript the same way as the bot's
own replies and each channel can apply its own rules (WhatsApp's 24-hour window).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot import conversations
from bot.conversations import ConversationKey
from bot.privacy import mask_identifiers
from bot.rasa_client import BotMessage
from bot.rendering import buttons_as_dicts
from bot.store.db import Database


@dataclass(frozen=True)
class Delivery:
    """What the provider said about one outbound message."""

    status: str  # "sent", "failed", "unreachable"
    provider_message_id: str | None = None


# How a channel delivers one message to one participant. ``proactive`` is True when
# the participant did not just write (staff reply, notification).
ChannelDeliver = Callable[[ConversationKey, BotMessage, bool], Awaitable[Delivery]]


class ChannelUnavailable(RuntimeError):
    """The conversation's channel is not configured in this gateway."""


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
        """Deliver ``message`` to ``key`` and record it in the transcript."""
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
        with self._db.session() as session:
            conversation = conversations.get_or_create(session, key)
            conversations.record_outbound(
                session,
                conversation,
                mask_identifiers(message.text),
                buttons_as_dicts(message.buttons),
                status=delivery.status,
                provider_message_id=delivery.provider_message_id,
            )
