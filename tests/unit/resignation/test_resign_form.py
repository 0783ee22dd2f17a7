"""The resignation form's actions, driven turn by turn without Rasa.

Each turn goes the way it does in production: the message is tokenised as the
gateway would, the validation action reads it, and when the form is done the finish
action runs. Where Rasa decides, the chat does what Rasa's form does: a turn that
sets no slot is rejected (left to the rules), and without a ``requested_slot`` from
the action the first empty slot of the domain's form is asked. The rule for a
correction (action_resign_correct, then the form) is played here too; the other
rules are covered by the story tests and the integration tests.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import runtime
from actions.resign import services
from actions.resign.filing import ActionResignFinish
from actions.resign.form import ValidateResignForm
from actions.resign.leaving import (
    ActionResignCancel,
    ActionResignCorrect,
    ActionResignForget,
)
from actions.resign.slots import FORM, KPJ, OUTCOME
from bot.core.crypto import DataCipher
from bot.messaging.identity_tokens import IdentityTokens
from bot.resignation.registry import SqlRegistry, read_csv
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import Consent, Ticket
from tests.fakes.server import free_port

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
KEY = "unit-test-data-encryption-key-0123456789"
REFERENCE = re.compile(r"BRH-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
DEMO = {r.full_name: r for r in read_csv(ROOT / "bot/data/participants.csv")}
FORM_SLOTS: list[str] = DOMAIN["forms"][FORM]["required_slots"]


def _render(message: dict[str, Any]) -> str:
    if message.get("response"):
        template = DOMAIN["responses"][message["response"]][0]["text"]
        values = {k: v for k, v in message.items() if k not in ("response", "text")}
        return str(template).format(**values)
    return str(message.get("text") or "")


class Chat:
    """One participant talking to the form."""

    def __init__(self, db: Database, sender: str = "telegram:1001") -> None:
        self.sender = sender
        self.tokens = IdentityTokens(db, DataCipher(KEY))
        self.slots: dict[str, Any] = {}
        self.active = False
        self.asked: str | None = None

    def start(self) -> list[str]:
        return self.say("saya mau berhenti jadi peserta", intent="resign_bpu")

    def say(
        self,
        text: str,
        intent: str | None = "inform",
        button: bool = False,
        field: str | None = None,
    ) -> list[str]:
        """Send ``text``; returns the bot's messages ("REJECTED" if not an answer)."""
        message = {
            "text": self.tokens.tokenise(text),
            "intent": {"name": intent, "confidence": 0.95} if intent else {},
            "entities": [{"entity": "field", "value": field}] if field else [],
            "metadata": {"button": button},
        }
        events, said = self._run(ValidateResignForm(), message)
        if not any(e["name"] != "requested_slot" for e in events):
            if intent != "correct_value" or not self.active:
                return ["REJECTED"]
            # The rule: the correction action, then the form asks again.
            corrected, said = self._run(ActionResignCorrect(), message)
            self._apply(corrected)
            events, asked = self._run(ValidateResignForm(), message)
            said += asked
        self._apply(events)
        self.active = True
        if self.asked is None:
            self.active = False
            said += self._finish()
        else:
            said.append(f"ASK {self.asked}")
        return said

    def _run(self, action: Any, message: dict[str, Any]) -> tuple[list[Any], list[str]]:
        tracker = Tracker(
            self.sender,
            {**self.slots, "requested_slot": self.asked if self.active else None},
            message,
            [],
            False,
            None,
            {"name": FORM} if self.active else {},
            "action_listen",
        )
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
        return events, [_render(m) for m in dispatcher.messages]

    def _apply(self, events: list[Any]) -> None:
        asked: list[Any] = []
        for event in events:
            if event["name"] == "requested_slot":
                asked.append(event["value"])
            else:
                self.slots[event["name"]] = event["value"]
        if asked:
            self.asked = asked[-1]
        else:  # Rasa's form asks for the first empty slot of the domain's form
            self.asked = next(
                (s for s in FORM_SLOTS if self.slots.get(s) is None), None
            )

    def _finish(self) -> list[str]:
        tracker = Tracker(self.sender, dict(self.slots), {}, [], False, None, {}, FORM)
        dispatcher = CollectingDispatcher()
        events = asyncio.run(ActionResignFinish().run(dispatcher, tracker, DOMAIN))
        # A hand-off or its offer is said within the action: nothing follows it.
        assert all(event["event"] == "slot" for event in events), events
        for event in events:
            self.slots[event["name"]] = event["value"]
        return [_render(m) for m in dispatcher.messages]

    def identify(self, name: str, born: str | None = None) -> list[str]:
        """Consent, then NIK and date of birth of demo participant ``name``."""
        self.start()
        self.say("/affirm", intent="affirm", button=True)
        record = DEMO[name]
        return self.say(f"{record.nik} {born or record.birth_date.isoformat()}")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", KEY)
    monkeypatch.setenv("BPU_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("REGISTRY_URL", raising=False)
    for cached in (runtime.settings, runtime.database, services.services):
        cached.cache_clear()
    database = Database(url)
    SqlRegistry(database, DataCipher(KEY)).load(DEMO.values())
    yield database
    database.dispose()
    runtime.database().dispose()
    for cached in (runtime.settings, runtime.database, services.services):
        cached.cache_clear()


def test_eligible_participant_files_a_request(db: Database) -> None:
    chat = Chat(db)
    said = chat.start()
    assert "berhenti sebagai peserta BPU" in said[0]
    assert said[-1] == "ASK resign_consent"
    assert chat.say("setuju", intent="affirm")[-1] == "ASK resign_nik"
    assert chat.say("3309 0412 0371 0003")[-1] == "ASK resign_birth_date"
    said = chat.say("12 maret 1971")
    assert "Data Anda cocok, Sutrisno Wibowo" in said[0]
    assert "bisa saya catat" in said[0]
    assert "ELG-" not in " ".join(said)  # rule ids are for staff
    assert said[-1] == "ASK resign_reason"
    said = chat.say("Sudah tidak bekerja", button=True)
    assert "NIK: ************0003" in said[0]
    assert "Alasan: Sudah tidak bekerja" in said[0]
    assert said[-1] == "ASK resign_confirm"
    said = chat.say("/affirm", intent="affirm", button=True)
    filed = said[-1]
    reference = REFERENCE.search(filed)
    assert reference, filed
    assert "Tagihan di GoPay" in filed
    assert "JMO" in filed
    assert all(value is None for value in chat.slots.values())
    with db.session() as session:
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference[0]))
        assert ticket is not None
        assert ticket.kind == "resignation"
        assert ticket.outcome == "ELIGIBLE"
        assert ticket.rules_fired == ["ELG-06-ACTIVE-BPU"]
        assert ticket.ruleset_version == "2026.12.1"
        assert ticket.request_reason == "Sudah tidak bekerja"
        assert ticket.participant_hash == DataCipher(KEY).lookup_hash(
            "3309041203710003"
        )
        assert ticket.office_id == "kcp_boyolali"
        assert ticket.resolution_due is not None
        consent = session.scalars(select(Consent)).one()
        assert consent.granted is True
        assert consent.channel == "telegram"
        assert consent.text_version.startswith("sha256:")


