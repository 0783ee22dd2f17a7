"""The one mechanism that makes every form end (actions/ending.py)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions import ending
from actions.ending import Asking, Stage
from bot.complaints.extraction import meaningless
from tests.unit.actions.form_chat import DOMAIN


def test_requested_slot_carries_the_question_and_its_stage() -> None:
    assert Asking.parse("confidential") == Asking("confidential", Stage.ASKED)
    assert Asking.parse("confidential~again") == Asking("confidential", Stage.AGAIN)
    assert Asking.parse("resign_nik~person") == Asking("resign_nik", Stage.PERSON)
    assert Asking.parse(None) == Asking(None)
    assert Asking.parse("office~unknown") == Asking("office")
    for value in ("office", "office~again", "office~person"):
        assert Asking.parse(value).slot_value() == value
    assert ending.question_of("staff_said~again") == "staff_said"


@pytest.mark.parametrize("text", ["lewati", "Lewati.", "skip", "lewat", "lanjut saja"])
def test_skip_words(text: str) -> None:
    assert ending.is_skip(text)


@pytest.mark.parametrize("text", ["lewat chat saja", "tidak", "Boyolali", ""])
def test_not_skip_words(text: str) -> None:
    assert not ending.is_skip(text)


def test_the_way_out_offers_skip_only_for_optional_questions() -> None:
    assert [b["title"] for b in ending.way_out_buttons(True)] == [
        "Lewati",
        "Bicara ke petugas",
    ]
    required = ending.way_out_buttons(False)
    assert required == [{"title": "Bicara ke petugas", "payload": "/request_human"}]


def test_the_question_is_asked_with_rasas_own_response() -> None:
    assert (
        ending.ask_response("service_complaint_form", "office", DOMAIN)
        == "utter_ask_service_complaint_form_office"
    )
    assert ending.ask_response("complaint_form", "office", DOMAIN) == "utter_ask_office"
    assert [b["title"] for b in ending.person_offer_buttons()] == [
        "Bicara ke petugas",
        "Batal",
    ]
    assert ending.ask_response("complaint_form", "no_such_question", DOMAIN) is None


def test_unanswered_needs_the_slot_emptied_and_asked_again() -> None:
    emptied = [SlotSet("confidential", None)]
    assert ending.unanswered(emptied, "confidential", None, "confidential")
    assert not ending.unanswered(emptied, "confidential", "ya", None)
    assert not ending.unanswered([], "confidential", None, "confidential")
    assert not ending.unanswered(emptied, "confidential", None, "office")


def test_only_one_requested_slot_event_leaves_the_turn() -> None:
    events = [SlotSet("requested_slot", "a"), SlotSet("office", "x")]
    assert ending.without_requested(events) == [SlotSet("office", "x")]


@pytest.mark.parametrize("text", ["ya", "ok", "iya", "gpp", "Oke deh", "ya ya", "..."])
def test_meaningless_answers(text: str) -> None:
    assert meaningless(text)


@pytest.mark.parametrize(
    "text", ["harus ke semarang", "ya, katanya harus ke semarang", "tidak ada"]
)
def test_answers_with_content(text: str) -> None:
    assert not meaningless(text)
