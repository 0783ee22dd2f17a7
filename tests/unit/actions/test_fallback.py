"""The two-step fallback: two likeliest topics as buttons, then a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import (
    ActionClarify,
    clarify_buttons,
    previous_message_was_fallback,
)

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.5},
    {"name": "complain_service", "confidence": 0.41},
    {"name": "inform", "confidence": 0.3},  # no label: never offered
    {"name": "complain_office_refusal", "confidence": 0.2},
    {"name": "check_status", "confidence": 0.05},
]


def _user(intent: str) -> dict[str, Any]:
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def _tracker(events: list[dict[str, Any]], ranking: list[dict[str, Any]]) -> Tracker:
    latest = {"intent": {"name": "nlu_fallback"}, "intent_ranking": ranking}
    return Tracker("t", {}, latest, events, False, None, None, "action_listen")


async def _run(tracker: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, {})
    messages: list[dict[str, Any]] = dispatcher.messages
    return messages


def test_buttons_are_the_two_likeliest_labelled_topics() -> None:
    assert clarify_buttons(RANKING) == [
        {"title": "Keluhan layanan lain", "payload": "/complain_service"},
        {"title": "Lapor kantor menolak", "payload": "/complain_office_refusal"},
    ]


def test_a_person_pads_a_ranking_with_too_few_topics() -> None:
    buttons = clarify_buttons([{"name": "inform"}, {"name": "ask_jht_claim"}])
    assert [b["payload"] for b in buttons] == ["/ask_jht_claim", "/request_human"]


def test_previous_fallback_is_the_user_message_before_the_latest() -> None:
    assert previous_message_was_fallback([_user("nlu_fallback"), _user("nlu_fallback")])
    assert not previous_message_was_fallback([_user("greet"), _user("nlu_fallback")])
    assert not previous_message_was_fallback([_user("nlu_fallback")])


async def test_first_fallback_asks_with_two_buttons() -> None:
    messages = await _run(_tracker([_user("greet"), _user("nlu_fallback")], RANKING))
    assert len(messages) == 1
    assert messages[0]["response"] == "utter_clarify"
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/complain_service",
        "/complain_office_refusal",
    ]


async def test_second_fallback_in_a_row_offers_a_person() -> None:
    events = [_user("nlu_fallback"), {"event": "bot"}, _user("nlu_fallback")]
    messages = await _run(_tracker(events, RANKING))
    assert [m["response"] for m in messages] == ["utter_fallback_human"]


async def test_stopping_and_the_bills_in_one_unsure_message_get_both_answers() -> None:
    """The NLU split between two needs: no question back, both handled in turn."""
    latest = {
        "text": "saya mau berhenti jadi peserta bpu, iurannya masih kepotong di gopay",
        "intent": {"name": "nlu_fallback"},
        "intent_ranking": RANKING,
    }
    events = [_user("nlu_fallback"), {"event": "bot"}, _user("nlu_fallback")]
    tracker = Tracker("t", {}, latest, events, False, None, None, "action_listen")
    messages = await _run(tracker)
    assert [m["response"] for m in messages] == [
        "utter_answer_stop_bill",
        "utter_offer_resign_after_answer",
    ]


def test_every_topic_label_fits_a_button() -> None:
    from bot.core.texts import section

    labels = section("intent_labels")
    assert labels
    assert {k: v for k, v in labels.items() if len(v) > 20} == {}
