"""Delivering the outbox: at once in the common case, retried with backoff otherwise.

``OutboxDelivery.deliver_conversation`` is called right after a message is queued,
so a reply costs one claim more than a direct send. When the provider fails for a
while (5xx, a time-out, a dropped connection, a 429), the item waits
(``RetryPolicy``: exponential backoff, never sooner than the provider's
``retry_after``) and every later item of that conversation waits behind it; the
worker (``run``) picks them up when due. A permanent refusal (a 403, a closed
WhatsApp window without a template, a malformed request) is recorded on the item
and its transcript row and the queue moves on.

An outcome the store could not take (it went away between the send and the
record) is kept in memory and written before this process claims anything again:
a reply that reached the participant is never sent twice by its own gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.messaging import outbox
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.store.db import Database, patiently
from bot.store.models import utcnow

logger = logging.getLogger(__name__)

# Items claimed at once for one conversation; the claim must outlive their attempts.
RUN_LIMIT = 5
# How often a fresh delivery looks again while another gateway holds the head.
HEAD_RETRY_SECONDS = 0.1


@dataclass(frozen=True)
class Delivery:
    """What the provider said about one outbound message.

    ``status``: "sent"; "failed" or "unreachable" (permanent: not retried);
    "retry" (transient: 5xx, time-out, connection, 429 with ``retry_after``);
    "pending" (queued behind an earlier message, or waiting for its next attempt).
    """

    status: str
    provider_message_id: str | None = None
    error: str | None = None
    via_template: bool = False  # sent as the WhatsApp template (window closed)
    retry_after: float | None = None  # seconds the provider asked us to wait


# How a channel delivers one message to one participant. ``proactive`` is True when
# the participant did not just write (staff reply, notification).
ChannelDeliver = Callable[[ConversationKey, BotMessage, bool], Awaitable[Delivery]]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with a ceiling, and when to give up."""

    base_seconds: float = 1.0
    max_seconds: float = 300.0
    max_attempts: int = 30
    attempt_timeout_seconds: float = 30.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next attempt, after ``attempts`` failed ones.

        Never sooner than ``retry_after``: the provider said when it will take more.
        """
        exponent = max(attempts - 1, 0)
        backoff = min(self.max_seconds, self.base_seconds * 2.0**exponent)
        return float(max(backoff, retry_after or 0.0))

    @property
    def claim_seconds(self) -> float:
        """How long a claim lasts: every attempt of a run, with room to spare."""
        return RUN_LIMIT * self.attempt_timeout_seconds + 30.0


def outcome_of(
    delivery: Delivery, attempts_before: int, policy: RetryPolicy, now: datetime
) -> outbox.Outcome:
    """What the store records for one attempt."""
    if delivery.status == "sent":
        return outbox.Outcome(
            outbox.SENT,
            "sent",
            delivery.provider_message_id,
            via_template=delivery.via_template,
        )
    if delivery.status == "retry":
        made = attempts_before + 1
        if made >= policy.max_attempts:
            error = f"gave up after {made} attempts: {delivery.error}"
            return outbox.Outcome(outbox.FAILED, "failed", error=error)
        wait = timedelta(seconds=policy.delay(made, delivery.retry_after))
        return outbox.Outcome(
            outbox.PENDING, "pending", error=delivery.error, retry_at=now + wait
        )
    return outbox.Outcome(
        outbox.FAILED,
        delivery.status,
        delivery.provider_message_id,
        error=delivery.error,
        via_template=delivery.via_template,
    )


# Called after each attempt (metrics): the channel, the delivery.
AttemptHook = Callable[[str, Delivery], None]


class OutboxDelivery:
    """Claims, delivers and records outbox items; one per gateway process."""

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, ChannelDeliver],
        policy: RetryPolicy,
        *,
        poll_seconds: float = 1.0,
        on_attempt: AttemptHook | None = None,
    ) -> None:
        self._db = db
        self._channels = channels
        self.policy = policy
        self._poll = poll_seconds
        self._on_attempt = on_attempt
        self.holder = f"gw-{uuid.uuid4().hex[:16]}"
        self._wake: asyncio.Event | None = None
        # Outcomes (with the claims to give back) not yet in the store.
        self._unrecorded: dict[int, tuple[outbox.Outcome, list[int]]] = {}
        self._recording = asyncio.Lock()
        # One delivery run per conversation at a time in this process, and the
        # number of callers using each lock (dropped when none is left).
        self._conversation_locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def deliver_conversation(
        self, conversation_id: int, *, fresh: bool = False
    ) -> dict[int, Delivery]:
        """Deliver what is due for one conversation, in order; stop at a retry.

        ``fresh``: right after queueing (see ``outbox.claim_conversation``).
        A turn ends when its replies are queued (bot/gateway/dialogue.py), so the
        participant's next turn may queue more while these are still being sent:
        its delivery waits here for this one, then claims its own (in order, as
        the outbox's head), instead of finding the head claimed and leaving its
        replies to the worker.
        """
        lock, users = self._conversation_locks.get(conversation_id, (asyncio.Lock(), 0))
        self._conversation_locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                return await self._deliver_conversation(conversation_id, fresh)
        finally:
            lock, users = self._conversation_locks[conversation_id]
            if users == 1:
                del self._conversation_locks[conversation_id]
            else:
                self._conversation_locks[conversation_id] = (lock, users - 1)

    async def _deliver_conversation(
        self, conversation_id: int, fresh: bool
    ) -> dict[int, Delivery]:
        await self._record_unrecorded()
        claimed = await asyncio.to_thread(self._claim, conversation_id, fresh)
        waited = 0.0
        while fresh and not claimed and waited < outbox.FRESH_GRACE.total_seconds():
            # Another gateway is still delivering this conversation's earlier
            # messages (its claim is on the head): ours go right after, not after
            # the grace the worker waits.
            elsewhere = self._head_claimed_elsewhere
            if not await asyncio.to_thread(elsewhere, conversation_id):
                break
            await asyncio.sleep(HEAD_RETRY_SECONDS)
            waited += HEAD_RETRY_SECONDS
            claimed = await asyncio.to_thread(self._claim, conversation_id, fresh)
        results: dict[int, Delivery] = {}
        for index, item in enumerate(claimed):
            delivery = await self._attempt(item)
            results[item.id] = delivery
            outcome = outcome_of(delivery, item.attempts, self.policy, utcnow())
            rest = [c.id for c in claimed[index + 1 :]]
            retrying = outcome.status == outbox.PENDING
            self._unrecorded[item.id] = (outcome, rest if retrying else [])
            await self._record_unrecorded()
            if retrying:
                logger.info(
                    "outbox item %s: attempt %s failed (%s); retry at %s",
                    item.id,
                    item.attempts + 1,
                    delivery.error,
                    outcome.retry_at,
                )
                self.wake()
                break
        return results

    def wake(self) -> None:
        """Let the worker look at once (something became due or was queued)."""
        if self._wake is not None:
            self._wake.set()

    async def run(self) -> None:
        """The worker: deliver every due conversation, forever (cancel to stop)."""
        self._wake = asyncio.Event()
        while True:
            due: list[int] = []
            try:
                due = await asyncio.to_thread(self._due)
                for conversation_id in due:
                    await self.deliver_conversation(conversation_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # the store is down: try again on the next round
                logger.exception("outbox worker round failed")
            if not due:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll)

    async def _attempt(self, item: outbox.Claimed) -> Delivery:
        deliver = self._channels.get(item.key.channel)
        if deliver is None:
            delivery = Delivery("failed", error="channel not configured")
        else:
            try:
                delivery = await asyncio.wait_for(
                    deliver(item.key, item.message, item.proactive),
                    self.policy.attempt_timeout_seconds,
                )
            except asyncio.TimeoutError:
                delivery = Delivery("retry", error="delivery timed out")
            except Exception as exc:  # a channel bug must not lose the message
                logger.exception("outbox item %s: delivery raised", item.id)
                delivery = Delivery("retry", error=repr(exc)[:300])
        if self._on_attempt is not None:
            self._on_attempt(item.key.channel, delivery)
        return delivery

    def _claim(self, conversation_id: int, fresh: bool) -> list[outbox.Claimed]:
        lease = timedelta(seconds=self.policy.claim_seconds)
        try:
            with self._db.session() as session:
                return outbox.claim_conversation(
                    session,
                    conversation_id,
                    self.holder,
                    utcnow(),
                    lease,
                    RUN_LIMIT,
                    fresh=fresh,
                )
        except outbox.ClaimLost:
            return []

    def _head_claimed_elsewhere(self, conversation_id: int) -> bool:
        with self._db.session() as session:
            return outbox.head_claimed_elsewhere(
                session, conversation_id, self.holder, utcnow()
            )

    async def _record_unrecorded(self) -> None:
        """Write the outcomes the store has not taken yet, waiting out an outage
        for as long as their claims last (then the worker goes on trying)."""
        async with self._recording:
            if not self._unrecorded:
                return
            outcomes = dict(self._unrecorded)
            await patiently(
                lambda: self._record(outcomes),
                "recording deliveries",
                patience=self.policy.claim_seconds,
            )
            for item_id in outcomes:
                del self._unrecorded[item_id]

    def _record(self, outcomes: dict[int, tuple[outbox.Outcome, list[int]]]) -> None:
        with self._db.session() as session:
            for item_id, (outcome, rest) in outcomes.items():
                if not outbox.record_outcome(
                    session, item_id, self.holder, outcome, utcnow()
                ):
                    logger.warning("outbox item %s was taken over by another", item_id)
                outbox.release(session, rest, self.holder)

    def _due(self) -> list[int]:
        with self._db.session() as session:
            return outbox.due_conversations(session, utcnow(), limit=50)
