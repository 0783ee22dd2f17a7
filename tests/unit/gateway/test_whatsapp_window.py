"""Staff replies and notifications on WhatsApp respect the 24-hour window.

This is the path staff replies take: ``Outbound.send(key, message)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest

from bot.core.crypto import DataCipher
from bot.core.settings import WhatsAppSettings
from bot.gateway.channels.whatsapp import WhatsAppChannel
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey, whatsapp_key
from bot.messaging.messages import BotMessage, Button
from bot.messaging.outbound import Outbound
from bot.store.db import Database
from bot.store.models import Message, utcnow
from tests.fakes.gateway import (
    DATA_KEY,
    WA_PHONE_ID,
    WA_SECRET,
    WA_TEMPLATE,
    WA_TOKEN,
    WA_VERIFY,
)
from tests.fakes.whatsapp_api import FakeWhatsAppApi

CIPHER = DataCipher(DATA_KEY)
REPLY = BotMessage(
    text="Aduan ADU-7K3M-Q9TZ sudah ditanggapi petugas.\nBalas pesan ini jika perlu.",
    buttons=(Button("Terima kasih", "/thank"),),
)


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[FakeWhatsAppApi, str]]:
    api = FakeWhatsAppApi(WA_TOKEN, WA_PHONE_ID, {WA_TEMPLATE: 1})
    with api.serve() as server:
        yield api, server.url


def _settings(url: str, template: str | None = WA_TEMPLATE[0]) -> WhatsAppSettings:
    return WhatsAppSettings(
        access_token=WA_TOKEN,
        app_secret=WA_SECRET,
        verify_token=WA_VERIFY,
        phone_number_id=WA_PHONE_ID,
        api_base_url=f"{url}/v21.0",
        template_name=template,
        template_language=WA_TEMPLATE[1],
    )


@pytest.fixture
async def outbound(
    db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> AsyncIterator[Outbound]:
    outbound = Outbound(db)
    rasa = RasaClient("http://rasa.invalid", 1, transport=httpx.MockTransport(_no))
    dialogue = Dialogue(db, rasa, outbound, 100)
    channel = WhatsAppChannel(_settings(fake[1]), dialogue, outbound, db, cipher=CIPHER)
    yield outbound
    await channel.stop()


def _key(wa_id: str) -> ConversationKey:
    """The key as the outbox builds it from the conversation: the hash, no number."""
    return ConversationKey("whatsapp", CIPHER.phone_hash(wa_id))


def _no(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(500)


def _wrote(db: Database, fake: FakeWhatsAppApi, wa_id: str, hours_ago: float) -> None:
    at = utcnow() - timedelta(hours=hours_ago)
    with db.session() as session:
        conversation = conversations.remember_address(
            session, CIPHER, whatsapp_key(CIPHER, wa_id)
        )
        conversation.last_inbound_at = at
    fake.customer_wrote(wa_id, at)


def _recorded(db: Database) -> Message:
    with db.session() as session:
        from sqlalchemy import select

        row = session.scalar(select(Message).order_by(Message.id.desc()).limit(1))
        assert row is not None
        return row


async def test_inside_the_window_a_staff_reply_goes_out_as_is(
    outbound: Outbound, db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> None:
    api, _ = fake
    _wrote(db, api, "6281100000001", hours_ago=23)
    delivery = await outbound.send(_key("6281100000001"), REPLY)
    assert delivery.status == "sent" and not delivery.via_template
    [payload] = api.accepted_to("6281100000001")
    assert payload["type"] == "interactive"
    assert _recorded(db).kind == "text"


async def test_outside_the_window_the_template_carries_the_message(
    outbound: Outbound, db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> None:
    api, _ = fake
    _wrote(db, api, "6281100000002", hours_ago=25)
    delivery = await outbound.send(_key("6281100000002"), REPLY)
    assert delivery.status == "sent" and delivery.via_template
    [payload] = api.accepted_to("6281100000002")
    assert payload["type"] == "template"
    assert payload["template"]["name"] == WA_TEMPLATE[0]
    assert payload["template"]["language"] == {"code": "id"}
    [parameter] = payload["template"]["components"][0]["parameters"]
    assert parameter["text"] == (
        "Aduan ADU-7K3M-Q9TZ sudah ditanggapi petugas. Balas pesan ini jika perlu. "
        "1. Terima kasih"
    )
    row = _recorded(db)
    assert (row.kind, row.status, row.provider_message_id) == (
        "template",
        "sent",
        api.wamids_to("6281100000002")[0],
    )


async def test_a_never_seen_participant_gets_the_template(
    outbound: Outbound, db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> None:
    api, _ = fake
    # Its number is kept (encrypted), but it never wrote.
    with db.session() as session:
        conversations.remember_address(
            session, CIPHER, whatsapp_key(CIPHER, "6281100000003")
        )
    delivery = await outbound.send(_key("6281100000003"), REPLY)
    assert delivery.via_template and delivery.status == "sent"
    assert not [s for s in api.refused() if s.params.get("to") == "6281100000003"]


async def test_when_the_provider_says_the_window_closed_the_template_follows(
    outbound: Outbound, db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> None:
    api, _ = fake
    _wrote(db, api, "6281100000004", hours_ago=1)
    api.customer_wrote("6281100000004", utcnow() - timedelta(hours=30))
    delivery = await outbound.send(_key("6281100000004"), REPLY)
    assert delivery.via_template and delivery.status == "sent"
    refused = [s for s in api.refused() if s.params.get("to") == "6281100000004"]
    assert [s.error_code for s in refused] == [131047]


async def test_without_a_template_setting_the_failure_is_recorded(
    db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> None:
    api, url = fake
    outbound = Outbound(db)
    rasa = RasaClient("http://rasa.invalid", 1, transport=httpx.MockTransport(_no))
    dialogue = Dialogue(db, rasa, outbound, 100)
    channel = WhatsAppChannel(
        dataclasses.replace(_settings(url), template_name=None),
        dialogue,
        outbound,
        db,
        cipher=CIPHER,
    )
    try:
        _wrote(db, api, "6281100000005", hours_ago=48)
        delivery = await outbound.send(_key("6281100000005"), REPLY)
    finally:
        await channel.stop()
    assert delivery.status == "failed"
    row = _recorded(db)
    assert row.status == "failed"
    assert row.error is not None and "WHATSAPP_TEMPLATE_NAME" in row.error
    assert api.accepted_to("6281100000005") == []


async def test_a_sender_whose_number_was_never_kept_is_not_guessed(
    outbound: Outbound, db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> None:
    """The id is a hash: without the kept number nothing is sent anywhere."""
    api, _ = fake
    delivery = await outbound.send(_key("6281100000009"), REPLY)
    assert delivery.status == "failed"
    assert api.accepted_to("6281100000009") == []


async def test_refused_buttons_fall_back_to_numbered_text(
    outbound: Outbound, db: Database, fake: tuple[FakeWhatsAppApi, str]
) -> None:
    api, _ = fake
    _wrote(db, api, "6281100000006", hours_ago=1)
    with api.refusing_interactive():
        delivery = await outbound.send(_key("6281100000006"), REPLY)
    assert delivery.status == "sent"
    [payload] = api.accepted_to("6281100000006")
    assert payload["type"] == "text"
    assert payload["text"]["body"].endswith("\n\n1. Terima kasih")
