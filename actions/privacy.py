""" "hapus data saya" (PRODUCT.md §8): say what goes and what stays, ask, delete.

The deletion itself is ``bot.retention.erase_conversation``: this conversation's
transcript, the numbers typed in it (identity tokens, revealable copies), shared
contacts; open tickets stay without the identity. The action then restarts the
conversation (Rasa's ``Restarted``), so no slot keeps an answer, and its last,
unshown message asks the gateway to delete the conversation's tracker events
once Rasa has saved the turn (an action cannot: Rasa writes the turn's events
after the action returns). The gateway records the confirmation as the first
message of what is left.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from bot.messaging.identity_tokens import TOKEN_PATTERN
from bot.retention import erase_conversation

logger = logging.getLogger(__name__)

OFFERED = "erase_offered"
# The gateway's marker (bot.gateway.dialogue.FORGET_CONVERSATION; actions may not
# import the gateway).
FORGET_CONVERSATION = "forget_conversation"
OFFER_ACTION = "action_erase_offer"


def tokens_in(events: list[dict[str, Any]]) -> set[str]:
    """Every identity token the conversation's messages and slots carried."""
    found: set[str] = set()
    for event in events:
        if event.get("event") == "user":
            found.update(TOKEN_PATTERN.findall(str(event.get("text") or "")))
        elif event.get("event") == "slot":
            found.update(TOKEN_PATTERN.findall(str(event.get("value") or "")))
    return found


def answers_the_offer(events: list[dict[str, Any]]) -> bool:
    """Whether the bot's last action before this message was the offer.

    A "ya" much later (the slot still set after a detour) must not delete anything.
    """
    seen_user = False
    for event in reversed(events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif seen_user and event.get("event") == "action":
            name = event.get("name")
            if name == "action_listen":
                continue
            return bool(name == OFFER_ACTION)
    return False


class ActionEraseOffer(Action):
    """What will be deleted and what is kept, and the question."""

    def name(self) -> str:
        return OFFER_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_erase_offer")
        return [SlotSet(OFFERED, True)]


class ActionEraseDeclined(Action):
    """No: nothing is deleted."""

    def name(self) -> str:
        return "action_erase_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_erase_declined")
        return [SlotSet(OFFERED, None)]


class ActionEraseData(Action):
    """Yes: delete, say what was done, restart the conversation."""

    def name(self) -> str:
        return "action_erase_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not answers_the_offer(tracker.events):
            dispatcher.utter_message(response="utter_menu")
            return [SlotSet(OFFERED, None)]
        try:
            report = await asyncio.to_thread(
                erase_conversation,
                runtime.database(),
                tracker.sender_id,
                tokens_in(tracker.events),
            )
        except SQLAlchemyError:
            logger.exception("could not erase a conversation's data")
            dispatcher.utter_message(response="utter_erase_failed")
            return [SlotSet(OFFERED, None)]
        logger.info("conversation data erased", extra={"erasure": report.as_json()})
        dispatcher.utter_message(response="utter_erase_done", messages=report.messages)
        if report.open_tickets_kept:
            dispatcher.utter_message(
                response="utter_erase_done_kept", count=report.open_tickets_kept
            )
        # Never shown: asks the gateway to delete this conversation's tracker
        # events once Rasa has saved this turn (bot/gateway/dialogue.py).
        dispatcher.utter_message(json_message={FORGET_CONVERSATION: True})
        return [SlotSet(OFFERED, None), Restarted()]
