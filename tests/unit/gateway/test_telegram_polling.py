"""Telegram polling through python-telegram-bot's Updater, against the fake Bot API.

The channel runs in the test's own event loop; the fake Bot API runs in a thread,
so waiting here is ``await asyncio.sleep``, never the fake's blocking ``wait_for``.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.core.settings import TelegramSettings
from bot.gateway.channels.telegram import TelegramChannel
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Outbound
from bot.store.db import Database
from bot.store.models import Message
from tests.fakes import telegram_updates as tg
from tests.fakes.gateway import TG_TOKEN
from tests.fakes.telegram_api import FakeTelegramApi, TelegramApiError


@pytest.fixture
def api() -> Iterator[tuple[FakeTelegramApi, str]]:
    fake = FakeTelegramApi(TG_TOKEN)
    with fake.serve() as server:
        yield fake, server.url


def _echo(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(
        200, json=[{"recipient_id": body["sender"], "text": f"ok: {body['message']}"}]
    )


def _channel(db: Database, url: str, secret: str | None = None) -> TelegramChannel:
    """Polling when there is neither a webhook URL nor a secret."""
    settings = TelegramSettings(
        bot_token=TG_TOKEN,
        api_base_url=f"{url}/bot",
        webhook_secret=secret,
        webhook_url=None,
    )
    outbound = Outbound(db)
    rasa = RasaClient("http://rasa.test", 5, transport=httpx.MockTransport(_echo))
    dialogue = Dialogue(db, rasa, outbound, max_inbound_chars=500)
    return TelegramChannel(settings, dialogue, outbound, db, poll_timeout=1)


@pytest.fixture
async def polling(
    db: Database, api: tuple[FakeTelegramApi, str]
) -> AsyncIterator[TelegramChannel]:
    channel = _channel(db, api[1])
    yield channel
    await channel.stop()


async def _until(predicate: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def _inbound(db: Database) -> list[str]:
    with db.session() as session:
        rows = session.scalars(
            select(Message).where(Message.direction == "in").order_by(Message.id)
        )
        return [m.text for m in rows]


def _chat() -> int:
    return random.randint(10_000_000, 99_999_999)


async def test_polled_updates_are_recorded_in_order_answered_and_confirmed(
    polling: TelegramChannel, db: Database, api: tuple[FakeTelegramApi, str]
) -> None:
    fake, _ = api
    fake.webhook_url = "https://left.over.invalid/hook"  # a webhook from before
    chat = _chat()
    first = tg.text(chat, "satu")
    press = tg.button(chat, "/pick_1")
    fake.queue_update(first)
    fake.queue_update(press)
    await polling.start()
    await _until(lambda: len(fake.texts_to(chat)) >= 2, "two answers")
    # The same message again under a new update id (a redelivery): recorded once.
    again: dict[str, Any] = {**first, "update_id": press["update_id"] + 1000}
    fake.queue_update(again)
    fake.queue_update(tg.text(chat, "tiga"))
    await _until(lambda: len(fake.texts_to(chat)) >= 3, "the third answer")
    await polling.stop()

    assert fake.texts_to(chat) == ["ok: satu", "ok: /pick_1", "ok: tiga"]
    assert _inbound(db) == ["satu", "/pick_1", "tiga"]
    assert fake.calls_to("deleteWebhook"), "polling removes a leftover webhook"
    assert not fake.refused("getUpdates")
    polls = fake.calls_to("getUpdates")
    assert all(p.params["allowed_updates"] for p in polls)
    assert int(polls[0].params["timeout"]) == 1
    # Stopping confirms what was fetched, so a restart does not fetch it again.
    newest = max(u["update_id"] for u in (first, press, again))
    assert int(polls[-1].params["offset"]) == newest + 1
    assert int(polls[-1].params["timeout"]) == 0
    assert fake.pending_updates == []
    assert [
        c.params["callback_query_id"] for c in fake.calls_to("answerCallbackQuery")
    ] == [press["callback_query"]["id"]]


async def test_a_429_on_get_updates_is_waited_out(
    polling: TelegramChannel, api: tuple[FakeTelegramApi, str]
) -> None:
    fake, _ = api
    chat = _chat()
    fake.inject(
        TelegramApiError(429, "Too Many Requests: retry after 1", retry_after=1),
        method="getUpdates",
    )
    fake.queue_update(tg.text(chat, "pelan"))
    await polling.start()
    await _until(lambda: fake.texts_to(chat) == ["ok: pelan"], "the answer")
    [refused] = fake.refused("getUpdates")
    assert refused.error_code == 429
    retried = [c for c in fake.calls_to("getUpdates") if c.at > refused.at]
    assert retried and retried[0].at - refused.at >= 1.0


async def test_a_webhook_set_elsewhere_only_delays_polling(
    polling: TelegramChannel, api: tuple[FakeTelegramApi, str]
) -> None:
    """409 while another webhook is active: logged and retried, not fatal."""
    fake, _ = api
    chat = _chat()
    await polling.start()
    fake.webhook_url = "https://someone.else.invalid/hook"
    await _until(lambda: bool(fake.refused("getUpdates")), "a refused poll")
    fake.webhook_url = ""
    fake.queue_update(tg.text(chat, "masih jalan"))
    await _until(lambda: fake.texts_to(chat) == ["ok: masih jalan"], "the answer")
    assert {c.error_code for c in fake.refused("getUpdates")} == {409}


async def test_a_long_flood_wait_is_reported_not_waited_out(
    db: Database, api: tuple[FakeTelegramApi, str]
) -> None:
    fake, url = api
    channel = _channel(db, url, secret="s3cret")  # webhook mode: no polling
    chat = _chat()
    await channel.start()
    try:
        fake.throttle(1, retry_after=30)
        started = time.monotonic()
        delivery = await channel.deliver(
            ConversationKey("telegram", str(chat)), BotMessage("halo"), False
        )
    finally:
        await channel.stop()
    # Not waited out in the turn: the outbox retries it after the time asked.
    assert delivery.status == "retry" and delivery.retry_after == 30
    assert time.monotonic() - started < 5
    assert fake.texts_to(chat) == []
    [refused] = fake.refused("sendMessage")
    assert refused.error_code == 429
