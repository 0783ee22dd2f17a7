"""The complaint forms' slots."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet

COMPLAINT_FORMS = ("complaint_form", "service_complaint_form")
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
CONTACT_PREFERENCE = "contact_preference"
# Asked only when they agreed to be called (a dynamic slot of the form).
CONTACT_PHONE = "contact_phone"
ASK_PHONE = "utter_ask_contact_phone"


def forget_all() -> list[EventType]:
    """Nothing of this complaint carries over to the next one."""
    return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]
