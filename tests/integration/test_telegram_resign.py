"""Stopping participation end to end through the Telegram webhook (SQLite, PostgreSQL).

Every demo participant of the fixtures is played through a real conversation and
must reach the outcome PRODUCT.md §4 gives it. The last test searches the whole
store (and the SQLite file, Rasa's tracker and the process logs) for a raw NIK.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import MetaData, select, text

from bot.resignation.registry import ParticipantRecord, read_csv
from bot.resignation.requests import consent_version
from bot.store.db import Database
from bot.store.models import Consent, Conversation, Ticket
from tests.fakes import telegram_updates as tg
from tests.integration.conftest import Stack
from tests.integration.processes import (
    APP_PYTHON,
    QUIET_ENV,
    ROOT,
    TEST_DATA_KEY,
    run_cli,
)

DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
REFERENCE = re.compile(r"\bBRH-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")
DEMO = {r.full_name: r for r in read_csv(ROOT / "bot" / "data" / "participants.csv")}
ELIGIBLE = (
    "Sutrisno Wibowo",
    "Sri Lestari",
    "Rina Marlina",
    "Nur Hidayah",
    "Slamet Riyadi",
    "Dewi Anggraini",
)
NOT_ELIGIBLE = {
    "Agus Prasetyo": ("ELG-02-WAGE-EARNER", "HRD PT Sinar Tekstil Semarang", False),
    "Joko Santoso": ("ELG-03-CONSTRUCTION", "tanyakan ke CV Karya Bangun", False),
    "Wahyuni": ("ELG-04-ALREADY-INACTIVE", "berhenti tidak diperlukan", False),
    "Hartono": ("ELG-04-ALREADY-INACTIVE", "berhenti tidak diperlukan", False),
    "Bambang Supriyadi": ("ELG-05-CLAIM-IN-PROCESS", "klaim JKK", "pending_claim"),
    "Suparman": ("ELG-01-DECEASED", "turut berduka cita", "deceased"),
}
ASK_NIK = "Ketik NIK"
ASK_KPJ = "ketik nomor KPJ"
ASK_CONTACT = "Bagikan nomor saya"
ASK_CODE = "Ketik 6 angka kode"
CODE_SENT = "kami mengirim kode rahasia 6 angka"
ASK_REASON = "Apa alasan Bapak/Ibu berhenti"
ASK_CONFIRM = "Kirim permohonan berhenti sekarang"
HANDOFF = "perlu dibantu petugas"
HANDED_OFF = "percakapan ini saya teruskan ke"


@pytest.fixture(scope="module", autouse=True)
def demo_registry(stack: Stack) -> None:
    """``python -m bot seed-demo`` against the stack's database, as `make run` does."""
    env = {
        **os.environ,
        **QUIET_ENV,
        "DATABASE_URL": stack.database_url,
        "DATA_ENCRYPTION_KEY": TEST_DATA_KEY,
        "BPU_VAR_DIR": str(stack.var_dir),
    }
    argv = [APP_PYTHON, "-m", "bot", "seed-demo", "--if-empty"]
    first = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert "12 participants loaded" in first.stdout
    again = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert "already loaded" in again.stdout


class Chat:
    """One Telegram participant; each turn waits for the bot's last message."""

    def __init__(self, stack: Stack, chat_id: int) -> None:
        self.stack = stack
        self.chat_id = chat_id

    def _send(self, update: dict[str, Any], until: str) -> list[str]:
        before = len(self.stack.telegram.texts_to(self.chat_id))
        assert self.stack.post_update(update).status_code == 200

        def arrived() -> bool:
            new = self.stack.telegram.texts_to(self.chat_id)[before:]
            return any(until in t for t in new)

        self.stack.telegram.wait_for(
            arrived,
            timeout=45,
            what=f"{until!r} after {self.stack.telegram.texts_to(self.chat_id)}",
        )
        return self.stack.telegram.texts_to(self.chat_id)[before:]

    def say(self, words: str, until: str) -> list[str]:
        return self._send(tg.text(self.chat_id, words), until)

    def press(self, payload: str, until: str) -> list[str]:
        return self._send(self.stack.telegram.press(self.chat_id, payload), until)

    def identify(self, record: ParticipantRecord, until: str) -> list[str]:
        """Start, consent, NIK (typed with spaces), KPJ, then the code to the phone."""
        said = self.say(
            "saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju"
        )
        assert "JKK" in said[0] and "JHT" in said[0]
        self.press("/affirm", until=ASK_NIK)
        spaced = " ".join(record.nik[i : i + 4] for i in range(0, 16, 4))
        self.say(spaced, until=ASK_KPJ)
        self.say(str(record.kpj), until=ASK_CONTACT)
        self.say("Kirim kode", until=ASK_CODE)
        return self.say(self.code_of(record), until=until)

    def code_of(self, record: ParticipantRecord) -> str:
        """The last code the participant's own WhatsApp number received."""
        assert self.stack.whatsapp is not None
        codes = self.stack.whatsapp.codes_sent_to(str(record.phone))
        assert codes, "no code reached the registered number"
        return codes[-1]


