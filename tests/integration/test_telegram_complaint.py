"""A complaint end to end through the Telegram webhook, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.complaints.filing import ComplaintExtras
from bot.core.crypto import DataCipher
from bot.core.workdays import JAKARTA
from bot.store.db import Database
from bot.store.models import ComplaintDetails, Conversation, Message, Ticket
from tests.fakes import telegram_updates as tg
from tests.fakes.server import free_port
from tests.integration.conftest import Stack, gateway_env
from tests.integration.processes import TEST_DATA_KEY, start_gateway
from tests.integration.store_peek import file_telegram_complaint

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


SUMMARY = "Mohon periksa aduan"


def finish_complaint(stack: Stack, chat_id: int) -> list[str]:
    """Press "Kirim" under the summary; returns every text the chat received."""
    texts = stack.telegram.texts_to(chat_id)
    assert SUMMARY in texts[-1], texts[-1]
    # "1" is the summary's first button; it files: the ticket, its details, the
    # offer to stop online.
    return _say(stack, chat_id, "1", len(texts) + 3)


def filed_reference(texts: list[str]) -> str:
    """The reference in the filing message."""
    for text in texts:
        match = REFERENCE.search(text)
        if match and "sudah tercatat" in text:
            return match.group(0)
    raise AssertionError(f"no filing message in {texts}")


def ticket_id(session: Session, reference: str) -> int:
    """The row id of the ticket with ``reference``."""
    found = session.scalar(select(Ticket.id).where(Ticket.reference == reference))
    assert found is not None, reference
    return int(found)


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
    # Nothing essential is missing: the summary at once, with what will be filed.
    summary = texts[-1]
    assert SUMMARY in summary
    assert "1. Kantor: Kantor Cabang Perintis Boyolali" in summary
    assert "2. Waktu kejadian: Selasa, 2 Desember 2025 pukul 09.30" in summary
    assert "8. Yang diminta: dilayani di boyolali saja" in summary
    assert "9. Kabar aduan: lewat chat ini (bawaan)" in summary
    assert "1. Kirim" in summary  # the buttons, also written out as numbers
    texts = finish_complaint(stack, chat_id)
    filed = next(t for t in texts if "sudah tercatat" in t)
    match = REFERENCE.search(filed)
    assert match, f"no reference in {filed!r}"
    assert "Kantor Cabang Perintis Boyolali" in filed
    assert "Selasa, 2 Desember 2025 pukul 09.30" in filed
    assert "Layanan yang diurus: berhenti sebagai peserta BPU" in texts[-2]
    # The defaults the summary stated are what is filed.
    assert "Kontak: lewat chat ini" in texts[-2]
    assert "Identitas dirahasiakan: ya" in texts[-2]
    assert "lewat chat ini" in texts[-1]  # the offer to do it here, now

    tickets = {t["id"]: t for t in stack.tickets()}
    ticket = tickets[match.group(0)]
    assert ticket["kind"] == "complaint"
    assert ticket["status"] == "baru"
    assert ticket["channel"] == "telegram"
    assert ticket["office"] == "kcp_boyolali"
    assert ticket["event_at"] == "2025-12-02T09:30+07:00"
    assert ticket["staff_role"] == "satpam"
    assert ticket["staff_said"] == "harus ke kantor semarang"
    # Sent to another office without basis: "penyimpangan prosedur" [S43].
    assert ticket["category"] == "penyimpangan prosedur"
    assert ticket["first_response_due"] > ticket["created_at"][:10]
    assert ticket["resolution_due"] > ticket["first_response_due"]


def test_piecemeal_then_tambah_keterangan_and_ubah(stack: Stack, chat_id: int) -> None:
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
    # The fake is shared by the whole session: only this press's answer counts.
    refused = [
        c.params["callback_query_id"]
        for c in stack.telegram.refused("answerCallbackQuery")
    ]
    assert query_id not in refused

    # One question per missing essential, then the summary.
    texts = _say(stack, chat_id, "kemarin jam 9 pagi", 4)
    assert "Siapa yang menolak" in texts[-1]
    texts = _say(stack, chat_id, "2", 5)  # the second option: petugas loket
    assert "Apa yang dia katakan" in texts[-1]
    texts = _say(stack, chat_id, "dia bilang harus ke kantor cabang dulu", 6)
    assert SUMMARY in texts[-1]
    assert "6. Akibat: belum diisi" in texts[-1]

    # Tambah keterangan: the optional questions, then the summary again.
    texts = _say(stack, chat_id, "3", 8)
    assert "lewati" in texts[-2]
    assert "Layanan apa" in texts[-1]
    texts = _say(stack, chat_id, "1", 9)  # berhenti sebagai peserta BPU
    assert "Apa akibatnya" in texts[-1]
    texts = _say(stack, chat_id, "2", 10)  # tagihan iuran tetap berjalan
    assert "sudah mencoba cara lain" in texts[-1]
    texts = _say(stack, chat_id, "1", 11)  # telepon tidak diangkat
    assert "Apa yang Bapak/Ibu minta" in texts[-1]
    texts = _say(stack, chat_id, "1", 12)
    assert "boleh juga menelepon" in texts[-1]
    texts = _say(stack, chat_id, "2", 13)  # boleh ditelepon
    assert "nomor HP" in texts[-1]
    texts = _say(stack, chat_id, "0812 3456 7890", 14)
    assert "perlu dirahasiakan" in texts[-1]
    texts = _say(stack, chat_id, "1", 15)  # ya, rahasiakan
    assert SUMMARY in texts[-1]
    assert "6. Akibat: tagihan iuran tetap berjalan" in texts[-1]
    assert "9. Kabar aduan: lewat chat ini dan telepon" in texts[-1]

    # Ubah: which line, that question, the summary again.
    texts = _say(stack, chat_id, "2", 16)
    assert "Bagian mana" in texts[-1]
    texts = _say(stack, chat_id, "3", 17)  # 3. Yang menolak
    assert "Siapa yang menolak" in texts[-1]
    texts = _say(stack, chat_id, "1", 18)  # satpam
    assert "3. Yang menolak: satpam" in texts[-1]

    texts = _say(stack, chat_id, "1", 21)  # Kirim
    match = REFERENCE.search(texts[-3])
    assert match, texts[-3]
    assert "Kontak: lewat chat ini dan telepon" in texts[-2]
    assert "Identitas dirahasiakan: ya" in texts[-2]

    ticket = {t["id"]: t for t in stack.tickets()}[match.group(0)]
    yesterday = (datetime.now(JAKARTA) - timedelta(days=1)).date()
    assert ticket["office"] == "kc_klaten"
    assert ticket["event_at"] == f"{yesterday.isoformat()}T09:00+07:00"
    assert ticket["staff_role"] == "satpam"
    assert ticket["staff_said"] == "dia bilang harus ke kantor cabang dulu"
    assert ticket["resolution_wanted"] == "Saya minta dilayani sesuai hak saya"
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            details = session.get(ComplaintDetails, ticket_id(session, match.group(0)))
            assert details is not None
            assert details.service_wanted == "berhenti sebagai peserta BPU"
            assert details.harm == "tagihan iuran tetap berjalan"
            assert details.earlier_attempts == "sudah menelepon, tidak diangkat"
            assert details.contact_preference == "telepon"
            assert not details.anonymous
            # The number is stored encrypted only, never in clear.
            assert details.contact_phone_encrypted
            assert "0812" not in details.contact_phone_encrypted
            cipher = DataCipher(TEST_DATA_KEY)
            assert cipher.decrypt(details.contact_phone_encrypted) == "081234567890"
    finally:
        db.dispose()


def test_a_question_correction_and_cancel_in_the_middle(
    stack: Stack, chat_id: int
) -> None:
    texts = _say(stack, chat_id, "saya mau lapor, kantor bpjs menolak melayani saya", 2)
    texts = _say(stack, chat_id, "klaten", 3)
    assert "Kapan kejadiannya" in texts[-1]
    # Answered, then the same question again.
    texts = _say(stack, chat_id, "tagihan di gopay gimana cara stopnya?", 5)
    assert "tidak kena denda" in texts[-2]
    assert "Kapan kejadiannya" in texts[-1]
    texts = _say(stack, chat_id, "kantornya salah", 7)
    assert texts[-2] == "Baik, kita perbaiki."
    assert "kantor BPJS Ketenagakerjaan mana" in texts[-1]
    texts = _say(stack, chat_id, "boyolali", 8)
    assert "Kapan kejadiannya" in texts[-1]
    texts = _say(stack, chat_id, "gak jadi lapor deh", 9)
    assert "aduan tidak saya catat" in texts[-1]
    assert _conversation_tickets(stack, chat_id) == 0


def _conversation_tickets(stack: Stack, chat_id: int) -> int:
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            return int(
                session.scalar(
                    select(func.count(Ticket.id))
                    .join(Conversation, Ticket.conversation_id == Conversation.id)
                    .where(Conversation.sender_id == f"telegram:{chat_id}")
                )
                or 0
            )
    finally:
        db.dispose()


def test_status_by_reference_in_any_spelling(stack: Stack, chat_id: int) -> None:
    _say(stack, chat_id, WHOLE_STORY, 2)
    texts = finish_complaint(stack, chat_id)
    reference = filed_reference(texts)
    loose = reference.lower().replace("-", "")
    texts = _say(stack, chat_id, f"status {loose}", len(texts) + 1)
    assert reference in texts[-1]
    assert "baru diterima" in texts[-1]


def test_a_strangers_status_request_reveals_nothing(stack: Stack, chat_id: int) -> None:
    """Another chat with the reference learns that it exists, and nothing else."""
    past = (datetime.now(JAKARTA) - timedelta(days=3)).date()
    reference = file_telegram_complaint(
        stack.database_url,
        chat_id,
        ComplaintExtras(harm="ongkos ke kantor terbuang"),
        resolution_due=past,  # overdue: the filer would get the chronology
    )
    stranger = chat_id + 1
    [answer] = _say(stack, stranger, f"status {reference}", 1)
    assert answer.startswith("Nomor ini terdaftar; rinciannya hanya untuk pelapor.")
    for fact in ("Boyolali", "Satpam", "ongkos", "Status", "paling lambat", "2025"):
        assert fact.lower() not in answer.lower()
    # The filer's own chat gets the status, the escalation route and the chronology.
    texts = _say(stack, chat_id, f"status {reference}", 3)
    assert reference in texts[0]
    assert "Kantor Cabang Perintis Boyolali" in texts[-1]
    assert "ongkos ke kantor terbuang" in texts[-1]


def test_forged_webhooks_are_refused_and_nothing_is_stored(
    stack: Stack, chat_id: int
) -> None:
    before = _message_count(stack.database_url)
    update = tg.text(chat_id, "halo")
    assert stack.post_update(update, secret=None).status_code == 403
    assert stack.post_update(update, secret="wrong-secret").status_code == 403
    assert _message_count(stack.database_url) == before
    assert stack.telegram.texts_to(chat_id) == []

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
