"""The Telegram channel through real HTTP: fake Bot API, fake Rasa, real store."""

from __future__ import annotations

import random
import tempfile
from typing import Any

import httpx
from sqlalchemy import select

from bot.core.crypto import DataCipher
from bot.gateway.channels.rendering.common import payload_key
from bot.gateway.channels.rendering.telegram import SHARE_CONTACT_PAYLOAD
from bot.store.db import Database
from bot.store.models import Message, SharedContact
from tests.fakes import telegram_updates as tg
from tests.fakes.gateway import TG_SECRET, Fakes, LocalGateway, local_gateway
from tests.unit.gateway.channel_fixtures import channel_database, gateway, world

__all__ = ["channel_database", "gateway", "world"]


def _chat() -> int:
    return random.randint(10_000_000, 99_999_999)


def _options(count: int, payload: str = "/pick_{i}") -> list[dict[str, str]]:
    return [
        {"title": f"Pilihan {i}", "payload": payload.format(i=i)}
        for i in range(1, count + 1)
    ]


def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(
    gateway: LocalGateway,
) -> None:
    chat = _chat()
    update = tg.text(chat, "halo")
    assert gateway.post_telegram(update, secret="wrong").status_code == 403
    assert gateway.post_telegram(update, secret=None).status_code == 403
    assert gateway.messages(f"telegram:{chat}") == []


def test_an_authentic_malformed_update_gets_200_not_a_redelivery(
    gateway: LocalGateway,
) -> None:
    response = httpx.post(
        f"{gateway.url}/telegram/webhook",
        content=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
    )
    assert response.status_code == 200


def test_a_button_press_is_answered_and_sends_the_payload(
    gateway: LocalGateway,
) -> None:
    chat = _chat()
    gateway.world.rasa.scripted["pilih"] = [
        {"text": "Pilih satu.", "buttons": _options(2)}
    ]
    gateway.post_telegram(tg.text(chat, "pilih"))
    gateway.world.telegram.wait_for_texts(chat, 1)
    [sent] = gateway.world.telegram.sent_messages(chat)
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in keyboard] == [
        ["/pick_1"],
        ["/pick_2"],
    ]

    press = gateway.world.telegram.press(chat, "/pick_2")
    assert gateway.post_telegram(press).status_code == 200
    gateway.world.telegram.wait_for_texts(chat, 2)
    query_id = press["callback_query"]["id"]
    answered = gateway.world.telegram.calls_to("answerCallbackQuery")
    assert [c.params["callback_query_id"] for c in answered].count(query_id) == 1
    assert not gateway.world.telegram.refused("answerCallbackQuery")
    assert gateway.world.rasa.messages_from(f"telegram:{chat}")[-1] == "/pick_2"
    assert gateway.world.rasa.requests[-1]["metadata"]["button"] is True


def test_a_payload_over_64_bytes_goes_by_a_stored_key(gateway: LocalGateway) -> None:
    chat = _chat()
    long_payload = '/inform{"resolution_wanted": "' + "x" * 60 + '"}'
    gateway.world.rasa.scripted["panjang"] = [
        {"text": "Setuju?", "buttons": [{"title": "Ya", "payload": long_payload}]}
    ]
    gateway.post_telegram(tg.text(chat, "panjang"))
    gateway.world.telegram.wait_for_texts(chat, 1)
    [sent] = gateway.world.telegram.sent_messages(chat)
    data = sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert data == payload_key(long_payload)
    assert len(data.encode()) <= 64
    gateway.post_telegram(gateway.world.telegram.press(chat, data))
    gateway.world.telegram.wait_for_texts(chat, 2)
    assert gateway.world.rasa.messages_from(f"telegram:{chat}")[-1] == long_payload


def test_an_edited_message_is_not_a_new_turn(gateway: LocalGateway) -> None:
    chat = _chat()
    gateway.post_telegram(tg.text(chat, "halo"))
    gateway.world.telegram.wait_for_texts(chat, 1)
    assert gateway.post_telegram(tg.edited(chat, "halo, diedit")).status_code == 200
    gateway.post_telegram(tg.text(chat, "pesan baru"))
    texts = gateway.world.telegram.wait_for_texts(chat, 2)
    assert texts == ["Bapak/Ibu menulis: halo", "Bapak/Ibu menulis: pesan baru"]
    assert gateway.world.rasa.messages_from(f"telegram:{chat}") == [
        "halo",
        "pesan baru",
    ]


