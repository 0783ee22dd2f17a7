"""The web chat's JSON for one bot message: the page draws the buttons itself."""

from __future__ import annotations

from typing import Any

from bot.messaging.messages import BotMessage


def render(message: BotMessage) -> dict[str, Any]:
    """Text plus numbered buttons (the page shows the numbers next to them)."""
    return {
        "text": message.text,
        "buttons": [
            {"number": i, "title": b.title, "payload": b.payload}
            for i, b in enumerate(message.buttons, start=1)
        ],
    }
