"""The summary shown before a complaint is filed ("periksa aduan Anda").

It lists every field with its number, the optional ones with the value filed when
they are left unanswered, so the participant sees exactly what staff will read. Its
answers: "Kirim" files, "Ubah" asks which numbered line and then that question,
"Tambah keterangan" asks the optional questions (each skippable); both come back to
the summary. What a mode asks sits before the summary in ``required_slots``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.complaint.slots import (
    COMPLAINT_SLOTS,
    CONTACT_PHONE,
    CONTACT_PREFERENCE,
    EDIT,
    FIELD,
    FIELDS,
    FILED_DEFAULTS,
    MORE,
    OPTIONAL,
    PICK,
    REVIEW,
)
from actions.ending import question_of, way_out_buttons
from actions.interruptions import InterruptibleForm, answer_text
from bot.complaints import extraction as complaint_text
from bot.core.texts import label, long_date, long_datetime, section


def event_text(event_at: str | None) -> str:
    """The moment of the event as the participant reads it."""
    if not event_at:
        return "-"
    moment = datetime.fromisoformat(event_at)
    return long_datetime(moment) if "T" in event_at else long_date(moment.date())


def _default(value: str) -> str:
    return f"{value} {label('review', 'default')}"


def review_values(tracker: Tracker) -> dict[str, str]:
    """The values ``utter_complaint_review`` shows, one per numbered line."""
    office_value = tracker.get_slot("office")
    office = runtime.directory().get(office_value) if office_value else None
    empty = label("review", "empty")

    def free(slot: str) -> str:
        return str(tracker.get_slot(slot) or empty)

    contact = tracker.get_slot(CONTACT_PREFERENCE)
    contacts = section("contact")
    confidential = tracker.get_slot("confidential")
    return {
        "office_text": office.name if office else str(office_value or "-"),
        "event_text": event_text(tracker.get_slot("event_at")),
        "staff_role_text": label("staff_role", tracker.get_slot("staff_role")),
        "staff_said_text": free("staff_said"),
        "service_text": free("service_wanted"),
        "harm_text": free("harm"),
        "attempts_text": free("earlier_attempts"),
        "resolution_text": free("resolution_wanted"),
        "contact_text": contacts.get(str(contact), str(contact))
        if contact
        else _default(contacts[FILED_DEFAULTS[CONTACT_PREFERENCE]]),
        "confidential_text": str(confidential)
        if confidential
        else _default(FILED_DEFAULTS["confidential"]),
    }


class ReviewedForm(InterruptibleForm):
    """A form that ends with the summary: its question, its answers and its modes."""

    def review_questions(self, slots: list[str], tracker: Tracker) -> list[str]:
        """``slots`` with what the current mode asks put before the summary."""
        slots = list(slots)
        if REVIEW in slots:
            at = slots.index(REVIEW)
            slots[at:at] = _before_review(tracker.get_slot(EDIT))
        return slots

    def leave_mode(self, events: list[EventType], tracker: Tracker) -> list[EventType]:
        """Back at the summary: the change or the extra questions are done."""
        asked = next(
            (e["value"] for e in reversed(events) if e.get("name") == REQUESTED_SLOT),
            None,
        )
        if question_of(asked) == REVIEW and tracker.get_slot(EDIT) is not None:
            return [*events, SlotSet(EDIT, None)]
        return events

    def interrupted(self, question: str, message: Mapping[str, Any]) -> bool:
        """ "ubah" and "tambah keterangan" answer the summary, whatever the NLU read."""
        text = str(message.get("text") or "")
        if (
            question == REVIEW
            and not text.startswith("/")
            and complaint_text.review_choice(text) is not None
        ):
            return False
        return super().interrupted(question, message)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Also what the message tells of the optional fields, though not asked."""
        events = await super().get_extraction_events(dispatcher, tracker, domain)
        if REVIEW not in self.domain_slots(domain):
            return events
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is not None and self.interrupted(
            str(requested), tracker.latest_message
        ):
            return events
        asked = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain
        )
        found: dict[str, Any] = {}
        for slot in ("service_wanted", "harm", "earlier_attempts", "resolution_wanted"):
            if slot not in asked:
                told = await self._extract_slot(slot, dispatcher, tracker, domain)
                found.update(told)
        tracker.slots.update(found)
        return [*events, *(SlotSet(k, v) for k, v in found.items())]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Keeps what was read for slots the form does not ask now.

        rasa_sdk drops every extracted slot outside ``required_slots``: the optional
        fields told in the story, and the mode set by the summary's answer.
        """
        events: list[EventType] = await super().get_validation_events(
            dispatcher, tracker, domain
        )
        kept = {e.get("name") for e in events}
        return events + [
            SlotSet(name, value)
            for name, value in tracker.slots_to_validate().items()
            if name in COMPLAINT_SLOTS and name not in kept
        ]

    async def ask_itself(
        self,
        question: str,
        again: bool,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> bool:
        """The summary is composed here; asked again, only its choices."""
        if question != REVIEW:
            return False
        if again:
            dispatcher.utter_message(
                response="utter_ask_complaint_review_again",
                buttons=way_out_buttons(False),
            )
        else:
            dispatcher.utter_message(
                response="utter_complaint_review", **review_values(tracker)
            )
        return True

    intro = "utter_complaint_start"

    async def extract_complaint_review(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The answer to the summary: send it, change a field, or tell more."""
        if tracker.get_slot(REVIEW) is not None:
            return {}
        answer = answer_text(tracker, REVIEW)
        if not answer:
            return {}
        choice = complaint_text.review_choice(answer)
        if choice is None:
            return {REVIEW: None}  # asked again, then a person (actions/ending.py)
        kind, number = choice
        if kind == complaint_text.SEND:
            return {REVIEW: complaint_text.SEND}
        if kind == complaint_text.ADD:
            if all(tracker.get_slot(slot) is not None for slot in OPTIONAL):
                dispatcher.utter_message(response="utter_complaint_more_complete")
                return {EDIT: None}
            dispatcher.utter_message(response="utter_complaint_more_intro")
            return {EDIT: MORE}
        if number is not None and 1 <= number <= len(FIELDS):
            return _change(FIELDS[number - 1])
        return {EDIT: PICK}

    async def extract_complaint_field(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Which numbered line of the summary to change."""
        answer = answer_text(tracker, FIELD)
        if not answer:
            return {}
        number = complaint_text.field_number(answer)
        if number is None or not 1 <= number <= len(FIELDS):
            return {FIELD: None}  # asked again, then a person
        return _change(FIELDS[number - 1])


def _before_review(mode: object) -> list[str]:
    """The questions a mode puts before the summary."""
    if mode == PICK:
        return [FIELD]
    if mode == MORE:
        return list(OPTIONAL)
    if mode in OPTIONAL:
        return [str(mode)]
    return []  # an essential being changed is asked in its own place


def _change(slot: str) -> dict[str, Any]:
    """Forget ``slot`` (and the phone with the contact) so the form asks it again."""
    change: dict[str, Any] = {EDIT: slot, slot: None}
    if slot == CONTACT_PREFERENCE:
        change[CONTACT_PHONE] = None
    return change
