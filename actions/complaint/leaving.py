"""Leaving a complaint form half-way, and correcting an answer in it."""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.complaint.form import ValidateComplaintForm, ValidateServiceComplaintForm
from actions.complaint.slots import CONTACT_PHONE, CONTACT_PREFERENCE, forget_all
from actions.corrections import CorrectAnswer


class ActionComplaintCancel(Action):
    """ "batal" in the middle of a complaint: nothing is filed, the answers go."""

    def name(self) -> str:
        return "action_complaint_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_complaint_cancelled")
        return [*forget_all(), SlotSet(REQUESTED_SLOT, None)]


class ActionComplaintCorrect(CorrectAnswer):
    """ "kantornya salah": forget that answer; the form asks for it again."""

    fields: ClassVar[dict[str, str]] = {
        "office": "office",
        "date": "event_at",
        "phone": CONTACT_PHONE,
    }

    def name(self) -> str:
        return "action_complaint_correct"

    async def correctable(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        form = (
            ValidateServiceComplaintForm()
            if tracker.active_loop_name == "service_complaint_form"
            else ValidateComplaintForm()
        )
        slots: list[str] = await form.required_slots(
            form.domain_slots(domain), dispatcher, tracker, domain
        )
        return slots

    def forget(self, slot: str) -> dict[str, Any]:
        if slot == CONTACT_PREFERENCE:
            return {CONTACT_PREFERENCE: None, CONTACT_PHONE: None}
        return {slot: None}
