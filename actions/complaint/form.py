"""The complaint forms: read what the participant already told, ask for the rest.

The first message often tells the whole story; every extractor looks for its own
field in it (entities first, then the text), so the form asks only for what is
missing. What is not an answer is left to the rules (actions/interruptions.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.complaint.review import ReviewedForm
from actions.complaint.slots import (
    CONTACT_PHONE,
    CONTACT_PREFERENCE,
    FIELD,
    FILED_DEFAULTS,
    REVIEW,
)
from actions.interruptions import Expects, answer_text
from bot.complaints import extraction as complaint_text
from bot.complaints import staff_roles
from bot.complaints.extraction import resolution_phrase, said_phrase
from bot.core.privacy import mask_identifiers
from bot.parsing.timeparse import parse_event_time
from bot.store.models import utcnow

MAX_FREE_TEXT = 500


def _answer_text(tracker: Tracker, slot: str) -> str | None:
    """The whole message, when it answers the question for ``slot``.

    Numbers in it are masked (PRODUCT.md §8): every complaint slot keeps the
    participant's words, never a phone number or NIK, except the contact phone,
    which is read here and kept encrypted.
    """
    text = answer_text(tracker, slot)
    if not text:
        return None
    text = text[:MAX_FREE_TEXT]
    return text if slot == CONTACT_PHONE else mask_identifiers(text)


def _free(tracker: Tracker, slot: str) -> dict[str, Any] | None:
    """The answer as the complainant's words; ``{slot: None}`` when it means nothing.

    None when the message does not answer ``slot`` at all.
    """
    answer = _answer_text(tracker, slot)
    if answer is None:
        return None
    return {slot: None} if complaint_text.meaningless(answer) else {slot: answer}


# The optional questions and the safe values they take when skipped or left
# unreadable (actions/ending.py): nothing said, news by chat only, identity kept
# from the office.
NOT_SAID = "tidak disebut"
DEFAULTS: dict[str, dict[str, Any]] = {
    "service_wanted": {"service_wanted": NOT_SAID},
    "harm": {"harm": NOT_SAID},
    "earlier_attempts": {"earlier_attempts": NOT_SAID},
    "resolution_wanted": {"resolution_wanted": NOT_SAID},
    "contact_preference": {"contact_preference": FILED_DEFAULTS[CONTACT_PREFERENCE]},
    CONTACT_PHONE: {"contact_preference": "chat", CONTACT_PHONE: None},
    "confidential": {"confidential": FILED_DEFAULTS["confidential"]},
}


class ValidateComplaintForm(ReviewedForm):
    """Fills the complaint slots from the latest message.

    Each extractor fills its slot only once, from entities first and then from the
    text. When the message was meant as an answer but cannot be used, the extractor
    says what is wrong and returns ``{slot: None}`` so the form asks again.
    """

    expects: ClassVar[dict[str, Expects]] = {
        CONTACT_PHONE: Expects.NUMBER,
        REVIEW: Expects.CHOICE,
        FIELD: Expects.NUMBER,
    }
    defaults: ClassVar[dict[str, dict[str, Any]]] = DEFAULTS

    def name(self) -> str:
        return "validate_complaint_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # The introduction is uttered here, not by a rule step before the form: if the
        # action server is down the whole turn then stays silent and the gateway
        # apologises, instead of promising questions that never come.
        first_turn = tracker.get_slot("requested_slot") is None
        if first_turn:
            dispatcher.utter_message(response=self.intro)
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        if first_turn and tracker.get_slot("complaint_description") is None:
            # The first message is the participant's story in their own words: kept
            # (masked) for staff and for the chronology.
            story = await self.extract_complaint_description(
                dispatcher, tracker, domain
            )
            events.extend(SlotSet(k, v) for k, v in story.items())
        return self.leave_mode(events, tracker)

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The essentials, then the summary; more only when the participant asks.

        "Tambah keterangan" puts the optional questions before the summary, "Ubah"
        the question which field, then that field. The phone number is asked only
        when they agreed to be called.
        """
        slots = self.review_questions(domain_slots, tracker)
        if (
            tracker.get_slot("contact_preference") == "telepon"
            and "contact_preference" in slots
        ):
            slots.insert(slots.index("contact_preference") + 1, CONTACT_PHONE)
        return slots

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The participant's own story: the first message, or the answer when asked."""
        if tracker.get_slot("complaint_description") is not None:
            return {}
        text = (tracker.latest_message.get("text") or "").strip()
        if tracker.get_slot("requested_slot") is None:
            if text and not text.startswith("/") and len(text.split()) >= 4:
                return {"complaint_description": mask_identifiers(text[:MAX_FREE_TEXT])}
            return {}
        answer = _free(tracker, "complaint_description")
        if not answer or answer["complaint_description"] is None:
            return answer or {}
        masked = mask_identifiers(answer["complaint_description"])
        return {"complaint_description": masked}

    async def extract_service_wanted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("service_wanted") is not None:
            return {}
        text = tracker.latest_message.get("text") or ""
        answer = _answer_text(tracker, "service_wanted")
        if answer:
            if complaint_text.meaningless(answer):
                return {"service_wanted": None}
            return {"service_wanted": complaint_text.service_phrase(answer) or answer}
        found = complaint_text.service_phrase(text)
        return {"service_wanted": found} if found else {}

    async def extract_harm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("harm") is not None:
            return {}
        answer = _answer_text(tracker, "harm")
        if answer:
            if complaint_text.means_nothing(answer):
                return {"harm": "tidak ada"}
            return {"harm": None if complaint_text.meaningless(answer) else answer}
        found = complaint_text.harm_phrase(tracker.latest_message.get("text") or "")
        return {"harm": found} if found else {}

    async def extract_earlier_attempts(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("earlier_attempts") is not None:
            return {}
        answer = _answer_text(tracker, "earlier_attempts")
        if answer:
            if complaint_text.means_nothing(answer):
                return {"earlier_attempts": "belum pernah"}
            if complaint_text.meaningless(answer):
                return {"earlier_attempts": None}
            return {"earlier_attempts": answer}
        text = tracker.latest_message.get("text") or ""
        found = complaint_text.attempts_phrase(text)
        return {"earlier_attempts": found} if found else {}

    async def extract_contact_preference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("contact_preference") is not None:
            return {}
        answer = _answer_text(tracker, "contact_preference")
        if not answer:
            return {}
        choice = complaint_text.contact_choice(answer)
        if choice is None and complaint_text.phone_number(answer):
            choice = "telepon"
        if choice is None:
            return {"contact_preference": None}  # the form asks again
        return {"contact_preference": choice}

    async def extract_contact_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot(CONTACT_PHONE) is not None:
            return {}
        answer = _answer_text(tracker, CONTACT_PHONE)
        if not answer:
            return {}
        number = complaint_text.phone_number(answer)
        if number is None:
            if complaint_text.contact_choice(answer) == "chat":
                # Changed their mind: no call, no number.
                return {"contact_preference": "chat", CONTACT_PHONE: None}
            dispatcher.utter_message(response="utter_contact_phone_invalid")
            return {CONTACT_PHONE: None}
        # Only ciphertext ever leaves this function (PRODUCT.md §8).
        return {CONTACT_PHONE: runtime.cipher().encrypt(number)}

    async def extract_confidential(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("confidential") is not None:
            return {}
        answer = _answer_text(tracker, "confidential")
        if not answer:
            return {}
        choice = complaint_text.yes_or_no(answer)
        if choice is None:
            return {"confidential": None}  # the form asks again
        return {"confidential": "ya" if choice else "tidak"}

    async def extract_office(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("office") is not None:
            return {}
        message = tracker.latest_message
        directory = runtime.directory()
        for value in runtime.entity_values(message, "office"):
            if isinstance(value, str) and directory.get(value):
                return {"office": value}
        text = message.get("text") or ""
        office = directory.match(text)
        if office is not None:
            return {"office": office.id}
        return _free(tracker, "office") or {}

    async def extract_event_at(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("event_at") is not None:
            return {}
        message = tracker.latest_message
        now = utcnow()
        candidates = [
            *runtime.entity_texts(message, "datetime"),
            message.get("text") or "",
        ]
        for candidate in candidates:
            parsed = parse_event_time(candidate, now)
            if parsed is None:
                continue
            if parsed.moment > now:
                dispatcher.utter_message(response="utter_event_at_future")
                return {"event_at": None}
            return {"event_at": parsed.isoformat()}
        if _answer_text(tracker, "event_at"):
            dispatcher.utter_message(response="utter_event_at_unclear")
            return {"event_at": None}
        return {}

    async def extract_staff_role(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("staff_role") is not None:
            return {}
        message = tracker.latest_message
        known = set(staff_roles.roles())
        for value in runtime.entity_values(message, "staff_role"):
            if value in known:
                return {"staff_role": value}
        role = staff_roles.match_role(message.get("text") or "")
        if role is not None:
            return {"staff_role": role}
        answer = _free(tracker, "staff_role")
        if answer and answer["staff_role"] is not None:
            return {"staff_role": answer["staff_role"][:60]}
        return answer or {}

    async def extract_staff_said(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("staff_said") is not None:
            return {}
        answer = _free(tracker, "staff_said")
        if answer is not None:
            return answer
        said = said_phrase(tracker.latest_message.get("text") or "")
        return {"staff_said": said} if said else {}

    async def extract_resolution_wanted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("resolution_wanted") is not None:
            return {}
        answer = _free(tracker, "resolution_wanted")
        if answer is not None:
            return answer
        wanted = resolution_phrase(tracker.latest_message.get("text") or "")
        return {"resolution_wanted": wanted} if wanted else {}


class ValidateServiceComplaintForm(ValidateComplaintForm):
    """A complaint about service other than a refusal: calls, queues, rude staff."""

    intro = "utter_service_complaint_start"

    def name(self) -> str:
        return "validate_service_complaint_form"
