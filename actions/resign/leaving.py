"""Leaving the stop-participation form half-way, and correcting an answer in it."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.corrections import CorrectAnswer
from actions.resign.slots import (
    CONSENT,
    KPJ,
    NIK,
    REASON,
    forget_after,
    forget_all,
    questions,
    values,
)


class ActionResignCancel(Action):
    """ "batal" in the middle of the form: say so and forget the answers."""

    action_name = "action_resign_cancel"
    response: str | None = "utter_resign_cancelled"

    def name(self) -> str:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self.response is not None:
            dispatcher.utter_message(response=self.response)
        return [*forget_all(), SlotSet(REQUESTED_SLOT, None)]


class ActionResignForget(ActionResignCancel):
    """The form stopped for a handoff: forget its answers without a word.

    The handoff message already told the participant what happens next; a second
    "cancelled" message would only confuse.
    """

    action_name = "action_resign_forget"
    response = None


class ActionResignCorrect(CorrectAnswer):
    """ "NIK saya salah": forget that answer (and what was decided from it)."""

    fields: ClassVar[dict[str, str]] = {
        "nik": NIK,
        "kpj": KPJ,
        "reason": REASON,
    }

    def name(self) -> str:
        return "action_resign_correct"

    async def correctable(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        # Consent is not an answer to correct, and a KPJ is corrected only by name.
        asked = questions(values(tracker))
        return [slot for slot in asked if slot not in (CONSENT, KPJ)]

    def forget(self, slot: str) -> dict[str, Any]:
        return forget_after(slot)
