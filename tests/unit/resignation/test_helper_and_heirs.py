"""A helper for a living parent is addressed as such; a death is never a form answer.

Issue 13: "saya mau bantu bapak saya berhenti BPU" starts the resignation with the
helper addressed ("Bapak/Ibu membantu orang tua"), then P7's message on where the
code goes; a death reported in the middle of the form leaves it for the heirs' path
(stories/heirs.yml), whatever question was asked.
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
from actions.resign.slots import CONSENT, HELPER, NIK, REASON
from bot.resignation.helper import helps_parent

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))


def _start(text: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The form's first turn: the responses said and the events."""
    message = {"text": text, "intent": {"name": "resign_bpu", "confidence": 0.9}}
    tracker = Tracker("webchat:helper", {}, message, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateResignForm().run(dispatcher, tracker, DOMAIN))
    return [str(m.get("response")) for m in dispatcher.messages], events


@pytest.mark.parametrize(
    "text",
    [
        "saya mau bantu bapak saya berhenti BPU",
        "untuk ibu saya, mau berhentikan kepesertaan bpu nya",
        "mau bantu mama saya nonaktifkan bpu",
        "ini untuk ayah saya",
    ],
)
def test_a_parents_helper_is_addressed_then_told_where_the_code_goes(
    text: str,
) -> None:
    said, events = _start(text)
    assert said[-2:] == ["utter_resign_helper_parent", "utter_resign_helper"]
    assert {"event": "slot", "name": HELPER, "value": True} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]


def test_a_helper_for_someone_else_gets_only_the_code_message() -> None:
    said, _events = _start("saya istrinya, suami saya mau berhenti bpu")
    assert "utter_resign_helper" in said
    assert "utter_resign_helper_parent" not in said


def test_a_participant_for_themselves_is_not_addressed_as_a_helper() -> None:
    said, _events = _start("saya mau berhenti jadi peserta bpu")
    assert "utter_resign_helper" not in said
    assert "utter_resign_helper_parent" not in said


@pytest.mark.parametrize(
    ("text", "parent"),
    [
        ("bantu bapak saya", True),
        ("untuk ibu saya", True),
        ("orang tua saya minta berhenti", True),
        ("bapakku njaluk mandek", True),
        ("saya istrinya", False),
        ("bapak mau tanya", False),
        ("saya mau berhenti", False),
    ],
)
def test_a_parent_is_named_next_to_the_writer(text: str, parent: bool) -> None:
    assert helps_parent(text) is parent


def test_the_helper_is_asked_for_the_participants_numbers() -> None:
    variants = DOMAIN["responses"]["utter_ask_resign_nik"]
    helper = [v for v in variants if v.get("condition")]
    assert helper and "peserta yang Bapak/Ibu bantu" in helper[0]["text"]
    assert helper[0]["condition"][0]["name"] == HELPER


@pytest.mark.parametrize("question", [CONSENT, NIK, REASON])
def test_a_death_reported_in_the_form_is_never_its_answer(question: str) -> None:
    message = {
        "text": "bapak saya sudah meninggal",
        "intent": {"name": "report_death", "confidence": 0.9},
        "metadata": {},
    }
    assert ValidateResignForm().interrupted(question, message)


def test_a_pressed_button_still_answers() -> None:
    message = {
        "text": "/affirm",
        "intent": {"name": "report_death", "confidence": 0.9},
        "metadata": {"button": True},
    }
    assert not ValidateResignForm().interrupted(CONSENT, message)


def _rules(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / "stories" / name).read_text("utf-8"))
    return list(data["rules"])


def test_the_heirs_path_asks_the_family_for_nothing_of_the_participant() -> None:
    """No consent question, no NIK: the family is not the participant."""
    for rule in _rules("heirs.yml"):
        actions = [s["action"] for s in rule["steps"] if "action" in s]
        assert "resign_form" not in actions, rule["rule"]
        assert actions[-1] == "utter_heirs_person_offer", rule["rule"]
        for action in actions:
            if action.startswith("utter_"):
                text = " ".join(v["text"] for v in DOMAIN["responses"][action])
                assert "NIK" not in text and "setuju" not in text.lower(), action


def test_the_heirs_path_ends_with_a_person_offered() -> None:
    offer = DOMAIN["responses"]["utter_heirs_person_offer"][0]
    assert "/request_human" in [b["payload"] for b in offer["buttons"]]
    claim = DOMAIN["responses"]["utter_heirs_claim"][0]["text"]
    assert "JKM" in claim and "JHT" in claim and "175" in claim