@pytest.mark.parametrize("name", ELIGIBLE)
def test_eligible_participant_gets_a_brh_reference(
    stack: Stack, chat_id: int, name: str
) -> None:
    record = DEMO[name]
    chat = Chat(stack, chat_id)
    said = chat.identify(record, until=ASK_REASON)
    joined = "\n".join(said)
    assert f"Data Bapak/Ibu cocok, {name}" in joined
    assert "bisa saya catat" in joined
    assert "ELG-" not in joined  # rule ids go to the request and the console
    if record.autodebit:
        assert "ditarik otomatis" in joined
    said = chat.press("Sudah tidak bekerja", until=ASK_CONFIRM)
    assert f"NIK: ************{record.nik[-4:]}" in "\n".join(said)
    said = chat.press("/affirm", until="Simpan nomor")
    filed = said[-1]
    match = REFERENCE.search(filed)
    assert match, filed
    assert "memprosesnya paling lambat" in filed
    assert "masih aktif" in filed  # only recorded: the status changes when staff act
    tickets = {t["id"]: t for t in stack.tickets()}
    ticket = tickets[match.group(0)]
    assert ticket["kind"] == "resignation"
    assert ticket["outcome"] == "ELIGIBLE"
    assert ticket["channel"] == "telegram"
    assert ticket["status"] == "baru"
    assert ticket["resolution_due"] > ticket["created_at"][:10]
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            row = session.scalar(select(Ticket).where(Ticket.reference == match[0]))
            assert row is not None
            assert row.rules_fired is not None
            assert row.rules_fired[0] == "ELG-06-ACTIVE-BPU"
            assert row.ruleset_version == "2026.12.1"
            assert row.request_reason == "Sudah tidak bekerja"
            consents = session.scalars(
                select(Consent).where(Consent.sender_id == f"telegram:{chat_id}")
            ).all()
            assert [c.granted for c in consents] == [True]
            shown = DOMAIN["responses"]["utter_ask_resign_consent"][0]["text"]
            assert consents[0].text_version == consent_version(shown)
    finally:
        db.dispose()
    said = chat.say(f"status {match.group(0).lower()}", until=match.group(0))
    assert "memenuhi syarat" in said[-1]


@pytest.mark.parametrize("name", sorted(NOT_ELIGIBLE))
def test_other_participants_get_their_route_and_no_request(
    stack: Stack, chat_id: int, name: str
) -> None:
    rule_id, route, handoff = NOT_ELIGIBLE[name]
    record = DEMO[name]
    chat = Chat(stack, chat_id)
    said = chat.identify(record, until=HANDED_OFF if handoff else route)
    joined = "\n".join(said)
    assert rule_id not in joined  # for staff, not for the participant
    assert route in joined
    assert ASK_REASON not in joined
    if handoff:
        # Staff take the case: it is in the queue with its reason.
        queue = run_cli(["handoffs", "list", "--json"], stack.database_url)
        mine = [
            h for h in queue if h["conversation_id"] == _conversation_of(stack, chat_id)
        ]
        assert [h["reason"] for h in mine] == [handoff], queue
    assert _requests_of(stack, chat_id) == []


def _conversation_of(stack: Stack, chat_id: int) -> int | None:
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            return session.scalar(
                select(Conversation.id).where(
                    Conversation.sender_id == f"telegram:{chat_id}"
                )
            )
    finally:
        db.dispose()


