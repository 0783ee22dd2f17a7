"""Correcting an earlier answer: the named one, else the one before the question."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.complaint.leaving import ActionComplaintCancel, ActionComplaintCorrect
from actions.corrections import answer_to_correct, named_field
from actions.status import ActionStatusCorrect

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
ASKED = ["office", "event_at", "staff_role", "staff_said"]


def test_the_named_answer_is_the_one_corrected() -> None:
    message = {"entities": [{"entity": "field", "value": "NIK"}]}
    assert named_field(message) == "nik"
    assert answer_to_correct("office", ASKED, "staff_said", lambda s: True) == "office"


def test_without_a_name_the_answer_before_the_question_is_corrected() -> None:
    filled = {"office", "event_at"}.__contains__
    assert answer_to_correct(None, ASKED, "staff_role", filled) == "event_at"
    # An answer taken from the first message counts too, a question not asked
    # yet does not.
    assert answer_to_correct(None, ASKED, "staff_said", filled) == "event_at"
    assert answer_to_correct(None, ASKED, "office", filled) is None


async def _run(
    action: Any, form: str, slots: dict[str, Any], entities: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    message = {
        "text": "salah",
        "intent": {"name": "correct_value", "confidence": 0.9},
        "entities": entities,
    }
    tracker = Tracker(
        "telegram:1", slots, message, [], False, None, {"name": form}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return {e["name"]: e["value"] for e in events}, dispatcher.messages


async def test_a_corrected_contact_choice_forgets_the_phone_number_too() -> None:
    slots = {
        "office": "kc_klaten",
        "contact_preference": "telepon",
        "contact_phone": "gAAAAA-ciphertext",
        # The contact questions come only after "Tambah keterangan" (the mode).
        "complaint_edit": "tambah",
        "requested_slot": "confidential",
    }
    forgotten, said = await _run(ActionComplaintCorrect(), "complaint_form", slots, [])
    assert forgotten == {"contact_phone": None}
    field = [{"entity": "field", "value": "office"}]
    forgotten, said = await _run(
        ActionComplaintCorrect(), "complaint_form", slots, field
    )
    assert forgotten == {"office": None}
    assert [m["text"] for m in said] == ["Baik, kita perbaiki."]
    slots["requested_slot"] = "contact_phone"
    forgotten, _ = await _run(ActionComplaintCorrect(), "complaint_form", slots, [])
    assert forgotten == {"contact_preference": None, "contact_phone": None}


async def test_the_service_complaint_corrects_its_own_questions() -> None:
    slots = {
        "complaint_description": "telpon tidak diangkat",
        "office": "kc_klaten",
        "requested_slot": "event_at",
    }
    forgotten, _ = await _run(
        ActionComplaintCorrect(), "service_complaint_form", slots, []
    )
    assert forgotten == {"office": None}


async def test_a_correction_of_the_only_question_asks_it_again() -> None:
    slots = {"requested_slot": "ticket_reference"}
    forgotten, said = await _run(ActionStatusCorrect(), "status_form", slots, [])
    assert forgotten == {}
    assert [m["text"] for m in said] == ["Baik, kita perbaiki."]


async def test_cancel_forgets_the_complaint_and_says_so() -> None:
    slots = {"office": "kc_klaten", "requested_slot": "event_at"}
    tracker = Tracker("t", slots, {}, [], False, None, {"name": "complaint_form"}, "")
    dispatcher = CollectingDispatcher()
    events = await ActionComplaintCancel().run(dispatcher, tracker, DOMAIN)
    assert {e["name"]: e["value"] for e in events}["office"] is None
    assert {"requested_slot", "contact_phone", "complaint_description"} <= {
        e["name"] for e in events
    }
    assert [m["response"] for m in dispatcher.messages] == ["utter_complaint_cancelled"]
