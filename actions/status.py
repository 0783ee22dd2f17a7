"""A ticket's status by reference (ADU-, BRH-), told in full only to its filer."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from actions.corrections import CorrectAnswer
from actions.interruptions import Expects, InterruptibleForm, answer_text
from bot.complaints.escalation import ChronologyFacts, chronology, is_overdue
from bot.core.texts import due_date, label, long_date
from bot.core.workdays import jakarta_date
from bot.parsing import references
from bot.store.models import ComplaintDetails, utcnow
from bot.tickets import disclosure as tickets_disclosure
from bot.tickets.disclosure import Asker, Disclosure

logger = logging.getLogger(__name__)

REFERENCE = "ticket_reference"
# The keyed hash of the participant this conversation was verified as (set by the
# resignation form's verification once the participant proved possession). With it,
# the participant may read their own requests from any conversation.
VERIFIED = "verified_participant_hash"
# What anyone but the filer is told; none of these says more than the reference.
REFUSALS = {
    Disclosure.PRIVATE: "utter_ticket_private",
    Disclosure.NOT_FOUND: "utter_ticket_not_found",
    Disclosure.LIMITED: "utter_status_limited",
}


class ValidateStatusForm(InterruptibleForm):
    """Finds a reference in the message, in any spelling people type it."""

    expects: ClassVar[dict[str, Expects]] = {REFERENCE: Expects.NUMBER}

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
                return {REFERENCE: found}
        answer = answer_text(tracker, REFERENCE)
        if answer is None:
            return {}
        # Asked for a reference, the whole message may be one typed loosely.
        try:
            return {REFERENCE: references.parse(answer)}
        except references.InvalidReference:
            dispatcher.utter_message(response="utter_reference_invalid")
            return {REFERENCE: None}


class ActionStatusCorrect(CorrectAnswer):
    """ "nomornya salah" while the reference is asked: the form asks for it again."""

    def name(self) -> str:
        return "action_status_correct"

    async def correctable(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [REFERENCE]

    def forget(self, slot: str) -> dict[str, Any]:
        return {REFERENCE: None}


class ActionCheckStatus(Action):
    """Tells the status and deadlines of the ticket in the ``ticket_reference`` slot.

    Only to its filer (``bot.tickets.disclosure``): anyone else learns that the
    number exists, or nothing once they have guessed too often.
    """

    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reference = tracker.get_slot(REFERENCE)
        if not reference:
            dispatcher.utter_message(response="utter_ask_ticket_reference")
            return []
        asker = Asker(tracker.sender_id, _verified_hash(tracker))
        try:
            disclosure, found = await asyncio.to_thread(_look_up, str(reference), asker)
        except SQLAlchemyError:
            logger.exception("status look-up failed")
            dispatcher.utter_message(response="utter_status_unavailable")
            return [SlotSet(REFERENCE, None)]
        if disclosure is not Disclosure.FULL:
            dispatcher.utter_message(response=REFUSALS[disclosure], reference=reference)
        elif found.pop("kind_code", None) == "resignation":
            dispatcher.utter_message(response="utter_request_status", **found)
        else:
            _say_ticket_status(dispatcher, found)
        return [SlotSet(REFERENCE, None)]


def _verified_hash(tracker: Tracker) -> str | None:
    """The participant this conversation proved to be, if it did (see VERIFIED)."""
    value = tracker.slots.get(VERIFIED)
    return value if isinstance(value, str) and value else None


def _look_up(reference: str, asker: Asker) -> tuple[Disclosure, dict[str, str]]:
    """What ``asker`` may be told about ``reference``; runs in a worker thread.

    The details come back only for the filer; for anyone else, only which refusal.
    """
    limits = runtime.settings().status_limits
    with runtime.database().session() as session:
        disclosure, ticket = tickets_disclosure.look_up(
            session, reference, asker, limits
        )
        if ticket is None:
            return disclosure, {}
        if ticket.kind == "resignation":
            return disclosure, _request_status(ticket)
        found = {
            "reference": ticket.reference,
            "kind": label("kind", ticket.kind),
            "status": label("status", ticket.status),
            "created": long_date(jakarta_date(ticket.created_at)),
            "first_response_due": due_date(ticket.first_response_due),
            "resolution_due": due_date(ticket.resolution_due),
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
        return disclosure, found


def _say_ticket_status(dispatcher: CollectingDispatcher, found: dict[str, str]) -> None:
    """A complaint's status; past its deadline, how to escalate, with a chronology."""
    story = found.pop("chronology", None)
    dispatcher.utter_message(response="utter_ticket_status", **found)
    if story is None:
        return
    dispatcher.utter_message(
        response="utter_ticket_escalation",
        reference=found["reference"],
        resolution_due=found["resolution_due"],
    )
    dispatcher.utter_message(response="utter_ticket_chronology", chronology=story)


def _request_status(ticket: Any) -> dict[str, str]:
    """A resignation request (``BRH-``): status, outcome, processing deadline."""
    return {
        "kind_code": "resignation",
        "reference": ticket.reference,
        "kind": label("kind", ticket.kind),
        "status": label("status", ticket.status),
        "created": long_date(jakarta_date(ticket.created_at)),
        "outcome": label("outcome", ticket.outcome),
        "due": due_date(ticket.resolution_due),
    }
