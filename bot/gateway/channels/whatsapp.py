"""WhatsApp Business Cloud API: verification, signed webhooks, sending, statuses.

Every ``POST`` is checked against ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw
body with the app secret, compared in constant time) before anything is parsed.
Once a request is authentic it is acknowledged with 200: a failure is logged and
handled here, never answered with an error that makes Meta redeliver, except when
the store cannot be reached (503: nothing was recorded, Meta delivers it again).
The Graph API is reached through ``WHATSAPP_API_BASE_URL`` so tests run a fake on
loopback.

A sender's number is not its conversation id: the conversation is keyed by a keyed
hash of the number (``whatsapp_key``), and the number is kept encrypted on the
conversation for delivery; staff see its last four digits.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.core.crypto import DataCipher
from bot.core.settings import WhatsAppSettings
from bot.gateway.channels.base import (
    Channel,
    Incoming,
    StoreUnavailable,
    store_unavailable,
)
from bot.gateway.channels.body import read_capped
from bot.gateway.channels.rendering import whatsapp as rendering
from bot.gateway.channels.whatsapp_payload import (
    WaStatus,
    parse_payload,
    signature_valid,
)
from bot.gateway.dialogue import Dialogue, Inbound
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound, window_open
from bot.store.db import Database

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY_BYTES = 1024 * 1024
# Graph API error codes we act on.
RE_ENGAGEMENT_REQUIRED = 131047  # free-form message outside the 24-hour window


# Graph API error codes that mean "too many requests": retried, like a 429.
THROTTLED_CODES = frozenset({4, 80007, 130429, 131048, 131056})


class GraphApiError(RuntimeError):
    """The Graph API refused a request (or could not be reached).

    ``status`` is the HTTP status (None: no answer at all); ``retry_after`` the
    seconds a ``Retry-After`` header asked for.
    """

    def __init__(
        self,
        message: str,
        code: int | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Worth retrying: no answer, a 5xx, a 429 or a throttling code."""
        return (
            self.status is None
            or self.status >= 500
            or self.status == 429
            or self.code in THROTTLED_CODES
        )


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    try:
        return max(float(raw), 0.0) if raw is not None else None
    except ValueError:
        return None


