"""The gateway: one ASGI app for the channels, the web chat and health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

from bot.console import create_console
from bot.core.crypto import DataCipher
from bot.core.settings import Settings
from bot.gateway.channels.telegram import TelegramChannel
from bot.gateway.channels.webchat import WebChatChannel
from bot.gateway.channels.whatsapp import WhatsAppChannel
from bot.gateway.dialogue import Dialogue
from bot.gateway.metrics import Metrics
from bot.gateway.ops_routes import ops_routes
from bot.gateway.rasa_client import RasaClient
from bot.messaging.delivery import RetryPolicy
from bot.messaging.identity_tokens import IdentityTokens
from bot.messaging.outbound import Outbound
from bot.parsing.offices import load_directory
from bot.retention import forget_sender
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
    metrics: Metrics = field(default_factory=Metrics)


def build_services(settings: Settings) -> Services:
    """Construct (but do not start) the gateway's long-lived objects."""
    db = Database(settings.database_url)
    rasa = RasaClient(
        settings.rasa_url, settings.rasa_timeout_seconds, token=settings.rasa_token
    )
    durable = settings.durable
    policy = RetryPolicy(
        base_seconds=durable.outbox_retry_base_seconds,
        max_seconds=durable.outbox_retry_max_seconds,
        max_attempts=durable.outbox_max_attempts,
    )
    metrics = Metrics()
    outbound = Outbound(db, policy, on_attempt=metrics.on_attempt)
    cipher = DataCipher(settings.data_key())
    tokens = IdentityTokens(db, cipher)
    dialogue = Dialogue(
        db,
        rasa,
        outbound,
        settings.max_inbound_chars,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        lease_seconds=2 * settings.rasa_timeout_seconds + 30,
        tokens=tokens,
        cipher=cipher,
        metrics=metrics,
        forget_tracker=lambda sender: forget_sender(
            db, settings.durable.tracker_store_url, sender
        ),
    )
    telegram = None
    if settings.telegram:
        telegram = TelegramChannel(
            settings.telegram, dialogue, outbound, db, cipher=cipher
        )
    whatsapp = None
    if settings.whatsapp:
        whatsapp = WhatsAppChannel(
            settings.whatsapp, dialogue, outbound, db, cipher=cipher
        )
    return Services(
        db=db,
        rasa=rasa,
        outbound=outbound,
        dialogue=dialogue,
        telegram=telegram,
        whatsapp=whatsapp,
        metrics=metrics,
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

    routes: list[BaseRoute] = [
        *ops_routes(settings, services.db, services.metrics),
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
