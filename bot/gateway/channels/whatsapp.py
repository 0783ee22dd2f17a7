"""WhatsApp Business Cloud API: verification, signed webhooks, sending, statuses.

Every ``POST`` is checked against ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw
body with the app secret, compared in constant time) before anything is parsed.
Once a request is authentic it is always acknowledged with 200: a failure is logged
and handled here, never answered with an error that makes Meta redeliver.
The Graph API is reached through ``WHATSAPP_API_BASE_URL`` so tests run a fake on
loopback.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from bot.core.settings import WhatsAppSettings
from bot.gateway import callback_keys
from bot.gateway.channels.rendering import (
    INDEX_CALLBACK_PREFIX,
    WHATSAPP_TEXT_LIMIT,
    numbered_options,
    split_text,
    whatsapp,
    whatsapp_template,
    whatsapp_text,
    with_numbered_options,
)
from bot.gateway.dialogue import EXPIRED, Dialogue, Inbound
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound, window_open
from bot.store.db import Database
from bot.store.models import utcnow

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_BODY_BYTES = 1024 * 1024
# Graph API error codes we act on.
RE_ENGAGEMENT_REQUIRED = 131047  # free-form message outside the 24-hour window
MEDIA_LABELS = {
    "image": "[foto]",
    "audio": "[pesan suara]",
    "voice": "[pesan suara]",
    "video": "[video]",
    "document": "[dokumen]",
    "sticker": "[stiker]",
    "location": "[lokasi]",
    "contacts": "[kontak]",
    "unsupported": "[pesan bukan teks]",
}
IGNORED_TYPES = {"reaction", "system", "ephemeral", "request_welcome"}


class GraphApiError(RuntimeError):
    """The Graph API refused a request (or could not be reached)."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class WaMessage:
    """One participant message from a webhook payload."""

    wa_id: str
    text: str
    kind: str  # "text", "button" or "media"
    provider_message_id: str


@dataclass(frozen=True)
class WaStatus:
    """One delivery report on a message we sent."""

    provider_message_id: str
    status: str  # sent, delivered, read, failed
    at: datetime
    error: str | None


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether ``header`` is ``sha256=<hex HMAC of body>`` under ``app_secret``."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").lower(), expected)


