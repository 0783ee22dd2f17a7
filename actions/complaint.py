"""The complaint form: extract what the participant already told, ask the rest, file."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from actions.handoff import handoff_message, open_in_store
from bot.complaints import extraction as complaint_text
from bot.complaints import staff_roles
from bot.complaints.extraction import resolution_phrase, said_phrase
from bot.complaints.filing import ComplaintDraft, ComplaintExtras, file_complaint
from bot.core.privacy import mask_identifiers
from bot.core.texts import label, long_date, long_datetime, section
from bot.handoff.handoffs import REASON_SENSITIVE
from bot.messaging.conversations import ConversationKey
from bot.parsing.timeparse import parse_event_time
from bot.store.models import utcnow

logger = logging.getLogger(__name__)

COMPLAINT_SLOTS = (
    "office",
    "event_at",
    "staff_role",
    "staff_said",
    "resolution_wanted",
    "service_wanted",
    "harm",
    "earlier_attempts",
    "contact_preference",
    "contact_phone",
    "confidential",
    "complaint_description",
)
# Asked by the form itself when ``contact_phone`` is requested (dynamic slot).
ASK_PHONE = "utter_ask_contact_phone"
CONTACT_PHONE = "contact_phone"
MAX_FREE_TEXT = 500


def _requested(tracker: Tracker, slot: str) -> bool:
    return bool(tracker.get_slot("requested_slot") == slot)


def _answer_text(tracker: Tracker, slot: str) -> str | None:
    """The whole message, when it answers the question for ``slot``."""
    message = tracker.latest_message
    text = (message.get("text") or "").strip()
    if not _requested(tracker, slot) or not text or text.startswith("/"):
        return None
    if runtime.is_interruption(message):
        return None
    return text[:MAX_FREE_TEXT]


class ValidateComplaintForm(FormValidationAction):
    """Fills the complaint slots from the latest message.

    Each extractor fills its slot only once, from entities first and then from the
    text. When the message was meant as an answer but cannot be used, the extractor
    says what is wrong and returns ``{slot: None}`` so the form asks again; when the
    message is an interruption it returns nothing and lets the other policies answer.
    """

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
        return events

    intro = "utter_complaint_start"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The phone number is asked only when they agreed to be called."""
        slots = list(domain_slots)
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
        answer = _answer_text(tracker, "complaint_description")
        return {"complaint_description": mask_identifiers(answer)} if answer else {}

    async def extract_service_wanted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("service_wanted") is not None:
            return {}
        text = tracker.latest_message.get("text") or ""
        answer = _answer_text(tracker, "service_wanted")
        if answer:
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
            return {
                "harm": "tidak ada" if complaint_text.means_nothing(answer) else answer
            }
        found = complaint_text.harm_phrase(tracker.latest_message.get("text") or "")
        return {"harm": found} if found else {}

    async def extract_earlier_attempts(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("earlier_attempts") is not None:
            return {}
        answer = _answer_text(tracker, "earlier_attempts")
        if answer:
            nothing = complaint_text.means_nothing(answer)
            return {"earlier_attempts": "belum pernah" if nothing else answer}
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
        answer = _answer_text(tracker, "office")
        return {"office": answer} if answer else {}

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
        answer = _answer_text(tracker, "staff_role")
        return {"staff_role": answer[:60]} if answer else {}

    async def extract_staff_said(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("staff_said") is not None:
            return {}
        answer = _answer_text(tracker, "staff_said")
        if answer:
            return {"staff_said": answer}
        said = said_phrase(tracker.latest_message.get("text") or "")
        return {"staff_said": said} if said else {}

    async def extract_resolution_wanted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("resolution_wanted") is not None:
            return {}
        answer = _answer_text(tracker, "resolution_wanted")
        if answer:
            return {"resolution_wanted": answer}
        wanted = resolution_phrase(tracker.latest_message.get("text") or "")
        return {"resolution_wanted": wanted} if wanted else {}


def _event_text(event_at: str | None) -> str:
    if not event_at:
        return "-"
    moment = datetime.fromisoformat(event_at)
    return long_datetime(moment) if "T" in event_at else long_date(moment.date())


class ValidateServiceComplaintForm(ValidateComplaintForm):
    """A complaint about service other than a refusal: calls, queues, rude staff."""

    intro = "utter_service_complaint_start"

    def name(self) -> str:
        return "validate_service_complaint_form"


def _story(tracker: Tracker) -> str:
    """Everything the participant told in the complaint, for classification."""
    parts = [
        tracker.get_slot(slot)
        for slot in ("complaint_description", "staff_said", "harm", "earlier_attempts")
    ]
    return " ".join(str(p) for p in parts if p)


def _last_form(tracker: Tracker) -> str | None:
    """The form that ran last (it is no longer active when the filing runs)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


def _extras(tracker: Tracker, service_complaint: bool) -> ComplaintExtras:
    directory = runtime.directory()
    story = _story(tracker)
    destination = directory.destination(
        " ".join(
            str(tracker.get_slot(s) or "")
            for s in ("complaint_description", "staff_said")
        )
    )
    if service_complaint:
        category = complaint_text.service_category(story)
    else:
        category = complaint_text.refusal_category(destination is not None, story)
    return ComplaintExtras(
        category=category,
        confidential=tracker.get_slot("confidential") == "ya",
        description=tracker.get_slot("complaint_description"),
        service_wanted=tracker.get_slot("service_wanted"),
        harm=tracker.get_slot("harm"),
        earlier_attempts=tracker.get_slot("earlier_attempts"),
        contact_preference=tracker.get_slot("contact_preference"),
        contact_phone_encrypted=tracker.get_slot(CONTACT_PHONE),
        sensitive=complaint_text.is_sensitive(story),
        destination_office=destination.id if destination else None,
    )


class ActionFileComplaint(Action):
    """Files the ticket, tells its reference and deadlines, then what comes next.

    Next is either a supervisor (a sensitive complaint is handed off at once) or,
    after a refusal, the offer to do the refused service online now (§3.2 step 4).
    """

    def name(self) -> str:
        return "action_file_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        directory = runtime.directory()
        office_value = tracker.get_slot("office")
        office = directory.get(office_value) if office_value else None
        service_complaint = _last_form(tracker) == "service_complaint_form"
        draft = ComplaintDraft(
            office_id=office.id if office else None,
            office_text=None if office else office_value,
            event_at=tracker.get_slot("event_at"),
            staff_role=tracker.get_slot("staff_role"),
            staff_said=tracker.get_slot("staff_said"),
            resolution_wanted=tracker.get_slot("resolution_wanted"),
        )
        extras = _extras(tracker, service_complaint)
        key = ConversationKey.from_sender_id(tracker.sender_id)
        db = runtime.database()

        def store() -> tuple[str, Any, Any, int]:
            with db.session() as session:
                ticket = file_complaint(
                    session, key, draft, runtime.deadlines(), extras=extras
                )
                return (
                    ticket.reference,
                    ticket.first_response_due,
                    ticket.resolution_due,
                    ticket.id,
                )

        try:
            reference, first_due, resolution_due, ticket_id = await asyncio.to_thread(
                store
            )
        except SQLAlchemyError:
            logger.exception("could not file a complaint for %s", key.channel)
            dispatcher.utter_message(response="utter_complaint_not_saved")
            return []
        dispatcher.utter_message(
            response="utter_complaint_filed",
            reference=reference,
            office_name=office.name if office else (office_value or "-"),
            event_text=_event_text(draft.event_at),
            staff_role_text=label("staff_role", draft.staff_role),
            category=extras.category,
            first_response_due=long_date(first_due),
            resolution_due=long_date(resolution_due),
        )
        contact = section("contact")
        dispatcher.utter_message(
            response="utter_complaint_details_filed",
            service_text=extras.service_wanted or "-",
            harm_text=extras.harm or "-",
            attempts_text=extras.earlier_attempts or "-",
            contact_text=contact.get(extras.contact_preference or "chat", "-"),
            confidential_text="ya" if extras.confidential else "tidak",
        )
        events: list[EventType] = [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]
        if extras.sensitive:
            return events + await self._to_supervisor(dispatcher, tracker, ticket_id)
        if not service_complaint:
            dispatcher.utter_message(response="utter_complaint_online_offer")
            events.append(SlotSet("resign_offered", True))
        return events

    async def _to_supervisor(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, ticket_id: int
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_complaint_sensitive")
        try:
            await asyncio.to_thread(
                open_in_store,
                tracker.sender_id,
                REASON_SENSITIVE,
                supervisor_only=True,
                ticket_id=ticket_id,
            )
        except SQLAlchemyError:
            logger.exception("could not hand a sensitive complaint to a supervisor")
            dispatcher.utter_message(response="utter_human_contact_center")
            return []
        dispatcher.utter_message(**handoff_message(supervisor_only=True))
        return []
