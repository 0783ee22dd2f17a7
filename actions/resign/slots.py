"""The stop-participation form's slots, and which questions the answers so far leave.

No consent, no personal data; no verified identity, no reason; an outcome other
than ELIGIBLE ends the form. NIK and KPJ slots hold tokens, never the numbers.
Identity is NIK and KPJ (what a card shows), then possession of the registered
phone number (what only the participant has): a shared Telegram contact or a
one-time code (PRODUCT.md §3.1 step 3). On WhatsApp the sender's own number proves
it without a question.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.resignation.eligibility import Outcome

FORM = "resign_form"
CONSENT = "resign_consent"
NIK = "resign_nik"
KPJ = "resign_kpj"
# Which possession question is asked: CONTACT_ROUTE or CODE_ROUTE.
POSSESSION = "resign_possession"
CONTACT = "resign_contact"
CODE = "resign_code"
# Someone types for the participant ("saya anaknya"): only the code counts.
HELPER = "resign_helper"
REASON = "resign_reason"
CONFIRM = "resign_confirm"
OUTCOME = "resign_outcome"
# The keyed hash of the NIK this conversation proved to be (actions/status.py reads
# it); kept after the form, so the participant may read their own request's status.
VERIFIED = "verified_participant_hash"
ALL_SLOTS = (
    CONSENT,
    NIK,
    KPJ,
    POSSESSION,
    CONTACT,
    CODE,
    HELPER,
    REASON,
    CONFIRM,
    OUTCOME,
)
IDENTITY = (NIK, KPJ)

CONTACT_ROUTE = "contact"
CODE_ROUTE = "code"
# What a proof slot holds once the proof is given.
PROVEN = "proven"

# Outcomes that end the form before the identity is verified.
LOCKED = "LOCKED"
REGISTRY_DOWN = "REGISTRY_UNAVAILABLE"
# No possession factor could be proven (no code could be sent, it expired): a person.
NO_POSSESSION = "NO_POSSESSION"


def questions(slots: dict[str, Any]) -> list[str]:
    """The slots the form fills, given the answers so far."""
    wanted = [CONSENT]
    outcome = slots.get(OUTCOME)
    if slots.get(CONSENT) is not True or outcome not in (None, Outcome.ELIGIBLE.value):
        return wanted
    wanted += [NIK, KPJ]
    route = slots.get(POSSESSION)
    if route == CONTACT_ROUTE:
        wanted.append(CONTACT)
    elif route == CODE_ROUTE:
        wanted.append(CODE)
    if outcome != Outcome.ELIGIBLE.value:
        return wanted
    return [*wanted, REASON, CONFIRM]


def values(tracker: Tracker) -> dict[str, Any]:
    """The form's slots as they are now."""
    return {name: tracker.get_slot(name) for name in ALL_SLOTS}


def forget_after(slot: str) -> dict[str, Any]:
    """What a corrected ``slot`` empties: a changed identity is verified again."""
    if slot == REASON:
        return {REASON: None, CONFIRM: None}
    return {
        slot: None,
        POSSESSION: None,
        CONTACT: None,
        CODE: None,
        OUTCOME: None,
        REASON: None,
        CONFIRM: None,
    }


def forget_all() -> list[EventType]:
    """Nothing of this attempt carries over to the next one."""
    return [SlotSet(name, None) for name in ALL_SLOTS]
