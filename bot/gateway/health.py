"""``GET /healthz``: which of the gateway's dependencies answer, checked at once.

The store decides the status code: without it the gateway cannot record and
acknowledge a message, so a load balancer must stop sending it any (503). Rasa, the
action server and Redis (when configured) are reported too; while one of them is
down the gateway still records every message and apologises to the participant,
so it stays in rotation (200, ``"status": "degraded"``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx
import redis.asyncio as redis_asyncio
from redis.exceptions import RedisError
from sqlalchemy import text

from bot.store.db import Database

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0

Check = Callable[[], Awaitable[bool]]


def store_check(db: Database) -> Check:
    """``SELECT 1`` in a worker thread."""

    def ping() -> bool:
        with db.session() as session:
            session.execute(text("SELECT 1"))
        return True

    async def check() -> bool:
        return await asyncio.to_thread(ping)

    return check


def http_check(client: httpx.AsyncClient, url: str) -> Check:
    """A 200 from ``url``."""

    async def check() -> bool:
        response = await client.get(url, timeout=CHECK_TIMEOUT_SECONDS)
        return response.status_code == 200

    return check


def redis_check(url: str) -> Check:
    """Redis answers ``PING``."""

    async def check() -> bool:
        client = redis_asyncio.Redis.from_url(
            url,
            socket_timeout=CHECK_TIMEOUT_SECONDS,
            socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        )
        try:
            return bool(await client.ping())
        finally:
            await client.aclose()

    return check


async def _run(name: str, check: Check) -> tuple[str, str]:
    try:
        up = await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS + 1)
    except (asyncio.TimeoutError, httpx.HTTPError, RedisError, OSError):
        up = False
    except Exception:  # report, never crash the health check
        logger.warning("health check %s failed", name, exc_info=True)
        up = False
    return name, "up" if up else "down"


async def report(checks: dict[str, Check]) -> tuple[dict[str, object], int]:
    """The body and status code of ``/healthz``."""
    results = dict(await asyncio.gather(*(_run(n, c) for n, c in checks.items())))
    healthy = all(state == "up" for state in results.values())
    code = 200 if results.get("store") == "up" else 503
    status = "ok" if healthy else ("degraded" if code == 200 else "down")
    return {"status": status, "dependencies": results}, code
