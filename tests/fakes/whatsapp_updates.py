"""WhatsApp Cloud API webhook payloads as Meta delivers them, and their signature."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any

_ids = itertools.count(1)


def wamid() -> str:
    """A fresh inbound message id."""
    return f"wamid.IN{next(_ids):012d}{int(time.time())}"


def envelope(phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
    """The ``whatsapp_business_account`` wrapper around one change."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def _inbound(
    phone_number_id: str, wa_id: str, content: dict[str, Any], message_id: str | None
) -> dict[str, Any]:
    message = {
        "from": wa_id,
        "id": message_id or wamid(),
        "timestamp": str(int(time.time())),
        **content,
    }
    value = {
        "contacts": [{"profile": {"name": "Peserta"}, "wa_id": wa_id}],
        "messages": [message],
    }
    return envelope(phone_number_id, value)


def text(
    phone_number_id: str, wa_id: str, body: str, message_id: str | None = None
) -> dict[str, Any]:
    """A participant typed ``body``."""
    return _inbound(
        phone_number_id, wa_id, {"type": "text", "text": {"body": body}}, message_id
    )


def button_reply(
    phone_number_id: str, wa_id: str, reply_id: str, title: str
) -> dict[str, Any]:
    """A participant pressed a reply button."""
    content = {
        "type": "interactive",
        "interactive": {
            "type": "button_reply",
            "button_reply": {"id": reply_id, "title": title},
        },
    }
    return _inbound(phone_number_id, wa_id, content, None)


def list_reply(
    phone_number_id: str, wa_id: str, row_id: str, title: str
) -> dict[str, Any]:
    """A participant chose a row of a list message."""
    content = {
        "type": "interactive",
        "interactive": {
            "type": "list_reply",
            "list_reply": {"id": row_id, "title": title, "description": ""},
        },
    }
    return _inbound(phone_number_id, wa_id, content, None)


def media(phone_number_id: str, wa_id: str, kind: str) -> dict[str, Any]:
    """An image, audio (voice note), video, document, sticker or location."""
    bodies: dict[str, dict[str, Any]] = {
        "image": {"mime_type": "image/jpeg", "sha256": "abc", "id": "1234"},
        "audio": {"mime_type": "audio/ogg; codecs=opus", "id": "2345", "voice": True},
        "video": {"mime_type": "video/mp4", "id": "3456"},
        "document": {
            "mime_type": "application/pdf",
            "id": "4567",
            "filename": "ktp.pdf",
        },
        "sticker": {"mime_type": "image/webp", "id": "5678", "animated": False},
        "location": {"latitude": -7.53, "longitude": 110.59, "name": "Boyolali"},
    }
    return _inbound(phone_number_id, wa_id, {"type": kind, kind: bodies[kind]}, None)


def status(
    phone_number_id: str,
    wamid_: str,
    state: str,
    wa_id: str,
    error_code: int | None = None,
) -> dict[str, Any]:
    """A delivery report (sent, delivered, read, failed) on a message we sent."""
    item: dict[str, Any] = {
        "id": wamid_,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": wa_id,
    }
    if error_code is not None:
        item["errors"] = [
            {"code": error_code, "title": "Message failed to send", "message": "failed"}
        ]
    return envelope(phone_number_id, {"statuses": [item]})


def signed(payload: dict[str, Any], app_secret: str) -> tuple[bytes, dict[str, str]]:
    """The raw body and the headers Meta sends with it."""
    body = json.dumps(payload).encode()
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": f"sha256={digest}",
    }
