"""How one bot message looks on each channel.

Buttons are always also written as numbered lines, because many participants do not
see or trust buttons: "2" typed back means the second option on every channel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.rasa_client import BotMessage, Button

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CALLBACK_LIMIT = 64
# A press on a button whose payload is too long for Telegram comes back as "#<n>".
INDEX_CALLBACK_PREFIX = "#"


def numbered_options(buttons: tuple[Button, ...]) -> str:
    """``1. Ya`` / ``2. Tidak``: one line per option."""
    return "\n".join(f"{i}. {b.title}" for i, b in enumerate(buttons, start=1))


def with_numbered_options(message: BotMessage) -> str:
    """The message text followed by its options as numbered lines."""
    if not message.buttons:
        return message.text
    options = numbered_options(message.buttons)
    return f"{message.text}\n\n{options}" if message.text else options


def choose_by_number(text: str, buttons: list[dict[str, str]] | None) -> str | None:
    """The payload of option ``text`` ("2", "2.", " 2 ") if it names one, else None."""
    if not buttons:
        return None
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text)
    if not match:
        return None
    index = int(match.group(1))
    if 1 <= index <= len(buttons):
        return buttons[index - 1]["payload"]
    return None


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` characters.

    Cuts at paragraph boundaries first, then lines, then spaces, so no sentence is
    broken unless a single word is longer than the limit.
    """
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def buttons_as_dicts(buttons: tuple[Button, ...]) -> list[dict[str, str]]:
    """Buttons in the JSON shape stored with messages and conversations."""
    return [{"title": b.title, "payload": b.payload} for b in buttons]


def webchat(message: BotMessage) -> dict[str, Any]:
    """The web chat's JSON for one message: text plus numbered buttons."""
    return {
        "text": message.text,
        "buttons": [
            {"number": i, "title": b.title, "payload": b.payload}
            for i, b in enumerate(message.buttons, start=1)
        ],
    }


@dataclass(frozen=True)
class TelegramMessage:
    """Arguments for one ``sendMessage`` call."""

    text: str
    reply_markup: InlineKeyboardMarkup | None


def telegram_callback_data(button: Button, index: int) -> str:
    """The payload itself when it fits Telegram's 64 bytes, else its option number."""
    if len(button.payload.encode("utf-8")) <= TELEGRAM_CALLBACK_LIMIT:
        return button.payload
    return f"{INDEX_CALLBACK_PREFIX}{index}"


def telegram(message: BotMessage) -> list[TelegramMessage]:
    """``sendMessage`` calls for one bot message (several if it is too long).

    The inline keyboard goes on the last part, one button per row: wide buttons
    are easier to hit on a small screen.
    """
    parts = split_text(with_numbered_options(message), TELEGRAM_TEXT_LIMIT)
    markup = None
    if message.buttons:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        b.title, callback_data=telegram_callback_data(b, i)
                    )
                ]
                for i, b in enumerate(message.buttons, start=1)
            ]
        )
    return [
        TelegramMessage(text=part, reply_markup=markup if last else None)
        for last, part in ((i == len(parts) - 1, p) for i, p in enumerate(parts))
    ]