def _media(chat: int, kind: str) -> dict[str, Any]:
    file: dict[str, Any] = {"file_id": "BQACAgIAAxkBAAIC", "file_unique_id": "AgADBQ"}
    contents: dict[str, dict[str, Any]] = {
        "sticker": {
            **file,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        },
        "document": {**file, "file_name": "ktp.pdf", "mime_type": "application/pdf"},
    }
    content = contents[kind]
    update = tg.text(chat, "x")
    del update["message"]["text"]
    update["message"][kind] = content
    return update


def test_a_voice_note_photo_sticker_and_document_are_answered_politely(
    gateway: LocalGateway,
) -> None:
    chat = _chat()
    updates = [tg.voice(chat), tg.photo(chat), _media(chat, "sticker")]
    updates.append(_media(chat, "document"))
    for count, update in enumerate(updates, start=1):
        assert gateway.post_telegram(update).status_code == 200
        texts = gateway.world.telegram.wait_for_texts(chat, count)
        assert "hanya bisa membaca pesan teks" in texts[-1]
    assert gateway.world.rasa.messages_from(f"telegram:{chat}") == []
    inbound = [
        m.text for m in gateway.messages(f"telegram:{chat}") if m.direction == "in"
    ]
    assert inbound == ["[pesan suara]", "[foto]", "[stiker]", "[dokumen]"]


def test_a_long_answer_is_split_on_paragraphs_under_4096(
    gateway: LocalGateway,
) -> None:
    chat = _chat()
    paragraph = "Kalimat penjelasan yang panjang. " * 90  # ~2970 characters
    gateway.world.rasa.scripted["panjang sekali"] = [
        {"text": f"{paragraph}\n\n{paragraph}\n\n{paragraph}", "buttons": _options(2)}
    ]
    gateway.post_telegram(tg.text(chat, "panjang sekali"))
    texts = gateway.world.telegram.wait_for_texts(chat, 3)
    assert all(len(t) <= 4096 for t in texts)
    assert texts[0] == paragraph.strip()
    sent = gateway.world.telegram.sent_messages(chat)
    assert [("reply_markup" in s) for s in sent] == [False, False, True]
    refused = gateway.world.telegram.refused("sendMessage")
    assert not [c for c in refused if str(c.params.get("chat_id")) == str(chat)]


def test_a_blocked_bot_marks_the_participant_unreachable_until_they_write(
    gateway: LocalGateway,
) -> None:
    chat = _chat()
    gateway.world.telegram.blocked_chats.add(chat)
    try:
        gateway.post_telegram(tg.text(chat, "halo"))
        gateway.world.telegram.wait_for(
            lambda: any(
                m.direction == "out" and m.status == "unreachable"
                for m in gateway.messages(f"telegram:{chat}")
            ),
            what="the refused delivery to be recorded",
        )
        conversation = gateway.conversation(f"telegram:{chat}")
        assert conversation is not None and conversation.unreachable_at is not None
        [out] = [
            m for m in gateway.messages(f"telegram:{chat}") if m.direction == "out"
        ]
        assert out.status == "unreachable"
    finally:
        gateway.world.telegram.blocked_chats.discard(chat)
    gateway.post_telegram(tg.text(chat, "sudah saya buka blokirnya"))
    gateway.world.telegram.wait_for_texts(chat, 1)
    conversation = gateway.conversation(f"telegram:{chat}")
    assert conversation is not None and conversation.unreachable_at is None


def test_a_429_is_retried_after_the_time_telegram_asks(gateway: LocalGateway) -> None:
    chat = _chat()
    gateway.world.telegram.throttle(1)
    gateway.post_telegram(tg.text(chat, "pelan-pelan"))
    texts = gateway.world.telegram.wait_for_texts(chat, 1)
    assert texts == ["Bapak/Ibu menulis: pelan-pelan"]
    assert any(c.error_code == 429 for c in gateway.world.telegram.calls)


def test_a_replayed_update_is_answered_once(gateway: LocalGateway) -> None:
    chat = _chat()
    update = tg.text(chat, "sekali")
    for _ in range(3):
        assert gateway.post_telegram(update).status_code == 200
    gateway.post_telegram(tg.text(chat, "dua"))
    texts = gateway.world.telegram.wait_for_texts(chat, 2)
    assert texts == ["Bapak/Ibu menulis: sekali", "Bapak/Ibu menulis: dua"]
    press = gateway.world.telegram.press(chat, "/pick_1")
    for _ in range(2):
        assert gateway.post_telegram(press).status_code == 200
    gateway.world.telegram.wait_for_texts(chat, 3)
    assert gateway.world.rasa.messages_from(f"telegram:{chat}") == [
        "sekali",
        "dua",
        "/pick_1",
    ]


