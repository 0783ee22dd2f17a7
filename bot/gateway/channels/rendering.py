"""How one bot message looks on each channel.

Buttons are always also written as numbered lines, because many participants do not
see or trust buttons: "2" typed back means the second option on every channel.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.texts import text as copy_text
from bot.messaging.messages import BotMessage, Button

TELEGRAM_TEXT_LIMIT = 4096
TELEGRAM_CALLBACK_LIMIT = 64
# A press on a button whose id cannot be its payload comes back as "#<n>" (the
# n-th option of the last question, resolved like a typed "n")...
INDEX_CALLBACK_PREFIX = "#"
# ... or, for a payload too long for the provider, as a short key that the store
# maps back to the payload (see bot/callback_keys.py).
KEY_CALLBACK_PREFIX = "k:"

# WhatsApp Business Cloud API limits (interactive messages and text).
WHATSAPP_TEXT_LIMIT = 4096
WHATSAPP_BODY_LIMIT = 1024
WHATSAPP_MAX_BUTTONS = 3
WHATSAPP_BUTTON_TITLE_LIMIT = 20
WHATSAPP_BUTTON_ID_LIMIT = 256
WHATSAPP_MAX_ROWS = 10
WHATSAPP_ROW_TITLE_LIMIT = 24
WHATSAPP_ROW_DESCRIPTION_LIMIT = 72
WHATSAPP_ROW_ID_LIMIT = 200
WHATSAPP_LIST_BUTTON_LIMIT = 20
# A template variable may not hold new lines, tabs or more than 4 spaces in a row.
WHATSAPP_TEMPLATE_PARAM_LIMIT = 900


def payload_key(payload: str) -> str:
    """A short, stable key for ``payload``: the same on every gateway, no race."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    code = base64.b32encode(digest).decode("ascii").rstrip("=").lower()
    return f"{KEY_CALLBACK_PREFIX}{code[:20]}"


def button_reference(payload: str, limit: int, keys: dict[str, str]) -> str:
    """``payload`` when it fits in ``limit`` bytes, else its key (added to ``keys``)."""
    if payload and len(payload.encode("utf-8")) <= limit:
        return payload
    key = payload_key(payload)
    keys[key] = payload
    return key


