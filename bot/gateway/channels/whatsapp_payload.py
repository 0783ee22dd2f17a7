"""Reading WhatsApp Cloud API webhooks: the signature, then messages and statuses.

Separate from the channel (whatsapp.py), which sends and answers: these are pure
functions of the request body.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar

from bot.gateway.channels.base import Incoming, media_label
from bot.store.models import utcnow

logger = logging.getLogger(__name__)

# Message types that carry media, and the kind of media each is (an audio message
# on WhatsApp is a voice note; "unsupported" and new types get the generic label).
MEDIA_KINDS = {
    "image": "photo",
    "audio": "voice",
    "voice": "voice",
    "video": "video",
    "document": "document",
    "sticker": "sticker",
    "location": "location",
    "contacts": "contact",
}
IGNORED_TYPES = {"reaction", "system", "ephemeral", "request_welcome"}


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
    # Bytes, not str: compare_digest refuses non-ASCII text (a forged header would
    # otherwise raise and answer 500 instead of 401).
    given = header.removeprefix("sha256=").lower().encode("utf-8", "replace")
    return hmac.compare_digest(given, expected.encode("ascii"))


def _timestamp(raw: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return utcnow()


def _message(item: dict[str, Any]) -> Incoming | None:
    kind = str(item.get("type", ""))
    wa_id, message_id = str(item.get("from", "")), str(item.get("id", ""))
    if not wa_id or not message_id or kind in IGNORED_TYPES:
        return None
    if kind == "text":
        body = (item.get("text") or {}).get("body")
        if isinstance(body, str) and body.strip():
            return Incoming(wa_id, body, "text", message_id)
        return None
    if kind == "interactive":
        interactive = item.get("interactive") or {}
        reply = interactive.get(interactive.get("type", "")) or {}
        if isinstance(reply, dict) and reply.get("id"):
            return Incoming(wa_id, str(reply["id"]), "button", message_id)
        return None
    if kind == "button":  # a quick-reply button of a template
        button = item.get("button") or {}
        text = button.get("text") or button.get("payload")
        if text:
            return Incoming(wa_id, str(text), "text", message_id)
        return None
    return Incoming(wa_id, media_label(MEDIA_KINDS.get(kind)), "media", message_id)


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
) -> tuple[list[Incoming], list[WaStatus]]:
    """Messages and statuses in a webhook payload for our phone number.

    Anything else (other numbers of the same business account, reactions, system
    notices, fields we do not subscribe to) is skipped.
    """
    messages: list[Incoming] = []
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
