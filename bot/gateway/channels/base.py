"""What every channel does alike once it has read a provider's request.

PRODUCT.md §6: de-duplication, transcript recording, per-sender ordering and the
polite answer to media hold for every channel alike, so they live here once. A
channel adapter keeps only its wire format: the authenticity check, parsing into
``Incoming`` messages, rendering and sending. What it parsed goes through
``accept`` (recorded, button presses resolved, duplicates dropped) before the
provider is acknowledged, and ``answer`` then runs the turns, one task per sender,
so a slow turn of one participant does not hold up anyone else while each
participant's own turns keep their order (the dialogue's lease orders them too).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.responses import JSONResponse

from bot.core.texts import label
from bot.gateway import callback_keys
from bot.gateway.channels.rendering.common import (
    INDEX_CALLBACK_PREFIX,
    KEY_CALLBACK_PREFIX,
)
from bot.gateway.dialogue import EXPIRED, Dialogue, Inbound
from bot.messaging.conversations import ConversationKey
from bot.store.db import STORE_DOWN, Database

logger = logging.getLogger(__name__)

# Kinds of message that are not text; each channel maps its provider's names onto
# these, and the transcript labels live in bot/core/texts.yml (labels.media).
MEDIA_KINDS = frozenset(
    {"photo", "voice", "audio", "video", "sticker", "document", "location", "contact"}
)
# Seconds ``stop`` waits for turns still being answered.
DRAIN_SECONDS = 15.0
# Seconds a provider is asked to wait before delivering again (Retry-After).
RETRY_AFTER_SECONDS = 5


class StoreUnavailable(RuntimeError):
    """The store cannot be reached: nothing was acknowledged, deliver again later."""


def store_unavailable() -> JSONResponse:
    """A webhook's answer when nothing could be recorded: deliver again later."""
    return JSONResponse(
        {"error": "store unavailable, deliver again later"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def media_label(kind: str | None) -> str:
    """The transcript's label for media of ``kind`` (None: a kind we do not know)."""
    return label("media", kind if kind in MEDIA_KINDS else "unknown")


@dataclass(frozen=True)
class Incoming:
    """One participant message as a channel parsed it, not yet recorded.

    ``text`` is what they typed, the button's data for a press (resolved in
    ``accept``) or the media label. ``press_id`` is the provider's id of a press
    that must itself be answered (Telegram's callback query).
    """

    sender: str
    text: str
    kind: str  # "text", "button" or "media"
    provider_message_id: str | None = None
    press_id: str | None = None
    # A phone number shared with Telegram's contact button, and whether it is the
    # sender's own (its ``user_id``); kept only as a keyed hash (possession.py).
    shared_phone: str | None = None
    shared_own: bool = False


@dataclass(frozen=True)
class Turn:
    """A recorded message waiting for its answer."""

    incoming: Incoming
    inbound: Inbound


class Channel:
    """Accepting and answering participant messages, the same for every channel."""

    name = ""  # the channel part of every ConversationKey of this channel

    def __init__(self, dialogue: Dialogue, db: Database | None = None) -> None:
        self._dialogue = dialogue
        self._db = db
        self._turns: set[asyncio.Task[None]] = set()

    def key_of(self, sender: str) -> ConversationKey:
        """The conversation of the provider's sender id (WhatsApp hashes it)."""
        return ConversationKey(self.name, sender)

    async def record(self, incoming: Incoming) -> Inbound:
        """Record one message; a press resolves to its payload first.

        A press whose key the store does not know is recorded as EXPIRED: it is
        answered with a notice and never forwarded as text.
        """
        text, kind = incoming.text, incoming.kind
        if kind == "button":
            payload = await asyncio.to_thread(self._payload_of, text)
            text, kind = (payload, kind) if payload is not None else (text, EXPIRED)
        return await self._dialogue.accept(
            self.key_of(incoming.sender),
            text,
            kind=kind,
            provider_message_id=incoming.provider_message_id,
        )

    async def accept(self, messages: Iterable[Incoming]) -> list[Turn]:
        """Record ``messages`` in order; the turns to answer (no duplicates).

        Called before the provider is acknowledged. When the store cannot be
        reached, ``StoreUnavailable``: the webhook answers 503 and the provider
        delivers again later, so no acknowledged message is lost (the ones of a
        batch recorded before come back as duplicates). A message the store
        refuses is logged and skipped: the provider still gets its 2xx, because
        an error would make it redeliver the same refusal again and again.
        """
        turns = []
        for incoming in messages:
            try:
                inbound = await self.record(incoming)
            except STORE_DOWN as exc:
                logger.warning(
                    "store unreachable: %s message %s not acknowledged",
                    self.name,
                    incoming.provider_message_id,
                )
                raise StoreUnavailable(str(exc)) from exc
            except Exception:
                logger.exception(
                    "%s message %s could not be recorded",
                    self.name,
                    incoming.provider_message_id,
                )
                continue
            if not inbound.duplicate:
                turns.append(Turn(incoming, inbound))
        return turns

    def answer(self, turns: Iterable[Turn]) -> None:
        """Answer ``turns`` in the background: one task per sender, in order."""
        by_sender: dict[str, list[Turn]] = {}
        for turn in turns:
            by_sender.setdefault(turn.incoming.sender, []).append(turn)
        for own in by_sender.values():
            task = asyncio.create_task(self._answer(own), name=f"{self.name}-turn")
            self._turns.add(task)
            task.add_done_callback(self._turns.discard)

    async def before_answer(self, incoming: Incoming) -> None:
        """What the provider needs before the turn (Telegram: answer the press)."""

    async def drain(self) -> None:
        """Let turns still being answered finish (at shutdown)."""
        if self._turns:
            await asyncio.wait(set(self._turns), timeout=DRAIN_SECONDS)

    async def remember_keys(self, keys: dict[str, str]) -> None:
        """Store the keys a rendering used, before the message carrying them goes."""
        if keys and self._db is not None:
            await asyncio.to_thread(self._store_keys, keys)

    async def _answer(self, turns: list[Turn]) -> None:
        for turn in turns:
            try:
                await self.before_answer(turn.incoming)
                await self._dialogue.respond(turn.inbound)
            except Exception:
                # The provider already has its 2xx; a failure here must not escape.
                logger.exception(
                    "failed to answer %s message %s",
                    self.name,
                    turn.incoming.provider_message_id,
                )

    def _payload_of(self, data: str) -> str | None:
        """The payload behind a press's ``data``; None for an unknown key."""
        # "#2" is the second option of the last question: the same as typing "2",
        # which the dialogue resolves against the options it offered.
        if data.startswith(INDEX_CALLBACK_PREFIX):
            return data.removeprefix(INDEX_CALLBACK_PREFIX)
        if self._db is None or not data.startswith(KEY_CALLBACK_PREFIX):
            return data
        with self._db.session() as session:
            payload = callback_keys.resolve(session, data)
        if payload is None:
            logger.warning("unknown %s button key %r", self.name, data)
        return payload

    def _store_keys(self, keys: dict[str, str]) -> None:
        if self._db is not None:
            with self._db.session() as session:
                callback_keys.remember(session, keys)