class WhatsAppChannel(Channel):
    """Receives webhooks and sends the bot's messages through the Graph API."""

    name = "whatsapp"

    def __init__(
        self,
        settings: WhatsAppSettings,
        dialogue: Dialogue,
        outbound: Outbound,
        db: Database,
        *,
        cipher: DataCipher,
    ) -> None:
        super().__init__(dialogue, db)
        self.settings = settings
        self._outbound = outbound
        self._database = db
        self._cipher = cipher
        # Senders whose number this process has seen kept (one write per number).
        self._addressed: set[str] = set()
        self._client = httpx.AsyncClient(
            base_url=settings.api_base_url,
            timeout=httpx.Timeout(10.0, connect=5.0),
            headers={"Authorization": f"Bearer {settings.access_token}"},
        )
        outbound.register("whatsapp", self.deliver)

    async def stop(self) -> None:
        """Finish the turns under way, then close the HTTP client."""
        await self.drain()
        await self._client.aclose()

    # --- inbound ------------------------------------------------------------------

    async def verify(self, request: Request) -> Response:
        """``GET /whatsapp/webhook``: Meta's subscription check."""
        params = request.query_params
        token = params.get("hub.verify_token", "")
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), self.settings.verify_token.encode()
        ):
            return PlainTextResponse(params.get("hub.challenge", ""))
        return PlainTextResponse("forbidden", status_code=403)

    async def webhook(self, request: Request) -> Response:
        """``POST /whatsapp/webhook``: authenticate, record, acknowledge, answer."""
        body = await read_capped(request, MAX_BODY_BYTES)
        if body is None:
            return JSONResponse({"error": "too large"}, status_code=413)
        header = request.headers.get(SIGNATURE_HEADER)
        if not signature_valid(body, header, self.settings.app_secret):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        # Authentic from here on: whatever happens, Meta gets its 200.
        try:
            data = json.loads(body)
            messages, statuses = parse_payload(data, self.settings.phone_number_id)
        except Exception:
            logger.warning("authentic WhatsApp webhook with a malformed body ignored")
            return JSONResponse({"ok": True})
        for status in statuses:
            try:
                await asyncio.to_thread(self._record_status, status)
            except Exception:
                logger.exception("WhatsApp status could not be recorded")
        try:
            turns = await self.accept(messages)
        except StoreUnavailable:
            return store_unavailable()
        self.answer(turns)
        return JSONResponse({"ok": True})

    def key_of(self, sender: str) -> ConversationKey:
        """The keyed hash of the number, which travels along as the address."""
        return conversations.whatsapp_key(self._cipher, sender)

    async def record(self, incoming: Incoming) -> Inbound:
        """Keep the number (encrypted) for delivery, then record as every channel."""
        key = self.key_of(incoming.sender)
        if key.external_id not in self._addressed:
            await asyncio.to_thread(self._remember_address, key)
            self._addressed.add(key.external_id)
        return await super().record(incoming)

    def _remember_address(self, key: ConversationKey) -> None:
        with self._database.session() as session:
            conversations.remember_address(session, self._cipher, key)

    def _address(self, key: ConversationKey) -> str | None:
        if key.address:
            return key.address
        with self._database.session() as session:
            return conversations.address_of(session, self._cipher, key.sender_id)

    def _record_status(self, status: WaStatus) -> None:
        known = self._outbound.record_status(
            "whatsapp",
            status.provider_message_id,
            status.status,
            status.at,
            status.error,
        )
        if not known:
            logger.info(
                "status for unknown WhatsApp message %s", status.provider_message_id
            )

    # --- outbound -----------------------------------------------------------------

    async def deliver(
        self, key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        """Send one bot message; a template when the 24-hour window is closed."""
        to = await asyncio.to_thread(self._address, key)
        if to is None:
            logger.warning("no number kept for %s", _masked(key))
            return Delivery("failed", error="no WhatsApp number kept for this sender")
        if proactive:
            last = await asyncio.to_thread(self._outbound.last_inbound_at, key)
            if not window_open(last):
                return await self._send_template(key, to, message)
        rendered = rendering.render(message, to)
        await self.remember_keys(rendered.keys)
        ids: list[str] = []
        try:
            for payload in rendered.payloads:
                try:
                    ids.append(await self._post(payload))
                except GraphApiError as exc:
                    if (
                        payload.get("type") != "interactive"
                        or exc.transient
                        or exc.code in (RE_ENGAGEMENT_REQUIRED, None)
                    ):
                        raise
                    # Refused buttons or list: the options as numbered text still
                    # work (typing "2" picks the second).
                    logger.warning(
                        "interactive message refused (%s); sent as text", exc
                    )
                    fallback = rendering.numbered_fallback(
                        message, to, text_sent=bool(ids)
                    )
                    for part in fallback:
                        ids.append(await self._post(part))
        except GraphApiError as exc:
            if exc.code == RE_ENGAGEMENT_REQUIRED and not ids:
                return await self._send_template(key, to, message)
            logger.warning("WhatsApp send to %s failed: %s", _masked(key), exc)
            return _failed(exc, ",".join(ids) or None)
        return Delivery("sent", ",".join(ids))

    async def _send_template(
        self, key: ConversationKey, to: str, message: BotMessage
    ) -> Delivery:
        name = self.settings.template_name
        if name is None:
            error = "24-hour window closed and WHATSAPP_TEMPLATE_NAME is not set"
            logger.warning("cannot reach %s: %s", _masked(key), error)
            return Delivery("failed", error=error, via_template=True)
        payload = rendering.template(message, to, name, self.settings.template_language)
        try:
            message_id = await self._post(payload)
        except GraphApiError as exc:
            logger.warning("WhatsApp template to %s failed: %s", _masked(key), exc)
            return _failed(exc, None, via_template=True)
        return Delivery("sent", message_id, via_template=True)

    async def _post(self, payload: dict[str, Any]) -> str:
        path = f"/{self.settings.phone_number_id}/messages"
        try:
            response = await self._client.post(path, json=payload)
        except httpx.HTTPError as exc:  # time-out, refused or dropped connection
            raise GraphApiError(f"Graph API unreachable: {exc!r}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400 or not isinstance(body, dict):
            error = body.get("error", {}) if isinstance(body, dict) else {}
            code = error.get("code") if isinstance(error, dict) else None
            text = error.get("message") if isinstance(error, dict) else None
            raise GraphApiError(
                f"Graph API {response.status_code} (code {code}): {text}",
                code if isinstance(code, int) else None,
                response.status_code,
                _retry_after(response),
            )
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise GraphApiError(f"unexpected Graph API reply: {body!r}") from exc


def _failed(
    exc: GraphApiError, sent_ids: str | None, *, via_template: bool = False
) -> Delivery:
    """A transient failure is retried by the outbox; any other is recorded."""
    status = "retry" if exc.transient else "failed"
    return Delivery(
        status,
        sent_ids,
        error=str(exc),
        via_template=via_template,
        retry_after=exc.retry_after,
    )


def _masked(key: ConversationKey) -> str:
    """A sender in logs: a few characters of its hash (the number never)."""
    return f"whatsapp:{key.external_id[:8]}…"
