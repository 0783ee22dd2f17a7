"""The gateway: one ASGI app for the channels, the web chat and health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bot.console import create_console
from bot.core.crypto import DataCipher
from bot.core.settings import Settings
from bot.gateway.channels.telegram import TelegramChannel
from bot.gateway.channels.webchat import WebChatChannel
from bot.gateway.channels.whatsapp import WhatsAppChannel
from bot.gateway.dialogue import Dialogue
from bot.gateway.rasa_client import RasaClient
from bot.messaging.identity_tokens import IdentityTokens
from bot.messaging.outbound import Outbound
from bot.parsing.offices import load_directory
from bot.store.db import Database

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """What the routes need, built at start-up and closed at shutdown."""

    db: Database
    rasa: RasaClient
    outbound: Outbound
    dialogue: Dialogue
    telegram: TelegramChannel | None
    whatsapp: WhatsAppChannel | None = None


def build_services(settings: Settings) -> Services:
    """Construct (but do not start) the gateway's long-lived objects."""
    db = Database(settings.database_url)
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds)
    outbound = Outbound(db)
    cipher = DataCipher(settings.data_key())
    tokens = IdentityTokens(db, cipher)
    dialogue = Dialogue(
        db,
        rasa,
        outbound,
        settings.max_inbound_chars,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        lease_seconds=2 * settings.rasa_timeout_seconds + 30,
        tokenise=tokens.tokenise,
        cipher=cipher,
    )
    telegram = None
    if settings.telegram:
        telegram = TelegramChannel(settings.telegram, dialogue, outbound, db)
    whatsapp = None
    if settings.whatsapp:
        whatsapp = WhatsAppChannel(settings.whatsapp, dialogue, outbound, db)
    return Services(
        db=db,
        rasa=rasa,
        outbound=outbound,
        dialogue=dialogue,
        telegram=telegram,
        whatsapp=whatsapp,
    )


def _webchat_routes(settings: Settings, services: Services) -> list[BaseRoute]:
    """The web chat's page and endpoints: none unless enabled (or on loopback)."""
    if settings.webchat is None:
        return []
    webchat = WebChatChannel(
        services.dialogue, services.outbound, services.db, settings.webchat
    )
    return [
        Route("/", webchat.page, methods=["GET"]),
        Route("/webchat/messages", webchat.message, methods=["POST"]),
        Route("/webchat/messages", webchat.updates, methods=["GET"]),
    ]


def _lifespan(
    services: Services,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start the channels and the outbox worker; stop and close everything."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if services.telegram is not None:
            await services.telegram.start()
        # The outbox worker: retries, and what other gateways left behind.
        worker = asyncio.create_task(services.outbound.delivery.run(), name="outbox")
        try:
            yield
        finally:
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
            if services.telegram is not None:
                await services.telegram.stop()
            if services.whatsapp is not None:
                await services.whatsapp.stop()
            await services.rasa.aclose()
            services.db.dispose()

    return lifespan


def create_app(settings: Settings) -> Starlette:
    """The gateway app; channels switch on when their settings are present."""
    services = build_services(settings)

    async def health(_request: Request) -> Response:
        try:
            with services.db.session() as session:
                session.execute(text("SELECT 1"))
            database = "ok"
        except Exception:  # report, do not crash the health check
            logger.warning("database health check failed", exc_info=True)
            database = "down"
        rasa = "ok" if await services.rasa.is_up() else "down"
        status = 200 if database == "ok" else 503
        return JSONResponse({"database": database, "rasa": rasa}, status_code=status)

    routes: list[BaseRoute] = [
        Route("/healthz", health, methods=["GET"]),
        *_webchat_routes(settings, services),
    ]
    # The staff console (PRODUCT.md §7).
    console = create_console(
        services.db,
        services.outbound,
        DataCipher(settings.data_key()),
        load_directory(settings.offices_file),
    )
    routes.append(Mount("/staff", app=console))
    if services.telegram is not None and services.telegram.settings.webhook_enabled:
        routes.append(
            Route("/telegram/webhook", services.telegram.webhook, methods=["POST"])
        )
    if services.whatsapp is not None:
        routes.append(
            Route("/whatsapp/webhook", services.whatsapp.verify, methods=["GET"])
        )
        routes.append(
            Route("/whatsapp/webhook", services.whatsapp.webhook, methods=["POST"])
        )

    app = Starlette(routes=routes, lifespan=_lifespan(services))
    app.state.services = services
    return app
