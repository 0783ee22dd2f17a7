"""A stand-in for Rasa's REST channel, for gateway tests that are about channels.

It answers every message with ``"Bapak/Ibu menulis: <message>"``; a message found in
``scripted`` gets those replies instead. It records each request and checks that
no two turns of one sender ever overlap (the gateway's ordering promise).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class FakeRasa:
    """``POST /webhooks/rest/webhook`` and ``GET /``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.scripted: dict[str, list[dict[str, Any]]] = {}
        self.delay_seconds = 0.0
        self.overlaps: list[str] = []
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/", self._status, methods=["GET"]),
                Route("/webhooks/rest/webhook", self._webhook, methods=["POST"]),
            ]
        )

    def messages_from(self, sender: str) -> list[str]:
        """What the gateway forwarded for ``sender``, in order."""
        with self._lock:
            return [r["message"] for r in self.requests if r["sender"] == sender]

    async def _status(self, _request: Request) -> JSONResponse:
        return JSONResponse({"version": "fake"})

    async def _webhook(self, request: Request) -> JSONResponse:
        body = await request.json()
        sender = str(body["sender"])
        with self._lock:
            if sender in self._in_flight:
                self.overlaps.append(sender)
            self._in_flight.add(sender)
            self.requests.append(body)
        try:
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            message = str(body["message"])
            replies = self.scripted.get(message) or [
                {"recipient_id": sender, "text": f"Bapak/Ibu menulis: {message}"}
            ]
            return JSONResponse(replies)
        finally:
            with self._lock:
                self._in_flight.discard(sender)
