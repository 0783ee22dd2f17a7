"""Rasa test stories (``tests/stories/*.yml``) read as what a run must show.

Each story becomes turns: the participant's text as it is sent (entity
annotations removed), the intent and entities Rasa must read from it, and the
steps that must follow it — actions, active-loop changes and slots set — up to the
next participant message. Anything the runner cannot check (``or``,
``checkpoint``) is refused rather than skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Rasa's own annotation syntax: [text](entity), [text](entity:value), [text]{json}.
ENTITY_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)|\{(?P<json>[^}]+?)\})"
)


class AnySetValue:
    """A ``slot_was_set`` entry without a value: the slot got some non-null value."""

    def __repr__(self) -> str:
        return "<any value>"


ANY_VALUE = AnySetValue()


@dataclass(frozen=True)
class Step:
    """One expected event after a participant message.

    ``kind`` is ``action`` (``name`` is the action), ``loop`` (``name`` is the form
    or ``None``) or ``slot`` (``name`` and ``value``).
    """

    kind: str
    name: str | None
    value: Any = None

    def render(self) -> str:
        """The step as a story would write it, for diffs."""
        if self.kind == "slot":
            return f"slot_was_set: {self.name} = {self.value!r}"
        if self.kind == "loop":
            return f"active_loop: {self.name or 'null'}"
        return f"{self.kind}: {self.name}"


@dataclass(frozen=True)
class ExpectedEntity:
    """An entity annotated in the participant's text."""

    entity: str
    value: str


@dataclass
class Turn:
    """A participant message and what must follow it."""

    text: str
    intent: str | None
    entities: list[ExpectedEntity]
    steps: list[Step] = field(default_factory=list)


@dataclass
class Story:
    """A named test story: its turns, in order."""

    name: str
    path: Path
    turns: list[Turn]
    # ``metadata: {sender: whatsapp:62...}``: the story speaks from that WhatsApp
    # number (the registered one proves possession); otherwise a fresh REST sender.
    sender: str | None = None

    @property
    def test_id(self) -> str:
        """``file::story name``, what pytest shows."""
        return f"{self.path.name}::{self.name}"


class StoryFormatError(ValueError):
    """A story uses something the runner cannot check."""


def strip_annotations(text: str) -> tuple[str, list[ExpectedEntity]]:
    """The text the participant typed, and the entities annotated in it."""
    entities: list[ExpectedEntity] = []

    def plain(match: re.Match[str]) -> str:
        literal = match["text"]
        if match["json"] is not None:
            data = json.loads("{" + match["json"] + "}")
            value = str(data.get("value", literal))
            entities.append(ExpectedEntity(str(data["entity"]), value))
        else:
            value = match["value"] or literal
            entities.append(ExpectedEntity(match["entity"], value))
        return literal

    return ENTITY_ANNOTATION.sub(plain, text).strip(), entities


def _slot_steps(entries: list[Any]) -> list[Step]:
    steps = []
    for entry in entries:
        if isinstance(entry, str):
            steps.append(Step("slot", entry, ANY_VALUE))
            continue
        for name, value in entry.items():
            steps.append(Step("slot", str(name), value))
    return steps


def _step(raw: dict[str, Any], where: str) -> list[Step]:
    if "action" in raw:
        return [Step("action", str(raw["action"]))]
    if "active_loop" in raw:
        loop = raw["active_loop"]
        return [Step("loop", None if loop is None else str(loop))]
    if "slot_was_set" in raw:
        return _slot_steps(raw["slot_was_set"])
    raise StoryFormatError(f"{where}: cannot check the step {sorted(raw)}")


def _story(raw: dict[str, Any], path: Path) -> Story:
    name = str(raw["story"])
    where = f"{path.name}::{name}"
    turns: list[Turn] = []
    for raw_step in raw.get("steps") or []:
        if "user" in raw_step:
            text, entities = strip_annotations(str(raw_step["user"]))
            turns.append(Turn(text, raw_step.get("intent"), entities))
        elif "intent" in raw_step:
            raise StoryFormatError(f"{where}: an intent without the user's text")
        elif not turns:
            raise StoryFormatError(f"{where}: a step before the first user message")
        else:
            turns[-1].steps += _step(raw_step, where)
    if not turns:
        raise StoryFormatError(f"{where}: no user message")
    sender = (raw.get("metadata") or {}).get("sender")
    return Story(name, path, turns, str(sender) if sender else None)


def load_stories(folder: Path) -> list[Story]:
    """Every story of every ``*.yml`` file in ``folder``, in file order."""
    stories: list[Story] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        stories += [_story(raw, path) for raw in data.get("stories") or []]
    senders = [s.sender for s in stories if s.sender is not None]
    if len(senders) != len(set(senders)):
        # Rasa's tracker store keeps a sender's events: a second story from the same
        # number would read the first one's turns.
        raise StoryFormatError(f"two stories from the same sender: {sorted(senders)}")
    return stories