def _timestamp(raw: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return utcnow()


def _message(item: dict[str, Any]) -> WaMessage | None:
    kind = str(item.get("type", ""))
    wa_id, message_id = str(item.get("from", "")), str(item.get("id", ""))
    if not wa_id or not message_id or kind in IGNORED_TYPES:
        return None
    if kind == "text":
        body = (item.get("text") or {}).get("body")
        if isinstance(body, str) and body.strip():
            return WaMessage(wa_id, body, "text", message_id)
        return None
    if kind == "interactive":
        interactive = item.get("interactive") or {}
        reply = interactive.get(interactive.get("type", "")) or {}
        if isinstance(reply, dict) and reply.get("id"):
            return WaMessage(wa_id, str(reply["id"]), "button", message_id)
        return None
    if kind == "button":  # a quick-reply button of a template
        button = item.get("button") or {}
        text = button.get("text") or button.get("payload")
        if text:
            return WaMessage(wa_id, str(text), "text", message_id)
        return None
    return WaMessage(
        wa_id, MEDIA_LABELS.get(kind, "[pesan bukan teks]"), "media", message_id
    )


def _status(item: dict[str, Any]) -> WaStatus | None:
    message_id, status = item.get("id"), item.get("status")
    if not message_id or status not in ("sent", "delivered", "read", "failed"):
        return None
    error = None
    errors = item.get("errors") or []
    if errors and isinstance(errors[0], dict):
        first = errors[0]
        error = f"{first.get('code')}: {first.get('title') or first.get('message')}"
    return WaStatus(
        str(message_id), str(status), _timestamp(item.get("timestamp")), error
    )


def parse_payload(
    data: Any, phone_number_id: str
) -> tuple[list[WaMessage], list[WaStatus]]:
    """Messages and statuses in a webhook payload for our phone number.

    Anything else (other numbers of the same business account, reactions, system
    notices, fields we do not subscribe to) is skipped.
    """
    messages: list[WaMessage] = []
    statuses: list[WaStatus] = []
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        return messages, statuses
    for entry in data.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            value = change.get("value") or {}
            metadata = value.get("metadata") or {}
            if str(metadata.get("phone_number_id", "")) != phone_number_id:
                continue
            for item in value.get("messages") or []:
                if (parsed := _guarded(_message, item)) is not None:
                    messages.append(parsed)
            for item in value.get("statuses") or []:
                if (status := _guarded(_status, item)) is not None:
                    statuses.append(status)
    return messages, statuses


_T = TypeVar("_T")


def _guarded(parse: Callable[[dict[str, Any]], _T | None], item: Any) -> _T | None:
    """One odd item (a field of an unexpected shape) must not lose the others."""
    if not isinstance(item, dict):
        return None
    try:
        return parse(item)
    except (AttributeError, TypeError, ValueError):
        logger.warning("WhatsApp webhook item of an unexpected shape skipped")
        return None


class WhatsAppChannel:
    """Receives webhooks and sends the bot's messages through the Graph API."""

    def __init__(
        self,
        settings: WhatsAppSettings,
        dialogue: Dialogue,
        outbound: Outbound,
        db: Database,
    ) -> None:
        self.settings = settings
        self._dialogue = dialogue
        self._outbound = outbound
        self._db = db
        self._client = httpx.AsyncClient(
            base_url=settings.api_base_url,
            timeout=httpx.Timeout(10.0, connect=5.0),
            headers={"Authorization": f"Bearer {settings.access_token}"},
        )
        outbound.register("whatsapp", self.deliver)

    async def stop(self) -> None:
        """Close the HTTP client."""
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
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
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
        turns: list[tuple[WaMessage, Inbound]] = []
        for message in messages:
            try:
                inbound = await self._accept(message)
            except Exception:
                logger.exception(
                    "WhatsApp message %s could not be recorded",
                    message.provider_message_id,
                )
                continue
            if not inbound.duplicate:
                turns.append((message, inbound))
        if not turns:
            return JSONResponse({"ok": True})
        return JSONResponse(
            {"ok": True}, background=BackgroundTask(self._respond, turns)
        )

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

    async def _accept(self, message: WaMessage) -> Inbound:
        text, kind = message.text, message.kind
        if kind == "button":
            payload = await asyncio.to_thread(self._resolve_button, text)
            text, kind = (payload, kind) if payload is not None else (text, EXPIRED)
        return await self._dialogue.accept(
            ConversationKey("whatsapp", message.wa_id),
            text,
            kind=kind,
            provider_message_id=message.provider_message_id,
        )

    def _resolve_button(self, data: str) -> str | None:
        # "#2" is the second option of the last question: the same as typing "2".
        if data.startswith(INDEX_CALLBACK_PREFIX):
            return data.removeprefix(INDEX_CALLBACK_PREFIX)
        with self._db.session() as session:
            payload = callback_keys.resolve(session, data)
        if payload is None:
            logger.warning("unknown WhatsApp button id %r", data)
        return payload

    async def _respond(self, turns: list[tuple[WaMessage, Inbound]]) -> None:
        for message, inbound in turns:
            try:
                await self._dialogue.respond(inbound)
            except Exception:
                logger.exception(
                    "failed to answer WhatsApp message %s", message.provider_message_id
                )

    # --- outbound -----------------------------------------------------------------

    async def deliver(
        self, key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        """Send one bot message; a template when the 24-hour window is closed."""
        if proactive:
            last = await asyncio.to_thread(self._outbound.last_inbound_at, key)
            if not window_open(last):
                return await self._send_template(key, message)
        rendering = whatsapp(message, key.external_id)
        if rendering.keys:
            await asyncio.to_thread(self._remember_keys, rendering.keys)
        ids: list[str] = []
        try:
            for payload in rendering.payloads:
                try:
                    ids.append(await self._post(payload))
                except GraphApiError as exc:
                    if payload.get("type") != "interactive" or exc.code in (
                        RE_ENGAGEMENT_REQUIRED,
                        None,
                    ):
                        raise
                    # Refused buttons or list: the options as numbered text still
                    # work (typing "2" picks the second).
                    logger.warning(
                        "interactive message refused (%s); sent as text", exc
                    )
                    fallback = numbered_fallback(message, key.external_id)
                    if ids:  # the text went already: only the options are missing
                        options = numbered_options(message.buttons)
                        fallback = [whatsapp_text(key.external_id, options)]
                    for part in fallback:
                        ids.append(await self._post(part))
        except GraphApiError as exc:
            if exc.code == RE_ENGAGEMENT_REQUIRED and not ids:
                return await self._send_template(key, message)
            logger.warning("WhatsApp send to %s failed: %s", _masked(key), exc)
            return Delivery("failed", ",".join(ids) or None, error=str(exc))
        return Delivery("sent", ",".join(ids))

    async def _send_template(
        self, key: ConversationKey, message: BotMessage
    ) -> Delivery:
        name = self.settings.template_name
        if name is None:
            error = "24-hour window closed and WHATSAPP_TEMPLATE_NAME is not set"
            logger.warning("cannot reach %s: %s", _masked(key), error)
            return Delivery("failed", error=error, via_template=True)
        payload = whatsapp_template(
            message, key.external_id, name, self.settings.template_language
        )
        try:
            message_id = await self._post(payload)
        except GraphApiError as exc:
            logger.warning("WhatsApp template to %s failed: %s", _masked(key), exc)
            return Delivery("failed", error=str(exc), via_template=True)
        return Delivery("sent", message_id, via_template=True)

    def _remember_keys(self, keys: dict[str, str]) -> None:
        with self._db.session() as session:
            callback_keys.remember(session, keys)

    async def _post(self, payload: dict[str, Any]) -> str:
        path = f"/{self.settings.phone_number_id}/messages"
        try:
            response = await self._client.post(path, json=payload)
        except httpx.HTTPError as exc:
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
            )
        try:
            return str(body["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise GraphApiError(f"unexpected Graph API reply: {body!r}") from exc


def numbered_fallback(message: BotMessage, to: str) -> list[dict[str, Any]]:
    """The message as plain text with its options as numbered lines."""
    parts = split_text(with_numbered_options(message).strip(), WHATSAPP_TEXT_LIMIT)
    return [whatsapp_text(to, part) for part in parts if part]


def _masked(key: ConversationKey) -> str:
    """A phone number in logs shows its last four digits only."""
    return f"whatsapp:…{key.external_id[-4:]}"
