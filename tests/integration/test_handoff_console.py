"""Handoff and ticket lifecycle end to end: Telegram in, console, Telegram out.

Runs on SQLite and PostgreSQL with real Rasa, the action server, the gateway and the
fake Bot API (tests/integration/conftest.py).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.complaints.filing import ComplaintExtras
from bot.core.workdays import JAKARTA
from bot.store.db import Database
from bot.store.models import Conversation, Message, utcnow
from tests.fakes import telegram_updates as tg
from tests.integration.conftest import Stack
from tests.integration.console_client import ConsoleClient, add_staff
from tests.integration.processes import (
    APP_PYTHON,
    QUIET_ENV,
    ROOT,
    TEST_DATA_KEY,
    run_cli,
)
from tests.integration.store_peek import conversation_id, file_telegram_complaint

PASSWORD = "kata-sandi-petugas-1"
HANDOFF_SENT = "saya teruskan ke petugas Layanan Mandiri BPU"


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[ConsoleClient]:
    add_staff(stack.database_url, "ani", "agent", PASSWORD)
    client = ConsoleClient(stack.gateway_url)
    client.login("ani", PASSWORD)
    yield client
    client.close()


def _say(stack: Stack, chat_id: int, text: str, expect_total: int) -> list[str]:
    assert stack.post_update(tg.text(chat_id, text)).status_code == 200
    return stack.telegram.wait_for_texts(chat_id, expect_total)


def _inbound_texts(stack: Stack, chat_id: int) -> list[str]:
    with Database(stack.database_url) as db, db.session() as session:
        rows = session.scalars(
            select(Message.text)
            .join(Conversation)
            .where(Conversation.sender_id == f"telegram:{chat_id}")
            .where(Message.direction == "in")
            .order_by(Message.id)
        )
        return list(rows)


def _file_ticket(stack: Stack, chat_id: int, **changes: object) -> str:
    """A complaint from this Telegram chat, filed as the action server files one."""
    return file_telegram_complaint(
        stack.database_url,
        chat_id,
        ComplaintExtras(
            category="penyimpangan prosedur",
            service_wanted="berhenti sebagai peserta BPU",
            harm="tagihan iuran tetap berjalan",
            destination_office="kc_semarang_pemuda",
        ),
        **changes,
    )


def test_asking_for_a_person_puts_the_conversation_in_the_queue(
    stack: Stack, console: ConsoleClient, chat_id: int
) -> None:
    texts = _say(stack, chat_id, "saya mau bicara dengan petugas", 1)
    assert HANDOFF_SENT in texts[-1]
    assert "WIB" in texts[-1]  # when people answer

    handoffs = run_cli(["handoffs", "list", "--json"], stack.database_url)
    cid = conversation_id(stack.database_url, chat_id)
    [mine] = [h for h in handoffs if h["conversation_id"] == cid]
    assert mine["channel"] == "telegram"
    assert mine["reason"] == "diminta_peserta"
    assert mine["status"] == "open"
    assert mine["message_count"] == 2  # the question and the answer
    assert {"id", "created_at"} <= set(mine)

    queue = console.get("/staff/")
    assert f'/staff/conversations/{cid}"' in queue.text
    assert "Peserta minta petugas" in queue.text


def test_while_handed_off_the_bot_is_silent_and_staff_reply_reaches_telegram(
    stack: Stack, console: ConsoleClient, chat_id: int
) -> None:
    _say(stack, chat_id, "tolong sambungkan ke petugas", 1)
    cid = conversation_id(stack.database_url, chat_id)
    assert stack.post_update(tg.text(chat_id, "halo, ada orang?")).status_code == 200
    # Recorded before the webhook answered, but not forwarded to the bot.
    assert _inbound_texts(stack, chat_id)[-1] == "halo, ada orang?"

    assert console.post(f"/staff/conversations/{cid}/take").status_code == 200
    reply = "Selamat siang, saya Ani dari BPJS Ketenagakerjaan. Ada yang bisa dibantu?"
    response = console.post(f"/staff/conversations/{cid}/reply", text=reply)
    assert response.status_code == 200
    assert "Balasan terkirim" in response.text
    texts = stack.telegram.wait_for_texts(chat_id, 2)
    assert texts == [texts[0], reply]  # no bot answer to "halo, ada orang?"

    console.post(f"/staff/conversations/{cid}/return")
    texts = stack.telegram.wait_for_texts(chat_id, 3)
    assert "asisten otomatis" in texts[-1]
    texts = _say(stack, chat_id, "halo", 4)  # the bot answers again
    assert "Layanan Mandiri BPU" in texts[-1]


def test_a_status_change_in_the_console_reaches_the_participant(
    stack: Stack, console: ConsoleClient, chat_id: int
) -> None:
    reference = _file_ticket(stack, chat_id)
    response = console.post(
        f"/staff/tickets/{reference}/status",
        status="menunggu_peserta",
        note="Mohon kirim foto tagihan GoPay Bapak/Ibu.",
    )
    assert response.status_code == 200
    texts = stack.telegram.wait_for_texts(chat_id, 1)
    assert reference in texts[-1]
    assert "menunggu jawaban Bapak/Ibu" in texts[-1]
    assert "Mohon kirim foto tagihan GoPay Bapak/Ibu." in texts[-1]

    refused = console.post(f"/staff/tickets/{reference}/status", status="baru")
    assert refused.status_code == 400
    closed = console.post(
        f"/staff/tickets/{reference}/status",
        status="selesai",
        note="Kepesertaan sudah dinonaktifkan dan tagihan dihentikan.",
    )
    assert closed.status_code == 200
    texts = stack.telegram.wait_for_texts(chat_id, 2)
    assert '"selesai"' in texts[-1]


def test_past_the_deadline_the_status_answer_gives_the_escalation_route(
    stack: Stack, chat_id: int
) -> None:
    # Frozen time without a test hook: the ticket's deadline is moved into the past.
    past = (utcnow().astimezone(JAKARTA) - timedelta(days=3)).date()
    reference = _file_ticket(stack, chat_id, resolution_due=past)
    texts = _say(stack, chat_id, f"status {reference}", 3)
    status, escalation, chronology = texts[-3:]
    assert reference in status
    assert "lapor.go.id" in escalation
    assert "SMS 1708" in escalation
    assert "137" in escalation
    assert chronology.startswith(f"Kronologi aduan {reference}")
    assert "Kantor Cabang Perintis Boyolali" in chronology
    assert (
        'Satpam menolak melayani saya dan mengatakan: "harus ke kantor semarang"'
        in (chronology)
    )
    assert "sudah lewat" in chronology

    # Resolved tickets do not escalate, whatever the date.
    done = _file_ticket(stack, chat_id, resolution_due=past, status="selesai")
    texts = _say(stack, chat_id, f"status {done}", 4)
    assert "lapor.go.id" not in texts[-1]


def test_staff_add_refuses_a_short_password(stack: Stack) -> None:
    result = subprocess.run(
        [APP_PYTHON, "-m", "bot", "staff", "add", "budi", "--role", "agent"],
        cwd=ROOT,
        env={
            **os.environ,
            **QUIET_ENV,
            "DATABASE_URL": stack.database_url,
            "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        },
        input="pendek\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "at least 12 characters" in result.stderr


SENSITIVE_STORY = (
    "Kemarin jam 10 pagi saya ke kantor bpjs tk klaten mau berhenti jadi peserta, "
    "satpam bilang harus kasih uang pelicin dulu baru dilayani. Saya minta petugas "
    "itu ditindak."
)


def test_a_sensitive_complaint_goes_to_a_supervisor(stack: Stack, chat_id: int) -> None:
    texts = _say(stack, chat_id, SENSITIVE_STORY, 2)  # the intro and the summary
    assert "Mohon periksa aduan" in texts[-1]
    # Kirim: filed, its details, then the supervisor handoff instead of the online
    # offer.
    texts = _say(stack, chat_id, "1", 6)
    assert "permintaan imbalan uang" in texts[-4]
    assert "supervisor" in texts[-2]
    assert "saya teruskan ke supervisor kami" in texts[-1]
    cid = conversation_id(stack.database_url, chat_id)
    handoffs = run_cli(["handoffs", "list", "--json"], stack.database_url)
    [mine] = [h for h in handoffs if h["conversation_id"] == cid]
    assert mine["reason"] == "aduan_sensitif"
    assert mine["supervisor_only"] is True
