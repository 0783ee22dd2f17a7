"""Client for Rasa's REST channel: one participant turn in, bot messages out."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.messaging.messages import BotMessage, Button

logger = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer, answered with an error, or answered nonsense."""


def parse_messages(body: Any) -> list[BotMessage]:
    """Turn the REST channel's JSON list into messages; reject anything else."""
    if not isinstance(body, list):
        raise RasaUnavailable(f"unexpected Rasa reply of type {type(body).__name__}")
    messages = []
    for item in body:
        if not isinstance(item, dict):
            raise RasaUnavailable("unexpected item in Rasa reply")
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        )
        custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
        text = str(item.get("text") or "")
        if text or buttons or custom:
            messages.append(BotMessage(text=text, buttons=buttons, custom=custom or {}))
    return messages


class RasaClient:
    """Talks to ``{rasa_url}/webhooks/rest/webhook`` with explicit timeouts."""

    def __init__(
        self,
        base_url: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
        token: str | None = None,
    ) -> None:
        # Rasa's REST channel refuses a message without the shared secret
        # (addons/channels.py), so no other local process can speak for anyone.
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds, connect=3.0),
            transport=transport,
        )

    async def send(
        self, sender_id: str, message: str, channel: str, metadata: dict[str, Any]
    ) -> list[BotMessage]:
        """Send one participant message; returns the bot's messages for this turn."""
        payload = {
            "sender": sender_id,
            "message": message,
            "input_channel": channel,
            "metadata": metadata,
        }
        try:
            response = await self._client.post("/webhooks/rest/webhook", json=payload)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"Rasa request failed: {exc!r}") from exc
        return parse_messages(body)

    async def is_up(self) -> bool:
        """Whether the Rasa server answers its status route."""
        try:
            response = await self._client.get("/", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
