"""Stopping ends with a person, on both channels: the catch-all and the lock.

The registry answers with a segment the rules do not name (migrant workers, PMI):
the catch-all (ELG-99) tells the participant a person will help, in this chat, and
hands the conversation over; no request is filed and no rule id is shown. Wrong codes
lock the verification: a person is offered, nothing more is said, and a typed "ya"
takes the offer. The participant is the stories' own (tests/e2e/participants.csv),
loaded into the stack's registry; possession is proven by the code sent to the
registered number. The lock test runs after the catch-all (it locks the participant).
"""

from __future__ import annotations

import pytest

from bot.core.crypto import DataCipher
from bot.resignation.registry import SqlRegistry, read_csv
from bot.store.db import Database
from tests.integration.chats import Chat
from tests.integration.conftest import Stack
from tests.integration.processes import ROOT, TEST_DATA_KEY, run_cli

RECORD = read_csv(ROOT / "tests" / "e2e" / "participants.csv")[0]
ASK_CONTACT = "Bagikan nomor saya"
ASK_CODE = "Ketik 6 angka kode"
HANDED_OFF = "percakapan ini saya teruskan ke"
OFFER = "Hal ini perlu dibantu petugas"
WRONG = "Kode itu salah"


@pytest.fixture(scope="module", autouse=True)
def unnamed_segment(stack: Stack) -> None:
    db = Database(stack.database_url)
    try:
        SqlRegistry(db, DataCipher(TEST_DATA_KEY)).load([RECORD])
    finally:
        db.dispose()


def test_a_segment_no_rule_names_goes_to_a_person(chat: Chat, stack: Stack) -> None:
    assert RECORD.segment == "PMI"
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.say("setuju", until="Ketik NIK")
    said = chat.say(f"{RECORD.nik} {RECORD.kpj}", until=(ASK_CONTACT, ASK_CODE))
    if ASK_CONTACT in said[-1]:  # Telegram: the number is not known to the bot
        chat.say("Kirim kode", until=ASK_CODE)
    assert stack.whatsapp is not None
    codes = stack.whatsapp.codes_sent_to(str(RECORD.phone))
    assert codes, "no code reached the registered number"
    said = chat.say(codes[-1], until=HANDED_OFF)
    joined = "\n".join(said)
    assert "perlu diperiksa petugas" in joined
    assert "ELG-" not in joined  # rule ids are for staff
    assert not any("BRH-" in text for text in chat.texts())  # nothing filed


def _locked_handoffs(stack: Stack) -> int:
    queue = run_cli(["handoffs", "list", "--json"], stack.database_url)
    return sum(h["reason"] == "verification_locked" for h in queue)


def test_a_locked_verification_offers_a_person_and_a_typed_yes_takes_it(
    chat: Chat, stack: Stack
) -> None:
    before = _locked_handoffs(stack)
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.say("setuju", until="Ketik NIK")
    said = chat.say(f"{RECORD.nik} {RECORD.kpj}", until=(ASK_CONTACT, ASK_CODE, OFFER))
    if ASK_CONTACT in said[-1]:
        said = chat.say("Kirim kode", until=(ASK_CODE, OFFER))
    wrong = 0
    while not any(OFFER in text for text in said):
        # Already locked by the other channel's run, or locked by these codes.
        wrong += 1
        assert wrong <= 3, chat.texts()
        said = chat.say("000000", until=(WRONG, OFFER))
    assert any("pemeriksaan saya kunci" in text for text in said)
    assert _locked_handoffs(stack) == before  # only offered
    chat.say("ya", until=HANDED_OFF)
    assert _locked_handoffs(stack) == before + 1
    # The offer ended its turn: the next thing said is the hand-off, nothing between
    # (no "belum paham" fallback).
    texts = chat.texts()
    handed = next(i for i, text in enumerate(texts) if HANDED_OFF in text)
    assert OFFER in texts[handed - 1], texts
    assert not any("belum paham" in text for text in texts)
