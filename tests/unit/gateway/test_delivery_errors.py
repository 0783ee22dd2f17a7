"""Each provider's failures, as the outbox needs them: retried or recorded.

The fake APIs answer 5xx, 429 with ``retry_after`` / ``Retry-After``, 403, or cut
the connection mid-answer; the channels must say "retry" for what passes and
"failed"/"unreachable" for what never will, and the outbox must deliver everything
once the provider is back, in order.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from bot.core.crypto import DataCipher
from bot.core.settings import TelegramSettings, WhatsAppSettings
from bot.gateway.channels.telegram import TelegramChannel
from bot.gateway.channels.whatsapp import WhatsAppChannel
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.conversations import (
    ConversationKey,
    remember_address,
    whatsapp_key,
)
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Outbound
from bot.store.db import Database
from bot.store.models import utcnow
from tests.builders import make_outbox_due, outbox_items
from tests.fakes.gateway import (
    DATA_KEY,
    TG_TOKEN,
    WA_PHONE_ID,
    WA_SECRET,
    WA_TOKEN,
    WA_VERIFY,
    serving_telegram,
    serving_whatsapp,
)
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.whatsapp_api import FakeWhatsAppApi

CIPHER = DataCipher(DATA_KEY)


def _no(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(500)


def _dialogue(db: Database, outbound: Outbound) -> Dialogue:
    rasa = RasaClient("http://rasa.invalid", 1, transport=httpx.MockTransport(_no))
    return Dialogue(db, rasa, outbound, 100)


@pytest.fixture(scope="module")
def tg_api() -> Iterator[tuple[FakeTelegramApi, str]]:
    with serving_telegram() as served:
        yield served


@pytest.fixture(scope="module")
def wa_api() -> Iterator[tuple[FakeWhatsAppApi, str]]:
    with serving_whatsapp() as served:
        yield served


@pytest.fixture
async def telegram(
    db: Database, tg_api: tuple[FakeTelegramApi, str]
) -> AsyncIterator[tuple[TelegramChannel, Outbound]]:
    settings = TelegramSettings(TG_TOKEN, f"{tg_api[1]}/bot", "s3cret", None)
    outbound = Outbound(db)
    channel = TelegramChannel(settings, _dialogue(db, outbound), outbound, db)
    await channel.start()
    yield channel, outbound
    await channel.stop()


@pytest.fixture
async def whatsapp(
    db: Database, wa_api: tuple[FakeWhatsAppApi, str]
) -> AsyncIterator[tuple[WhatsAppChannel, Outbound]]:
    settings = WhatsAppSettings(
        WA_TOKEN, WA_SECRET, WA_VERIFY, WA_PHONE_ID, f"{wa_api[1]}/v21.0", None, "id"
    )
    outbound = Outbound(db)
    channel = WhatsAppChannel(
        settings, _dialogue(db, outbound), outbound, db, cipher=CIPHER
    )
    yield channel, outbound
    await channel.stop()


def _chat() -> str:
    return str(random.randint(10_000_000, 99_999_999))


async def test_telegram_502_then_recovery_delivers_every_reply_in_order(
    db: Database,
    telegram: tuple[TelegramChannel, Outbound],
    tg_api: tuple[FakeTelegramApi, str],
) -> None:
    _channel, outbound = telegram
    fake, chat = tg_api[0], _chat()
    key = ConversationKey("telegram", chat)
    outage = fake.outage(502)
    try:
        first = await outbound.send_all(
            key, [BotMessage("satu"), BotMessage("dua")], proactive=False, origin="bot"
        )
        later = await outbound.send(key, BotMessage("tiga"), origin="staff")
    finally:
        fake.lift(outage)
    assert [d.status for d in [*first, later]] == ["pending"] * 3
    assert fake.texts_to(int(chat)) == []
    assert any(c.error_code == 502 for c in fake.refused("sendMessage"))
    make_outbox_due(db)
    await outbound.delivery.deliver_conversation(outbox_items(db)[0].conversation_id)
    assert fake.texts_to(int(chat)) == ["satu", "dua", "tiga"]
    assert {i.status for i in outbox_items(db)} == {"sent"}


async def test_telegram_dropped_connection_is_retried(
    telegram: tuple[TelegramChannel, Outbound], tg_api: tuple[FakeTelegramApi, str]
) -> None:
    channel, _outbound = telegram
    fake, chat = tg_api[0], _chat()
    fake.drop_connections("sendMessage", times=1)
    delivery = await channel.deliver(
        ConversationKey("telegram", chat), BotMessage("halo"), False
    )
    assert delivery.status == "retry"
    assert fake.texts_to(int(chat)) == []


async def test_telegram_long_429_is_left_to_the_outbox_with_its_wait(
    db: Database,
    telegram: tuple[TelegramChannel, Outbound],
    tg_api: tuple[FakeTelegramApi, str],
) -> None:
    _channel, outbound = telegram
    fake, chat = tg_api[0], _chat()
    fake.throttle(1, retry_after=45)
    delivery = await outbound.send(
        ConversationKey("telegram", chat), BotMessage("halo"), origin="staff"
    )
    assert delivery.status == "pending"
    (item,) = outbox_items(db)
    assert item.next_attempt_at >= utcnow() + timedelta(seconds=40)


async def test_telegram_blocked_is_recorded_not_retried(
    db: Database,
    telegram: tuple[TelegramChannel, Outbound],
    tg_api: tuple[FakeTelegramApi, str],
) -> None:
    _channel, outbound = telegram
    fake, chat = tg_api[0], _chat()
    fake.blocked_chats.add(int(chat))
    delivery = await outbound.send(
        ConversationKey("telegram", chat), BotMessage("halo"), origin="staff"
    )
    assert delivery.status == "unreachable"
    (item,) = outbox_items(db)
    assert item.status == "failed" and item.attempts == 1


async def test_whatsapp_errors_are_classified(
    whatsapp: tuple[WhatsAppChannel, Outbound], wa_api: tuple[FakeWhatsAppApi, str]
) -> None:
    channel, _outbound = whatsapp
    fake = wa_api[0]
    wa_id = "62811" + _chat()
    fake.customer_wrote(wa_id)
    key = whatsapp_key(CIPHER, wa_id)  # the number travels with it, as on a webhook
    outage = fake.outage(503)
    try:
        assert (await channel.deliver(key, BotMessage("a"), False)).status == "retry"
    finally:
        fake.lift(outage)
    fake.throttle(1, retry_after=7)
    throttled = await channel.deliver(key, BotMessage("b"), False)
    assert throttled.status == "retry" and throttled.retry_after == 7
    fake.drop_connections("messages", times=1)
    assert (await channel.deliver(key, BotMessage("c"), False)).status == "retry"
    blocked = fake.blocked(wa_id)
    try:
        refused = await channel.deliver(key, BotMessage("d"), False)
    finally:
        fake.lift(blocked)
    assert refused.status == "failed" and "403" in (refused.error or "")
    assert fake.texts_to(wa_id) == []


async def test_whatsapp_closed_window_without_template_is_a_permanent_failure(
    db: Database, whatsapp: tuple[WhatsAppChannel, Outbound]
) -> None:
    _channel, outbound = whatsapp
    key = whatsapp_key(CIPHER, "62811" + _chat())
    with db.session() as session:
        remember_address(session, CIPHER, key)  # it wrote once, long ago
    delivery = await outbound.send(key, BotMessage("halo"))
    assert delivery.status == "failed"
    (item,) = outbox_items(db)
    assert item.status == "failed"
    assert "WHATSAPP_TEMPLATE_NAME" in (item.last_error or "")
