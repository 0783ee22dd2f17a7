"""A participant no eligibility rule names goes to a person, on both channels.

The registry answers with a segment the rules do not name (migrant workers, PMI):
the catch-all (ELG-99) tells the participant a person will help, in this chat, and
hands the conversation over; no request is filed and no rule id is shown. The
participant is the stories' own (tests/e2e/participants.csv), loaded into the stack's
registry; possession is proven by the code sent to the registered number.
"""

from __future__ import annotations

import pytest

from bot.core.crypto import DataCipher
from bot.resignation.registry import SqlRegistry, read_csv
from bot.store.db import Database
from tests.integration.chats import Chat
from tests.integration.conftest import Stack
from tests.integration.processes import ROOT, TEST_DATA_KEY

RECORD = read_csv(ROOT / "tests" / "e2e" / "participants.csv")[0]
ASK_CONTACT = "Bagikan nomor saya"
ASK_CODE = "Ketik 6 angka kode"
HANDED_OFF = "percakapan ini saya teruskan ke"


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
