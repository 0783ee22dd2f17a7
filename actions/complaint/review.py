"""The summary shown before a complaint is filed ("periksa aduan Anda").

It lists every field with its number, the optional ones with the value filed when
they are left unanswered, so the participant sees exactly what staff will read.
"""

from __future__ import annotations

from datetime import datetime

from rasa_sdk import Tracker

from actions import runtime
from actions.complaint.slots import CONTACT_PREFERENCE, FILED_DEFAULTS
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
