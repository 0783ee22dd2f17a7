"""The stop-participation form (PRODUCT.md §3.1): consent, identity, reason, confirm.

rasa_sdk's form validation: ``required_slots`` says which questions the answers so
far leave, each ``extract_<slot>`` reads the answer to its own question from the
message, each ``validate_<slot>`` checks it (consent recorded, identity verified,
decision told). What is not an answer is left to the rules (actions/interruptions.py).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.interruptions import Expects, InterruptibleForm, confident_intent
from actions.resign import consent
from actions.resign.decision import say_locked, say_summary
from actions.resign.identity import date_in, read_nik
from actions.resign.services import conversation
from actions.resign.slots import (
    ALL_SLOTS,
    BIRTH_DATE,
    CONFIRM,
    CONSENT,
    KPJ,
    LOCKED,
    NIK,
    OUTCOME,
    REASON,
    forget_all,
    questions,
    values,
)
from actions.resign.verify import verify
from bot.core.texts import text as copy_text
from bot.parsing.lexicon import starts_with_no, starts_with_yes
from bot.resignation import nik as nik_rules
from bot.resignation.needs import mentions_bills

logger = logging.getLogger(__name__)

MAX_REASON = 300


def _asked(tracker: Tracker, slot: str) -> str | None:
    """The message text, when it answers the question for ``slot``."""
    if tracker.get_slot(REQUESTED_SLOT) != slot:
        return None
    return str(tracker.latest_message.get("text") or "").strip()


def yes_no(message: dict[str, Any], text: str) -> bool | None:
    """True, False, or None when the message is neither a yes nor a no.

    A pressed button sends ``/affirm`` or ``/deny`` and its number typed back is
    ``1`` or ``2``; otherwise the words decide, then the NLU.
    """
    lowered = text.lower()
    if lowered in ("/affirm", "1") or starts_with_yes(lowered):
        return True
    if lowered in ("/deny", "2") or starts_with_no(lowered):
        return False
    return {"affirm": True, "deny": False}.get(confident_intent(message) or "")


def _yes_no_answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, slot: str
) -> dict[str, Any]:
    """The yes or no to the question for ``slot``; asks again when it is neither."""
    text = _asked(tracker, slot)
    if text is None:
        return {}
    answer = yes_no(tracker.latest_message, text)
    if answer is None:
        dispatcher.utter_message(text=copy_text("yes_no_unclear"))
    return {slot: answer}


class ValidateResignForm(InterruptibleForm):
    """Reads each answer, verifies the identity, decides; Rasa asks the questions."""

    expects: ClassVar[dict[str, Expects]] = {
        CONSENT: Expects.CHOICE,
        NIK: Expects.NUMBER,
        BIRTH_DATE: Expects.NUMBER,
        REASON: Expects.FREE_TEXT,
        CONFIRM: Expects.CHOICE,
    }

    def name(self) -> str:
        return "validate_resign_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is None:
            # The form starts: nothing from an earlier attempt carries over. A
            # message with two needs ("mau berhenti, iurannya masih kepotong di
            # gopay") gets the bills answer first, then the form.
            if mentions_bills(str(tracker.latest_message.get("text") or "")):
                dispatcher.utter_message(response="utter_answer_stop_bill")
            dispatcher.utter_message(response="utter_resign_intro")
            tracker.slots.update(dict.fromkeys(ALL_SLOTS))
            first = await self.next_requested_slot(dispatcher, tracker, domain)
            return [*forget_all(), first]
        try:
            events: list[EventType] = await super().run(dispatcher, tracker, domain)
        except SQLAlchemyError:
            logger.exception("store unavailable in the resignation form")
            dispatcher.utter_message(response="utter_resign_not_saved")
            return [SlotSet(REQUESTED_SLOT, requested)]
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """No consent, no personal data; no verified identity, no reason."""
        return questions(values(tracker))

    # --- consent ------------------------------------------------------------------

    async def extract_resign_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _yes_no_answer(dispatcher, tracker, CONSENT)

    async def validate_resign_consent(
        self,
        value: bool | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value is None:
            return {CONSENT: None}
        key = conversation(tracker)
        until = await asyncio.to_thread(consent.record, key, domain, value)
        if value and until is not None:
            say_locked(dispatcher, until)
            return {CONSENT: True, OUTCOME: LOCKED}
        return {CONSENT: value}

    # --- identity -----------------------------------------------------------------

    async def extract_resign_nik(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _asked(tracker, NIK)
        if text is None:
            return {}
        found: dict[str, Any] = await asyncio.to_thread(read_nik, dispatcher, text)
        return found

    async def extract_resign_birth_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The date asked for, or one typed with the NIK (then read silently)."""
        with_nik = _asked(tracker, NIK)
        if with_nik is not None:
            born = date_in(with_nik) if tracker.get_slot(NIK) else None
            return {BIRTH_DATE: born.isoformat()} if isinstance(born, date) else {}
        text = _asked(tracker, BIRTH_DATE)
        if text is None:
            return {}
        found = date_in(text)
        if isinstance(found, nik_rules.IdentityError):
            dispatcher.utter_message(text=str(found))
            return {BIRTH_DATE: None}
        if found is None:
            dispatcher.utter_message(text=copy_text("identity_date_missing"))
            return {BIRTH_DATE: None}
        return {BIRTH_DATE: found.isoformat()}

    async def validate_resign_nik(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A new NIK is checked again against a date already given (a correction)."""
        known = tracker.get_slot(BIRTH_DATE)
        if value is None or BIRTH_DATE in tracker.slots_to_validate() or not known:
            return {NIK: value}  # verified with the date's own validation, or later
        return {NIK: value, **await self._verify(dispatcher, tracker, str(known))}

    async def extract_resign_kpj(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {}  # never asked: read with the NIK (extract_resign_nik)

    async def validate_resign_kpj(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {KPJ: value}

    async def validate_resign_birth_date(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        if value is None:
            return {BIRTH_DATE: None}
        return await self._verify(dispatcher, tracker, value)

    async def _verify(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, born: str
    ) -> dict[str, Any]:
        result: dict[str, Any] = await asyncio.to_thread(
            verify,
            dispatcher,
            conversation(tracker),
            values(tracker),
            date.fromisoformat(born),
        )
        return result

    # --- reason and confirmation ------------------------------------------------------

    async def extract_resign_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _asked(tracker, REASON)
        return {} if text is None else {REASON: " ".join(text.split())[:MAX_REASON]}

    async def validate_resign_reason(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A usable reason, then the summary the confirmation question is about."""
        if value is None or len(value) < 3 or value.startswith("/"):
            dispatcher.utter_message(text=copy_text("reason_too_short"))
            return {REASON: None}
        slots = {**values(tracker), REASON: value}
        await asyncio.to_thread(say_summary, dispatcher, slots)
        return {REASON: value}

    async def extract_resign_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _yes_no_answer(dispatcher, tracker, CONFIRM)

    async def validate_resign_confirm(
        self,
        value: bool | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {CONFIRM: value}
