"""One rule for every form: is the message an answer, or something for the rules?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.complaint.form import ValidateComplaintForm, ValidateServiceComplaintForm
from actions.interruptions import Expects, interrupts
from actions.status import ValidateStatusForm
from bot.parsing.offices import load_directory

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))


def _message(
    text: str, intent: str, confidence: float = 0.95, button: bool = False
) -> dict[str, Any]:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "metadata": {"button": button},
    }


@pytest.mark.parametrize("expects", list(Expects))
@pytest.mark.parametrize("intent", ["cancel", "request_human"])
def test_leaving_interrupts_any_question(intent: str, expects: Expects) -> None:
    assert interrupts(_message("batal 3309", intent), expects)


@pytest.mark.parametrize("expects", list(Expects))
def test_a_pressed_button_always_answers(expects: Expects) -> None:
    assert not interrupts(_message("/deny", "cancel", button=True), expects)
    assert not interrupts(_message("Batal dulu", "cancel", button=True), expects)


@pytest.mark.parametrize("expects", list(Expects))
@pytest.mark.parametrize("payload", ["/request_human", "/cancel"])
def test_a_pressed_way_out_leaves_any_question(payload: str, expects: Expects) -> None:
    """ "Bicara ke petugas" or "Batal" pressed is no answer to the question."""
    intent = payload.removeprefix("/")
    assert interrupts(_message(payload, intent, confidence=1.0, button=True), expects)


def test_an_unsure_nlu_never_interrupts() -> None:
    assert not interrupts(_message("batal", "cancel", confidence=0.4), Expects.CHOICE)


def test_numbers_answer_a_number_question_whatever_the_nlu_thought() -> None:
    for intent in ("ask_stop_bill", "correct_value"):
        assert not interrupts(_message("3309 tagihan gimana", intent), Expects.NUMBER)
        assert not interrupts(_message("niktok0a1b2c3d4e", intent), Expects.NUMBER)
        assert interrupts(_message("tagihan gimana", intent), Expects.NUMBER)


def test_free_text_answers_unless_it_sounds_like_a_question() -> None:
    assert not interrupts(
        _message("tagihan gopay terus", "ask_stop_bill"), Expects.FREE_TEXT
    )
    assert interrupts(
        _message("tagihan gopay gimana?", "ask_stop_bill"), Expects.FREE_TEXT
    )
    assert interrupts(_message("alasannya salah", "correct_value"), Expects.FREE_TEXT)


def test_a_free_text_answer_taken_for_a_correction_is_still_the_answer() -> None:
    wants = _message("Saya minta penjelasan tertulis", "correct_value")
    assert not interrupts(wants, Expects.FREE_TEXT)
    assert interrupts(wants, Expects.CHOICE)
    assert interrupts(_message("ralat yang tadi", "correct_value"), Expects.FREE_TEXT)
    assert not interrupts(_message("sudah tidak kerja", "inform"), Expects.FREE_TEXT)


def test_a_question_is_not_an_answer_to_a_choice() -> None:
    assert interrupts(_message("syaratnya apa", "ask_requirements"), Expects.CHOICE)
    assert not interrupts(_message("iya", "affirm"), Expects.CHOICE)


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_directory(ROOT / "bot" / "data" / "offices.yml")
    monkeypatch.setattr(runtime, "directory", lambda: loaded)


async def _validate(
    action: Any, form: str, slots: dict[str, Any], message: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    tracker = Tracker(
        "telegram:1", slots, message, [], False, None, {"name": form}, "action_listen"
    )
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return events, dispatcher.messages


def _answered(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots a turn set; empty means Rasa rejects the form for the turn."""
    return {e["name"]: e["value"] for e in events if e["name"] != "requested_slot"}


async def test_a_question_mid_complaint_fills_nothing(directory: None) -> None:
    # "tagihan" would otherwise be read as the harm (bills still charged).
    events, said = await _validate(
        ValidateComplaintForm(),
        "complaint_form",
        {"office": "kcp_boyolali", "requested_slot": "harm"},
        _message("tagihan di gopay gimana cara stopnya?", "ask_stop_bill"),
    )
    assert _answered(events) == {}
    assert said == []


async def test_a_reason_that_sounds_like_a_topic_is_still_an_answer(
    directory: None,
) -> None:
    events, _ = await _validate(
        ValidateComplaintForm(),
        "complaint_form",
        # Harm is asked when the participant adds it from the summary.
        {
            "office": "kcp_boyolali",
            "complaint_adding": "harm",
            "requested_slot": "harm",
        },
        _message("tagihan iuran tetap berjalan", "ask_stop_bill"),
    )
    assert _answered(events) == {"harm": "tagihan iuran tetap berjalan"}


async def test_cancel_mid_service_complaint_fills_nothing(directory: None) -> None:
    events, _ = await _validate(
        ValidateServiceComplaintForm(),
        "service_complaint_form",
        {"complaint_description": "telpon tidak diangkat", "requested_slot": "office"},
        _message("gak jadi deh, kantor klaten aja nanti", "cancel"),
    )
    assert _answered(events) == {}


async def test_a_question_while_a_reference_is_asked_is_not_an_invalid_one() -> None:
    events, said = await _validate(
        ValidateStatusForm(),
        "status_form",
        {"requested_slot": "ticket_reference"},
        _message("syaratnya apa aja?", "ask_requirements"),
    )
    assert _answered(events) == {}
    assert said == []
    events, said = await _validate(
        ValidateStatusForm(),
        "status_form",
        {"requested_slot": "ticket_reference"},
        _message("nomornya ADU 123", "inform"),
    )
    assert _answered(events) == {"ticket_reference": None}
    # Invalid, so asked once more: the question comes back with a way out.
    responses = [m["response"] for m in said]
    assert responses == ["utter_reference_invalid", "utter_ask_ticket_reference"]
