"""The web chat: a page for trying the bot locally and the JSON endpoints behind it.

Anyone who reaches the gateway may open the page and pick a session id, so the
limits count per caller address (an IPv6 caller per /64, which one household or
one attacker holds whole) and in total, in the store so they hold on every gateway:
rotating session ids does not escape them. A message over a limit is answered with
a notice and neither recorded nor sent to Rasa. The page asks for its session's new
messages (``GET /webchat/messages``), so a staff reply shows while it is open.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.core.limit_settings import WebChatSettings
from bot.core.texts import text as copy_text
from bot.gateway.channels.base import Channel, Incoming
from bot.gateway.channels.body import read_capped
from bot.gateway.channels.rendering import webchat as rendering
from bot.gateway.dialogue import Dialogue
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage, Button
from bot.messaging.outbound import Delivery, Outbound
from bot.store import ratelimit
from bot.store.db import Database
from bot.store.models import Message, utcnow

PAGE = Path(__file__).resolve().parents[1] / "web" / "webchat.html"
_SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_BODY_BYTES = 64 * 1024
# Messages one poll returns at most (the page asks again for the rest).
POLL_BATCH = 100
_GLOBAL_KEY = "webchat:*"
_CALLER_PREFIX = "webchat-ip:"


def caller_key(request: Request) -> str:
    """The rate-limit key of the caller: its address, an IPv6 one by its /64."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return _CALLER_PREFIX + host[:64]
    if address.version == 6:
        return _CALLER_PREFIX + str(ipaddress.ip_network(f"{address}/64", strict=False))
    return _CALLER_PREFIX + str(address)


def _error(message: str, status_code: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


def _session_of(value: object) -> str | None:
    return value if isinstance(value, str) and _SESSION.fullmatch(value) else None


class WebChatChannel(Channel):
    """Synchronous turns: the HTTP response carries the bot's messages.

    The page is not a provider that redelivers, so there is nothing to de-duplicate
    and a failure may surface as an error; the turn runs within the request.
    """

    name = "webchat"

    def __init__(
        self,
        dialogue: Dialogue,
        outbound: Outbound,
        db: Database,
        settings: WebChatSettings,
    ) -> None:
        super().__init__(dialogue, db)
        self._store = db
        self._settings = settings
        self._page = PAGE.read_text(encoding="utf-8")
        outbound.register("webchat", _delivered)

    async def page(self, _request: Request) -> Response:
        """``GET /``: the chat page."""
        return HTMLResponse(self._page)

    async def message(self, request: Request) -> Response:
        """``POST /webchat/messages``: ``{"session", "text", "button": bool}``."""
        body = await read_capped(request, MAX_BODY_BYTES)
        if body is None:
            return _error("message too large", 413)
        try:
            data = json.loads(body)
        except ValueError:
            return _error("malformed JSON", 400)
        if not isinstance(data, dict):
            return _error("expected a JSON object", 400)
        session, text = _session_of(data.get("session")), data.get("text")
        if session is None:
            return _error("session must be 8-64 of A-Z a-z 0-9 _ -", 400)
        if not isinstance(text, str) or not text.strip():
            return _error("text must be a non-empty string", 400)
        if not await asyncio.to_thread(self._within_limits, caller_key(request)):
            busy = BotMessage(text=copy_text("webchat_busy"))
            return JSONResponse({"messages": [rendering.render(busy)]}, 429)
        kind = "button" if data.get("button") is True else "text"
        inbound = await self.record(Incoming(session, text, kind))
        replies = await self._dialogue.respond(inbound)
        return JSONResponse({"messages": [rendering.render(r) for r in replies]})

    async def updates(self, request: Request) -> Response:
        """``GET /webchat/messages?session=&after=``: the session's newer messages.

        The page draws the whole conversation from it when it opens, then only the
        bot's and staff's messages (its own it has drawn as they were sent).
        """
        session = _session_of(request.query_params.get("session"))
        after = request.query_params.get("after", "0")
        if session is None or not after.isdigit():
            return _error("session and a numeric after are required", 400)
        key = ConversationKey(self.name, session)
        items = await asyncio.to_thread(self._messages_after, key, int(after))
        return JSONResponse({"messages": items})

    def _within_limits(self, caller: str) -> bool:
        """Count one message of ``caller`` and of everyone; both within limits?"""
        now = utcnow()
        with self._store.session() as session:
            own = ratelimit.count_message(
                session, caller, now, self._settings.per_ip_per_minute
            )
            if not own.allowed:
                return False
            everyone = ratelimit.count_message(
                session, _GLOBAL_KEY, now, self._settings.global_per_minute
            )
            return everyone.allowed

    def _messages_after(self, key: ConversationKey, after: int) -> list[dict[str, Any]]:
        with self._store.session() as session:
            found = conversations.find(session, key.sender_id)
            if found is None:
                return []
            earlier = list(
                session.scalars(
                    select(Message)
                    .where(Message.conversation_id == found.id)
                    .order_by(Message.id)
                )
            )
            titles = conversations.pressed_titles(earlier)
            newer = [m for m in earlier if m.id > after][:POLL_BATCH]
            return [_as_item(m, titles.get(m.id)) for m in newer]


def _as_item(message: Message, pressed: str | None) -> dict[str, Any]:
    """One transcript message as the page draws it (numbers stay masked)."""
    if message.direction == "in":
        # A press shows its title; a press nobody offered (the page's own opening
        # greeting) is not something the participant wrote, so it has no text.
        shown = pressed or ("" if message.kind == "button" else message.text)
        return {"id": message.id, "from": "participant", "text": shown, "buttons": []}
    buttons = tuple(
        Button(title=b.get("title", ""), payload=b.get("payload", ""))
        for b in message.buttons or []
    )
    drawn = rendering.render(BotMessage(text=message.text, buttons=buttons))
    return {"id": message.id, "from": "bot", **drawn}


async def _delivered(
    _key: ConversationKey, _message: BotMessage, _proactive: bool
) -> Delivery:
    # A turn's reply travels back in the HTTP response itself; a proactive message
    # (a staff reply) is recorded, and the open page fetches it with its next poll.
    return Delivery(status="sent")
