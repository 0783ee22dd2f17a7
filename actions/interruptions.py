"""Whether a message in the middle of a form answers its question, or not.

One rule for every form. When the message is not an answer, the form's validation
action reads nothing from it, Rasa rejects the form for that turn, and a rule in
stories/interruptions.yml takes the message: it answers the question and asks the
form's question again, cancels, corrects an earlier answer, or hands over to a
person. A pressed button always answers.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import ending
from actions.handoff import hand_over
from bot.core.texts import text as copy_text
from bot.messaging.identity_tokens import TOKEN_PATTERN
from bot.parsing.lexicon import sounds_like_question

# Leaving the form: always taken as such, whatever the question ("hapus data
# saya" too: the answers being collected are among what it deletes).
LEAVING = frozenset({"cancel", "request_human", "delete_my_data"})
# "NIK saya salah": an earlier answer is to be asked again.
CORRECTION = "correct_value"
# Questions answered on the way (PRODUCT.md §3.3), then the form asks again.
QUESTIONS = frozenset(
    {
        "ask_stop_bill",
        "ask_jht_claim",
        "ask_requirements",
        "ask_contribution",
        "check_eligibility",
        # Issue 13's questions (stories/interruptions.yml answers them in every form).
        "ask_office_choice",
        "ask_protection_end",
        "ask_refund",
        "ask_rejoin",
        "ask_membership_status",
    }
)
MIN_CONFIDENCE = 0.6
# The hand-off reason when a form's question stayed unreadable after the offer.
REASON_UNREADABLE = "form_unreadable"
_DIGIT = re.compile(r"\d")
# A correction says so: without one of these words (or a named field), a free-text
# answer the NLU took for a correction is still the answer ("saya minta penjelasan
# tertulis" is what the participant wants, not "an earlier answer was wrong").
_CORRECTION_WORD = re.compile(
    r"\b(salah|keliru|ralat|koreksi|perbaik\w*|ganti|ubah|typo|lepat|kleru)\b",
    re.IGNORECASE,
)


class Expects(Enum):
    """What kind of answer a form's question takes."""

    # Buttons or yes/no: a question on another topic is not an answer.
    CHOICE = "choice"
    # A number or a date: digits answer it, whatever the NLU made of the words.
    NUMBER = "number"
    # The participant's own words: they answer unless they sound like a question
    # ("tagihan gopay terus jalan" is a reason, "tagihan gopay gimana?" is not).
    FREE_TEXT = "free_text"


def _intent(message: Mapping[str, Any]) -> str | None:
    """The intent the NLU gave ``message``, however sure it was."""
    name = (message.get("intent") or {}).get("name")
    return str(name) if name else None


def pressed(message: Mapping[str, Any]) -> bool:
    """Whether the message is a pressed button (or its number typed back)."""
    return bool((message.get("metadata") or {}).get("button"))


def confident_intent(message: Mapping[str, Any]) -> str | None:
    """The intent of ``message`` when the NLU is sure enough of it."""
    intent = message.get("intent") or {}
    if float(intent.get("confidence") or 0.0) < MIN_CONFIDENCE:
        return None
    name = intent.get("name")
    return str(name) if name else None


def says_correction(message: Mapping[str, Any]) -> bool:
    """Whether the message names a field or uses a word that corrects."""
    named = any(e.get("entity") == "field" for e in message.get("entities") or [])
    return named or bool(_CORRECTION_WORD.search(str(message.get("text") or "")))


def interrupts(message: Mapping[str, Any], expects: Expects) -> bool:
    """Whether ``message`` says something else than an answer to the question."""
    intent = confident_intent(message)
    text = str(message.get("text") or "")
    if text.startswith("/") and text[1:].split("{")[0] in LEAVING:
        return True  # "Bicara dengan petugas" or "Batal" pressed
    if pressed(message):
        return False
    if intent in LEAVING:
        return True
    if expects is Expects.NUMBER and (
        TOKEN_PATTERN.search(text) or _DIGIT.search(text)
    ):
        return False  # numbers answer a number question
    if intent == CORRECTION:
        return expects is not Expects.FREE_TEXT or says_correction(message)
    if intent not in QUESTIONS:
        return False
    if expects is Expects.FREE_TEXT:
        return sounds_like_question(text)
    return True


