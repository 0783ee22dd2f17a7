"""A timing reverse proxy for the profile: what one hop of a turn costs.

Put between the gateway and Rasa, and between Rasa and the action server, it records
when each request came in and when its answer went back (``time.monotonic()``), and
for the action server the action's name, so one turn can be cut into stages. Used for
the profile only: the measured runs go direct.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class Hop:
    """One request through the proxy."""

    path: str
    start: float
    end: float
    action: str | None  # the action server's ``next_action``


class TimingProxy:
    """Forwards every request to ``target`` and keeps a ``Hop`` for each."""

    def __init__(self, target: str) -> None:
        self.hops: list[Hop] = []
        self._client = httpx.AsyncClient(base_url=target, timeout=60.0)
        self.app = Starlette(
            routes=[Route("/{path:path}", self._forward, methods=["GET", "POST"])]
        )

    async def _forward(self, request: Request) -> Response:
        start = time.monotonic()
        body = await request.body()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("host", "content-length")
        }
        upstream = await self._client.request(
            request.method,
            request.url.path,
            params=request.query_params,
            content=body,
            headers=headers,
        )
        action = None
        if body and request.url.path.endswith("/webhook"):
            try:
                action = json.loads(body).get("next_action")
            except ValueError:
                action = None
        self.hops.append(Hop(request.url.path, start, time.monotonic(), action))
        return Response(
            upstream.content,
            status_code=upstream.status_code,
            media_type=upstream.headers.get("content-type"),
        )
