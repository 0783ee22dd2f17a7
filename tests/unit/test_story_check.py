"""The story runner (tests/e2e) fails a story that the conversation contradicts.

Hermetic: the tracker events are written here as Rasa's API returns them, so these
tests prove the comparison itself; ``make stories`` runs it against real servers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.story_file import (
    ExpectedEntity,
    StoryFormatError,
    load_stories,
    strip_annotations,
)
from tests.e2e.trace import turn_problems, turns_of

STORY = """
version: "3.1"
stories:
  - story: the third failure locks
    steps:
      - user: |
          niktok3fa9c01b2d 13-03-1971
        intent: inform
      - action: resign_form
      - slot_was_set:
          - resign_nik: niktok3fa9c01b2d
          - resign_outcome: LOCKED
      - active_loop: null
      - slot_was_set:
          - requested_slot: null
      - action: action_resign_finish
"""

NUMBERS = {
    "niktok3fa9c01b2d": "3309041203710003",
    "niktokaaaaaaaaaa": "3309041203710003",
}


def _user(text: str, intent: str, entities: list[Any] | None = None) -> dict[str, Any]:
    parsed = {"intent": {"name": intent}, "entities": entities or []}
    return {"event": "user", "text": text, "parse_data": parsed}


def _action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def _slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def _events(outcome: str | None, nik: str = "niktokaaaaaaaaaa") -> list[dict[str, Any]]:
    form = [_action("resign_form"), _slot("resign_nik", nik)]
    if outcome is not None:
        form.append(_slot("resign_outcome", outcome))
    return [
        _action("action_session_start"),
        _action("action_listen"),
        {"event": "active_loop", "name": "resign_form"},
        _user("niktok3fa9c01b2d 13-03-1971", "inform"),
        *form,
        {"event": "active_loop", "name": None},
        _slot("requested_slot", None),
        _action("action_resign_finish"),
        {"event": "bot", "text": "Verifikasi dikunci", "metadata": {}},
        _action("action_listen"),
    ]


@pytest.fixture
def story_dir(tmp_path: Path) -> Path:
    (tmp_path / "s.yml").write_text(STORY, encoding="utf-8")
    return tmp_path


def _problems(story_dir: Path, events: list[dict[str, Any]]) -> list[str]:
    story = load_stories(story_dir)[0]
    actual = turns_of(events)
    return turn_problems(story.turns[0], actual[0], NUMBERS.get)


def test_a_turn_that_does_what_the_story_says_passes(story_dir: Path) -> None:
    assert _problems(story_dir, _events("LOCKED")) == []


def test_a_slot_the_action_did_not_set_fails(story_dir: Path) -> None:
    problems = _problems(story_dir, _events(None))
    assert problems == [
        "after action 1: slot resign_outcome should be set to 'LOCKED'; set to nothing"
    ]


def test_a_token_for_another_number_fails(story_dir: Path) -> None:
    problems = _problems(story_dir, _events("LOCKED", nik="niktokbbbbbbbbbb"))
    assert len(problems) == 1
    assert "resign_nik" in problems[0]


def test_another_action_fails_with_both_sequences(story_dir: Path) -> None:
    events = _events("LOCKED")
    events[-3] = _action("action_resign_cancel")
    assert _problems(story_dir, events) == [
        "actions should be ['resign_form', 'action_resign_finish']; "
        "ran ['resign_form', 'action_resign_cancel']"
    ]


def test_a_form_still_active_fails(story_dir: Path) -> None:
    events = [
        e for e in _events("LOCKED") if e != {"event": "active_loop", "name": None}
    ]
    assert _problems(story_dir, events) == [
        "after action 1: active loop went resign_form, the story says null"
    ]


def test_another_intent_fails(story_dir: Path) -> None:
    events = _events("LOCKED")
    events[3] = _user("niktok3fa9c01b2d 13-03-1971", "nlu_fallback")
    assert _problems(story_dir, events)[0] == (
        "intent should be inform; Rasa read nlu_fallback"
    )


def test_annotations_are_removed_and_become_expected_entities() -> None:
    text, entities = strip_annotations(
        'alamat [boyolali]{"entity": "office", "value": "kcp_boyolali"} '
        "status [adu7k3mq9tz](reference) [solo](office:kc_surakarta)"
    )
    assert text == "alamat boyolali status adu7k3mq9tz solo"
    assert entities == [
        ExpectedEntity("office", "kcp_boyolali"),
        ExpectedEntity("reference", "adu7k3mq9tz"),
        ExpectedEntity("office", "kc_surakarta"),
    ]


def test_a_step_the_runner_cannot_check_is_refused(tmp_path: Path) -> None:
    (tmp_path / "s.yml").write_text(
        "stories:\n  - story: x\n    steps:\n      - user: hi\n"
        "      - or:\n          - intent: greet\n",
        encoding="utf-8",
    )
    with pytest.raises(StoryFormatError, match="cannot check"):
        load_stories(tmp_path)