def _requests_of(stack: Stack, chat_id: int) -> list[str]:
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            return list(
                session.scalars(
                    select(Ticket.reference)
                    .join(Conversation, Ticket.conversation_id == Conversation.id)
                    .where(
                        Conversation.sender_id == f"telegram:{chat_id}",
                        Ticket.kind == "resignation",
                    )
                )
            )
    finally:
        db.dispose()


def _start(chat: Chat, nik: str, kpj: str) -> list[str]:
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.press("/affirm", until=ASK_NIK)
    chat.say(nik, until=ASK_KPJ)
    said = chat.say(kpj, until=ASK_CONTACT)
    return said + chat.say("Kirim kode", until=ASK_CODE)


def test_unknown_nik_and_wrong_kpj_get_the_same_answer(
    stack: Stack, chat_id: int
) -> None:
    unknown = _start(Chat(stack, chat_id), "3309041203719999", "24019876543")
    mismatch = _start(Chat(stack, chat_id + 1), "3309041203710003", "24019876500")
    assert unknown == mismatch  # no hint that the NIK exists
    assert CODE_SENT in unknown[-2]


def test_attacker_with_nik_kpj_and_birth_date_gets_nothing_on_telegram(
    stack: Stack, chat_id: int
) -> None:
    """Someone else's contact is refused; no contact; three wrong codes: locked."""
    victim = DEMO["Dewi Anggraini"]
    chat = Chat(stack, chat_id)
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.press("/affirm", until=ASK_NIK)
    born = victim.birth_date.strftime("%d-%m-%Y")  # what a KTP shows: no proof
    chat.say(f"{victim.nik} lahir {born}", until=ASK_KPJ)
    said = chat.say(str(victim.kpj), until=ASK_CONTACT)
    contact = tg.contact(chat_id, str(victim.phone), user_id=chat_id + 7)
    said += chat._send(contact, until=ASK_CODE)
    assert any("Itu nomor orang lain" in line for line in said), said
    real = chat.code_of(victim)
    for n in (1, 2):
        said += chat.say(f"{(int(real) + n) % 1_000_000:06d}", until=ASK_CODE)
    said += chat.say(f"{(int(real) + 3) % 1_000_000:06d}", until=HANDOFF)
    joined = "\n".join(said)
    assert "3 kali gagal" in joined
    for fact in ("Dewi", "Anggraini", "Data Bapak/Ibu cocok", "BRH-"):
        assert fact not in joined
    assert _requests_of(stack, chat_id) == []
    # Locked for the participant, from another chat too.
    other = Chat(stack, chat_id + 1)
    other.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    other.press("/affirm", until=ASK_NIK)
    other.say(victim.nik, until=ASK_KPJ)
    said = other.say(str(victim.kpj), until=HANDOFF)
    assert "3 kali gagal" in "\n".join(said)


def test_own_contact_with_the_registered_number_verifies(
    stack: Stack, chat_id: int
) -> None:
    record = DEMO["Rina Marlina"]
    chat = Chat(stack, chat_id)
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.press("/affirm", until=ASK_NIK)
    chat.say(f"{record.nik} {record.kpj}", until=ASK_CONTACT)
    keyboard = stack.telegram.sent_messages(chat_id)[-1]["reply_markup"]
    assert "request_contact" in repr(keyboard)
    assert stack.whatsapp is not None
    # The fake Graph API is shared by the session: earlier tests sent this number codes.
    before = len(stack.whatsapp.codes_sent_to(str(record.phone)))
    said = chat._send(tg.contact(chat_id, f"+{record.phone}"), until=ASK_REASON)
    assert "Data Bapak/Ibu cocok, Rina Marlina" in "\n".join(said)
    assert stack.whatsapp.codes_sent_to(str(record.phone))[before:] == []


def test_a_helper_gets_a_request_only_with_the_participants_code(
    stack: Stack, chat_id: int
) -> None:
    record = DEMO["Nur Hidayah"]
    chat = Chat(stack, chat_id)
    said = chat.say(
        "saya anaknya, ibu saya mau berhenti bpu", until="Apakah Bapak/Ibu setuju"
    )
    assert "nomor HP peserta sendiri" in "\n".join(said)
    chat.press("/affirm", until=ASK_NIK)
    said = chat.say(f"{record.nik} {record.kpj}", until=ASK_CODE)
    assert ASK_CONTACT not in "\n".join(said)  # only the code counts for a helper
    said = chat.say(chat.code_of(record), until=ASK_REASON)
    assert "Nur Hidayah" in "\n".join(said)
    chat.press("Sudah tidak bekerja", until=ASK_CONFIRM)
    said = chat.press("/affirm", until="Simpan nomor")
    assert REFERENCE.search(said[-1])


