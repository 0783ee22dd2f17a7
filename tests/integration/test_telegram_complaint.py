"""A complaint end to end through the Telegram webhook, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select

from bot.store.db import Database
from bot.store.models import Conversation, Message
from bot.workdays import JAKARTA
from tests.fakes import telegram_updates as tg
from tests.fakes.server import free_port
from tests.integration.conftest import Stack, gateway_env
from tests.integration.processes import start_gateway

REFERENCE = re.compile(r"\bADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")

WHOLE_STORY = (
    "Selamat pagi, saya mau lapor. Selasa 2 Desember 2025 jam 9.30 saya ke kantor "
    "bpjs tk boyolali mau berhenti jadi peserta bpu, tapi ditolak satpam katanya "
    "harus ke kantor semarang. Saya minta dilayani di boyolali saja."
)


def _say(stack: Stack, chat_id: int, text: str, expect_total: int) -> list[str]:
    response = stack.post_update(tg.text(chat_id, text))
    assert response.status_code == 200
    return stack.telegram.wait_for_texts(chat_id, expect_total)


def _message_count(database_url: str) -> int:
    # Inbound only: a reply of an earlier test may still be being recorded after
    # the fake API received it, but every inbound message is stored before the 200.
    db = Database(database_url)
    try:
        with db.session() as session:
            count = select(func.count(Message.id)).where(Message.direction == "in")
            return int(session.scalar(count) or 0)
    finally:
        db.dispose()


def test_webhook_was_registered_with_the_secret(stack: Stack) -> None:
    calls = stack.telegram.calls_to("setWebhook")
    assert calls, "the gateway did not call setWebhook"
    assert calls[-1].params["secret_token"] == "s3cret-webhook_token"
    assert calls[-1].params["url"] == "https://bpu.example.invalid/telegram/webhook"


def test_whole_story_in_one_message_is_filed_with_what_was_typed(
    stack: Stack, chat_id: int
) -> None:
    texts = _say(stack, chat_id, "/start", 1)
    assert "Layanan Mandiri BPU" in texts[0]

    texts = _say(stack, chat_id, WHOLE_STORY, 3)
    filed = texts[-1]
    match = REFERENCE.search(filed)
    assert match, f"no reference in {filed!r}"
    assert "Kantor Cabang Perintis Boyolali" in filed
    assert "Selasa, 2 Desember 2025 pukul 09.30" in filed

    tickets = {t["id"]: t for t in stack.tickets()}
    ticket = tickets[match.group(0)]
    assert ticket["kind"] == "complaint"
    assert ticket["status"] == "baru"
    assert ticket["channel"] == "telegram"
    assert ticket["office"] == "kcp_boyolali"
    assert ticket["event_at"] == "2025-12-02T09:30+07:00"
    assert ticket["staff_role"] == "satpam"
    assert ticket["staff_said"] == "harus ke kantor semarang"
    assert ticket["category"] == "tidak memberikan pelayanan"
    assert ticket["first_response_due"] > ticket["created_at"][:10]
    assert ticket["resolution_due"] > ticket["first_response_due"]


def test_fields_one_by_one_with_buttons_and_numbers(stack: Stack, chat_id: int) -> None:
    texts = _say(stack, chat_id, "saya mau lapor, kantor bpjs menolak melayani saya", 2)
    assert "kantor BPJS Ketenagakerjaan mana" in texts[-1]
    ask_office = stack.telegram.calls_to("sendMessage")[-1].params
    keyboard = ask_office["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard][:2] == ["Boyolali", "Klaten"]
    assert "1. Boyolali" in texts[-1]  # options are also written out as numbers

    press = stack.telegram.press(chat_id, "Klaten")
    assert stack.post_update(press).status_code == 200
    texts = stack.telegram.wait_for_texts(chat_id, 3)
    assert "Kapan kejadiannya" in texts[-1]
    query_id = press["callback_query"]["id"]
    answered = [
        c.params["callback_query_id"]
        for c in stack.telegram.calls_to("answerCallbackQuery")
    ]
    assert query_id in answered
    assert not stack.telegram.refused("answerCallbackQuery")

    texts = _say(stack, chat_id, "kemarin jam 9 pagi", 4)
    assert "Siapa yang menolak" in texts[-1]
    texts = _say(stack, chat_id, "2", 5)  # the second option: petugas loket
    assert "Apa yang dia katakan" in texts[-1]
    texts = _say(stack, chat_id, "dia bilang harus ke kantor cabang dulu", 6)
    assert "Apa yang Anda minta" in texts[-1]
    texts = _say(stack, chat_id, "1", 7)
    match = REFERENCE.search(texts[-1])
    assert match, texts[-1]

    ticket = {t["id"]: t for t in stack.tickets()}[match.group(0)]
    yesterday = (datetime.now(JAKARTA) - timedelta(days=1)).date()
    assert ticket["office"] == "kc_klaten"
    assert ticket["event_at"] == f"{yesterday.isoformat()}T09:00+07:00"
    assert ticket["staff_role"] == "petugas_loket"
    assert ticket["staff_said"] == "dia bilang harus ke kantor cabang dulu"
    assert ticket["resolution_wanted"] == "Saya minta dilayani sesuai hak saya"


def test_status_by_reference_in_any_spelling(stack: Stack, chat_id: int) -> None:
    texts = _say(stack, chat_id, WHOLE_STORY, 2)
    reference = REFERENCE.search(texts[-1])
    assert reference
    loose = reference.group(0).lower().replace("-", "")
    texts = _say(stack, chat_id, f"status {loose}", 3)
    assert reference.group(0) in texts[-1]
    assert "baru diterima" in texts[-1]


def test_forged_webhooks_are_refused_and_nothing_is_stored(
    stack: Stack, chat_id: int
) -> None:
    before = _message_count(stack.database_url)
    update = tg.text(chat_id, "halo")
    assert stack.post_update(update, secret=None).status_code == 403
    assert stack.post_update(update, secret="wrong-secret").status_code == 403
    assert _message_count(stack.database_url) == before
    assert stack.telegram.sent_texts(chat_id) == []

    malformed = httpx.post(
        f"{stack.gateway_url}/telegram/webhook",
        content=b"{not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-webhook_token"},
    )
    # Authentic but unreadable: acknowledged (a 4xx would make Telegram redeliver
    # it forever and hold back the updates behind it), and nothing stored.
    assert malformed.status_code == 200
    assert _message_count(stack.database_url) == before


def test_rasa_down_gets_an_apology_and_the_message_is_kept(
    stack: Stack, chat_id: int, tmp_path: object
) -> None:
    dead_rasa = f"http://127.0.0.1:{free_port()}"
    telegram_url = stack.telegram_url
    env = gateway_env(stack.database_url, dead_rasa, telegram_url, stack.var_dir)
    gateway, url = start_gateway(env)
    try:
        update = tg.text(chat_id, "saya mau lapor kantor menolak")
        response = httpx.post(
            f"{url}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-webhook_token"},
        )
        assert response.status_code == 200
        texts = stack.telegram.wait_for_texts(chat_id, 1)
        assert "layanan sedang gangguan" in texts[0]
    finally:
        gateway.stop()
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            conversation = session.scalar(
                select(Conversation).where(
                    Conversation.sender_id == f"telegram:{chat_id}"
                )
            )
            assert conversation is not None
            inbound = [m for m in conversation.messages if m.direction == "in"]
            outbound = [m for m in conversation.messages if m.direction == "out"]
            assert [m.text for m in inbound] == ["saya mau lapor kantor menolak"]
            assert outbound and "gangguan" in outbound[0].text
    finally:
        db.dispose()


def test_action_server_down_gets_an_apology(stack: Stack, chat_id: int) -> None:
    stack.actions.stop()
    try:
        texts = _say(
            stack, chat_id, "saya mau lapor, kantor bpjs menolak melayani saya", 1
        )
        assert "layanan sedang gangguan" in texts[-1]
    finally:
        stack.restart_actions()
    texts = _say(stack, chat_id, "saya mau lapor, kantor bpjs menolak melayani saya", 3)
    assert "kantor BPJS Ketenagakerjaan mana" in texts[-1]
