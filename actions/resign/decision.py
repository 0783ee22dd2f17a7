"""Telling the eligibility decision (PRODUCT.md §4), with its rule id and sources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.resign.services import services, today
from actions.resign.slots import NIK, REASON
from bot.core.privacy import mask_value
from bot.core.workdays import JAKARTA
from bot.resignation.eligibility import Decision, Outcome
from bot.resignation.registry import ParticipantRecord, RegistryUnavailable
from bot.resignation.requests import channel_name, next_steps


def _sources(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)


def say_locked(dispatcher: CollectingDispatcher, until: datetime) -> None:
    """Verification is locked: until when, in Jakarta time."""
    dispatcher.utter_message(
        response="utter_resign_locked", until=f"{until.astimezone(JAKARTA):%H.%M}"
    )


def say_decision(
    dispatcher: CollectingDispatcher, record: ParticipantRecord, decision: Decision
) -> None:
    """The outcome and its route; for an eligible participant, the notes too."""
    jht = next_steps(record, today())
    values = {
        "name": record.full_name,
        "rule_id": decision.rule.id,
        "sources": _sources(decision.rule.sources),
        "employer": record.employer or "-",
        "status": record.status,
        "claim": record.pending_claim or "-",
        "jht_route": "\n".join(s for s in jht if "JHT" in s) or "-",
    }
    dispatcher.utter_message(response=decision.rule.message, **values)
    if decision.outcome is not Outcome.ELIGIBLE:
        return
    for note in decision.notes:
        dispatcher.utter_message(
            response=note.message,
            arrears=record.arrears_months,
            channel=channel_name(record.payment_channel),
            rule_id=note.id,
            sources=_sources(note.sources),
        )


def verified_record(slots: dict[str, Any]) -> ParticipantRecord | None:
    """The registry record behind the NIK token, looked up again."""
    digits = services().tokens.resolve(slots.get(NIK) or "")
    if digits is None:
        return None
    return services().registry.find(digits)


def say_summary(dispatcher: CollectingDispatcher, slots: dict[str, Any]) -> None:
    """Name, masked NIK and reason, before asking to send (nothing if unknown)."""
    try:
        record = verified_record(slots)
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
