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
    "complaint_review",
    "complaint_edit",
    "complaint_field",
)
CONTACT_PREFERENCE = "contact_preference"
# Asked only when they agreed to be called (a dynamic slot of the form).
CONTACT_PHONE = "contact_phone"
ASK_PHONE = "utter_ask_contact_phone"

# The review before filing ("periksa aduan Anda"): the summary's question, the
# mode it leads to (``pilih`` a field to change, ``tambah`` the optional questions,
# or the name of the field being changed) and the question which field to change.
REVIEW = "complaint_review"
EDIT = "complaint_edit"
FIELD = "complaint_field"
PICK = "pilih"
MORE = "tambah"
# Asked when the story leaves them out: a complaint cannot be handled without them.
ESSENTIALS = ("office", "event_at", "staff_role", "staff_said")
# Asked only after "Tambah keterangan"; the summary states what is filed without them.
OPTIONAL = (
    "service_wanted",
    "harm",
    "earlier_attempts",
    "resolution_wanted",
    CONTACT_PREFERENCE,
    "confidential",
)
# The questions only the summary's modes ask, and the responses Rasa asks them with
# (utter_ask_<slot>; the others are asked by the service complaint form too).
MODE_QUESTIONS = {
    FIELD: "utter_ask_complaint_field",
    "service_wanted": "utter_ask_service_wanted",
    "harm": "utter_ask_harm",
    "earlier_attempts": "utter_ask_earlier_attempts",
}
# The summary's numbered lines, in order: "Ubah" takes one of these numbers.
FIELDS = ESSENTIALS + OPTIONAL
# What is filed for a question never answered: news by chat only, identity kept
# from the office (the summary says so).
FILED_DEFAULTS = {CONTACT_PREFERENCE: "chat", "confidential": "ya"}


def forget_all() -> list[EventType]:
    """Nothing of this complaint carries over to the next one."""
    return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]
