"""The operator's routes: ``/healthz`` (dependencies) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.core.settings import Settings
from bot.gateway import health
from bot.gateway.metrics import CONTENT_TYPE, Metrics, read_figures
from bot.store.db import Database


def ops_routes(settings: Settings, db: Database, metrics: Metrics) -> list[Route]:
    """``GET /healthz`` and ``GET /metrics``."""

    async def healthz(_request: Request) -> Response:
        async with httpx.AsyncClient() as client:
            checks = {
                "store": health.store_check(db),
                "rasa": health.http_check(client, f"{settings.rasa_url}/"),
                "actions": health.http_check(
                    client, settings.durable.action_health_url
                ),
            }
            if settings.redis_url:
                checks["redis"] = health.redis_check(settings.redis_url)
            body, code = await health.report(checks)
        return JSONResponse(body, status_code=code)

    async def scrape(_request: Request) -> Response:
        figures = await db.run(read_figures)
        return Response(metrics.render(figures), media_type=CONTENT_TYPE)

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", scrape, methods=["GET"]),
    ]
