"""One participant turn through the gateway, the same for every channel.

The channel adapters only translate wire formats. Everything that must hold for all
channels alike lives here: the transcript, numbered replies, per-sender ordering, the
apology when Rasa or the action server is down, and the limits on what is forwarded.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot import conversations, handoffs, reveal
from bot.conversations import ConversationKey
from bot.crypto import DataCipher
from bot.outbound import Outbound
from bot.privacy import mask_identifiers
from bot.rasa_client import BotMessage, RasaClient, RasaUnavailable
from bot.rendering import buttons_as_dicts, choose_by_number
from bot.store.db import Database
from bot.store.models import Conversation
from bot.texts import text as copy_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """A recorded participant message waiting for its turn.

    ``text`` is the raw text, kept in memory only for the turn; the store holds the
    masked form.
    """

    key: ConversationKey
    message_id: int
    text: str
    kind: str  # "text", "button" (a pressed option) or "media"


class Dialogue:
    """Records, forwards to Rasa and delivers, one turn at a time per participant."""

    def __init__(
        self,
        db: Database,
        rasa: RasaClient,
        outbound: Outbound,
        max_inbound_chars: int,
        *,
        cipher: DataCipher | None = None,
    ) -> None:
        self._db = db
        # Keeps the encrypted originals of masked numbers for audited reveal (p4).
        self._cipher = cipher
        self._rasa = rasa
        self._outbound = outbound
        self._max_chars = max_inbound_chars
        self._locks: dict[str, asyncio.Lock] = {}

    async def accept(
        self,
        key: ConversationKey,
        text: str,
        *,
        kind: str = "text",
        provider_message_id: str | None = None,
    ) -> Inbound:
        """Record an inbound message before the provider is acknowledged."""

        def record() -> int:
            with self._db.session() as session:
                conversation = conversations.get_or_create(session, key)
                message = conversations.record_inbound(
                    session,
                    conversation,
                    mask_identifiers(text),
                    kind=kind,
                    provider_message_id=provider_message_id,
                )
                if self._cipher is not None:
                    reveal.remember(session, message, text, self._cipher)
                return message.id

        message_id = await asyncio.to_thread(record)
        return Inbound(key=key, message_id=message_id, text=text, kind=kind)

    async def respond(self, inbound: Inbound) -> list[BotMessage]:
        """Produce and deliver the bot's answer to ``inbound``, in arrival order."""
        lock = self._locks.setdefault(inbound.key.sender_id, asyncio.Lock())
        async with lock:
            replies = await self._replies(inbound)
            for reply in replies:
                await self._outbound.send(inbound.key, reply, proactive=False)
            await asyncio.to_thread(self._remember_buttons, inbound.key, replies)
        return replies

    async def _replies(self, inbound: Inbound) -> list[BotMessage]:
        conversation = await asyncio.to_thread(self._conversation, inbound.key)
        if handoffs.is_active(conversation):
            return []  # a person holds this conversation: record only, stay silent
        if inbound.kind not in ("text", "button"):
            return [BotMessage(text=copy_text("non_text"))]
        if len(inbound.text) > self._max_chars:
            notice = copy_text(
                "too_long", length=len(inbound.text), limit=self._max_chars
            )
            return [BotMessage(text=notice)]
        chosen = choose_by_number(inbound.text, conversation.last_buttons)
        # "button" tells the actions that this is an answer to the question asked,
        # whatever intent the words of the option might suggest.
        metadata = {
            "channel": inbound.key.channel,
            "button": inbound.kind == "button" or chosen is not None,
        }
        try:
            replies = await self._rasa.send(
                inbound.key.sender_id,
                chosen or inbound.text,
                inbound.key.channel,
                metadata,
            )
        except RasaUnavailable:
            logger.warning(
                "Rasa unavailable for message %s", inbound.message_id, exc_info=True
            )
            return [BotMessage(text=copy_text("service_down"))]
        if not replies:
            # Every turn of ours answers something; silence means an action failed
            # (Rasa drops a failed action's messages and carries on).
            logger.warning("empty reply from Rasa for message %s", inbound.message_id)
            return [BotMessage(text=copy_text("service_down"))]
        return replies

    def _conversation(self, key: ConversationKey) -> Conversation:
        with self._db.session() as session:
            return conversations.get_or_create(session, key)

    def _remember_buttons(
        self, key: ConversationKey, replies: list[BotMessage]
    ) -> None:
        offered = next((r.buttons for r in reversed(replies) if r.buttons), ())
        with self._db.session() as session:
            conversation = conversations.get_or_create(session, key)
            conversation.last_buttons = buttons_as_dicts(offered) or None
