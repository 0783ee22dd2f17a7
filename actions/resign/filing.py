"""After the form: file the request, or say the other route, or offer a person."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import runtime
from actions.handoff import hand_over
from actions.resign.decision import say_decision, verified_record
from actions.resign.services import conversation, services, today
from actions.resign.slots import (
    CONFIRM,
    CONSENT,
    LOCKED,
    NO_POSSESSION,
    OUTCOME,
    REASON,
    REGISTRY_DOWN,
    forget_all,
    values,
)
from bot.core.texts import due_date
from bot.core.texts import text as copy_text
from bot.core.workdays import JAKARTA, jakarta_date
from bot.resignation.eligibility import Outcome
from bot.resignation.registry import RegistryUnavailable
from bot.resignation.requests import file_request, next_steps

logger = logging.getLogger(__name__)

# Outcomes the bot cannot finish: why the conversation goes to a person.
HANDOFF_REASONS = {
    LOCKED: "verification_locked",
    NO_POSSESSION: "no_possession",
    REGISTRY_DOWN: "registry_unavailable",
    Outcome.PENDING_CLAIM.value: "pending_claim",
    Outcome.DECEASED.value: "deceased",
    Outcome.NEEDS_STAFF.value: "needs_staff",
}
# Reasons the participant may rather settle another way: a person is offered only.
OFFER_ONLY = frozenset({"verification_locked", "registry_unavailable", "no_possession"})


async def to_a_person(
    dispatcher: CollectingDispatcher, sender_id: str, reason: str
) -> list[EventType]:
    """The one exit to a person, said within this action (nothing follows it).

    A pending claim or a deceased participant is a case only staff can finish
    (PRODUCT.md §4): the conversation goes to them with its reason. A locked
    verification or a registry outage gets an offer (§3.1): the participant may
    rather call 175 or try again later, and the lock must still hold if they do.
    A typed yes to the offer takes it (stories/general.yml): the events remember
    the offer and its reason.
    """
    if reason in OFFER_ONLY:
        logger.info("handoff offered: %s", reason)
        dispatcher.utter_message(response="utter_handoff_offer")
        return [SlotSet("handoff_offered", True), SlotSet("handoff_reason", reason)]
    logger.info("handing off: %s", reason)
    await hand_over(dispatcher, sender_id, reason)
    return []


class ActionResignFinish(Action):
    """Files the request of an eligible, confirmed participant; ends every other way."""

    def name(self) -> str:
        return "action_resign_finish"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = values(tracker)
        if slots[CONSENT] is False:
            dispatcher.utter_message(response="utter_resign_no_consent")
            return forget_all()
        outcome = slots[OUTCOME]
        if outcome in HANDOFF_REASONS:
            reason = HANDOFF_REASONS[outcome]
            offer = await to_a_person(dispatcher, tracker.sender_id, reason)
            return [*forget_all(), *offer]
        if outcome != Outcome.ELIGIBLE.value:
            return forget_all()  # the outcome and its route were said at the decision
        if slots[CONFIRM] is not True:
            dispatcher.utter_message(response="utter_resign_not_sent")
            return forget_all()
        try:
            return await asyncio.to_thread(_file, dispatcher, tracker, slots)
        except (SQLAlchemyError, RegistryUnavailable):
            logger.exception("could not file a resignation request")
            dispatcher.utter_message(response="utter_resign_not_saved")
            return []


def _file(
    dispatcher: CollectingDispatcher, tracker: Tracker, slots: dict[str, Any]
) -> list[EventType]:
    """Decide again on the record as it is now, then file and tell the reference."""
    record = verified_record(slots, conversation(tracker).sender_id)
    if record is None:
        dispatcher.utter_message(text=copy_text("identity_token_expired"))
        return forget_all()
    decision = services().rules.decide(record, today())
    if decision.outcome is not Outcome.ELIGIBLE:
        # The record changed since the check: say the new decision instead.
        say_decision(dispatcher, record, decision)
        return forget_all()
    with runtime.database().session() as session:
        ticket = file_request(
            session,
            conversation(tracker),
            record,
            decision,
            str(slots[REASON]),
            services().cipher,
            services().calendar,
            runtime.settings().resignation_processing_working_days,
        )
        reference, due = ticket.reference, ticket.resolution_due
    dispatcher.utter_message(
        response="utter_resign_filed",
        reference=reference,
        due=due_date(due),
        steps="\n".join(
            next_steps(record, jakarta_date(datetime.now(JAKARTA)), str(slots[REASON]))
        ),
    )
    return forget_all()
