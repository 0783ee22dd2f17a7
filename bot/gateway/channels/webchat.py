"""The web chat: a page for trying the bot locally and a JSON endpoint behind it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.gateway.channels.base import Channel, Incoming
from bot.gateway.channels.rendering import webchat as rendering
from bot.gateway.dialogue import Dialogue
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound

PAGE = Path(__file__).resolve().parents[1] / "web" / "webchat.html"
_SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_BODY_BYTES = 64 * 1024


class WebChatChannel(Channel):
    """Synchronous turns: the HTTP response carries the bot's messages.

    The page is not a provider that redelivers, so there is nothing to de-duplicate
    and a failure may surface as an error; the turn runs within the request.
    """

    name = "webchat"

    def __init__(self, dialogue: Dialogue, outbound: Outbound) -> None:
        super().__init__(dialogue)
        self._page = PAGE.read_text(encoding="utf-8")
        outbound.register("webchat", _delivered)

    async def page(self, _request: Request) -> Response:
        """``GET /``: the chat page."""
        return HTMLResponse(self._page)

    async def message(self, request: Request) -> Response:
        """``POST /webchat/messages``: ``{"session", "text", "button": bool}``."""
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": "message too large"}, status_code=413)
        try:
            data = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "malformed JSON"}, status_code=400)
        if not isinstance(data, dict):
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        session, text = data.get("session"), data.get("text")
        if not isinstance(session, str) or not _SESSION.fullmatch(session):
            return JSONResponse(
                {"error": "session must be 8-64 of A-Z a-z 0-9 _ -"}, 400
            )
        if not isinstance(text, str) or not text.strip():
            return JSONResponse({"error": "text must be a non-empty string"}, 400)
        kind = "button" if data.get("button") is True else "text"
        inbound = await self.record(Incoming(session, text, kind))
        replies = await self._dialogue.respond(inbound)
        return JSONResponse({"messages": [rendering.render(r) for r in replies]})


async def _delivered(
    _key: ConversationKey, _message: BotMessage, proactive: bool
) -> Delivery:
    # A turn's reply travels back in the HTTP response itself. The page does not
    # poll, so a proactive message (a staff reply) waits in the transcript.
    return Delivery(status="pending" if proactive else "sent")
