"""De-duplication, rate limit, turn leases and callback keys in the store.

Run on SQLite and on PostgreSQL: these are what must hold across several gateways.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx

from bot.gateway import callback_keys, leases
from bot.gateway.channels.rendering.common import payload_key
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store import ratelimit
from bot.store.db import Database
from bot.store.models import utcnow
from tests.postgres import db_on_both_engines  # noqa: F401  (the `db` fixture)

KEY = ConversationKey("whatsapp", "6281234567890")
NOW = datetime(2026, 11, 24, 10, 0, 5, tzinfo=timezone.utc)


def _dialogue(db: Database, limit: int = 3) -> Dialogue:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[{"text": "ok"}])

    async def deliver(_k: ConversationKey, _m: BotMessage, _p: bool) -> Delivery:
        return Delivery("sent")

    outbound = Outbound(db)
    outbound.register("whatsapp", deliver)
    client = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(echo))
    return Dialogue(db, client, outbound, 100, rate_limit_per_minute=limit)


async def test_a_provider_message_id_is_recorded_once_across_gateways(
    db: Database,
) -> None:
    first, second = _dialogue(db), _dialogue(db)  # two gateways, one store
    a = await first.accept(KEY, "halo", provider_message_id="wamid.1")
    b = await second.accept(KEY, "halo", provider_message_id="wamid.1")
    assert not a.duplicate and b.duplicate
    assert await second.respond(b) == []
    assert [r.text for r in await first.respond(a)] == ["ok"]


def test_rate_windows_count_per_sender_and_minute(db: Database) -> None:
    with db.session() as session:
        decisions = [
            ratelimit.count_message(session, "whatsapp:1", NOW, 3) for _ in range(5)
        ]
        other = ratelimit.count_message(session, "whatsapp:2", NOW, 3)
        next_minute = ratelimit.count_message(
            session, "whatsapp:1", NOW + timedelta(minutes=1), 3
        )
    assert [d.count for d in decisions] == [1, 2, 3, 4, 5]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.notify for d in decisions] == [False, False, False, True, False]
    assert other.count == 1
    assert next_minute.count == 1 and next_minute.allowed


async def test_a_burst_over_the_limit_gets_one_notice(db: Database) -> None:
    dialogue = _dialogue(db, limit=3)
    replies = []
    for i in range(6):
        inbound = await dialogue.accept(KEY, f"pesan {i}")
        replies.append([r.text for r in await dialogue.respond(inbound)])
    assert replies[:3] == [["ok"], ["ok"], ["ok"]]
    assert len(replies[3]) == 1 and "tunggu sebentar" in replies[3][0]
    assert replies[4:] == [[], []]


def test_a_lease_is_exclusive_until_released_or_expired(db: Database) -> None:
    ttl = timedelta(seconds=30)
    now = utcnow()
    with db.session() as session:
        conversation = conversations.get_or_create(session, KEY)
        first = conversations.record_inbound(session, conversation, "a")
        second = conversations.record_inbound(session, conversation, "b")
        ids = (conversation.id, first.id, second.id)
    conversation_id, first_id, second_id = ids
    with db.session() as session:
        # The second message must wait for the first, even with the lease free.
        assert not leases.try_acquire(
            session, conversation_id, second_id, "g2", now, ttl
        )
        assert leases.try_acquire(session, conversation_id, first_id, "g1", now, ttl)
    with db.session() as session:
        assert not leases.try_acquire(
            session, conversation_id, first_id, "g3", now, ttl
        )
        leases.release(session, conversation_id, first_id, "g1", "answered")
    with db.session() as session:
        assert leases.try_acquire(session, conversation_id, second_id, "g2", now, ttl)
    with db.session() as session:
        # A gateway that died holding the lease: it expires.
        later = now + ttl + timedelta(seconds=1)
        assert leases.try_acquire(session, conversation_id, second_id, "g4", later, ttl)


async def test_turns_of_one_sender_never_overlap_across_two_gateways(
    db: Database,
) -> None:
    in_flight: set[str] = set()
    overlaps: list[str] = []
    seen: list[str] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        body = request.read().decode()
        if "sender" in body:
            if KEY.sender_id in in_flight:
                overlaps.append(body)
            in_flight.add(KEY.sender_id)
            await asyncio.sleep(0.02)
            seen.append(body)
            in_flight.discard(KEY.sender_id)
        return httpx.Response(200, json=[{"text": "ok"}])

    async def deliver(_k: ConversationKey, _m: BotMessage, _p: bool) -> Delivery:
        return Delivery("sent")

    gateways = []
    for _ in range(2):
        outbound = Outbound(db)
        outbound.register("whatsapp", deliver)
        client = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(slow))
        gateways.append(Dialogue(db, client, outbound, 100, rate_limit_per_minute=50))
    accepted = [
        await gateways[i % 2].accept(KEY, f"pesan {i}", provider_message_id=f"m{i}")
        for i in range(6)
    ]
    # Start the later ones first: order must still follow arrival.
    await asyncio.gather(
        *[gateways[i % 2].respond(accepted[i]) for i in reversed(range(6))]
    )
    assert overlaps == []
    assert [f'"pesan {i}"' in body for i, body in enumerate(seen)] == [True] * 6


def test_callback_keys_map_back_and_are_stored_once(db: Database) -> None:
    payload = '/inform{"x": "' + "y" * 100 + '"}'
    key = payload_key(payload)
    with db.session() as session:
        callback_keys.remember(session, {key: payload})
        callback_keys.remember(session, {key: payload})
    with db.session() as session:
        assert callback_keys.resolve(session, key) == payload
        assert callback_keys.resolve(session, "/affirm") == "/affirm"
        assert callback_keys.resolve(session, "k:unknownkey") is None
