"""Filing a complaint: the ticket, its reference and deadlines, and what comes next."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from actions.complaint.review import event_text
from actions.complaint.slots import CONTACT_PHONE, FILED_DEFAULTS, forget_all
from actions.handoff import handoff_message, open_in_store
from bot.complaints import extraction as complaint_text
from bot.complaints.filing import (
    ComplaintDraft,
    ComplaintExtras,
    file_complaint,
    filed_since,
)
from bot.core.texts import due_date, label, section
from bot.handoff.handoffs import REASON_SENSITIVE
from bot.messaging.conversations import ConversationKey
from bot.parsing.offices import Office
from bot.store.db import patiently
from bot.store.models import utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filed:
    """The stored ticket, as the participant is told about it."""

    reference: str
    first_response_due: date | None
    resolution_due: date | None
    ticket_id: int


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

    # What the summary said is filed for a question never asked (the refusal form
    # asks these only after "Tambah keterangan").
    def answered(slot: str) -> str | None:
        return tracker.get_slot(slot) or FILED_DEFAULTS.get(slot)

    return ComplaintExtras(
        category=category,
        confidential=answered("confidential") == "ya",
        description=tracker.get_slot("complaint_description"),
        service_wanted=tracker.get_slot("service_wanted"),
        harm=tracker.get_slot("harm"),
        earlier_attempts=tracker.get_slot("earlier_attempts"),
        contact_preference=answered("contact_preference"),
        contact_phone_encrypted=tracker.get_slot(CONTACT_PHONE),
        sensitive=complaint_text.is_sensitive(story),
        destination_office=destination.id if destination else None,
    )


def _draft(tracker: Tracker, office: Office | None) -> ComplaintDraft:
    office_value = tracker.get_slot("office")
    return ComplaintDraft(
        office_id=office.id if office else None,
        office_text=None if office else office_value,
        event_at=tracker.get_slot("event_at"),
        staff_role=tracker.get_slot("staff_role"),
        staff_said=tracker.get_slot("staff_said"),
        resolution_wanted=tracker.get_slot("resolution_wanted"),
    )


def _store(
    key: ConversationKey,
    draft: ComplaintDraft,
    extras: ComplaintExtras,
    since: datetime,
) -> Filed:
    """Files the ticket; runs in a worker thread, again after a store outage.

    The connection can fail after the database committed but before it said so:
    a complaint of this conversation filed since this action began is that
    commit (a conversation's turns run one at a time), not a second complaint.
    """
    with runtime.database().session() as session:
        ticket = filed_since(session, key, since) or file_complaint(
            session, key, draft, runtime.deadlines(), extras=extras
        )
        return Filed(
            ticket.reference,
            ticket.first_response_due,
            ticket.resolution_due,
            ticket.id,
        )


def _say_filed(
    dispatcher: CollectingDispatcher,
    filed: Filed,
    office_name: str,
    draft: ComplaintDraft,
    extras: ComplaintExtras,
) -> None:
    dispatcher.utter_message(
        response="utter_complaint_filed",
        reference=filed.reference,
        office_name=office_name,
        event_text=event_text(draft.event_at),
        staff_role_text=label("staff_role", draft.staff_role),
        category=extras.category,
        first_response_due=due_date(filed.first_response_due),
        resolution_due=due_date(filed.resolution_due),
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
        office_value = tracker.get_slot("office")
        office = runtime.directory().get(office_value) if office_value else None
        service_complaint = _last_form(tracker) == "service_complaint_form"
        draft = _draft(tracker, office)
        extras = _extras(tracker, service_complaint)
        key = ConversationKey.from_sender_id(tracker.sender_id)
        since = utcnow()
        try:
            filed = await patiently(
                lambda: _store(key, draft, extras, since),
                "filing a complaint",
                patience=runtime.settings().durable.action_store_patience_seconds,
            )
        except SQLAlchemyError:
            logger.exception("could not file a complaint for %s", key.channel)
            dispatcher.utter_message(response="utter_complaint_not_saved")
            return []
        office_name = office.name if office else (office_value or "-")
        _say_filed(dispatcher, filed, office_name, draft, extras)
        events = forget_all()
        if extras.sensitive:
            return events + await _to_supervisor(dispatcher, tracker, filed.ticket_id)
        if not service_complaint:
            dispatcher.utter_message(response="utter_complaint_online_offer")
            events.append(SlotSet("resign_offered", True))
        return events


async def _to_supervisor(
    dispatcher: CollectingDispatcher, tracker: Tracker, ticket_id: int
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
