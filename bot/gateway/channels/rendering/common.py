"""What rendering does alike on every channel.

Buttons are always also written as numbered lines, because many participants do not
see or trust buttons: "2" typed back means the second option on every channel.
Titles too long for a provider's button are shortened here, and payloads too long
for its button id go by a stored key (see bot/gateway/callback_keys.py).
"""

from __future__ import annotations

import base64
import hashlib
import re

from bot.core.texts import text as copy_text
from bot.messaging.messages import BotMessage, Button

# A press on a button whose id cannot be its payload comes back as "#<n>" (the
# n-th option of the last question, resolved like a typed "n")...
INDEX_CALLBACK_PREFIX = "#"
# ... or, for a payload too long for the provider, as a short key that the store
# maps back to the payload (see bot/gateway/callback_keys.py).
KEY_CALLBACK_PREFIX = "k:"


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
