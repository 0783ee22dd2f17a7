"""Sending a one-time code through WhatsApp's authentication template.

WhatsApp Business allows a code to be sent outside the 24-hour window only as an
approved template of the AUTHENTICATION category: the code is the body's one
parameter and, for the "copy code" button, the parameter of the URL button at index
0. An SMS gateway can stand behind the same ``send_code`` (the ``CodeSender``
protocol in bot/resignation/codes.py); the feature does not know which one it has.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.core.crypto import normalise_phone

logger = logging.getLogger(__name__)


class CodeDeliveryError(RuntimeError):
    """The provider did not accept the code message."""


def authentication_template(
    phone: str, code: str, template_name: str, language: str
) -> dict[str, Any]:
    """The Cloud API's message for an authentication template carrying ``code``."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": normalise_phone(phone),
        "type": "template",
        "template": {
            "name": template_name,
            "language": {"code": language},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": code}]},
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": code}],
                },
            ],
        },
    }


class WhatsAppCodeSender:
    """``POST {api}/{phone_number_id}/messages`` with the authentication template."""

    def __init__(
        self,
        api_base_url: str,
        phone_number_id: str,
        access_token: str,
        template_name: str,
        language: str,
        *,
        timeout_seconds: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._template = template_name
        self._language = language
        self._url = f"{api_base_url.rstrip('/')}/{phone_number_id}/messages"
        self._client = httpx.Client(
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 3.0)),
            transport=transport,
        )

    def send_code(self, phone: str, code: str) -> None:
        """Send ``code``; ``CodeDeliveryError`` when WhatsApp does not take it."""
        payload = authentication_template(phone, code, self._template, self._language)
        try:
            response = self._client.post(self._url, json=payload)
        except httpx.HTTPError as exc:
            raise CodeDeliveryError(f"WhatsApp request failed: {exc!r}") from exc
        if response.status_code != 200:
            raise CodeDeliveryError(
                f"WhatsApp refused the code template: {response.status_code} "
                f"{response.text[:200]}"
            )

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()
