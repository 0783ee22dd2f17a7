"""What a conversation really did, read from Rasa's tracker, against a story.

The tracker's events are cut at each participant message. A turn passes when Rasa
read the intent (and the annotated entities) the story names, ran exactly the
story's actions in order, and every slot the story lists was set after the same
action with the same value; an ``active_loop`` step must match the form that is
active at that point. Extra slots (a form's bookkeeping) are allowed: stories list
the ones they are about. Number tokens are fresh on every issue, so a token is
compared by the number behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.messaging.identity_tokens import TOKEN_PATTERN
from tests.e2e.story_file import ANY_VALUE, Step, Turn

# Actions Rasa runs around every turn; stories never write them.
IMPLICIT_ACTIONS = frozenset({"action_listen", "action_session_start"})

Resolve = Callable[[str], str | None]


@dataclass
class ActualTurn:
    """One participant message and the events that followed it."""

    text: str
    intent: str | None
    entities: list[dict[str, Any]]
    events: list[Step] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    loop_before: str | None = None


def _event_step(event: dict[str, Any]) -> Step | None:
    kind = event.get("event")
    if kind == "action" and event.get("name") not in IMPLICIT_ACTIONS:
        return Step("action", event.get("name"))
    if kind == "active_loop":
        return Step("loop", event.get("name"))
    if kind == "slot":
        return Step("slot", event.get("name"), event.get("value"))
    return None


def _bot_line(event: dict[str, Any]) -> str:
    metadata = event.get("metadata") or {}
    name = metadata.get("utter_action")
    first_line = (event.get("text") or "").strip().splitlines()[:1]
    return f"{name or '(text)'}: {first_line[0][:70] if first_line else ''}"


def turns_of(events: list[dict[str, Any]]) -> list[ActualTurn]:
    """The tracker's events cut at each participant message."""
    turns: list[ActualTurn] = []
    loop: str | None = None
    for event in events:
        if event.get("event") == "user":
            parsed = event.get("parse_data") or {}
            intent = (parsed.get("intent") or {}).get("name")
            entities = list(parsed.get("entities") or [])
            turns.append(ActualTurn(event.get("text") or "", intent, entities))
            turns[-1].loop_before = loop
            continue
        step = _event_step(event)
        if step is not None and step.kind == "loop":
            loop = step.name
        if not turns:
            continue
        if step is not None:
            turns[-1].events.append(step)
        elif event.get("event") == "bot":
            turns[-1].said.append(_bot_line(event))
    return turns


def _segments(steps: list[Step]) -> list[list[Step]]:
    """Non-action steps grouped by the action they follow (index 0: none yet)."""
    segments: list[list[Step]] = [[]]
    for step in steps:
        if step.kind == "action":
            segments.append([])
        else:
            segments[-1].append(step)
    return segments


def _same_value(expected: Any, actual: Any, resolve: Resolve) -> bool:
    if expected is ANY_VALUE:
        return actual is not None
    if isinstance(expected, str) and TOKEN_PATTERN.fullmatch(expected):
        if not isinstance(actual, str) or not TOKEN_PATTERN.fullmatch(actual):
            return False
        number = resolve(expected)
        return number is not None and number == resolve(actual)
    return bool(expected == actual)


def _loop_problem(
    where: str, expected: list[Step], visited: list[str | None]
) -> str | None:
    """The story's ``active_loop`` steps must be passed through in order, and the
    last one must be where the segment ends."""
    want = [step.name for step in expected if step.kind == "loop"]
    if not want:
        return None
    position = 0
    for state in visited:
        if position < len(want) and state == want[position]:
            position += 1
    if position == len(want) and visited[-1] == want[-1]:
        return None
    shown = " -> ".join(state or "null" for state in visited)
    return (
        f"{where}: active loop went {shown}, "
        f"the story says {' -> '.join(name or 'null' for name in want)}"
    )


def _segment_problems(
    index: int,
    expected: list[Step],
    actual: list[Step],
    loop_at_start: str | None,
    resolve: Resolve,
) -> tuple[list[str], str | None]:
    """Problems in one segment, and the active loop at its end."""
    where = "before any action" if index == 0 else f"after action {index}"
    visited = [loop_at_start] + [s.name for s in actual if s.kind == "loop"]
    problems = []
    if (problem := _loop_problem(where, expected, visited)) is not None:
        problems.append(problem)
    slots = [s for s in actual if s.kind == "slot"]
    for step in expected:
        if step.kind == "slot" and not any(
            s.name == step.name and _same_value(step.value, s.value, resolve)
            for s in slots
        ):
            got = [s.value for s in slots if s.name == step.name]
            problems.append(
                f"{where}: slot {step.name} should be set to {step.value!r}; "
                f"set to {got or 'nothing'}"
            )
    return problems, visited[-1]


def _entity_problems(expected: Turn, actual: ActualTurn) -> list[str]:
    problems = []
    for entity in expected.entities:
        values = [
            str(e.get("value"))
            for e in actual.entities
            if e.get("entity") == entity.entity
        ]
        if entity.value not in values:
            problems.append(
                f"entity {entity.entity} should be {entity.value!r}; "
                f"Rasa read {values or 'none'}"
            )
    return problems


def turn_problems(expected: Turn, actual: ActualTurn, resolve: Resolve) -> list[str]:
    """Everything in ``actual`` that contradicts ``expected`` (empty: it passed)."""
    problems: list[str] = []
    if expected.intent is not None and expected.intent != actual.intent:
        problems.append(
            f"intent should be {expected.intent}; Rasa read {actual.intent}"
        )
    problems += _entity_problems(expected, actual)
    want = [s.name for s in expected.steps if s.kind == "action"]
    got = [s.name for s in actual.events if s.kind == "action"]
    if want != got:
        problems.append(f"actions should be {want}; ran {got}")
        return problems
    loop = actual.loop_before
    pairs = zip(_segments(expected.steps), _segments(actual.events), strict=True)
    for index, (want_segment, got_segment) in enumerate(pairs):
        found, loop = _segment_problems(index, want_segment, got_segment, loop, resolve)
        problems += found
    return problems


def render_turn(expected: Turn, actual: ActualTurn | None) -> str:
    """The story's turn beside what happened, for a failure message."""
    lines = [f"  user: {expected.text!r}", "  the story says:"]
    lines.append(f"    intent: {expected.intent}")
    lines += [f"    {step.render()}" for step in expected.steps]
    lines.append("  what happened:")
    if actual is None:
        lines.append("    (no such turn in the tracker)")
        return "\n".join(lines)
    lines.append(f"    intent: {actual.intent}")
    lines += [f"    {step.render()}" for step in actual.events]
    lines += [f"    bot said {line}" for line in actual.said]
    return "\n".join(lines)
