"""The two-step fallback: ask once with the two likeliest topics, then offer a person.

A participant whose message was not understood should not be asked to "rephrase" in
a loop: the first time, the two topics the model found most likely come back as
buttons; if the next message is not understood either, a person is offered.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core.texts import intent_label
from bot.resignation.needs import mentions_bills, mentions_stopping

FALLBACK_INTENT = "nlu_fallback"
OPTIONS = 2
# When the ranking holds fewer than two topics worth offering, a person is.
PADDING_INTENT = "request_human"


def previous_message_was_fallback(events: list[dict[str, Any]]) -> bool:
    """Whether the user message before the latest one was not understood either."""
    user_messages = [e for e in events if e.get("event") == "user"]
    if len(user_messages) < 2:
        return False
    intent = (user_messages[-2].get("parse_data") or {}).get("intent") or {}
    return intent.get("name") == FALLBACK_INTENT


def clarify_buttons(ranking: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Buttons for the two likeliest topics that have a label, best first."""
    names: list[str] = []
    for entry in ranking:
        name = str(entry.get("name") or "")
        if name != FALLBACK_INTENT and intent_label(name) and name not in names:
            names.append(name)
        if len(names) == OPTIONS:
            break
    for padding in (PADDING_INTENT, "check_status"):
        if len(names) < OPTIONS and padding not in names:
            names.append(padding)
    return [{"title": str(intent_label(n)), "payload": f"/{n}"} for n in names]


class ActionClarify(Action):
    """First fallback: one question, two buttons. Second in a row: offer a person."""

    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        if mentions_bills(text) and mentions_stopping(text):
            # Two needs in one message split the NLU between the bills and stopping
            # ("mau berhenti, iurannya masih kepotong di gopay"): that is no message
            # to ask about again. Both are handled, as when the NLU reads the bills.
            dispatcher.utter_message(response="utter_answer_stop_bill")
            dispatcher.utter_message(response="utter_offer_resign_after_answer")
            return []
        if previous_message_was_fallback(list(tracker.events)):
            dispatcher.utter_message(response="utter_fallback_human")
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        if not ranking:
            # Nothing to offer (the dialogue model, not the NLU, was unsure).
            dispatcher.utter_message(response="utter_default")
            return []
        dispatcher.utter_message(
            response="utter_clarify", buttons=clarify_buttons(ranking)
        )
        return []
