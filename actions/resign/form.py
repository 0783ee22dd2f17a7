"""The stop-participation form (PRODUCT.md §3.1): consent, identity, reason, confirm.

rasa_sdk's form validation: ``required_slots`` says which questions the answers so
far leave, each ``extract_<slot>`` reads the answer to its own question from the
message, each ``validate_<slot>`` checks it (consent recorded, identity verified,
decision told). What is not an answer is left to the rules (actions/interruptions.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import ending
from actions.interruptions import (
    Expects,
    InterruptibleForm,
    confident_intent,
    pressed,
)
from actions.resign import consent, verify
from actions.resign.decision import say_locked, say_summary
from actions.resign.identity import code_in, read_kpj, read_nik
from actions.resign.services import conversation
from actions.resign.slots import (
    ALL_SLOTS,
    CODE,
    CODE_ROUTE,
    CONFIRM,
    CONSENT,
    CONTACT,
    HELPER,
    KPJ,
    LOCKED,
    NIK,
    OUTCOME,
    POSSESSION,
    PROVEN,
    REASON,
    forget_all,
    questions,
    values,
)
from bot.core.texts import text as copy_text
from bot.parsing.lexicon import sounds_like_question, starts_with_no, starts_with_yes
from bot.resignation.helper import helps_parent, speaks_for_someone
from bot.resignation.needs import mentions_bills

logger = logging.getLogger(__name__)

MAX_REASON = 300
# A death reported by the family leaves the form for the heirs' path
# (stories/heirs.yml): the family is not the participant.
HEIRS = "report_death"
# The contact question was answered: what with is read from the store.
ANSWERED = "answered"


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
    if sounds_like_question(lowered):
        # "hmm gimana ya" is no consent, however sure the NLU is of an affirm.
        return None
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


def _say_helper(dispatcher: CollectingDispatcher, text: str) -> None:
    """Someone types for the participant: a parent's helper is addressed as such,
    then P7's message on where the code goes (utter_resign_helper)."""
    if helps_parent(text):
        dispatcher.utter_message(response="utter_resign_helper_parent")
    dispatcher.utter_message(response="utter_resign_helper")


class ValidateResignForm(InterruptibleForm):
    """Reads each answer, verifies the identity, decides; Rasa asks the questions."""

    expects: ClassVar[dict[str, Expects]] = {
        CONSENT: Expects.CHOICE,
        NIK: Expects.NUMBER,
        KPJ: Expects.NUMBER,
        CONTACT: Expects.CHOICE,
        CODE: Expects.NUMBER,
        REASON: Expects.FREE_TEXT,
        CONFIRM: Expects.CHOICE,
    }

    def name(self) -> str:
        return "validate_resign_form"

    def interrupted(self, question: str, message: Mapping[str, Any]) -> bool:
        """A death reported by the family is never an answer to this form."""
        if not pressed(message) and confident_intent(message) == HEIRS:
            return True
        return super().interrupted(question, message)

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
            helper = speaks_for_someone(str(tracker.latest_message.get("text") or ""))
            if helper:
                _say_helper(dispatcher, str(tracker.latest_message.get("text") or ""))
            first = await self.next_requested_slot(dispatcher, tracker, domain)
            return [*forget_all(), SlotSet(HELPER, True if helper else None), first]
        text = str(tracker.latest_message.get("text") or "")
        newly_helper = not tracker.get_slot(HELPER) and speaks_for_someone(text)
        if newly_helper:
            # "saya anaknya": the helper may type, but only the code sent to the
            # participant's own number proves possession (PRODUCT.md §3.1 step 3).
            _say_helper(dispatcher, text)
            tracker.slots[HELPER] = True
            if not any(ch.isdigit() for ch in text) and "tok" not in text:
                asked = await self.next_requested_slot(dispatcher, tracker, domain)
                return [SlotSet(HELPER, True), asked]
        try:
            events: list[EventType] = await super().run(dispatcher, tracker, domain)
            if newly_helper:
                events = [SlotSet(HELPER, True), *events]
        except SQLAlchemyError:
            logger.exception("store unavailable in the resignation form")
            dispatcher.utter_message(response="utter_resign_not_saved")
            return [SlotSet(REQUESTED_SLOT, requested)]
        return events

    async def next_question(
        self,
        events: list[EventType],
        answered: ending.Asking,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        """A wrong code keeps its question as it is: three tries, each told.

        Without this the form's ending (actions/ending.py) would take a wrong code for
        an unreadable answer: asked "again", then a person offered after two.
        """
        wrong = any(
            m.get("response") == "utter_resign_code_wrong" for m in dispatcher.messages
        )
        if wrong and answered.question == CODE:
            events = [e for e in events if e.get("name") != CODE]
            events.append(SlotSet(POSSESSION, CODE_ROUTE))
        return await super().next_question(
            events, answered, dispatcher, tracker, domain
        )

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
        found: dict[str, Any] = await asyncio.to_thread(
            read_nik, dispatcher, text, conversation(tracker).sender_id
        )
        return found

    async def validate_resign_nik(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """A new NIK with a KPJ already given (a correction) is verified again."""
        known = tracker.get_slot(KPJ)
        if value is None or KPJ in tracker.slots_to_validate() or not known:
            return {NIK: value}  # verified with the KPJ's own validation, or later
        return {NIK: value, **await self._start(dispatcher, tracker)}

    async def extract_resign_kpj(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _asked(tracker, KPJ)
        if text is None:
            return {}
        found: dict[str, Any] = await asyncio.to_thread(
            read_kpj, dispatcher, text, conversation(tracker).sender_id
        )
        return found

    async def validate_resign_kpj(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """NIK and KPJ both given: now the possession of the registered number."""
        if value is None or not tracker.get_slot(NIK):
            return {KPJ: value}
        return {KPJ: value, **await self._start(dispatcher, tracker)}

    async def _start(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        result: dict[str, Any] = await asyncio.to_thread(
            verify.start,
            dispatcher,
            conversation(tracker),
            values(tracker),
            helper=bool(tracker.get_slot(HELPER)),
        )
        return result

    # --- possession ---------------------------------------------------------------

    async def extract_resign_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Any answer to "share your number" is read: a contact, or the code instead."""
        text = _asked(tracker, CONTACT)
        return {} if text is None else {CONTACT: ANSWERED}

    async def validate_resign_contact(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """The contact the gateway recorded (only the sender's own counts), if any."""
        if value != ANSWERED:
            return {CONTACT: value}
        result: dict[str, Any] = await asyncio.to_thread(
            verify.contact, dispatcher, conversation(tracker), values(tracker)
        )
        return result

    async def extract_resign_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Six digits, typed with or without spaces; anything else is asked again."""
        text = _asked(tracker, CODE)
        if text is None:
            return {}
        typed = code_in(text)
        if typed is None:
            dispatcher.utter_message(text=copy_text("code_format"))
        return {CODE: typed}

    async def validate_resign_possession(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        return {POSSESSION: value}

    async def validate_resign_code(
        self,
        value: str | None,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """The typed code is checked here; only the outcome reaches the tracker."""
        if value is None or value == PROVEN:
            return {CODE: value}
        result: dict[str, Any] = await asyncio.to_thread(
            verify.check_code,
            dispatcher,
            conversation(tracker),
            values(tracker),
            value,
        )
        return {CODE: None, **result}

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
        await asyncio.to_thread(
            say_summary, dispatcher, slots, conversation(tracker).sender_id
        )
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
