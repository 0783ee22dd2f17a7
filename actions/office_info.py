"""Where an office is and how to reach it, from the office directory.

The directory is bot/data/offices.yml, read by bot/parsing/offices.py. Only what it
marks as verified is stated; an unconfirmed address or any opening hours are not
(docs/domain-facts.md §6), and the participant is pointed to Contact Center 175 to
check before travelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from bot.parsing.offices import Directory, Office


def office_asked_about(
    directory: Directory, message: Mapping[str, Any]
) -> Office | None:
    """The office named in the message: the entity first, then the aliases in text."""
    entities = message.get("entities")
    if isinstance(entities, list):
        for entity in entities:
            if isinstance(entity, dict) and entity.get("entity") == "office":
                value = str(entity.get("value") or "")
                office = directory.get(value) or directory.match(value)
                if office is not None:
                    return office
    text = message.get("text")
    if isinstance(text, str) and not text.startswith("/"):
        return directory.match(text)
    return None


class ActionAnswerOfficeInfo(Action):
    """Answers an office's address, hours or contact; asks which office if unnamed."""

    def name(self) -> str:
        return "action_answer_office_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        office = office_asked_about(runtime.directory(), tracker.latest_message)
        if office is None:
            dispatcher.utter_message(response="utter_ask_info_office")
            return []
        if office.verified and office.address:
            dispatcher.utter_message(
                response="utter_office_info_address",
                office_name=office.name,
                city=office.city,
                address=office.address,
            )
        else:
            dispatcher.utter_message(
                response="utter_office_info_unconfirmed",
                office_name=office.name,
                city=office.city,
            )
        dispatcher.utter_message(response="utter_office_info_contact")
        return []
