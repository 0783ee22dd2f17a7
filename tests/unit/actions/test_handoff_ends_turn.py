"""A hand-off or its offer ends the turn: said inside the action, nothing follows.

A follow-up action after the form used to leave Rasa to predict what comes after the
hand-off message, and it predicted the fallback ("belum paham").
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.resign.filing import ActionResignFinish
from actions.resign.slots import CONSENT, LOCKED, OUTCOME, REGISTRY_DOWN


def _tracker(slots: dict[str, Any]) -> Tracker:
    return Tracker("telegram:42", slots, {}, [], False, None, None, "resign_form")


async def _finish(slots: dict[str, Any]) -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await ActionResignFinish().run(dispatcher, _tracker(slots), {})
    return events, dispatcher.messages


@pytest.mark.parametrize("outcome", [LOCKED, REGISTRY_DOWN])
async def test_a_lock_or_outage_offers_a_person_and_nothing_follows(
    outcome: str, opened: list[tuple[str, str]]
) -> None:
    events, messages = await _finish({CONSENT: True, OUTCOME: outcome})
    assert [m["response"] for m in messages] == ["utter_handoff_offer"]
    assert opened == []  # only offered: the participant may call 175 instead
    assert all(e["event"] == "slot" for e in events), events


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [("DECEASED", "deceased"), ("PENDING_CLAIM", "pending_claim")],
)
async def test_a_case_for_staff_is_handed_off_within_the_action(
    outcome: str, reason: str, opened: list[tuple[str, str]]
) -> None:
    events, messages = await _finish({CONSENT: True, OUTCOME: outcome})
    assert opened == [("telegram:42", reason)]
    assert [m["response"] for m in messages] == ["utter_handoff_in_hours"]
    assert all(e["event"] == "slot" for e in events), events


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [(LOCKED, "verification_locked"), (REGISTRY_DOWN, "registry_unavailable")],
)
async def test_the_offer_is_remembered_with_its_reason_for_a_typed_yes(
    outcome: str, reason: str, opened: list[tuple[str, str]]
) -> None:
    events, _messages = await _finish({CONSENT: True, OUTCOME: outcome})
    last = {e["name"]: e["value"] for e in events}
    assert last["handoff_offered"] is True
    assert last["handoff_reason"] == reason
    assert last[OUTCOME] is None  # the attempt itself is forgotten


def _answered(intent: str) -> Tracker:
    message = {"intent": {"name": intent, "confidence": 0.9}, "text": intent}
    slots = {"handoff_offered": True, "handoff_reason": "verification_locked"}
    return Tracker("telegram:42", slots, message, [], False, None, None, None)


async def test_yes_to_the_offer_keeps_the_reason_for_the_handoff() -> None:
    events = await handoff.ActionClearHandoffOffer().run(
        CollectingDispatcher(), _answered("affirm"), {}
    )
    assert events == [
        {"event": "slot", "timestamp": None, "name": "handoff_offered", "value": None}
    ]


async def test_no_to_the_offer_forgets_the_reason() -> None:
    events = await handoff.ActionClearHandoffOffer().run(
        CollectingDispatcher(), _answered("deny"), {}
    )
    assert {e["name"]: e["value"] for e in events} == {
        "handoff_offered": None,
        "handoff_reason": None,
    }


async def test_the_heirs_hand_off_tells_staff_the_participant_died(
    opened: list[tuple[str, str]],
) -> None:
    marked = await handoff.ActionHeirsHandoffReason().run(
        CollectingDispatcher(), _tracker({}), {}
    )
    assert marked == [
        {
            "event": "slot",
            "timestamp": None,
            "name": "handoff_reason",
            "value": "deceased",
        }
    ]
    dispatcher = CollectingDispatcher()
    events = await handoff.ActionHandoff().run(
        dispatcher, _tracker({"handoff_reason": marked[0]["value"]}), {}
    )
    assert opened == [("telegram:42", "deceased")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_in_hours"]
    # Used once: a later request for a person in the same chat is the participant's.
    assert events == [
        {"event": "slot", "timestamp": None, "name": "handoff_reason", "value": None}
    ]


async def test_a_person_asked_for_without_a_reason_is_what_the_participant_asked(
    opened: list[tuple[str, str]],
) -> None:
    await handoff.ActionHandoff().run(CollectingDispatcher(), _tracker({}), {})
    assert opened == [("telegram:42", "diminta_peserta")]
