"""One participant turn through the gateway, the same for every channel.

The channel adapters only translate wire formats. Everything that must hold for all
channels alike lives here: the transcript, de-duplication by the provider's message
id, the per-sender rate limit, per-sender ordering (a lease in the store, so it holds
across gateways), numbered replies, the apology when Rasa or the action server is
down, and the limits on what is forwarded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot.core import privacy
from bot.core.crypto import DataCipher
from bot.core.logs import new_turn, turn_id
from bot.core.texts import text as copy_text
from bot.gateway import leases
from bot.gateway.channels.rendering.common import choose_by_number
from bot.gateway.inbound import ConversationState, Inbound, scan_message
from bot.gateway.metrics import Metrics
from bot.gateway.rasa_client import RasaClient, RasaUnavailable
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import IdentityTokens
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Outbound
from bot.store import ratelimit
from bot.store.db import STORE_DOWN, Database, patiently, retry_on_conflict
from bot.store.models import utcnow

__all__ = ["EXPIRED", "FORGET_CONVERSATION", "Dialogue", "Inbound"]

logger = logging.getLogger(__name__)

# How often a turn waiting for another gateway's lease looks again (a turn waiting
# for one in this process is woken at once).
LEASE_RETRY_SECONDS = 0.1
# The kind of a press on a button whose key the store does not know (forged, or
# from before a reset): answered with a notice, never forwarded as text.
EXPIRED = "expired"
# The marker "hapus data saya" puts in its reply (a custom message, never shown):
# the conversation's tracker events are to go once Rasa has saved the turn.
FORGET_CONVERSATION = "forget_conversation"

T = TypeVar("T")


class Dialogue:
    """Records, forwards to Rasa and delivers, one turn at a time per participant."""

    def __init__(
        self,
        db: Database,
        rasa: RasaClient,
        outbound: Outbound,
        max_inbound_chars: int,
        *,
        rate_limit_per_minute: int = 20,
        lease_seconds: float = 90.0,
        tokens: IdentityTokens | None = None,
        cipher: DataCipher | None = None,
        metrics: Metrics | None = None,
        forget_tracker: Callable[[str], int] | None = None,
    ) -> None:
        self._db = db
        # NIK and KPJ reach Rasa as tokens, on each number's one encrypted copy (also
        # for audited reveal); with a cipher only, just the reveal copies are kept.
        self._tokenise = tokens is not None
        self._tokens = tokens or (IdentityTokens(db, cipher) if cipher else None)
        self._rasa = rasa
        self._outbound = outbound
        self._max_chars = max_inbound_chars
        self._rate_limit = rate_limit_per_minute
        self._lease = timedelta(seconds=lease_seconds)
        self._holder = uuid.uuid4().hex[:16]  # + ":<message id>" fits String(40)
        self._released: dict[str, asyncio.Event] = {}
        self._metrics = metrics or Metrics()
        # Deletes a sender's events from Rasa's tracker store, asked for by the
        # erasure's action (FORGET_CONVERSATION in its reply).
        self._forget_tracker = forget_tracker

    async def accept(
        self,
        key: ConversationKey,
        text: str,
        *,
        kind: str = "text",
        provider_message_id: str | None = None,
    ) -> Inbound:
        """Record an inbound message before the provider is acknowledged.

        A provider message id seen before (a redelivery, to this gateway or another)
        trips the store's unique constraint and comes back as a duplicate.
        """
        inbound = await asyncio.to_thread(
            retry_on_conflict,
            lambda: self._record(key, text, kind, provider_message_id),
        )
        if inbound.duplicate:
            logger.info(
                "duplicate %s message %s ignored", key.channel, provider_message_id
            )
        else:
            self._metrics.messages_in.labels(key.channel).inc()
        return inbound

    def _record(
        self,
        key: ConversationKey,
        text: str,
        kind: str,
        provider_message_id: str | None,
    ) -> Inbound:
        """One transaction: the message, its rate count and, when free, the lease."""
        with self._db.session() as session:
            conversation = conversations.get_or_create(session, key)
            carried = conversation.digit_tail or 0
            numbers = scan_message(session, text, carried, key.sender_id)
            try:
                with session.begin_nested():
                    message = conversations.record_inbound(
                        session,
                        conversation,
                        privacy.apply_mask(text, numbers),
                        kind=kind,
                        provider_message_id=provider_message_id,
                    )
            except IntegrityError:
                if provider_message_id is None:
                    raise
                return Inbound(key, 0, text, kind, duplicate=True)
            conversation.unreachable_at = None  # they wrote: they can be reached
            conversation.digit_tail = numbers.tail or None
            now = utcnow()
            forwarded = None
            if self._tokens is not None:  # one encrypted copy of each number
                forwarded = self._tokens.record(
                    session, message.id, text, numbers.found, key.sender_id, now,
                    issue_tokens=self._tokenise,
                )  # fmt: skip
            rate = ratelimit.count_message(
                session, key.sender_id, now, self._rate_limit
            )
            session.flush()
            # Take the lease in the same transaction when it is free: the common
            # case costs no extra round trip to the store.
            leased = leases.try_acquire(
                session,
                conversation.id,
                message.id,
                self._holder_for(message.id),
                now,
                self._lease,
            )
            return Inbound(
                key,
                message.id,
                text,
                kind,
                conversation_id=conversation.id,
                rate=rate,
                leased=leased,
                state=ConversationState.of(conversation) if leased else None,
                carried=carried,
                forwarded=forwarded if self._tokenise else None,
            )

    async def respond(self, inbound: Inbound) -> list[BotMessage]:
        """Produce and deliver the bot's answer to ``inbound``, in arrival order."""
        if inbound.duplicate:
            return []
        turn = new_turn()  # logged here and by the action server (metadata)
        started = time.monotonic()
        if not inbound.leased:
            await self._acquire(inbound)
        status = "failed"
        replies: list[BotMessage] = []
        ended = False
        try:
            replies, status = await self._replies(inbound)
            ended = await self._send(inbound, replies, status)
        finally:
            if not ended:
                await self._in_store(
                    lambda: self._finish(inbound, status, replies), "ending a turn"
                )
            elapsed = time.monotonic() - started
            self._metrics.turn_seconds.labels(inbound.key.channel).observe(elapsed)
            logger.info(
                "turn %s of message %s: %s, %d replies, %.3f s",
                turn,
                inbound.message_id,
                status,
                len(replies),
                elapsed,
            )
        return replies

    def _holder_for(self, message_id: int) -> str:
        return f"{self._holder}:{message_id}"

    async def _send(
        self, inbound: Inbound, replies: list[BotMessage], status: str
    ) -> bool:
        """Queue the replies and end the turn in one transaction (True: before they
        are sent, README "Performance"), then deliver them; what fails is left to
        the worker. Queueing waits for the store: Rasa is not asked again."""
        if not replies:
            return False
        queued = await self._in_store(
            lambda: self._outbound.queue_all(
                inbound.key,
                replies,
                proactive=False,
                origin="bot",
                also=lambda session: self._end_turn(session, inbound, status, replies),
            ),
            "queueing replies",
        )
        if (event := self._released.pop(inbound.key.sender_id, None)) is not None:
            event.set()  # the next turn may run now
        try:
            await self._outbound.deliver_queued(*queued)
        except STORE_DOWN:
            logger.warning(
                "store unreachable delivering replies to message %s; left to the "
                "outbox worker",
                inbound.message_id,
            )
        return True

    async def _in_store(self, work: Callable[[], T], what: str) -> T:
        """The provider was told the message arrived (2xx), so nobody will deliver
        it again: a turn outlasts a store outage instead of dropping the message."""
        return await patiently(work, what)

    # --- ordering ---------------------------------------------------------------------

    async def _acquire(self, inbound: Inbound) -> None:
        deadline = time.monotonic() + 2 * self._lease.total_seconds()
        while True:
            acquired = await self._in_store(
                lambda: self._try_acquire(inbound), "taking a turn's lease"
            )
            if acquired:
                return
            if time.monotonic() > deadline:
                # Leases and waiting messages expire long before this; reaching it
                # means the store is misbehaving. Answer anyway rather than never.
                logger.warning("no lease for message %s; going on", inbound.message_id)
                return
            event = self._released.setdefault(inbound.key.sender_id, asyncio.Event())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), LEASE_RETRY_SECONDS)

    def _try_acquire(self, inbound: Inbound) -> bool:
        with self._db.session() as session:
            return leases.try_acquire(
                session,
                inbound.conversation_id,
                inbound.message_id,
                self._holder_for(inbound.message_id),
                utcnow(),
                self._lease,
            )

    def _finish(self, inbound: Inbound, status: str, replies: list[BotMessage]) -> None:
        """End a turn that queued no replies: one transaction of its own."""
        try:
            with self._db.session() as session:
                self._end_turn(session, inbound, status, replies)
        finally:  # wake this participant's next turn waiting in this process
            if (event := self._released.pop(inbound.key.sender_id, None)) is not None:
                event.set()

    def _end_turn(
        self, session: Session, inbound: Inbound, status: str, replies: list[BotMessage]
    ) -> None:
        holder = self._holder_for(inbound.message_id)
        buttons = [reply.buttons for reply in replies]
        leases.end_turn(
            session,
            inbound.conversation_id,
            inbound.message_id,
            holder,
            status,
            buttons,
        )

    # --- the turn ---------------------------------------------------------------------

    async def _replies(self, inbound: Inbound) -> tuple[list[BotMessage], str]:
        if inbound.rate is not None and not inbound.rate.allowed:
            if inbound.rate.notify:
                return [BotMessage(text=copy_text("rate_limited"))], "limited"
            return [], "limited"
        state = await self._state(inbound)
        if state.held:
            # a person holds this conversation: record only, stay silent (media too)
            return [], "held"
        if inbound.kind == EXPIRED:
            return [BotMessage(text=copy_text("button_expired"))], "notice"
        if inbound.kind not in ("text", "button"):
            return [BotMessage(text=copy_text("non_text"))], "notice"
        if len(inbound.text) > self._max_chars:
            notice = copy_text(
                "too_long", length=len(inbound.text), limit=self._max_chars
            )
            return [BotMessage(text=notice)], "notice"
        chosen = choose_by_number(inbound.text, state.last_buttons)
        # "button" tells the actions that this is an answer to the question asked,
        # whatever intent the words of the option might suggest.
        metadata = {
            "channel": inbound.key.channel,
            "button": inbound.kind == "button" or chosen is not None,
            "turn_id": turn_id.get(),
        }
        forwarded = await self._forwarded(inbound, chosen)
        if forwarded is None:
            return [BotMessage(text=copy_text("service_down"))], "notice"
        try:
            replies = await self._rasa.send(
                inbound.key.sender_id,
                forwarded,
                inbound.key.channel,
                metadata,
            )
        except RasaUnavailable:
            self._metrics.dialogue_errors.labels("rasa").inc()
            logger.warning(
                "Rasa unavailable for message %s", inbound.message_id, exc_info=True
            )
            return [BotMessage(text=copy_text("service_down"))], "notice"
        if any(reply.custom.get(FORGET_CONVERSATION) for reply in replies):
            replies = [r for r in replies if not r.custom.get(FORGET_CONVERSATION)]
            await self._forget(inbound)
        if not replies:
            # Every turn of ours answers something; silence means an action failed
            # (Rasa drops a failed action's messages and carries on).
            self._metrics.dialogue_errors.labels("action").inc()
            logger.warning("empty reply from Rasa for message %s", inbound.message_id)
            return [BotMessage(text=copy_text("service_down"))], "notice"
        return replies, "answered"

    async def _forwarded(self, inbound: Inbound, chosen: str | None) -> str | None:
        """What Rasa gets: the text tokenised while recording, or the option chosen
        by its number (ours, yet tokenised like typed text to be sure); ``None``
        when that fails (never the raw number instead: an apology)."""
        if not chosen or self._tokens is None or not self._tokenise:
            return chosen or inbound.forwarded or inbound.text
        tokens, owner = self._tokens, inbound.key.sender_id
        try:
            return await self._in_store(
                lambda: tokens.tokenise(chosen, owner), "tokenising numbers"
            )
        except SQLAlchemyError:
            logger.exception("could not tokenise message %s", inbound.message_id)
            return None

    async def _forget(self, inbound: Inbound) -> None:
        """Delete the sender's tracker events (Rasa saved them before answering;
        the lease holds the next message until then, which starts a new tracker).
        A failure is logged: purge takes them after ``RETENTION_DAYS``."""
        if self._forget_tracker is None:
            return
        forget, sender = self._forget_tracker, inbound.key.sender_id
        try:
            count = await self._in_store(
                lambda: forget(sender), "deleting tracker events"
            )
        except SQLAlchemyError:
            logger.exception(
                "could not delete the tracker events of message %s", inbound.message_id
            )
            return
        logger.info("tracker events deleted after %s: %d", inbound.message_id, count)

    async def _state(self, inbound: Inbound) -> ConversationState:
        """Read while recording if the lease was taken then (a transaction less per
        turn, README "Performance"); again if the turn waited, which may change it."""
        if inbound.leased and inbound.state is not None:
            return inbound.state
        return await self._in_store(
            lambda: self._conversation(inbound.key), "reading the conversation"
        )

    def _conversation(self, key: ConversationKey) -> ConversationState:
        with self._db.session() as session:
            return ConversationState.of(conversations.get_or_create(session, key))
