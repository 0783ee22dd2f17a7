"""What the bot said inside an action, which a story's steps cannot show.

A story lists actions and slots; a response an action says itself (the bills answer
at the resignation form's opening) is seen only in the tracker's bot events, by the
response's name. Same stack as the stories: Rasa parses the text, the actions run.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import StoryStack


def responses(events: list[dict[str, Any]]) -> list[str]:
    """The names of the responses the bot said, in order."""
    return [
        str((e.get("metadata") or {}).get("utter_action"))
        for e in events
        if e.get("event") == "bot"
    ]


def test_stopping_and_a_debited_contribution_get_both_answers_in_turn(
    story_stack: StoryStack, sender: str
) -> None:
    story_stack.bind(sender)
    story_stack.send(
        sender,
        "saya mau berhenti jadi peserta bpu, iurannya masih kepotong terus di gopay",
    )
    said = responses(story_stack.events(sender))
    # The bills first, then the way on to stopping: the form's first question when
    # the NLU reads the stopping, the offer to stop when it reads the bills.
    assert "utter_answer_stop_bill" in said, said
    after = said[said.index("utter_answer_stop_bill") + 1 :]
    ways_on = {"utter_ask_resign_consent", "utter_offer_resign_after_answer"}
    assert ways_on & set(after), said
    assert "utter_default" not in said


def test_the_bills_then_stopping_get_the_answer_and_the_way_on(
    story_stack: StoryStack, sender: str
) -> None:
    story_stack.bind(sender)
    story_stack.send(
        sender, "tagihan bpjs tk di gopay masih jalan terus padahal saya mau berhenti"
    )
    said = responses(story_stack.events(sender))
    assert said == ["utter_answer_stop_bill", "utter_offer_resign_after_answer"], said
