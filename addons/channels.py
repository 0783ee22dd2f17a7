"""Rasa's REST channel for the gateway only: a message without its secret is refused.

Rasa's stock REST channel takes any ``sender`` from anyone who can reach the port,
so any local process could write into, or read the replies of, any participant's
conversation. This channel is the same REST channel (same URL,
``/webhooks/rest/webhook``) that first checks ``Authorization: Bearer <RASA_TOKEN>``,
the secret the gateway already holds for Rasa's HTTP API.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.exceptions import Unauthorized
from sanic.request import Request

SECRET_VARIABLE = "RASA_TOKEN"  # noqa: S105 (the variable's name, not a secret)


class GatewayRestInput(RestInput):
    """``rest`` with the gateway's secret checked on every message."""

    def __init__(self, secret: str) -> None:
        self._expected = f"Bearer {secret}".encode()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayRestInput:
        """The secret comes from the environment, never from credentials.yml."""
        secret = os.environ.get(SECRET_VARIABLE, "").strip()
        if not secret:
            raise ValueError(
                f"{SECRET_VARIABLE} is not set: the REST channel would accept "
                "messages from anyone"
            )
        return cls(secret)

    async def _extract_sender(self, req: Request) -> str | None:
        given = str(req.headers.get("authorization") or "").encode()
        if not hmac.compare_digest(given, self._expected):
            raise Unauthorized("the gateway's secret is required")  # type: ignore[no-untyped-call]
        sender: str | None = await super()._extract_sender(req)
        return sender
