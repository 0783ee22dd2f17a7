"""A fake Telegram Bot API on loopback that records calls and enforces real limits.

It speaks the documented wire format (https://core.telegram.org/bots/api): methods at
``/bot<token>/<method>``, parameters as form fields or JSON, answers
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description":
...}``. It refuses what the real API refuses, so a rendering bug fails a test:

- 401 for a wrong token;
- ``sendMessage``: empty text or text over 4096 characters; inline buttons without
  text, or with ``callback_data`` empty or over 64 bytes; a keyboard that is not a
  list of rows; 403 "bot was blocked by the user" for chats in ``blocked_chats``;
  429 with ``retry_after`` for the next calls after ``throttle``; a 5xx during an
  ``outage``; a connection cut mid-answer after ``drop_connections``;
- ``answerCallbackQuery``: only ids of presses the fake issued (``press``), once;
- ``getUpdates``: 409 while a webhook is set; long polling with ``timeout``;
  ``offset`` confirms updates;
- ``setWebhook``: a URL is required; ``secret_token`` 1-256 of A-Z a-z 0-9 _ -.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes import telegram_updates
from tests.fakes.provider import Call, FakeProvider, Fault, ProviderError

TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
SECRET_TOKEN_LIMIT = 256
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "BPU",
    "username": "bpu_test_bot",
}


class TelegramApiError(ProviderError):
    """A refusal, as the real Bot API words it (its code is the HTTP status)."""

    def __init__(
        self, code: int, description: str, retry_after: int | None = None
    ) -> None:
        super().__init__(code, description, status=code)
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _decode(value: Any) -> Any:
    """Form fields arrive as strings; objects inside them as JSON."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def validate_send_message(params: dict[str, Any]) -> None:
    """Raise what the Bot API answers to an invalid ``sendMessage``."""
    text = str(params.get("text", ""))
    if not text.strip():
        raise TelegramApiError(400, "Bad Request: message text is empty")
    if len(text) > TEXT_LIMIT:
        raise TelegramApiError(400, "Bad Request: message is too long")
    markup = params.get("reply_markup")
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise TelegramApiError(400, "Bad Request: can't parse reply keyboard markup")
    rows = markup.get("inline_keyboard", [])
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise TelegramApiError(
            400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise TelegramApiError(400, "Bad Request: text buttons are unallowed")
            data = button.get("callback_data")
            if data is None and not button.get("url"):
                raise TelegramApiError(
                    400, 'Bad Request: can\'t find field "callback_data"'
                )
            if data is not None and not (
                1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT
            ):
                raise TelegramApiError(400, "Bad Request: BUTTON_DATA_INVALID")


class FakeTelegramApi(FakeProvider[int]):
    """Records every call; ``texts_to(chat_id)`` shows what a participant saw."""

    def __init__(self, token: str) -> None:
        super().__init__(
            [Route("/bot{token}/{method}", self._handle, methods=["GET", "POST"])]
        )
        self.token = token
        self.blocked_chats: set[int] = set()
        self.pending_updates: list[dict[str, Any]] = []
        self.webhook_url = ""
        self._issued_queries: set[str] = set()
        self._answered_queries: set[str] = set()
        self._next_message_id = 1000

    # --- what tests do and read -------------------------------------------------------

    def press(self, chat_id: int, data: str) -> dict[str, Any]:
        """A button press update whose id the fake will accept once."""
        update = telegram_updates.button(chat_id, data)
        with self._lock:
            self._issued_queries.add(update["callback_query"]["id"])
        return update

    def queue_update(self, update: dict[str, Any]) -> None:
        """Make ``update`` available to ``getUpdates`` (polling mode)."""
        with self._lock:
            if "callback_query" in update:
                self._issued_queries.add(update["callback_query"]["id"])
            self.pending_updates.append(update)

    def throttle(self, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` sendMessage calls get a 429 asking to wait."""
        error = TelegramApiError(
            429, f"Too Many Requests: retry after {retry_after}", retry_after
        )
        self.inject(error, method="sendMessage", times=times)

    def outage(self, status: int = 502, times: int | None = None) -> Fault:
        """``sendMessage`` answers ``status`` (a 5xx) until ``lift`` (or ``times``)."""
        error = TelegramApiError(status, "Bad Gateway" if status == 502 else "Error")
        return self.inject(error, method="sendMessage", times=times)

    def texts_to(self, recipient: int) -> list[str]:
        """Texts of every accepted sendMessage to chat ``recipient``."""
        return [params["text"] for params in self.sent_messages(recipient)]

    def sent_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Parameters of every accepted sendMessage to ``chat_id``."""
        return [
            c.params
            for c in self.calls_to("sendMessage")
            if c.accepted and int(c.params["chat_id"]) == chat_id
        ]

    # --- the API ----------------------------------------------------------------------

    async def _handle(self, request: Request) -> Response:
        call = Call(request.path_params["method"], await self._params(request))
        return await self.answer(call, lambda c: self._dispatch(request, c))

    async def _dispatch(self, request: Request, call: Call) -> dict[str, Any]:
        if request.path_params["token"] != self.token:
            raise TelegramApiError(401, "Unauthorized")
        self.raise_injected(call)
        if call.method == "getUpdates":  # long polling: must not block the loop
            return {"ok": True, "result": await self._get_updates(call.params)}
        handler = getattr(self, f"_m_{call.method}", None)
        if handler is None:
            raise TelegramApiError(404, "Not Found")
        return {"ok": True, "result": handler(call.params)}

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
        secret = params.get("secret_token")
        if secret is not None:
            secret = str(secret)
            if not 1 <= len(secret) <= SECRET_TOKEN_LIMIT or not all(
                c.isalnum() or c in "_-" for c in secret
            ):
                raise TelegramApiError(
                    400, "Bad Request: secret token contains unallowed characters"
                )
        self.webhook_url = str(params["url"])
        return True

    def _m_deleteWebhook(self, _params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        # Held at most a second (an empty answer is legal at any time), so the fake
        # can stop quickly while a gateway is still polling.
        timeout = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self.pending_updates = [
                    u for u in self.pending_updates if u["update_id"] >= offset
                ]
                updates = list(self.pending_updates)
            if updates or time.monotonic() >= deadline:
                return updates
            await asyncio.sleep(0.05)

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        with self._lock:
            if (
                query_id not in self._issued_queries
                or query_id in self._answered_queries
            ):
                raise TelegramApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired "
                    "or query ID is invalid",
                )
            self._answered_queries.add(query_id)
        return True

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        if chat_id in self.blocked_chats:
            raise TelegramApiError(403, "Forbidden: bot was blocked by the user")
        validate_send_message(params)
        with self._lock:
            self._next_message_id += 1
            message_id = self._next_message_id
        return {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private"},
            "date": int(time.time()),
            "text": params["text"],
        }
