"""What the shared channel base promises holds on Telegram and WhatsApp alike.

Each test runs once per channel through real HTTP (fake Bot API, fake Graph API,
fake Rasa, real store) and checks the same expectations, so a rule that holds on
one channel and not on the other fails here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest

from bot.gateway.channels import telegram, whatsapp_payload
from bot.gateway.channels.base import (
    MEDIA_KINDS,
    media_label,
)
from tests.fakes import telegram_updates as tg
from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import WA_PHONE_ID, LocalGateway, wa_sender
from tests.unit.gateway.channel_fixtures import channel_database, gateway, world

__all__ = ["channel_database", "gateway", "world"]

QUESTION = [
    {
        "text": "Pilih satu.",
        "buttons": [
            {"title": "Pilihan satu", "payload": "/pick_1"},
            {"title": "Pilihan dua", "payload": "/pick_2"},
            {"title": "Pilihan tiga", "payload": "/pick_3"},
        ],
    }
]


@dataclass
class Participant:
    """One participant on one channel, as the tests drive them."""

    channel: str
    gateway: LocalGateway
    address: str  # the chat id or the WhatsApp number

    @property
    def sender_id(self) -> str:
        if self.channel == "whatsapp":
            return wa_sender(self.address)  # a keyed hash of the number
        return f"{self.channel}:{self.address}"

    def typed(self, text: str) -> dict[str, Any]:
        if self.channel == "telegram":
            return tg.text(int(self.address), text)
        return wa.text(WA_PHONE_ID, self.address, text)

    def pressed(self, data: str) -> dict[str, Any]:
        if self.channel == "telegram":
            return self.gateway.world.telegram.press(int(self.address), data)
        return wa.button_reply(WA_PHONE_ID, self.address, data, "Pilihan")

    def sent_media(self, kind: str) -> dict[str, Any]:
        """``kind`` is "photo" or "voice", in each provider's own format."""
        if self.channel == "telegram":
            return (
                tg.photo(int(self.address))
                if kind == "photo"
                else tg.voice(int(self.address))
            )
        wire = "image" if kind == "photo" else "audio"
        return wa.media(WA_PHONE_ID, self.address, wire)

    def post(self, payload: dict[str, Any]) -> int:
        if self.channel == "telegram":
            return self.gateway.post_telegram(payload).status_code
        return self.gateway.post_whatsapp(payload).status_code

    def wait_for_texts(self, count: int) -> list[str]:
        if self.channel == "telegram":
            return self.gateway.world.telegram.wait_for_texts(int(self.address), count)
        return self.gateway.world.whatsapp.wait_for_texts(self.address, count)

    def forwarded(self) -> list[str]:
        return self.gateway.world.rasa.messages_from(self.sender_id)

    def inbound_transcript(self) -> list[str]:
        return [
            m.text for m in self.gateway.messages(self.sender_id) if m.direction == "in"
        ]


@pytest.fixture(params=["telegram", "whatsapp"])
def participant(request: pytest.FixtureRequest, gateway: LocalGateway) -> Participant:
    channel = str(request.param)
    if channel == "telegram":
        address = str(random.randint(10_000_000, 99_999_999))
    else:
        address = f"628{random.randint(10**9, 10**10 - 1)}"
    return Participant(channel, gateway, address)


def test_a_duplicate_delivery_is_accepted_once(participant: Participant) -> None:
    message = participant.typed("sekali")
    for _ in range(3):
        assert participant.post(message) == 200
    press = participant.pressed("/pick_1")
    for _ in range(2):
        assert participant.post(press) == 200
    participant.post(participant.typed("terakhir"))
    texts = participant.wait_for_texts(3)
    assert texts == [
        "Bapak/Ibu menulis: sekali",
        "Bapak/Ibu menulis: /pick_1",
        "Bapak/Ibu menulis: terakhir",
    ]
    assert participant.forwarded() == ["sekali", "/pick_1", "terakhir"]
    assert participant.inbound_transcript() == ["sekali", "/pick_1", "terakhir"]


def test_a_typed_number_and_a_numbered_press_resolve_the_same_button(
    participant: Participant,
) -> None:
    participant.gateway.world.rasa.scripted["tanya tombol"] = QUESTION
    participant.post(participant.typed("tanya tombol"))
    participant.wait_for_texts(1)
    participant.post(participant.typed("2"))
    participant.wait_for_texts(2)
    participant.post(participant.typed("tanya tombol"))
    participant.wait_for_texts(3)
    # "#3": a press whose id could not be its payload names the third option.
    participant.post(participant.pressed("#3"))
    participant.wait_for_texts(4)
    assert participant.forwarded() == [
        "tanya tombol",
        "/pick_2",
        "tanya tombol",
        "/pick_3",
    ]
    requests = [
        r
        for r in participant.gateway.world.rasa.requests
        if r["sender"] == participant.sender_id
    ]
    assert [r["metadata"]["button"] for r in requests] == [False, True, False, True]


def test_an_unknown_button_key_is_answered_not_forwarded(
    participant: Participant,
) -> None:
    participant.post(participant.pressed("k:notakeyweeverissued"))
    [notice] = participant.wait_for_texts(1)
    assert "tombol itu sudah tidak berlaku" in notice
    assert participant.forwarded() == []


@pytest.mark.parametrize(
    ("kind", "label"), [("photo", "[foto]"), ("voice", "[pesan suara]")]
)
def test_media_gets_the_same_polite_label(
    participant: Participant, kind: str, label: str
) -> None:
    assert participant.post(participant.sent_media(kind)) == 200
    [reply] = participant.wait_for_texts(1)
    assert "hanya bisa membaca pesan teks" in reply
    assert participant.forwarded() == []
    assert participant.inbound_transcript() == [label]
    [message] = [
        m
        for m in participant.gateway.messages(participant.sender_id)
        if m.direction == "in"
    ]
    assert message.kind == "media"


def test_every_media_kind_of_every_channel_has_a_label() -> None:
    for kinds in (telegram.MEDIA_KINDS, whatsapp_payload.MEDIA_KINDS):
        assert set(kinds.values()) <= MEDIA_KINDS
    unknown = media_label(None)
    assert unknown == "[pesan bukan teks]"
    assert media_label("hologram") == unknown
    assert media_label("photo") == "[foto]"
    assert all(media_label(kind) not in (unknown, kind) for kind in MEDIA_KINDS)


def test_one_payload_from_two_senders_answers_both(gateway: LocalGateway) -> None:
    """Each sender's turns get a task of their own (WhatsApp batches senders)."""
    first, second = (f"628{random.randint(10**9, 10**10 - 1)}" for _ in range(2))
    payload = wa.text(WA_PHONE_ID, first, "dari yang pertama")
    other = wa.text(WA_PHONE_ID, second, "dari yang kedua")
    value = payload["entry"][0]["changes"][0]["value"]
    other_value = other["entry"][0]["changes"][0]["value"]
    value["messages"] += other_value["messages"]
    value["contacts"] += other_value["contacts"]
    assert gateway.post_whatsapp(payload).status_code == 200
    assert gateway.world.whatsapp.wait_for_texts(first, 1) == [
        "Bapak/Ibu menulis: dari yang pertama"
    ]
    assert gateway.world.whatsapp.wait_for_texts(second, 1) == [
        "Bapak/Ibu menulis: dari yang kedua"
    ]
