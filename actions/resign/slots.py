"""The stop-participation form's slots, and which questions the answers so far leave.

No consent, no personal data; no verified identity, no reason; an outcome other
than ELIGIBLE ends the form. NIK and KPJ slots hold tokens, never the numbers.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from bot.resignation.eligibility import Outcome

FORM = "resign_form"
CONSENT = "resign_consent"
NIK = "resign_nik"
BIRTH_DATE = "resign_birth_date"
KPJ = "resign_kpj"
REASON = "resign_reason"
CONFIRM = "resign_confirm"
OUTCOME = "resign_outcome"
ALL_SLOTS = (CONSENT, NIK, BIRTH_DATE, KPJ, REASON, CONFIRM, OUTCOME)
IDENTITY = (NIK, BIRTH_DATE, KPJ)

# Outcomes that end the form before the identity is verified.
LOCKED = "LOCKED"
REGISTRY_DOWN = "REGISTRY_UNAVAILABLE"


def questions(slots: dict[str, Any]) -> list[str]:
    """The slots the form fills, given the answers so far.

    The KPJ is optional and never asked: typed with the NIK, it is one of them.
    """
    wanted = [CONSENT]
    outcome = slots.get(OUTCOME)
    if slots.get(CONSENT) is not True or outcome not in (None, Outcome.ELIGIBLE.value):
        return wanted
    wanted += [NIK, KPJ, BIRTH_DATE] if slots.get(KPJ) else [NIK, BIRTH_DATE]
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
    forgotten: dict[str, Any] = {slot: None, OUTCOME: None, REASON: None, CONFIRM: None}
    if slot == KPJ:
        forgotten[BIRTH_DATE] = None
    return forgotten


def forget_all() -> list[EventType]:
    """Nothing of this attempt carries over to the next one."""
    return [SlotSet(name, None) for name in ALL_SLOTS]
