"""Status of a complaint (``ADU-``) or a resignation request (``BRH-``) by reference."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from bot.complaints.escalation import ChronologyFacts, chronology, is_overdue
from bot.core.texts import label, long_date
from bot.core.workdays import jakarta_date
from bot.parsing import references
from bot.store.models import ComplaintDetails, utcnow
from bot.tickets.records import get_by_reference

logger = logging.getLogger(__name__)


class ValidateStatusForm(FormValidationAction):
    """Finds a reference in the message, in any spelling people type it."""

    def name(self) -> str:
        return "validate_status_form"

    async def extract_ticket_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        message = tracker.latest_message
        text = message.get("text") or ""
        for candidate in [*runtime.entity_texts(message, "reference"), text]:
            found = references.find(candidate)
            if found:
                return {"ticket_reference": found}
        requested = tracker.get_slot("requested_slot") == "ticket_reference"
        if requested and text and not text.startswith("/"):
            # Asked for a reference, the whole message may be one typed loosely.
            try:
                return {"ticket_reference": references.parse(text)}
            except references.InvalidReference:
                pass
            if not runtime.is_interruption(message):
                dispatcher.utter_message(response="utter_reference_invalid")
                return {"ticket_reference": None}
        return {}


class ActionCheckStatus(Action):
    """Tells the status and deadlines of the ticket in the ``ticket_reference`` slot."""

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = tracker.get_slot("ticket_reference")
        if not reference:
            dispatcher.utter_message(response="utter_ask_ticket_reference")
            return []
        db = runtime.database()

        def look_up() -> dict[str, str] | None:
            with db.session() as session:
                ticket = get_by_reference(session, reference)
                if ticket is None:
                    return None
                if ticket.kind == "resignation":
                    return _request_status(ticket)
                found = {
                    "reference": ticket.reference,
                    "kind": label("kind", ticket.kind),
                    "status": label("status", ticket.status),
                    "created": long_date(jakarta_date(ticket.created_at)),
                    "first_response_due": _day(ticket.first_response_due),
                    "resolution_due": _day(ticket.resolution_due),
                }
                if is_overdue(ticket, jakarta_date(utcnow())):
                    # Past the resolution deadline: the escalation route (§3.2.6).
                    office = runtime.directory().get(ticket.office_id or "")
                    facts = ChronologyFacts.from_ticket(
                        ticket,
                        session.get(ComplaintDetails, ticket.id),
                        office.name if office else None,
                    )
                    found["chronology"] = chronology(facts)
                return found

        try:
            found = await asyncio.to_thread(look_up)
        except SQLAlchemyError:
            logger.exception("status look-up failed")
            dispatcher.utter_message(response="utter_status_unavailable")
            return [SlotSet("ticket_reference", None)]
        if found is None:
            dispatcher.utter_message(
                response="utter_ticket_not_found", reference=reference
            )
        elif found.get("kind_code") == "resignation":
            del found["kind_code"]
            dispatcher.utter_message(response="utter_request_status", **found)
        else:
            story = found.pop("chronology", None)
            dispatcher.utter_message(response="utter_ticket_status", **found)
            if story is not None:
                dispatcher.utter_message(
                    response="utter_ticket_escalation",
                    reference=found["reference"],
                    resolution_due=found["resolution_due"],
                )
                dispatcher.utter_message(
                    response="utter_ticket_chronology", chronology=story
                )
        return [SlotSet("ticket_reference", None)]


def _day(value: Any) -> str:
    return long_date(value) if value is not None else "-"


def _request_status(ticket: Any) -> dict[str, str]:
    """A resignation request (``BRH-``): status, outcome, processing deadline."""
    return {
        "kind_code": "resignation",
        "reference": ticket.reference,
        "kind": label("kind", ticket.kind),
        "status": label("status", ticket.status),
        "created": long_date(jakarta_date(ticket.created_at)),
        "outcome": label("outcome", ticket.outcome),
        "due": _day(ticket.resolution_due),
    }
