"""One participant on either channel, so a conversation test runs on both.

``TelegramChat`` posts Bot API updates to the webhook, ``WhatsAppChat`` signed Cloud
API notifications; both read what the participant saw from the fake APIs. A turn
waits for a marker in the bot's replies (the last message of the turn), so every
step is bounded and nothing waits for silence.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from tests.fakes import telegram_updates as tg
from tests.fakes import whatsapp_updates as wa
from tests.fakes.gateway import WA_PHONE_ID, WA_SECRET

if TYPE_CHECKING:  # conftest imports this module for its ``chat`` fixture
    from tests.integration.conftest import Stack

TURN_TIMEOUT = 60.0


class Chat(Protocol):
    """A participant: types, presses buttons, reads what the bot sent."""

    channel: str

    def say(self, words: str, until: Until) -> list[str]:
        """Type ``words``; the bot's replies up to one containing ``until``."""

    def press(self, title: str, until: Until) -> list[str]:
        """Press the button titled ``title`` under the bot's last message."""

    def texts(self) -> list[str]:
        """Everything the participant saw, oldest first."""

    def buttons(self) -> list[str]:
        """The titles of the buttons under the bot's last message."""


Until = str | tuple[str, ...]


def wait_new(texts: Callable[[], list[str]], seen: int, until: Until) -> list[str]:
    """The messages after the first ``seen``, once one of them contains ``until``
    (or one of several markers)."""
    markers = (until,) if isinstance(until, str) else until
    deadline = time.monotonic() + TURN_TIMEOUT
    while not any(m in t for t in texts()[seen:] for m in markers):
        if time.monotonic() > deadline:
            raise AssertionError(f"no reply with {markers!r}: {texts()[seen:]}")
        time.sleep(0.05)
    return texts()[seen:]


def post_whatsapp(stack: Stack, payload: dict[str, Any]) -> httpx.Response:
    """A signed Cloud API notification; the participant's 24-hour window opens."""
    assert stack.whatsapp is not None
    for entry in payload["entry"]:
        for change in entry["changes"]:
            for message in change["value"].get("messages", []):
                stack.whatsapp.customer_wrote(message["from"])
    body, headers = wa.signed(payload, WA_SECRET)
    return httpx.post(
        f"{stack.gateway_url}/whatsapp/webhook",
        content=body,
        headers=headers,
        timeout=30,
    )


class TelegramChat:
    """A fresh Telegram private chat."""

    channel = "telegram"

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.chat_id = random.randint(10_000_000, 99_999_999)
        self.sender_id = f"telegram:{self.chat_id}"

    def _send(self, update: dict[str, Any], until: Until) -> list[str]:
        seen = len(self.texts())
        assert self.stack.post_update(update).status_code == 200
        return wait_new(self.texts, seen, until)

    def say(self, words: str, until: Until) -> list[str]:
        return self._send(tg.text(self.chat_id, words), until)

    def press(self, title: str, until: Until) -> list[str]:
        keyboard = self._keyboard()
        data = next((b["callback_data"] for b in keyboard if b["text"] == title), None)
        assert data is not None, f"no button {title!r} in {self.buttons()}"
        return self._send(self.stack.telegram.press(self.chat_id, data), until)

    def texts(self) -> list[str]:
        return self.stack.telegram.texts_to(self.chat_id)

    def buttons(self) -> list[str]:
        return [b["text"] for b in self._keyboard()]

    def _keyboard(self) -> list[dict[str, Any]]:
        sent = self.stack.telegram.sent_messages(self.chat_id)
        markup = (sent[-1].get("reply_markup") or {}) if sent else {}
        rows = markup.get("inline_keyboard") or []
        return [button for row in rows for button in row]


class WhatsAppChat:
    """A fresh WhatsApp number (not in the demo registry)."""

    channel = "whatsapp"

    def __init__(self, stack: Stack) -> None:
        assert stack.whatsapp is not None
        self.stack = stack
        self.api = stack.whatsapp
        self.wa_id = f"628{random.randint(10**9, 10**10 - 1)}"

    def _send(self, payload: dict[str, Any], until: Until) -> list[str]:
        seen = len(self.texts())
        assert post_whatsapp(self.stack, payload).status_code == 200
        return wait_new(self.texts, seen, until)

    def say(self, words: str, until: Until) -> list[str]:
        return self._send(wa.text(WA_PHONE_ID, self.wa_id, words), until)

    def press(self, title: str, until: Until) -> list[str]:
        kind, choices = self._choices()
        found = next((c for c in choices if c["title"] == title), None)
        assert found is not None, f"no button {title!r} in {self.buttons()}"
        if kind == "list":
            reply = wa.list_reply(WA_PHONE_ID, self.wa_id, found["id"], title)
        else:
            reply = wa.button_reply(WA_PHONE_ID, self.wa_id, found["id"], title)
        return self._send(reply, until)

    def texts(self) -> list[str]:
        return self.api.texts_to(self.wa_id)

    def buttons(self) -> list[str]:
        return [c["title"] for c in self._choices()[1]]

    def _choices(self) -> tuple[str, list[dict[str, Any]]]:
        """Reply buttons or list rows of the last message (``id`` and ``title``)."""
        sent = self.api.accepted_to(self.wa_id)
        interactive = (sent[-1].get("interactive") or {}) if sent else {}
        action = interactive.get("action") or {}
        if interactive.get("type") == "list":
            rows = [r for s in action.get("sections") or [] for r in s["rows"]]
            return "list", rows
        return "button", [b["reply"] for b in action.get("buttons") or []]


def open_chat(stack: Stack, channel: str) -> Chat:
    """A new participant on ``channel`` (``telegram`` or ``whatsapp``)."""
    if channel == "telegram":
        return TelegramChat(stack)
    return WhatsAppChat(stack)