def test_questions_cancel_and_correction_in_the_middle(
    stack: Stack, chat_id: int
) -> None:
    chat = Chat(stack, chat_id)
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.press("/affirm", until=ASK_NIK)
    said = chat.say("tagihan di gopay gimana?", until=ASK_NIK)
    assert "tidak kena denda" in said[0]
    chat.say("3309 0412 0371 0003", until=ASK_KPJ)
    said = chat.say("NIK saya salah", until=ASK_NIK)
    assert said[0] == "Baik, kita perbaiki."
    chat.say("3309106108850001", until=ASK_KPJ)
    said = chat.say("syaratnya apa?", until=ASK_KPJ)
    assert "KTP" in said[0]
    chat.say("24019876544", until=ASK_CONTACT)
    said = chat.say("batal", until="saya batalkan")
    assert "mulai lagi" in said[-1]
    assert _requests_of(stack, chat_id) == []
    # After cancelling, a new start asks everything again from the consent.
    said = chat.say(
        "saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju"
    )


def test_no_consent_asks_for_nothing(stack: Stack, chat_id: int) -> None:
    chat = Chat(stack, chat_id)
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    said = chat.press("/deny", until="Contact Center 175")
    assert ASK_NIK not in "\n".join(said)


def _every_value(database_url: str) -> str:
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            tables = MetaData()
            tables.reflect(connection)
            dump = []
            for table in tables.sorted_tables:
                rows = connection.execute(select(table)).all()
                dump += [repr(tuple(row)) for row in rows]
        return "\n".join(dump)
    finally:
        db.dispose()


def _no_raw_nik_in_the_tracker_store(stack: Stack, niks: list[str]) -> None:
    """Rasa's own table (SQLTrackerStore) and its files hold tokens, never a NIK."""
    tracker = Database(f"sqlite:///{stack.rasa.tracker_db}")
    try:
        with tracker.session() as session:
            events = "\n".join(
                str(row[0]) for row in session.execute(text("SELECT data FROM events"))
            )
    finally:
        tracker.dispose()
    assert "niktok" in events  # NIKs were typed: their tokens are in the tracker
    for nik in niks:
        assert nik not in events
    for file in stack.rasa.tracker_db.parent.glob(stack.rasa.tracker_db.name + "*"):
        raw = file.read_bytes()
        for nik in niks:
            assert nik.encode() not in raw, file


def test_no_raw_nik_anywhere_in_the_store(stack: Stack) -> None:
    """Runs last in the module: by now every demo NIK has been typed at least once."""
    niks = [r.nik for r in DEMO.values()] + ["3309041203719999"]
    dump = _every_value(stack.database_url)
    assert "telegram" in dump and "niktok" in dump  # the dump really has content
    for nik in niks:
        assert nik not in dump
        assert " ".join(nik[i : i + 4] for i in range(0, 16, 4)) not in dump
    if stack.database_url.startswith("sqlite"):
        path = Path(stack.database_url.removeprefix("sqlite:///"))
        for file in path.parent.glob(path.name + "*"):  # the file, its WAL and SHM
            raw = file.read_bytes()
            for nik in niks:
                assert nik.encode() not in raw, file
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            senders = list(session.scalars(select(Conversation.sender_id)))
    finally:
        db.dispose()
    assert senders
    for sender in senders:
        tracker = httpx.get(
            f"{stack.rasa.url}/conversations/{sender}/tracker",
            params={"token": stack.rasa.token},
            timeout=10,
        )
        assert tracker.status_code == 200
        for nik in niks:
            assert nik not in tracker.text, sender
    _no_raw_nik_in_the_tracker_store(stack, niks)
    for process in (stack.gateway, stack.actions, stack.rasa.process):
        log = process.log_path.read_text(errors="replace")
        for nik in niks:
            assert nik not in log, process.name
