"""The gateway in-process on loopback, wired to fake Rasa, Telegram and WhatsApp.

For tests about channels: real HTTP, the real gateway app with its lifespan, the
real store (SQLite or PostgreSQL), fakes for everything outside.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from bot.app import create_app
from bot.core.crypto import DataCipher
from bot.core.settings import load_settings
from bot.messaging.conversations import whatsapp_key
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import Conversation, Message
from tests.fakes import whatsapp_updates as wa
from tests.fakes.rasa_rest import FakeRasa
from tests.fakes.server import ServerThread
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.whatsapp_api import FakeWhatsAppApi

TG_TOKEN = "123456789:TEST-token_for-the-fake-api"
TG_SECRET = "s3cret-webhook_token"
WA_TOKEN = "EAAG-fake-access-token"
WA_SECRET = "fake-app-secret"
WA_VERIFY = "fake-verify-token"
WA_PHONE_ID = "106540352242922"
WA_TEMPLATE = ("bpu_pesan_baru", "id")
# The AUTHENTICATION template one-time codes go out with (bot/messaging/code_sender.py).
WA_CODE_TEMPLATE = ("bpu_kode_verifikasi", "id")
DATA_KEY = "test-only-data-encryption-key-0123456789"


@dataclass
class Fakes:
    """The outside world of one gateway."""

    rasa: FakeRasa
    telegram: FakeTelegramApi
    whatsapp: FakeWhatsAppApi
    rasa_url: str
    telegram_url: str
    whatsapp_url: str


@contextmanager
def serving_telegram() -> Iterator[tuple[FakeTelegramApi, str]]:
    """A fake Bot API for ``TG_TOKEN`` on loopback, with its base URL."""
    api = FakeTelegramApi(TG_TOKEN)
    with api.serve() as server:
        yield api, server.url


@contextmanager
def serving_whatsapp() -> Iterator[tuple[FakeWhatsAppApi, str]]:
    """A fake Graph API (notification and code templates) on loopback, with its URL."""
    api = FakeWhatsAppApi(
        WA_TOKEN, WA_PHONE_ID, {WA_TEMPLATE: 1}, frozenset({WA_CODE_TEMPLATE})
    )
    with api.serve() as server:
        yield api, server.url


@contextmanager
def fakes() -> Iterator[Fakes]:
    """Fake Rasa, Bot API and Graph API servers on loopback."""
    rasa = FakeRasa()
    telegram = FakeTelegramApi(TG_TOKEN)
    whatsapp = FakeWhatsAppApi(WA_TOKEN, WA_PHONE_ID, {WA_TEMPLATE: 1})
    with (
        ServerThread(rasa.app) as r,
        telegram.serve() as t,
        whatsapp.serve() as w,
    ):
        yield Fakes(rasa, telegram, whatsapp, r.url, t.url, w.url)


def gateway_env(world: Fakes, database_url: str, var_dir: str) -> dict[str, str]:
    """Every channel on, every setting explicit (nothing from ``.env``)."""
    return {
        "DATABASE_URL": database_url,
        "BPU_VAR_DIR": var_dir,
        "RASA_URL": world.rasa_url,
        "RASA_TIMEOUT_SECONDS": "10",
        "TELEGRAM_BOT_TOKEN": TG_TOKEN,
        "TELEGRAM_API_BASE_URL": f"{world.telegram_url}/bot",
        "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
        "TELEGRAM_WEBHOOK_URL": "https://bpu.example.invalid/telegram/webhook",
        "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
        "WHATSAPP_APP_SECRET": WA_SECRET,
        "WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
        "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
        "WHATSAPP_API_BASE_URL": f"{world.whatsapp_url}/v21.0",
        "WHATSAPP_TEMPLATE_NAME": WA_TEMPLATE[0],
        "WHATSAPP_TEMPLATE_LANGUAGE": WA_TEMPLATE[1],
        # Required with PostgreSQL once the data key lands (bot/core/crypto.py).
        "DATA_ENCRYPTION_KEY": DATA_KEY,
    }


def wa_sender(wa_id: str) -> str:
    """The sender id the gateway gives WhatsApp number ``wa_id`` (a keyed hash)."""
    return whatsapp_key(DataCipher(DATA_KEY), wa_id).sender_id


@dataclass
class LocalGateway:
    """A running gateway and what it talks to."""

    url: str
    database_url: str
    world: Fakes

    def post_telegram(
        self, update: dict[str, Any], secret: str | None = TG_SECRET
    ) -> httpx.Response:
        """POST an Update as the Bot API would."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return httpx.post(
            f"{self.url}/telegram/webhook", json=update, headers=headers, timeout=30
        )

    def post_whatsapp(
        self, payload: dict[str, Any], secret: str = WA_SECRET
    ) -> httpx.Response:
        """POST a signed webhook payload as Meta would; opens the 24-hour window."""
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                messages = change.get("value", {}).get("messages", [])
                for message in messages if isinstance(messages, list) else []:
                    if isinstance(message, dict) and "from" in message:
                        self.world.whatsapp.customer_wrote(message["from"])
        body, headers = wa.signed(payload, secret)
        return httpx.post(
            f"{self.url}/whatsapp/webhook", content=body, headers=headers, timeout=30
        )

    def messages(self, sender_id: str) -> list[Message]:
        """The transcript of ``sender_id``, oldest first."""
        db = Database(self.database_url)
        try:
            with db.session() as session:
                conversation = session.scalar(
                    select(Conversation).where(Conversation.sender_id == sender_id)
                )
                if conversation is None:
                    return []
                return list(
                    session.scalars(
                        select(Message)
                        .where(Message.conversation_id == conversation.id)
                        .order_by(Message.id)
                    )
                )
        finally:
            db.dispose()

    def conversation(self, sender_id: str) -> Conversation | None:
        """The conversation row of ``sender_id``."""
        db = Database(self.database_url)
        try:
            with db.session() as session:
                return session.scalar(
                    select(Conversation).where(Conversation.sender_id == sender_id)
                )
        finally:
            db.dispose()


@contextmanager
def local_gateway(
    world: Fakes,
    database_url: str,
    var_dir: str,
    overrides: Mapping[str, str | None] | None = None,
) -> Iterator[LocalGateway]:
    """Migrate ``database_url`` and serve the gateway (with its lifespan)."""
    upgrade(database_url)
    env = gateway_env(world, database_url, var_dir)
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    app = create_app(load_settings(env))
    with ServerThread(app, lifespan="on") as server:
        yield LocalGateway(server.url, database_url, world)
