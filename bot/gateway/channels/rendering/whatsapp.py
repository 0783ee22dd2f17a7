"""Bot messages as Graph API message bodies: reply buttons, lists, text, templates.

The limits are the WhatsApp Business Cloud API's for interactive messages and text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.core.texts import text as copy_text
from bot.gateway.channels.rendering.common import (
    INDEX_CALLBACK_PREFIX,
    button_reference,
    numbered_options,
    short_titles,
    shorten,
    split_text,
    with_numbered_options,
)
from bot.messaging.messages import BotMessage, Button

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
MAX_ROWS = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
ROW_ID_LIMIT = 200
LIST_BUTTON_LIMIT = 20
# A template variable may not hold new lines, tabs or more than 4 spaces in a row.
TEMPLATE_PARAM_LIMIT = 900


@dataclass
class WhatsAppRendering:
    """Graph API message bodies for one bot message, and the keys they use."""

    payloads: list[dict[str, Any]]
    keys: dict[str, str] = field(default_factory=dict)


def _base(to: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}


def text(to: str, body: str) -> dict[str, Any]:
    """A plain text message (links are not previewed: they would add noise)."""
    return {**_base(to), "type": "text", "text": {"body": body}}


def _ids(buttons: tuple[Button, ...], limit: int, keys: dict[str, str]) -> list[str]:
    ids = [button_reference(b.payload, limit, keys) for b in buttons]
    if len(set(ids)) != len(ids):  # two options with one payload: number them
        ids = [f"{INDEX_CALLBACK_PREFIX}{i}" for i in range(1, len(ids) + 1)]
    return ids


def _reply_buttons(
    buttons: tuple[Button, ...], body: str, keys: dict[str, str]
) -> dict[str, Any]:
    ids = _ids(buttons, BUTTON_ID_LIMIT, keys)
    titles = short_titles(buttons, BUTTON_TITLE_LIMIT)
    return {
        "type": "button",
        "body": {"text": body},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": i, "title": t}}
                for i, t in zip(ids, titles, strict=True)
            ]
        },
    }


def _list(
    buttons: tuple[Button, ...], body: str, keys: dict[str, str]
) -> dict[str, Any]:
    ids = _ids(buttons, ROW_ID_LIMIT, keys)
    titles = short_titles(buttons, ROW_TITLE_LIMIT)
    rows = []
    for row_id, title, button in zip(ids, titles, buttons, strict=True):
        row: dict[str, Any] = {"id": row_id, "title": title}
        if title != button.title:
            row["description"] = shorten(button.title, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    return {
        "type": "list",
        "body": {"text": body},
        "action": {
            "button": shorten(copy_text("list_button"), LIST_BUTTON_LIMIT),
            "sections": [{"rows": rows}],
        },
    }


def render(message: BotMessage, to: str) -> WhatsAppRendering:
    """Reply buttons for ≤ 3 options, a list for 4-10, numbered text beyond.

    The body always carries the options as numbered lines with their full titles,
    so a title shortened to fit a button loses nothing and typing "2" works. When
    the text is too long for an interactive body (1024), it goes first as plain
    text and the buttons follow under a short prompt.
    """
    keys: dict[str, str] = {}
    full = with_numbered_options(message).strip()
    count = len(message.buttons)
    if count == 0 or count > MAX_ROWS:
        parts = split_text(full or copy_text("choose_one"), TEXT_LIMIT)
        return WhatsAppRendering([text(to, part) for part in parts], keys)
    payloads: list[dict[str, Any]] = []
    body = full
    if len(body) > BODY_LIMIT:
        payloads.extend(
            text(to, part)
            for part in split_text(message.text.strip(), TEXT_LIMIT)
            if part
        )
        body = numbered_options(message.buttons)
        if len(body) > BODY_LIMIT:
            body = copy_text("choose_one")
    if count <= MAX_BUTTONS:
        interactive = _reply_buttons(message.buttons, body, keys)
    else:
        interactive = _list(message.buttons, body, keys)
    payloads.append({**_base(to), "type": "interactive", "interactive": interactive})
    return WhatsAppRendering(payloads, keys)


def numbered_fallback(
    message: BotMessage, to: str, *, text_sent: bool = False
) -> list[dict[str, Any]]:
    """The message as plain text with its options as numbered lines.

    What goes out when the Graph API refuses the buttons or the list (typing "2"
    still picks the second). With ``text_sent`` the text went ahead on its own
    and only the options are missing.
    """
    if text_sent:
        return [text(to, numbered_options(message.buttons))]
    parts = split_text(with_numbered_options(message).strip(), TEXT_LIMIT)
    return [text(to, part) for part in parts if part]


def template_parameter(value: str) -> str:
    """``value`` as one template variable: one line, within the length limit."""
    flat = re.sub(r"\s+", " ", value).strip()
    return shorten(flat, TEMPLATE_PARAM_LIMIT) or "-"


def template(message: BotMessage, to: str, name: str, language: str) -> dict[str, Any]:
    """The approved template that carries ``message`` outside the 24-hour window."""
    parameter = template_parameter(with_numbered_options(message))
    return {
        **_base(to),
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": parameter}]}
            ],
        },
    }
