"""Telling the eligibility decision (PRODUCT.md §4) in plain words, with its notes."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.resign.services import services, today
from actions.resign.slots import NIK, REASON
from bot.core.privacy import mask_value
from bot.core.workdays import JAKARTA
from bot.resignation.eligibility import Decision
from bot.resignation.registry import ParticipantRecord, RegistryUnavailable
from bot.resignation.requests import channel_name, jht_steps

logger = logging.getLogger(__name__)


def say_locked(dispatcher: CollectingDispatcher, until: datetime) -> None:
    """Verification is locked: until when, in Jakarta time."""
    dispatcher.utter_message(
        response="utter_resign_locked", until=f"{until.astimezone(JAKARTA):%H.%M}"
    )


def say_decision(
    dispatcher: CollectingDispatcher, record: ParticipantRecord, decision: Decision
) -> None:
    """The outcome in plain words, then the notes that apply to it.

    Rule ids and source ids are not for the participant: they are stored with the
    request (and logged for the other outcomes) and shown to staff.
    """
    logger.info(
        "eligibility %s by %s (rules %s)",
        decision.outcome.value,
        decision.rule.id,
        decision.version,
    )
    values = {
        "name": record.full_name,
        "employer": record.employer or "-",
        "status": record.status,
        "claim": record.pending_claim or "-",
        "jht_route": "\n".join(jht_steps(record, today(), inactive=True)),
    }
    dispatcher.utter_message(response=decision.rule.message, **values)
    for note in decision.notes:
        dispatcher.utter_message(
            response=note.message,
            arrears=record.arrears_months,
            channel=channel_name(record.payment_channel),
        )


def verified_record(slots: dict[str, Any], owner: str) -> ParticipantRecord | None:
    """The registry record behind ``owner``'s NIK token, looked up again."""
    digits = services().tokens.resolve(slots.get(NIK) or "", owner)
    if digits is None:
        return None
    return services().registry.find(digits)


def say_summary(
    dispatcher: CollectingDispatcher, slots: dict[str, Any], owner: str
) -> None:
    """Name, masked NIK and reason, before asking to send (nothing if unknown)."""
    try:
        record = verified_record(slots, owner)
    except RegistryUnavailable:
        record = None
    if record is None:
        return  # the question alone still makes sense
    dispatcher.utter_message(
        response="utter_resign_summary",
        name=record.full_name,
        nik_masked=mask_value(record.nik),
        reason=slots.get(REASON) or "-",
    )
