"""Bot messages as ``sendMessage`` calls: inline keyboards within Telegram's limits."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.core.texts import text as copy_text
from bot.gateway.channels.rendering.common import (
    INDEX_CALLBACK_PREFIX,
    button_reference,
    shorten,
    split_text,
    with_numbered_options,
)
from bot.messaging.messages import BotMessage, Button

TEXT_LIMIT = 4096
CALLBACK_LIMIT = 64
BUTTON_TEXT_LIMIT = 64
# The "share my number" option (domain.yml, utter_ask_resign_contact): on Telegram a
# reply keyboard with ``request_contact``, the only way to share a verified number.
SHARE_CONTACT_PAYLOAD = '/inform{"possession":"contact"}'


@dataclass(frozen=True)
class TelegramMessage:
    """Arguments for one ``sendMessage`` call."""

    text: str
    reply_markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def callback_data(
    button: Button, index: int, keys: dict[str, str] | None = None
) -> str:
    """The payload itself when it fits Telegram's 64 bytes, else a short key.

    Without ``keys`` to collect the mapping, the option number stands in.
    """
    if keys is None:
        fits = button.payload and len(button.payload.encode("utf-8")) <= CALLBACK_LIMIT
        return button.payload if fits else f"{INDEX_CALLBACK_PREFIX}{index}"
    return button_reference(button.payload, CALLBACK_LIMIT, keys)


def render(
    message: BotMessage, keys: dict[str, str] | None = None
) -> list[TelegramMessage]:
    """``sendMessage`` calls for one bot message (several if it is too long).

    The inline keyboard goes on the last part, one button per row: wide buttons
    are easier to hit on a small screen. Keys for payloads over 64 bytes are added
    to ``keys``; the caller stores them before sending.
    """
    body = with_numbered_options(message).strip() or copy_text("choose_one")
    parts = split_text(body, TEXT_LIMIT)
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None
    if any(b.payload == SHARE_CONTACT_PAYLOAD for b in message.buttons):
        markup = ReplyKeyboardMarkup(
            [
                [
                    KeyboardButton(
                        shorten(b.title, BUTTON_TEXT_LIMIT),
                        request_contact=b.payload == SHARE_CONTACT_PAYLOAD,
                    )
                ]
                for b in message.buttons
            ],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    elif message.buttons:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        shorten(b.title, BUTTON_TEXT_LIMIT) or str(i),
                        callback_data=callback_data(b, i, keys),
                    )
                ]
                for i, b in enumerate(message.buttons, start=1)
            ]
        )
    return [
        TelegramMessage(text=part, reply_markup=markup if last else None)
        for last, part in ((i == len(parts) - 1, p) for i, p in enumerate(parts))
    ]