def test_a_ten_thousand_character_message_is_not_forwarded(
    gateway: LocalGateway,
) -> None:
    chat = _chat()
    gateway.post_telegram(tg.text(chat, "a" * 10_000))
    texts = gateway.world.telegram.wait_for_texts(chat, 1)
    assert "terlalu panjang" in texts[0]
    assert gateway.world.rasa.messages_from(f"telegram:{chat}") == []


def test_polling_mode_with_only_a_token(world: Fakes) -> None:
    from tests.fakes.gateway import TG_TOKEN
    from tests.fakes.telegram_api import FakeTelegramApi

    api = FakeTelegramApi(TG_TOKEN)
    api.webhook_url = "https://left.over.invalid/hook"  # a webhook from before
    chat = _chat()
    with api.serve() as server, tempfile.TemporaryDirectory() as folder:
        polling_world = Fakes(
            world.rasa,
            api,
            world.whatsapp,
            world.rasa_url,
            server.url,
            world.whatsapp_url,
        )
        overrides: dict[str, str | None] = {
            "TELEGRAM_WEBHOOK_URL": None,
            "TELEGRAM_WEBHOOK_SECRET": None,
        }
        with local_gateway(
            polling_world, f"sqlite:///{folder}/bpu.sqlite3", folder, overrides
        ) as running:
            api.queue_update(tg.text(chat, "halo dari laptop"))
            press = tg.button(chat, "/pick_1")
            api.queue_update(press)
            texts = api.wait_for_texts(chat, 2)
            assert texts == [
                "Bapak/Ibu menulis: halo dari laptop",
                "Bapak/Ibu menulis: /pick_1",
            ]
            assert httpx.post(f"{running.url}/telegram/webhook").status_code == 404
    assert api.calls_to("deleteWebhook"), "polling must delete a leftover webhook"
    assert not api.refused("getUpdates")
    polls = api.calls_to("getUpdates")
    assert polls and int(polls[0].params["timeout"]) > 0
    answered = [
        c.params["callback_query_id"] for c in api.calls_to("answerCallbackQuery")
    ]
    assert answered == [press["callback_query"]["id"]]


def test_a_press_with_an_unknown_key_is_answered_not_forwarded(
    gateway: LocalGateway,
) -> None:
    chat = _chat()
    press = gateway.world.telegram.press(chat, "k:notakeyweeverissued")
    assert gateway.post_telegram(press).status_code == 200
    texts = gateway.world.telegram.wait_for_texts(chat, 1)
    assert "tombol itu sudah tidak berlaku" in texts[0]
    assert gateway.world.rasa.messages_from(f"telegram:{chat}") == []
    answered = gateway.world.telegram.calls_to("answerCallbackQuery")
    assert press["callback_query"]["id"] in [
        c.params["callback_query_id"] for c in answered
    ]


def _shared(gateway: LocalGateway, sender_id: str) -> list[tuple[str, bool]]:
    db = Database(gateway.database_url)
    try:
        with db.session() as session:
            rows = session.scalars(
                select(SharedContact).where(SharedContact.sender_id == sender_id)
            )
            return [(r.phone_hash, r.own) for r in rows]
    finally:
        db.dispose()


def test_a_shared_contact_is_kept_as_a_hash_and_forwarded_as_the_answer(
    gateway: LocalGateway,
) -> None:
    """Own contact: own=True; someone else's: own=False; never the number."""
    chat = _chat()
    cipher = DataCipher("test-only-data-encryption-key-0123456789")
    gateway.post_telegram(tg.contact(chat, "+62 813-2555-0101"))
    gateway.post_telegram(tg.contact(chat, "6281399990000", user_id=chat + 1))
    gateway.world.telegram.wait_for(
        lambda: len(gateway.world.rasa.messages_from(f"telegram:{chat}")) == 2,
        timeout=10,
        what="both contacts forwarded",
    )
    forwarded = gateway.world.rasa.messages_from(f"telegram:{chat}")
    assert forwarded == [SHARE_CONTACT_PAYLOAD, SHARE_CONTACT_PAYLOAD]
    assert gateway.world.rasa.requests[-1]["metadata"]["button"] is True
    assert _shared(gateway, f"telegram:{chat}") == [
        (cipher.phone_hash("6281325550101"), True),
        (cipher.phone_hash("6281399990000"), False),
    ]
    db = Database(gateway.database_url)
    try:
        with db.session() as session:
            stored = " ".join(
                str(m.text) for m in session.scalars(select(Message)).all()
            )
    finally:
        db.dispose()
    assert "2555" not in stored and "99990000" not in stored
