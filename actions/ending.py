"""Forms that always end: no question is asked more than twice in a row.

One mechanism for every form (``InterruptibleForm`` runs it after each answer):

1. An answer the form cannot use leaves its question unanswered. The second time
   the question comes with its choices as buttons and a way out: "Lewati" for an
   optional question, "Bicara dengan petugas" for every question.
2. A second unusable answer ends the question: an optional one takes its safe
   default (said to the participant), a required one gets the offer of a person
   instead of the question. Typing a usable answer still works after the offer.

Where the form stands is kept in ``requested_slot`` itself: ``confidential`` is the
question asked once, ``confidential~again`` asked a second time, and
``confidential~person`` a person offered. Rasa finds no response to ask for the
marked names, so it says nothing: the validation action has already said what the
participant needs. Every form reads its question through ``question_of``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.forms import REQUESTED_SLOT

from bot.core.texts import text as copy_text

MARK = "~"
SKIP_PAYLOAD = "lewati"
PERSON_PAYLOAD = "/request_human"
CANCEL_PAYLOAD = "/cancel"
_SKIP = re.compile(r"^\s*(lewat[i]?|lewatin|skip|lompati|lanjut saja)\b[\s.!]*$", re.I)


class Stage(Enum):
    """How often the question has met an answer the form could not use."""

    ASKED = ""
    AGAIN = "again"
    PERSON = "person"


@dataclass(frozen=True)
class Asking:
    """The question being asked and its stage."""

    question: str | None
    stage: Stage = Stage.ASKED

    @classmethod
    def parse(cls, requested: object) -> Asking:
        """Read ``requested_slot`` (a plain slot name, or one with a mark)."""
        if not isinstance(requested, str) or not requested:
            return cls(None)
        question, _, stage = requested.partition(MARK)
        try:
            return cls(question, Stage(stage))
        except ValueError:
            return cls(question)

    def slot_value(self) -> str | None:
        """What ``requested_slot`` holds for this question and stage."""
        if self.question is None or self.stage is Stage.ASKED:
            return self.question
        return f"{self.question}{MARK}{self.stage.value}"


def question_of(requested: object) -> str | None:
    """The slot a form is asking for, whatever its stage."""
    return Asking.parse(requested).question


def is_skip(text: str) -> bool:
    """ "lewati": the participant leaves an optional question unanswered."""
    return bool(_SKIP.match(text))


def way_out_buttons(optional: bool) -> list[dict[str, str]]:
    """The buttons added to a question asked the second time."""
    buttons = [{"title": copy_text("button_person"), "payload": PERSON_PAYLOAD}]
    if optional:
        buttons.insert(0, {"title": copy_text("button_skip"), "payload": SKIP_PAYLOAD})
    return buttons


def person_offer_buttons() -> list[dict[str, str]]:
    """A person, or stopping the form: offered instead of a third question."""
    return [
        {"title": copy_text("button_person"), "payload": PERSON_PAYLOAD},
        {"title": copy_text("button_cancel"), "payload": CANCEL_PAYLOAD},
    ]


def ask_response(form: str, question: str, domain: Mapping[str, Any]) -> str | None:
    """The response Rasa asks ``question`` with, in Rasa's own search order."""
    responses = domain.get("responses") or {}
    for name in (f"utter_ask_{form}_{question}", f"utter_ask_{question}"):
        if name in responses:
            return name
    return None


def unanswered(
    events: list[EventType], question: str | None, value: object, next_question: object
) -> bool:
    """Whether the answer left ``question`` open: its slot was emptied, not filled."""
    if question is None or value is not None or next_question != question:
        return False
    return any(e.get("event") == "slot" and e.get("name") == question for e in events)


def without_requested(events: list[EventType]) -> list[EventType]:
    """The events minus any choice of the next question (the form decides it last)."""
    return [e for e in events if not _is_requested(e)]


def _is_requested(event: EventType) -> bool:
    return bool(event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT)


def requested(asking: Asking) -> EventType:
    """The one ``requested_slot`` event of the turn."""
    return SlotSet(REQUESTED_SLOT, asking.slot_value())
