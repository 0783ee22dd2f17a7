"""A fake Telegram Bot API on loopback that records calls and enforces real limits.

It speaks the documented wire format (https://core.telegram.org/bots/api): methods at
``/bot<token>/<method>``, parameters as form fields or JSON, answers
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description":
...}``. It refuses what the real API refuses, so a rendering bug fails a test.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "BPU",
    "username": "bpu_test_bot",
}


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class TelegramApiError(Exception):
    """A refusal, as the real Bot API words it."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _decode(value: Any) -> Any:
    """Form fields arrive as strings; objects inside them as JSON."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegramApi:
    """Records every call; ``sent_texts(chat_id)`` shows what a participant saw."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.blocked_chats: set[int] = set()
        self.pending_updates: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._next_message_id = 1000
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle, methods=["GET", "POST"])
            ]
        )

    # --- what tests read ------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one Bot API method, oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def sent_texts(self, chat_id: int) -> list[str]:
        """Texts of every accepted sendMessage to ``chat_id``."""
        return [
            c.params["text"]
            for c in self.calls_to("sendMessage")
            if int(c.params["chat_id"]) == chat_id and c.params.get("accepted")
        ]

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 30.0, what: str = ""
    ) -> None:
        """Poll until ``predicate()`` holds; else fail the test naming ``what``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what or predicate}")

    def wait_for_texts(
        self, chat_id: int, count: int, timeout: float = 30.0
    ) -> list[str]:
        """Wait until ``chat_id`` got at least ``count`` messages; return them all."""
        self.wait_for(
            lambda: len(self.sent_texts(chat_id)) >= count,
            timeout,
            f"{count} messages to chat {chat_id} (got {self.sent_texts(chat_id)})",
        )
        return self.sent_texts(chat_id)

    # --- the API ----------------------------------------------------------------------

    async def _handle(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await self._params(request)
        call = Call(method=method, params=params)
        with self._lock:
            self.calls.append(call)
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        try:
            result = handler(params)
        except TelegramApiError as exc:
            return _error(exc.code, exc.description)
        return JSONResponse({"ok": True, "result": result})

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
            return dict(body) if isinstance(body, dict) else {}
        form = await request.form()
        params = {key: _decode(value) for key, value in form.items()}
        params.update({k: _decode(v) for k, v in request.query_params.items()})
        return params

    def _m_getMe(self, _params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        if not params.get("url"):
            raise TelegramApiError(
                400, "Bad Request: bad webhook: URL must be provided"
            )
        secret = str(params.get("secret_token", ""))
        if len(secret) > 256 or not all(c.isalnum() or c in "_-" for c in secret):
            raise TelegramApiError(
                400, "Bad Request: secret token contains unallowed characters"
            )
        return True

    def _m_deleteWebhook(self, _params: dict[str, Any]) -> bool:
        return True

    def _m_getUpdates(self, _params: dict[str, Any]) -> list[dict[str, Any]]:
        with self._lock:
            updates, self.pending_updates = self.pending_updates, []
        return updates

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise TelegramApiError(
                400, "Bad Request: query is too old or query ID is invalid"
            )
        return True

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        text = str(params.get("text", ""))
        if chat_id in self.blocked_chats:
            raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
        if not text.strip():
            raise TelegramApiError(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise TelegramApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data")
                    if (
                        data is not None
                        and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT
                    ):
                        raise TelegramApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    if not button.get("text"):
                        raise TelegramApiError(
                            400, "Bad Request: text buttons are unallowed"
                        )
        params["accepted"] = True
        with self._lock:
            self._next_message_id += 1
            message_id = self._next_message_id
        return {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            "text": text,
        }


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error_code": code, "description": description}, status_code=code
    )
