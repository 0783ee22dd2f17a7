"""Correcting an earlier answer ("NIK saya salah", "salah ketik"): forget it, ask again.

The NLU tells a correction (intent ``correct_value``) and, when the message names
it, which answer (entity ``field``). Without a name, the answer given just before
the current question is the one corrected. A rule in stories/interruptions.yml runs
the form's correction action and then the form, which asks for what is missing now.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.ending import question_of
from bot.core.texts import text as copy_text

FIELD_ENTITY = "field"


def named_field(message: Mapping[str, Any]) -> str | None:
    """The answer the message names ("nik", "date", ...), if it names one."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == FIELD_ENTITY and entity.get("value"):
            return str(entity["value"]).lower()
    return None


def answer_to_correct(
    named: str | None,
    asked: Sequence[str],
    requested: str | None,
    filled: Callable[[str], bool],
) -> str | None:
    """The slot to ask again: the one named, else the answer before ``requested``."""
    if named is not None:
        return named
    earlier = list(asked[: asked.index(requested)] if requested in asked else asked)
    return next((slot for slot in reversed(earlier) if filled(slot)), None)


class CorrectAnswer(Action, ABC):
    """Says the answer will be fixed and forgets it; the form then asks again.

    ``fields`` maps the ``field`` entity's values to this form's slots.
    """

    fields: ClassVar[Mapping[str, str]] = {}

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""

    @abstractmethod
    async def correctable(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The form's questions that may be corrected, in the order they are asked."""

    @abstractmethod
    def forget(self, slot: str) -> dict[str, Any]:
        """The slots to empty when ``slot`` is corrected (what depends on it too)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        named = self.fields.get(named_field(tracker.latest_message) or "")
        slot = answer_to_correct(
            named,
            await self.correctable(dispatcher, tracker, domain),
            question_of(tracker.get_slot(REQUESTED_SLOT)),
            lambda name: tracker.get_slot(name) is not None,
        )
        dispatcher.utter_message(text=copy_text("correction_ack"))
        if slot is None:
            return []  # nothing answered yet: the form asks its question again
        return [SlotSet(name, value) for name, value in self.forget(slot).items()]
