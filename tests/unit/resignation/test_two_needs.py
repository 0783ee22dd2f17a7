"""Two needs in one message: stopping and the bills (issue 13, P8).

"mau berhenti, iurannya masih kepotong terus di gopay" starts the form; the bills
part is answered first, then the form goes on to its first question.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.resign.form import ValidateResignForm
from bot.resignation.needs import mentions_bills, mentions_stopping

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))


def _start(text: str) -> tuple[list[str], dict[str, Any]]:
    message = {"text": text, "intent": {"name": "resign_bpu", "confidence": 0.97}}
    tracker = Tracker("telegram:501", {}, message, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateResignForm().run(dispatcher, tracker, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m["response"] for m in dispatcher.messages], slots


def test_stopping_with_bills_in_the_same_message_answers_the_bills_first() -> None:
    said, slots = _start("mau berhenti, iurannya masih kepotong terus di gopay")
    assert said == ["utter_answer_stop_bill", "utter_resign_intro"]
    assert slots["requested_slot"] == "resign_consent"


def test_stopping_alone_starts_with_the_intro() -> None:
    said, _slots = _start("saya mau berhenti jadi peserta")
    assert said == ["utter_resign_intro"]


@pytest.mark.parametrize(
    ("text", "bills", "stopping"),
    [
        ("mau berhenti, iurannya masih kepotong terus di gopay", True, True),
        ("saya mau nonaktifkan bpu, autodebit dana masih jalan", True, True),
        ("badhe mandek, tagihan gopay taksih mlampah", True, True),
        ("tagihan gopay tidak berhenti juga", True, False),
        ("tagihannya gak berhenti-berhenti di dana", True, False),
        ("saya mau berhenti jadi peserta", False, True),
        ("dananya mau saya ambil", False, False),
        ("berapa iuran bpu", False, False),
    ],
)
def test_reading_the_two_needs(text: str, bills: bool, stopping: bool) -> None:
    assert mentions_bills(text) is bills
    assert mentions_stopping(text) is stopping
