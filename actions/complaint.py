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

from actions import _runtime
from bot import staff_roles
from bot.complaint_text import resolution_phrase, said_phrase
from bot.conversations import ConversationKey
from bot.store.models import utcnow
from bot.texts import label, long_date, long_datetime
from bot.tickets import CATEGORY_REFUSAL, ComplaintDraft, file_complaint
from bot.timeparse import parse_event_time

logger = logging.getLogger(__name__)

COMPLAINT_SLOTS = (
    "office",
    "event_at",
    "staff_role",
    "staff_said",
    "resolution_wanted",
)
MAX_FREE_TEXT = 500


def _requested(tracker: Tracker, slot: str) -> bool:
    return bool(tracker.get_slot("requested_slot") == slot)


def _answer_text(tracker: Tracker, slot: str) -> str | None:
    """The whole message, when it answers the question for ``slot``."""
    message = tracker.latest_message
    text = (message.get("text") or "").strip()
    if not _requested(tracker, slot) or not text or text.startswith("/"):
        return None
    if _runtime.is_interruption(message):
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
        if tracker.get_slot("requested_slot") is None:
            dispatcher.utter_message(response="utter_complaint_start")
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        return events

    async def extract_office(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("office") is not None:
            return {}
        message = tracker.latest_message
        directory = _runtime.directory()
        for value in _runtime.entity_values(message, "office"):
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
            *_runtime.entity_texts(message, "datetime"),
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
        for value in _runtime.entity_values(message, "staff_role"):
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


class ActionFileComplaint(Action):
    """Files the ticket and tells the participant its reference and deadlines."""

    def name(self) -> str:
        return "action_file_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        directory = _runtime.directory()
        office_value = tracker.get_slot("office")
        office = directory.get(office_value) if office_value else None
        draft = ComplaintDraft(
            office_id=office.id if office else None,
            office_text=None if office else office_value,
            event_at=tracker.get_slot("event_at"),
            staff_role=tracker.get_slot("staff_role"),
            staff_said=tracker.get_slot("staff_said"),
            resolution_wanted=tracker.get_slot("resolution_wanted"),
        )
        key = ConversationKey.from_sender_id(tracker.sender_id)
        db = _runtime.database()

        def store() -> tuple[str, Any, Any]:
            with db.session() as session:
                ticket = file_complaint(session, key, draft, _runtime.deadlines())
                return (
                    ticket.reference,
                    ticket.first_response_due,
                    ticket.resolution_due,
                )

        try:
            reference, first_due, resolution_due = await asyncio.to_thread(store)
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
            category=CATEGORY_REFUSAL,
            first_response_due=long_date(first_due),
            resolution_due=long_date(resolution_due),
        )
        return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]
