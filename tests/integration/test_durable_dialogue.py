"""Dialogue state survives the Rasa server: SQLTrackerStore from the endpoints file.

The Rasa server of the test session keeps its trackers in a SQLite file of its own
(``python -m bot rasa-endpoints``, as ``make run`` writes it). Killing it with
SIGKILL in the middle of the resign form and starting it again must lose nothing:
the participant's next answer continues the form with the slots already given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.fakes import telegram_updates as tg
from tests.integration.conftest import Stack
from tests.integration.test_telegram_resign import (
    ASK_CONFIRM,
    ASK_CONTACT,
    ASK_KPJ,
    ASK_NIK,
    ASK_REASON,
    DEMO,
    REFERENCE,
    Chat,
    demo_registry,
)

__all__ = ["demo_registry"]  # the registry is seeded for this module too


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: Any) -> Iterator[str]:
    """SQLite only: what is tested here is Rasa's store, not the gateway's."""
    path: Path = tmp_path_factory.mktemp("db") / "bpu.sqlite3"
    yield f"sqlite:///{path}"


def _tracker_events(tracker_db: Path, sender: str) -> list[str]:
    engine = create_engine(f"sqlite:///{tracker_db}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": sender},
            )
            return [str(row[0]) for row in rows]
    finally:
        engine.dispose()


def test_rasa_killed_in_the_middle_of_the_resign_form_continues_it(
    stack: Stack, chat_id: int
) -> None:
    record = DEMO["Sutrisno Wibowo"]
    chat = Chat(stack, chat_id)
    chat.say("saya mau berhenti jadi peserta bpu", until="Apakah Bapak/Ibu setuju")
    chat.press("/affirm", until=ASK_NIK)
    chat.say(record.nik, until=ASK_KPJ)
    # The form's state is in the tracker store, not only in Rasa's memory.
    events = _tracker_events(stack.rasa.tracker_db, f"telegram:{chat_id}")
    assert any('"resign_form"' in event for event in events)

    stack.rasa.kill()
    stack.rasa.restart()

    chat.say(str(record.kpj), until=ASK_CONTACT)
    said = chat._send(tg.contact(chat_id, str(record.phone)), until=ASK_REASON)
    assert f"Data Bapak/Ibu cocok, {record.full_name}" in "\n".join(said)
    said = chat.press("Sudah tidak bekerja", until=ASK_CONFIRM)
    # The NIK given before the crash is still the form's slot.
    assert f"NIK: ************{record.nik[-4:]}" in "\n".join(said)
    filed = chat.press("/affirm", until="Simpan nomor")[-1]
    assert REFERENCE.search(filed), filed
    assert re.search(r"memprosesnya paling lambat", filed)
