"""One turn through the gateway's dialogue, with Rasa replaced by a mock transport."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database
from bot.store.models import Conversation, Message

KEY = ConversationKey("telegram", "4242")


class FakeRasa:
    """Answers the REST webhook with scripted replies and records the requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: list[Any] = []
        self.status = 200

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(json.loads(request.content))
        reply = self.replies.pop(0) if self.replies else []
        return httpx.Response(self.status, json=reply)


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def delivered() -> list[tuple[ConversationKey, BotMessage, bool]]:
    return []


@pytest.fixture
def dialogue(
    db: Database,
    rasa: FakeRasa,
    delivered: list[tuple[ConversationKey, BotMessage, bool]],
) -> Dialogue:
    async def deliver(
        key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        delivered.append((key, message, proactive))
        return Delivery(status="sent", provider_message_id=str(len(delivered)))

    outbound = Outbound(db)
    outbound.register("telegram", deliver)
    client = RasaClient(
        "http://rasa.test", 5, transport=httpx.MockTransport(rasa.handler)
    )
    return Dialogue(db, client, outbound, max_inbound_chars=50)


def _transcript(db: Database) -> list[tuple[str, str, str | None]]:
    with db.session() as session:
        rows = session.scalars(select(Message).order_by(Message.id))
        return [(m.direction, m.text, m.status) for m in rows]


async def _turn(dialogue: Dialogue, text: str, kind: str = "text") -> list[BotMessage]:
    inbound = await dialogue.accept(KEY, text, kind=kind)
    return await dialogue.respond(inbound)


async def test_a_turn_is_forwarded_with_the_channel_prefixed_sender(
    dialogue: Dialogue, rasa: FakeRasa, db: Database
) -> None:
    rasa.replies = [[{"text": "Halo"}]]
    replies = await _turn(dialogue, "halo")
    assert [r.text for r in replies] == ["Halo"]
    assert rasa.requests[0]["sender"] == "telegram:4242"
    metadata = rasa.requests[0]["metadata"]
    assert {k: metadata[k] for k in ("channel", "button")} == {
        "channel": "telegram",
        "button": False,
    }
    assert re.fullmatch(r"[0-9a-f]{16}", metadata["turn_id"])  # the turn's log id
    assert _transcript(db) == [("in", "halo", "answered"), ("out", "Halo", "sent")]


async def test_a_typed_number_picks_the_offered_option(
    dialogue: Dialogue, rasa: FakeRasa
) -> None:
    buttons = [
        {"title": "Ya", "payload": "/affirm"},
        {"title": "Tidak", "payload": "/deny"},
    ]
    rasa.replies = [[{"text": "Lanjut?", "buttons": buttons}], [{"text": "Baik"}]]
    await _turn(dialogue, "mulai")
    await _turn(dialogue, "2")
    assert rasa.requests[1]["message"] == "/deny"
    assert rasa.requests[1]["metadata"]["button"] is True


async def test_a_number_without_options_is_just_text(
    dialogue: Dialogue, rasa: FakeRasa
) -> None:
    rasa.replies = [[{"text": "Oke"}], [{"text": "Oke"}]]
    await _turn(dialogue, "halo")
    await _turn(dialogue, "2")
    assert rasa.requests[1]["message"] == "2"


async def test_identity_numbers_are_masked_in_the_transcript_not_for_rasa(
    dialogue: Dialogue, rasa: FakeRasa, db: Database
) -> None:
    rasa.replies = [[{"text": "Terima kasih"}]]
    await _turn(dialogue, "nik 3309041203710003")
    assert rasa.requests[0]["message"] == "nik 3309041203710003"
    assert _transcript(db)[0] == ("in", "nik ************0003", "answered")


async def test_rasa_error_gives_an_apology_and_keeps_the_message(
    dialogue: Dialogue, rasa: FakeRasa, db: Database
) -> None:
    rasa.status = 500
    replies = await _turn(dialogue, "halo")
    assert "layanan sedang gangguan" in replies[0].text
    assert _transcript(db)[0] == ("in", "halo", "notice")


async def test_an_empty_reply_means_a_failed_action(
    dialogue: Dialogue, rasa: FakeRasa
) -> None:
    rasa.replies = [[]]
    replies = await _turn(dialogue, "mau lapor")
    assert "layanan sedang gangguan" in replies[0].text


async def test_a_malformed_rasa_reply_is_an_outage(
    dialogue: Dialogue, rasa: FakeRasa
) -> None:
    rasa.replies = [{"unexpected": "object"}]
    replies = await _turn(dialogue, "halo")
    assert "layanan sedang gangguan" in replies[0].text


async def test_media_is_answered_politely_without_asking_rasa(
    dialogue: Dialogue, rasa: FakeRasa, db: Database
) -> None:
    replies = await _turn(dialogue, "[pesan suara]", kind="media")
    assert "hanya bisa membaca pesan teks" in replies[0].text
    assert rasa.requests == []
    assert _transcript(db)[0] == ("in", "[pesan suara]", "notice")


async def test_an_oversized_message_is_recorded_whole_but_not_forwarded(
    dialogue: Dialogue, rasa: FakeRasa, db: Database
) -> None:
    long_text = "tolong " * 20
    replies = await _turn(dialogue, long_text)
    assert "terlalu panjang" in replies[0].text
    assert rasa.requests == []
    assert _transcript(db)[0][1] == long_text


async def test_a_conversation_held_by_staff_gets_no_bot_reply(
    dialogue: Dialogue, rasa: FakeRasa, db: Database
) -> None:
    rasa.replies = [[{"text": "Halo"}]]
    await _turn(dialogue, "halo")
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
        assert conversation is not None
        conversation.state = "handoff"
    replies = await _turn(dialogue, "halo lagi")
    assert replies == []
    assert len(rasa.requests) == 1
    assert _transcript(db)[-1] == ("in", "halo lagi", "held")
