"""What the bot says: a message with its buttons, as every channel receives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    """An option offered to the participant; ``payload`` is what Rasa gets back."""

    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One message of the bot's reply."""

    text: str
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] = field(default_factory=dict)


def buttons_as_dicts(buttons: tuple[Button, ...]) -> list[dict[str, str]]:
    """Buttons in the JSON shape stored with messages and conversations."""
    return [{"title": b.title, "payload": b.payload} for b in buttons]