def shorten(title: str, limit: int) -> str:
    """``title`` cut at a word boundary to at most ``limit`` characters, with "…"."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def short_titles(buttons: tuple[Button, ...], limit: int) -> list[str]:
    """Titles within ``limit``, unique (providers refuse two equal titles)."""
    titles = [shorten(b.title, limit) for b in buttons]
    if len(set(titles)) == len(titles):
        return titles
    numbered = [
        shorten(f"{i}. {b.title}", limit) for i, b in enumerate(buttons, start=1)
    ]
    if len(set(numbered)) == len(numbered):
        return numbered
    return [copy_text("option_label", number=i) for i in range(1, len(buttons) + 1)]


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


def telegram_callback_data(
    button: Button, index: int, keys: dict[str, str] | None = None
) -> str:
    """The payload itself when it fits Telegram's 64 bytes, else a short key.

    Without ``keys`` to collect the mapping, the option number stands in.
    """
    if (
        button.payload
        and len(button.payload.encode("utf-8")) <= TELEGRAM_CALLBACK_LIMIT
    ):
        return button.payload
    if keys is None:
        return f"{INDEX_CALLBACK_PREFIX}{index}"
    return button_reference(button.payload, TELEGRAM_CALLBACK_LIMIT, keys)


def telegram(
    message: BotMessage, keys: dict[str, str] | None = None
) -> list[TelegramMessage]:
    """``sendMessage`` calls for one bot message (several if it is too long).

    The inline keyboard goes on the last part, one button per row: wide buttons
    are easier to hit on a small screen. Keys for payloads over 64 bytes are added
    to ``keys``; the caller stores them before sending.
    """
    body = with_numbered_options(message).strip() or copy_text("choose_one")
    parts = split_text(body, TELEGRAM_TEXT_LIMIT)
    markup = None
    if message.buttons:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        shorten(b.title, 64) or str(i),
                        callback_data=telegram_callback_data(b, i, keys),
                    )
                ]
                for i, b in enumerate(message.buttons, start=1)
            ]
        )
    return [
        TelegramMessage(text=part, reply_markup=markup if last else None)
        for last, part in ((i == len(parts) - 1, p) for i, p in enumerate(parts))
    ]


@dataclass
class WhatsAppRendering:
    """Graph API message bodies for one bot message, and the keys they use."""

    payloads: list[dict[str, Any]]
    keys: dict[str, str] = field(default_factory=dict)


def _wa_base(to: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}


def whatsapp_text(to: str, body: str) -> dict[str, Any]:
    """A plain text message (links are not previewed: they would add noise)."""
    return {**_wa_base(to), "type": "text", "text": {"body": body}}


def _wa_ids(buttons: tuple[Button, ...], limit: int, keys: dict[str, str]) -> list[str]:
    ids = [button_reference(b.payload, limit, keys) for b in buttons]
    if len(set(ids)) != len(ids):  # two options with one payload: number them
        ids = [f"{INDEX_CALLBACK_PREFIX}{i}" for i in range(1, len(ids) + 1)]
    return ids


def whatsapp(message: BotMessage, to: str) -> WhatsAppRendering:
    """Reply buttons for ≤ 3 options, a list for 4-10, numbered text beyond.

    The body always carries the options as numbered lines with their full titles,
    so a title shortened to fit a button loses nothing and typing "2" works. When
    the text is too long for an interactive body (1024), it goes first as plain
    text and the buttons follow under a short prompt.
    """
    keys: dict[str, str] = {}
    full = with_numbered_options(message).strip()
    count = len(message.buttons)
    if count == 0 or count > WHATSAPP_MAX_ROWS:
        parts = split_text(full or copy_text("choose_one"), WHATSAPP_TEXT_LIMIT)
        return WhatsAppRendering([whatsapp_text(to, part) for part in parts], keys)
    payloads: list[dict[str, Any]] = []
    body = full
    if len(body) > WHATSAPP_BODY_LIMIT:
        payloads.extend(
            whatsapp_text(to, part)
            for part in split_text(message.text.strip(), WHATSAPP_TEXT_LIMIT)
            if part
        )
        body = numbered_options(message.buttons)
        if len(body) > WHATSAPP_BODY_LIMIT:
            body = copy_text("choose_one")
    interactive: dict[str, Any]
    if count <= WHATSAPP_MAX_BUTTONS:
        ids = _wa_ids(message.buttons, WHATSAPP_BUTTON_ID_LIMIT, keys)
        titles = short_titles(message.buttons, WHATSAPP_BUTTON_TITLE_LIMIT)
        interactive = {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": i, "title": t}}
                    for i, t in zip(ids, titles, strict=True)
                ]
            },
        }
    else:
        ids = _wa_ids(message.buttons, WHATSAPP_ROW_ID_LIMIT, keys)
        titles = short_titles(message.buttons, WHATSAPP_ROW_TITLE_LIMIT)
        rows = []
        for row_id, title, button in zip(ids, titles, message.buttons, strict=True):
            row: dict[str, Any] = {"id": row_id, "title": title}
            if title != button.title:
                row["description"] = shorten(
                    button.title, WHATSAPP_ROW_DESCRIPTION_LIMIT
                )
            rows.append(row)
        interactive = {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": shorten(copy_text("list_button"), WHATSAPP_LIST_BUTTON_LIMIT),
                "sections": [{"rows": rows}],
            },
        }
    payloads.append({**_wa_base(to), "type": "interactive", "interactive": interactive})
    return WhatsAppRendering(payloads, keys)


def template_parameter(text: str) -> str:
    """``text`` as one template variable: one line, within the length limit."""
    flat = re.sub(r"\s+", " ", text).strip()
    return shorten(flat, WHATSAPP_TEMPLATE_PARAM_LIMIT) or "-"


def whatsapp_template(
    message: BotMessage, to: str, name: str, language: str
) -> dict[str, Any]:
    """The approved template that carries ``message`` outside the 24-hour window."""
    parameter = template_parameter(with_numbered_options(message))
    return {
        **_wa_base(to),
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": parameter}]}
            ],
        },
    }