class InterruptibleForm(FormValidationAction):
    """A form's validation action that reads nothing from an interruption.

    ``expects`` says what each question takes; unnamed slots take free text.
    ``defaults`` names the optional questions and the safe values they take when
    skipped or left unreadable (actions/ending.py); every other question is required.
    """

    expects: ClassVar[Mapping[str, Expects]] = {}
    defaults: ClassVar[Mapping[str, Mapping[str, Any]]] = {}

    @abstractmethod
    def name(self) -> str:
        """The validation action's name, ``validate_<form>``."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asking = ending.Asking.parse(tracker.get_slot(REQUESTED_SLOT))
        # Every extractor compares requested_slot with its own slot name.
        tracker.slots[REQUESTED_SLOT] = asking.question
        question = asking.question
        text = str(tracker.latest_message.get("text") or "")
        # "lewati" on an optional question is its answer, whatever the NLU thinks.
        skipping = question in self.defaults and ending.is_skip(text)
        answering = question is not None and (
            skipping or not self.interrupted(question, tracker.latest_message)
        )
        if skipping:
            tracker.add_slots(_set(self.defaults[str(question)]))
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        return await self.next_question(
            ending.without_requested(events),
            asking if answering else ending.Asking(None),
            dispatcher,
            tracker,
            domain,
        )

    def interrupted(self, question: str, message: Mapping[str, Any]) -> bool:
        """Whether ``message`` says something else than an answer to ``question``.

        A form whose choices are words the NLU reads as other intents ("ubah" is
        also a correction) overrides this to take them as its answers.
        """
        return interrupts(message, self.expects.get(question, Expects.FREE_TEXT))

    async def next_question(
        self,
        events: list[EventType],
        answered: ending.Asking,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[EventType]:
        """The turn's events plus the one question asked next, and how it is asked."""
        missing = await self.missing(dispatcher, tracker, domain)
        question = answered.question
        asking = ending.Asking(missing)
        if question is not None and ending.unanswered(
            events, question, tracker.get_slot(question), missing
        ):
            if answered.stage is ending.Stage.ASKED:
                if not dispatcher.messages:
                    dispatcher.utter_message(text=copy_text("form_unreadable"))
                if not await self.ask_itself(
                    question, True, dispatcher, tracker, domain
                ):
                    self.ask_again(question, dispatcher, domain)
                asking = ending.Asking(question, ending.Stage.AGAIN)
            elif answered.stage is ending.Stage.PERSON and _intent(
                tracker.latest_message
            ) in ("affirm", "deny"):
                return await self.stop(dispatcher, tracker, domain)
            elif question in self.defaults:
                taken = _set(self.defaults[question])
                tracker.add_slots(taken)
                events.extend(taken)
                dispatcher.utter_message(text=copy_text("form_default_taken"))
                asking = ending.Asking(await self.missing(dispatcher, tracker, domain))
            else:
                dispatcher.utter_message(
                    text=copy_text("form_person_offer"),
                    buttons=ending.person_offer_buttons(),
                )
                asking = ending.Asking(question, ending.Stage.PERSON)
        if asking.stage is ending.Stage.ASKED and asking.question is not None:
            await self.ask_itself(asking.question, False, dispatcher, tracker, domain)
        return [*events, ending.requested(asking)]

    async def stop(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A yes or a no typed to the offer of a person: the form stops.

        People answer the offer in words, not only with its buttons: "ya"/"iya"
        hands over (it used to be read as one more unusable answer, and the offer
        came again and again), "tidak" stops the form. Either way the answers go,
        as with "batal", and nothing is said after: the follow-up
        ``action_listen`` ends the turn, so no rule that completes the form (and
        no fallback) runs. Any other answer is still tried as the answer, with the
        precise message and the offer again (a NIK typed wrong a fourth time is
        someone trying, not someone lost).
        """
        if _intent(tracker.latest_message) == "deny":
            dispatcher.utter_message(text=copy_text("form_stopped"))
        else:
            await hand_over(dispatcher, tracker.sender_id, REASON_UNREADABLE)
        return [
            *(SlotSet(slot, None) for slot in self.domain_slots(domain)),
            SlotSet(REQUESTED_SLOT, None),
            ActiveLoop(None),
            FollowupAction("action_listen"),
        ]

    async def missing(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> str | None:
        """The first question whose slot is still empty (None: the form is done)."""
        slots = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain
        )
        return next((s for s in slots if tracker.get_slot(s) is None), None)

    def ask_again(
        self, question: str, dispatcher: CollectingDispatcher, domain: DomainDict
    ) -> None:
        """The question a second time: its choices as buttons, and a way out."""
        buttons = ending.way_out_buttons(question in self.defaults)
        response = ending.ask_response(self.form_name(), question, domain)
        if response is None:  # no wording of its own: the way out alone
            dispatcher.utter_message(text=copy_text("form_unreadable"), buttons=buttons)
            return
        dispatcher.utter_message(response=response, buttons=buttons)

    async def ask_itself(
        self,
        question: str,
        again: bool,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> bool:
        """Say a question composed by code (a summary); False: Rasa's response asks."""
        return False

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested is not None and self.interrupted(
            str(requested), tracker.latest_message
        ):
            return []
        events: list[EventType] = await super().get_extraction_events(
            dispatcher, tracker, domain
        )
        return events


def _set(values: Mapping[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in values.items()]


def answer_text(tracker: Tracker, slot: str) -> str | None:
    """The whole message, when it is the answer to the question for ``slot``.

    Intent payloads ("/affirm") are not free text; a form that takes them reads
    them itself.
    """
    text = str(tracker.latest_message.get("text") or "").strip()
    if tracker.get_slot(REQUESTED_SLOT) != slot or not text or text.startswith("/"):
        return None
    return text
