"""Every test story, end to end: Rasa reads each message, the actions really run.

``make stories`` runs this. Each story in ``tests/stories`` is played message by
message through Rasa's REST channel against the trained model and the live action
server; the tracker then has to show what the story says (``trace.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import StoryStack, gateway_sender
from tests.e2e.story_file import Story, load_stories
from tests.e2e.trace import render_turn, turn_problems, turns_of

STORIES = Path(__file__).resolve().parents[1] / "stories"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "story" in metafunc.fixturenames:
        stories = load_stories(STORIES)
        metafunc.parametrize("story", stories, ids=[s.test_id for s in stories])


def test_story(story: Story, story_stack: StoryStack, sender: str) -> None:
    if story.sender is not None:
        # One story per number (load_stories checks). A WhatsApp number becomes the
        # id the gateway gives it (a keyed hash), as the actions expect.
        sender = gateway_sender(story.sender)
    story_stack.bind(sender)
    for turn in story.turns:
        story_stack.send(sender, turn.text)
    actual = turns_of(story_stack.events(sender))
    for number, expected in enumerate(story.turns, start=1):
        got = actual[number - 1] if number <= len(actual) else None
        problems = (
            ["no such turn"]
            if got is None
            else turn_problems(expected, got, story_stack.resolve)
        )
        if problems:
            pytest.fail(
                f"{story.test_id}, message {number} of {len(story.turns)}:\n  - "
                + "\n  - ".join(problems)
                + "\n"
                + render_turn(expected, got),
                pytrace=False,
            )
