"""Handing the conversation to a person (PRODUCT.md §3.4).

The action opens the handoff in the store and says who answers and when. From then
on the gateway records the participant's messages without forwarding them to Rasa,
until staff hand the conversation back.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from bot.core.texts import long_date
from bot.handoff import handoffs
from bot.messaging.conversations import ConversationKey
from bot.store.models import utcnow

logger = logging.getLogger(__name__)

WHO_STAFF = "petugas Layanan Mandiri BPU"
WHO_SUPERVISOR = "supervisor kami"


def handoff_message(supervisor_only: bool) -> dict[str, Any]:
    """The response and its values: who answers, and when (staff hours, holidays)."""
    hours = runtime.staff_hours()
    now = utcnow()
    who = WHO_SUPERVISOR if supervisor_only else WHO_STAFF
    if hours.is_open(now):
        return {
            "response": "utter_handoff_in_hours",
            "who": who,
            "hours": hours.describe(),
        }
    opening = hours.next_opening(now)
    return {
        "response": "utter_handoff_out_of_hours",
        "who": who,
        "hours": hours.describe(),
        "next_open": f"{long_date(opening.date())} pukul {opening:%H.%M} WIB",
    }


def open_in_store(
    sender_id: str,
    reason: str,
    *,
    supervisor_only: bool = False,
    ticket_id: int | None = None,
) -> int:
    """Open (or reuse) the handoff; runs in a worker thread."""
    key = ConversationKey.from_sender_id(sender_id)
    with runtime.database().session() as session:
        handoff = handoffs.open_handoff(
            session,
            key,
            reason,
            supervisor_only=supervisor_only,
            ticket_id=ticket_id,
        )
        return handoff.id


async def hand_over(
    dispatcher: CollectingDispatcher, sender_id: str, reason: str
) -> None:
    """Open the handoff and say who answers and when, inside the current action.

    Actions that end in a handoff call this instead of a follow-up action, so the
    turn ends with their own rule and nothing is predicted after the handoff
    message (no fallback can follow it).
    """
    try:
        await asyncio.to_thread(open_in_store, sender_id, reason)
    except SQLAlchemyError:
        logger.exception("could not open a handoff")
        # Never a dead end: the contact centre still answers.
        dispatcher.utter_message(response="utter_human_contact_center")
        return
    dispatcher.utter_message(**handoff_message(supervisor_only=False))


class ActionHandoff(Action):
    """Opens a handoff for the reason in ``handoff_reason`` (default: they asked)."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reason = tracker.get_slot("handoff_reason") or handoffs.REASON_ASKED
        await hand_over(dispatcher, tracker.sender_id, str(reason))
        return [SlotSet("handoff_reason", None)]


class ActionHeirsHandoffReason(Action):
    """Marks the heirs' path, so a hand-off from it tells staff the participant died.

    Runs before the heirs' offer of a person: whether the family presses the button
    or asks in words, action_handoff then opens the case as "Peserta meninggal"
    instead of "Peserta minta petugas", and staff know they talk to the family.
    """

    def name(self) -> str:
        return "action_heirs_handoff_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet("handoff_reason", handoffs.REASON_DECEASED)]


class ActionClearResignOffer(Action):
    """The offer to stop online was answered: later yes/no mean something else."""

    def name(self) -> str:
        return "action_clear_resign_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet("resign_offered", None)]


class ActionClearHandoffOffer(Action):
    """The offer of a person was answered: later yes/no mean something else.

    The reason offered stays in ``handoff_reason`` for ``action_handoff``, which
    follows on a yes.
    """

    def name(self) -> str:
        return "action_clear_handoff_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SlotSet("handoff_offered", None)]
        if tracker.latest_message.get("intent", {}).get("name") != "affirm":
            events.append(SlotSet("handoff_reason", None))  # declined: no reason left
        return events
