"""The outbox: backoff, order per conversation, permanent failures, shared claims."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.messaging.conversations import ConversationKey
from bot.messaging.delivery import Delivery, OutboxDelivery, RetryPolicy
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Outbound
from bot.store.db import Database
from bot.store.models import Conversation, Message, OutboxItem, utcnow
from tests.builders import make_outbox_due, outbox_items

KEY = ConversationKey("telegram", "4242")


class Provider:
    """A channel whose answers the test scripts, one per attempt."""

    def __init__(self, *answers: Delivery) -> None:
        self.answers = list(answers)
        self.attempts: list[str] = []

    async def __call__(
        self, key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        self.attempts.append(message.text)
        if self.answers:
            return self.answers.pop(0)
        return Delivery("sent", provider_message_id=str(len(self.attempts)))


def _outbound(db: Database, provider: Provider, **policy: float) -> Outbound:
    outbound = Outbound(db, RetryPolicy(**policy))  # type: ignore[arg-type]
    outbound.register("telegram", provider)
    return outbound


def test_backoff_doubles_up_to_a_ceiling_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_seconds=1, max_seconds=60)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert policy.delay(1, retry_after=17) == 17
    assert policy.delay(7, retry_after=3) == 60  # never sooner than the backoff


async def test_a_reply_goes_at_once_and_is_recorded(db: Database) -> None:
    provider = Provider()
    outbound = _outbound(db, provider)
    deliveries = await outbound.send_all(
        KEY, [BotMessage("satu"), BotMessage("dua")], proactive=False, origin="bot"
    )
    assert [d.status for d in deliveries] == ["sent", "sent"]
    assert provider.attempts == ["satu", "dua"]
    assert [i.status for i in outbox_items(db)] == ["sent", "sent"]
    with db.session() as session:
        rows = session.scalars(select(Message).where(Message.direction == "out"))
        assert [(m.text, m.status) for m in rows] == [("satu", "sent"), ("dua", "sent")]


async def test_a_failing_message_holds_back_the_later_ones_in_order(
    db: Database,
) -> None:
    provider = Provider(Delivery("retry", error="502 Bad Gateway"))
    outbound = _outbound(db, provider, base_seconds=60)
    deliveries = await outbound.send_all(
        KEY,
        [BotMessage("satu"), BotMessage("dua"), BotMessage("tiga")],
        proactive=False,
        origin="bot",
    )
    assert [d.status for d in deliveries] == ["pending"] * 3
    assert provider.attempts == ["satu"]  # dua and tiga never overtook it
    first = outbox_items(db)[0]
    assert first.attempts == 1 and first.last_error == "502 Bad Gateway"
    assert first.next_attempt_at > utcnow() + timedelta(seconds=50)
    # Not due yet: nothing is attempted, not even the later messages.
    await outbound.delivery.deliver_conversation(first.conversation_id)
    assert provider.attempts == ["satu"]
    make_outbox_due(db)
    await outbound.delivery.deliver_conversation(first.conversation_id)
    assert provider.attempts == ["satu", "satu", "dua", "tiga"]
    assert [i.status for i in outbox_items(db)] == ["sent"] * 3


async def test_retry_after_sets_the_next_attempt(db: Database) -> None:
    provider = Provider(Delivery("retry", error="429", retry_after=120))
    outbound = _outbound(db, provider, base_seconds=1)
    await outbound.send(KEY, BotMessage("halo"), proactive=False, origin="bot")
    (item,) = outbox_items(db)
    assert item.next_attempt_at >= utcnow() + timedelta(seconds=110)


async def test_a_permanent_refusal_is_recorded_and_the_queue_moves_on(
    db: Database,
) -> None:
    provider = Provider(Delivery("unreachable", error="Forbidden: bot was blocked"))
    outbound = _outbound(db, provider)
    deliveries = await outbound.send_all(
        KEY, [BotMessage("NIK 3309041203710003"), BotMessage("dua")], proactive=True,
        origin="staff",
    )  # fmt: skip
    assert [d.status for d in deliveries] == ["unreachable", "sent"]
    first, second = outbox_items(db)
    assert first.status == "failed" and "blocked" in (first.last_error or "")
    assert "3309041203710003" not in first.text  # raw text dropped once done
    with db.session() as session:
        message = session.get_one(Message, first.message_id)
        assert message.status == "unreachable" and message.error
        conversation = session.get_one(Conversation, first.conversation_id)
        assert conversation.unreachable_at is not None
    assert second.status == "sent"


async def test_gives_up_after_the_last_attempt(db: Database) -> None:
    provider = Provider(*[Delivery("retry", error="timed out")] * 3)
    outbound = _outbound(db, provider, max_attempts=3)
    conversation_id = 0
    for _ in range(3):
        await outbound.send_all(KEY, [], proactive=False, origin="bot")
        if not outbox_items(db):
            await outbound.send(KEY, BotMessage("halo"), origin="bot")
        else:
            make_outbox_due(db)
            conversation_id = outbox_items(db)[0].conversation_id
            await outbound.delivery.deliver_conversation(conversation_id)
    (item,) = outbox_items(db)
    assert item.status == "failed" and item.attempts == 3
    assert "gave up after 3 attempts" in (item.last_error or "")


async def test_a_claimed_conversation_is_not_claimed_twice(db: Database) -> None:
    provider = Provider()
    outbound = Outbound(db)
    # Queue without delivering: the caller's own transaction.
    with db.session() as session:
        item = outbound.enqueue(session, KEY, BotMessage("halo"), origin="staff")
        conversation_id = item.conversation_id
    first = OutboxDelivery(db, {"telegram": provider}, RetryPolicy())
    second = OutboxDelivery(db, {"telegram": provider}, RetryPolicy())
    claimed = first._claim(conversation_id, True)
    assert [c.message.text for c in claimed] == ["halo"]
    assert second._claim(conversation_id, True) == []
    # An abandoned claim (its gateway died) expires and the work is taken over.
    with db.session() as session:
        row = session.get_one(OutboxItem, claimed[0].id)
        row.claimed_until = utcnow() - timedelta(seconds=1)
    assert [c.id for c in second._claim(conversation_id, True)] == [claimed[0].id]


def _due(outbound: Outbound) -> list[int]:
    return outbound.delivery._due()


async def test_the_worker_delivers_what_is_due(db: Database) -> None:
    provider = Provider()
    outbound = _outbound(db, provider)
    with db.session() as session:
        outbound.enqueue(session, KEY, BotMessage("dari antrean"), origin="staff")
    # Queued by a gateway that died before delivering: once the grace it had is
    # over, any gateway's worker takes it.
    assert await asyncio.to_thread(_due, outbound) == []
    make_outbox_due(db)
    worker = asyncio.create_task(outbound.delivery.run())
    try:
        for _ in range(400):
            items = await asyncio.to_thread(outbox_items, db)
            if items[0].status != "pending":
                break
            await asyncio.sleep(0.05)
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
    assert provider.attempts == ["dari antrean"]
    assert outbox_items(db)[0].status == "sent"


async def test_a_channel_that_raises_is_retried_not_lost(db: Database) -> None:
    async def broken(key: ConversationKey, message: BotMessage, p: bool) -> Delivery:
        raise RuntimeError("bug in a channel")

    outbound = Outbound(db)
    outbound.register("telegram", broken)
    (delivery,) = await outbound.send_all(
        KEY, [BotMessage("halo")], proactive=False, origin="bot"
    )
    assert delivery.status == "pending"
    assert outbox_items(db)[0].status == "pending"
