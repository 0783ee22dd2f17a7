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
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from bot.messaging.identity_tokens import TOKEN_PATTERN
from bot.parsing.lexicon import sounds_like_question

# Leaving the form: always taken as such, whatever the question.
LEAVING = frozenset({"cancel", "request_human"})
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
    }
)
MIN_CONFIDENCE = 0.6
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
    if pressed(message):
        return False
    intent = confident_intent(message)
    if intent in LEAVING:
        return True
    text = str(message.get("text") or "")
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
    """

    expects: ClassVar[Mapping[str, Expects]] = {}

    @abstractmethod
    def name(self) -> str:
        """The validation action's name, ``validate_<form>``."""

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        expects = self.expects.get(str(requested), Expects.FREE_TEXT)
        if requested is not None and interrupts(tracker.latest_message, expects):
            return []
        events: list[EventType] = await super().get_extraction_events(
            dispatcher, tracker, domain
        )
        return events


def answer_text(tracker: Tracker, slot: str) -> str | None:
    """The whole message, when it is the answer to the question for ``slot``.

    Intent payloads ("/affirm") are not free text; a form that takes them reads
    them itself.
    """
    text = str(tracker.latest_message.get("text") or "").strip()
    if tracker.get_slot(REQUESTED_SLOT) != slot or not text or text.startswith("/"):
        return None
    return text