# Outcome, the words that say it in plain Indonesian, and whether a person follows.
EXPECTED = {
    "Sutrisno Wibowo": ("ELIGIBLE", "bisa saya catat", None),
    "Sri Lestari": ("ELIGIBLE", "bisa saya catat", None),
    "Rina Marlina": ("ELIGIBLE", "bisa saya catat", None),
    "Nur Hidayah": ("ELIGIBLE", "bisa saya catat", None),
    "Slamet Riyadi": ("ELIGIBLE", "bisa saya catat", None),
    "Dewi Anggraini": ("ELIGIBLE", "bisa saya catat", None),
    "Agus Prasetyo": ("NOT_BPU", "penerima upah", None),
    "Joko Santoso": ("NOT_BPU", "jasa konstruksi", None),
    "Wahyuni": ("ALREADY_INACTIVE", "sudah tidak aktif", None),
    "Hartono": ("ALREADY_INACTIVE", "sudah tidak aktif", None),
    "Bambang Supriyadi": ("PENDING_CLAIM", "sedang diproses", "handoff"),
    "Suparman": ("DECEASED", "berduka", "handoff"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_demo_participant_hears_its_outcome(db: Database, name: str) -> None:
    outcome, words, handoff = EXPECTED[name]
    chat = Chat(db)
    said = chat.identify(name)
    assert any(words in line for line in said), said
    assert not any(re.search(r"ELG-|NOTE-|sumber S", line) for line in said)
    if outcome == "ELIGIBLE":
        assert chat.slots[OUTCOME] == "ELIGIBLE"
        assert said[-1] == "ASK resign_reason"
    else:
        assert chat.asked is None  # the form ended
        handed = any("percakapan ini saya teruskan" in line for line in said)
        assert handed is bool(handoff), said


def test_outcome_details_follow_the_record(db: Database) -> None:
    agus = " ".join(Chat(db, "telegram:2").identify("Agus Prasetyo"))
    assert "HRD PT Sinar Tekstil Semarang" in agus
    joko = " ".join(Chat(db, "telegram:3").identify("Joko Santoso"))
    assert "kontraktor proyek" in joko and "CV Karya Bangun Boyolali" in joko
    wahyuni = " ".join(Chat(db, "telegram:4").identify("Wahyuni"))
    assert "Rp1.800.000" in wahyuni and "JMO" in wahyuni
    slamet = " ".join(Chat(db, "telegram:5").identify("Slamet Riyadi"))
    assert "ditarik otomatis (autodebit) lewat GoPay" in slamet
    assert "usia pensiun" in slamet
    assert "di atas Rp15 juta" in slamet
    sri = " ".join(Chat(db, "telegram:6").identify("Sri Lestari"))
    assert "Tunggakan iuran 2 bulan tidak menghalangi" in sri


def test_no_consent_asks_nothing_and_is_recorded(db: Database) -> None:
    chat = Chat(db)
    chat.start()
    said = chat.say("tidak", intent="deny")
    assert chat.asked is None
    assert "Contact Center 175" in said[-1]
    with db.session() as session:
        assert session.scalars(select(Consent)).one().granted is False


def test_format_problems_are_precise(db: Database) -> None:
    chat = Chat(db)
    chat.start()
    chat.say("ya", intent="affirm")
    said = chat.say("330904120371000")
    assert (
        said[0] == "NIK harus 16 digit, yang Anda kirim 15 digit. Mohon periksa lagi."
    )
    # Asked the second time, with a way out (actions/ending.py).
    assert said[-1] == "ASK resign_nik~again"
    assert "hanya berisi angka" in chat.say("330904120371000A")[0]
    assert chat.asked == "resign_nik~person"  # not asked a third time
    assert "nomor KPJ" in chat.say("24019876543")[0]
    assert '"32" bukan tanggal' in chat.say("3309043203710003")[0]
    assert '"13" bukan bulan' in chat.say("3309041213710003")[0]
    assert chat.say("3309041203710003")[-1] == "ASK resign_birth_date"
    assert "belum saya pahami" in chat.say("kapan ya")[0]


def test_three_wrong_dates_lock_and_offer_a_person(db: Database) -> None:
    chat = Chat(db)
    said = chat.identify("Sutrisno Wibowo", born="1971-03-13")
    assert "tidak sama dengan tanggal lahir di dalam NIK" in said[0]
    assert "Sisa percobaan: 2" in said[0]
    assert "Sisa percobaan: 1" in chat.say("14 maret 1971")[0]
    said = chat.say("15 maret 1971")
    assert "3 kali tidak cocok" in said[0]
    assert chat.asked is None
    assert "perlu dibantu petugas" in said[-1]
    # Locked: a new attempt in the same conversation stops after consent.
    again = Chat(db, chat.sender)
    again.start()
    said = again.say("ya", intent="affirm")
    assert "3 kali tidak cocok" in said[0]
    assert "perlu dibantu petugas" in said[-1]


def test_not_found_and_mismatch_say_the_same_thing(db: Database) -> None:
    unknown = Chat(db, "telegram:7")
    unknown.start()
    unknown.say("ya", intent="affirm")
    not_found = unknown.say("3309041203719999 12-03-1971")
    mismatch = Chat(db, "telegram:8").identify("Sutrisno Wibowo")  # right data...
    assert "Data Anda cocok" in mismatch[0]
    wrong_kpj = Chat(db, "telegram:9")
    wrong_kpj.start()
    wrong_kpj.say("ya", intent="affirm")
    said = wrong_kpj.say("3309041203710003 kpj 24019876500 12-03-1971")
    assert said[0] == not_found[0]  # no hint that the NIK exists
    assert "tidak cocok dengan data peserta" in said[0]
    # The NIK question comes back once, with a way out (actions/ending.py).
    assert said[-1] == "ASK resign_nik~again"


def test_questions_and_cancel_mid_form_are_left_to_the_rules(db: Database) -> None:
    chat = Chat(db)
    chat.start()
    chat.say("ya", intent="affirm")
    assert chat.say("tagihan gopay gimana?", intent="ask_stop_bill") == ["REJECTED"]
    assert chat.say("batal", intent="cancel") == ["REJECTED"]
    # Digits answer the NIK question whatever the NLU thought.
    said = chat.say("3309041203710003 tagihan gimana", intent="ask_stop_bill")
    assert said[-1] == "ASK resign_birth_date"


def test_correction_asks_again(db: Database) -> None:
    chat = Chat(db)
    chat.start()
    chat.say("ya", intent="affirm")
    chat.say("3309041203710003")
    said = chat.say("NIK saya salah", intent="correct_value", field="nik")
    assert said == ["Baik, kita perbaiki.", "ASK resign_nik"]
    chat.say("3309106108850001")
    said = chat.say("21 agustus 1985")
    assert "Sri Lestari" in said[0]
    chat.say("Tidak mampu membayar iuran", button=True)
    said = chat.say("alasannya salah", intent="correct_value", field="reason")
    assert said[-1] == "ASK resign_reason"


def test_correcting_the_nik_after_the_check_checks_again(db: Database) -> None:
    chat = Chat(db)
    chat.identify("Sutrisno Wibowo")
    assert chat.slots[OUTCOME] == "ELIGIBLE"
    said = chat.say("nik saya keliru", intent="correct_value", field="nik")
    assert said[-1] == "ASK resign_nik"
    assert chat.slots[OUTCOME] is None
    said = chat.say("3309020101800007")  # Hartono; the date is still 12-03-1971
    assert "Sisa percobaan: 2" in said[0]
    assert said[-1] == "ASK resign_birth_date"
    said = chat.say("1 januari 1980")
    assert "Hartono" in said[0] and "sudah tidak aktif" in said[0]
    assert chat.asked is None


def test_registry_outage_is_not_a_not_found(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRY_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("REGISTRY_TIMEOUT_SECONDS", "0.5")
    runtime.settings.cache_clear()
    services.services.cache_clear()
    chat = Chat(db)
    said = chat.identify("Sutrisno Wibowo")
    assert "gangguan sistem" in said[0]
    assert "bukan berarti data Anda tidak ada" in said[0]
    assert "perlu dibantu petugas" in said[-1]


def test_slots_and_store_hold_no_raw_nik(db: Database, tmp_path: Path) -> None:
    for index, name in enumerate(DEMO):
        chat = Chat(db, f"telegram:{100 + index}")
        chat.identify(name)
        assert all(
            record.nik not in str(value)
            for record in DEMO.values()
            for value in chat.slots.values()
        )
    raw = (tmp_path / "bpu.sqlite3").read_bytes()
    for record in DEMO.values():
        assert record.nik.encode() not in raw


def test_a_handoff_forgets_the_form_silently_while_cancel_says_so() -> None:
    dispatcher = CollectingDispatcher()
    tracker = Tracker.from_dict({"sender_id": "telegram:1", "slots": {}, "events": []})
    forget = asyncio.run(ActionResignForget().run(dispatcher, tracker, {}))
    assert dispatcher.messages == []
    assert {e["name"] for e in forget} >= {"resign_nik", "requested_slot"}
    asyncio.run(ActionResignCancel().run(dispatcher, tracker, {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_resign_cancelled"]


def test_a_correction_that_names_nothing_asks_the_answer_before_again(
    db: Database,
) -> None:
    chat = Chat(db)
    chat.start()
    said = chat.say("salah ketik", intent="correct_value")
    assert said == ["Baik, kita perbaiki.", "ASK resign_consent"]  # nothing to fix
    chat.say("ya", intent="affirm")
    chat.say("3309041203710003")
    said = chat.say("salah ketik", intent="correct_value")
    assert said == ["Baik, kita perbaiki.", "ASK resign_nik"]
    # Digits answer the NIK question, whatever the NLU made of the words.
    said = chat.say("maaf salah, 3309041203710003", intent="correct_value")
    assert said[-1] == "ASK resign_birth_date"


def test_a_kpj_typed_with_the_nik_is_checked_when_the_date_comes(db: Database) -> None:
    chat = Chat(db)
    chat.start()
    chat.say("ya", intent="affirm")
    assert chat.say("3309041203710003 kpj 24019876500")[-1] == "ASK resign_birth_date"
    assert str(chat.slots[KPJ]).startswith("kpjtok")
    said = chat.say("12-03-1971")  # the right date, but not this participant's KPJ
    assert "tidak cocok dengan data peserta" in said[0]
    assert said[-1] == "ASK resign_nik"
    assert chat.slots[KPJ] is None


def test_an_unreadable_consent_is_asked_twice_then_a_person_is_offered(
    db: Database,
) -> None:
    chat = Chat(db)
    chat.start()
    said = chat.say("Boyolali")
    assert said[-1] == "ASK resign_consent~again"
    assert "Apakah Anda setuju?" in said[-2]  # the question itself, once more
    said = chat.say("Boyolali")
    assert "Petugas bisa membantu Anda" in said[-2]
    assert said[-1] == "ASK resign_consent~person"
    # A usable answer still counts after the offer.
    assert chat.say("setuju", intent="affirm")[-1] == "ASK resign_nik"
