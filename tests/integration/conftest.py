"""The whole system on loopback: Rasa, the action server, the gateway, a fake Bot API.

Rasa is started once per session (it takes the longest). The action server and the
gateway are started per database: once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.store.migrate import upgrade
from tests.fakes.gateway import (
    TG_SECRET,
    TG_TOKEN,
    WA_CODE_TEMPLATE,
    WA_PHONE_ID,
    WA_SECRET,
    WA_TEMPLATE,
    WA_TOKEN,
    WA_VERIFY,
    serving_telegram,
    serving_whatsapp,
)
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.whatsapp_api import FakeWhatsAppApi
from tests.integration.chats import Chat, open_chat
from tests.integration.processes import (
    Process,
    RasaServer,
    postgres_database,
    run_cli,
    start_action_server,
    start_gateway,
    start_rasa,
)

BOT_TOKEN = TG_TOKEN
WEBHOOK_SECRET = TG_SECRET


@dataclass
class Stack:
    """A running gateway + action server on one database, sharing the Rasa server."""

    gateway_url: str
    database_url: str
    telegram: FakeTelegramApi
    actions: Process
    gateway: Process
    rasa: RasaServer
    action_env: dict[str, str]
    telegram_url: str
    var_dir: Path
    # The WhatsApp side of the same gateway.
    whatsapp: FakeWhatsAppApi | None = None

    def post_update(
        self, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET
    ) -> httpx.Response:
        """POST an Update to the Telegram webhook as the Bot API would."""
        headers = (
            {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        )
        return httpx.post(
            f"{self.gateway_url}/telegram/webhook",
            json=update,
            headers=headers,
            timeout=30,
        )

    def tickets(self) -> list[dict[str, Any]]:
        """``python -m bot tickets list --json`` against this stack's database."""
        items: list[dict[str, Any]] = run_cli(
            ["tickets", "list", "--json"], self.database_url
        )
        return items

    def restart_actions(self) -> None:
        """Bring the action server back after a test stopped it."""
        self.actions = start_action_server(
            self.rasa.action_port, self.database_url, self.action_env
        )


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[tuple[FakeTelegramApi, str]]:
    with serving_telegram() as served:
        yield served


@pytest.fixture(scope="session")
def fake_whatsapp() -> Iterator[tuple[FakeWhatsAppApi, str]]:
    with serving_whatsapp() as served:
        yield served


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[RasaServer]:
    server = start_rasa()
    try:
        yield server
    finally:
        server.process.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: Any
) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "bpu.sqlite3"
        yield f"sqlite:///{path}"
    else:
        with postgres_database() as url:
            yield url


def gateway_env(
    database_url: str,
    rasa_url: str,
    telegram_url: str,
    var_dir: Path,
    whatsapp_url: str | None = None,
) -> dict[str, str]:
    """Settings of a test gateway: every value explicit, nothing from ``.env``."""
    whatsapp = {}
    if whatsapp_url is not None:
        whatsapp = {
            "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
            "WHATSAPP_APP_SECRET": WA_SECRET,
            "WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
            "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
            "WHATSAPP_API_BASE_URL": f"{whatsapp_url}/v21.0",
            "WHATSAPP_TEMPLATE_NAME": WA_TEMPLATE[0],
            "WHATSAPP_TEMPLATE_LANGUAGE": WA_TEMPLATE[1],
            "WHATSAPP_CODE_TEMPLATE_NAME": WA_CODE_TEMPLATE[0],
        }
    return {
        **whatsapp,
        "DATABASE_URL": database_url,
        "RASA_URL": rasa_url,
        "RASA_TIMEOUT_SECONDS": "20",
        # Retries a few seconds apart, so outage tests end soon after recovery.
        "OUTBOX_RETRY_BASE_SECONDS": "0.5",
        "OUTBOX_RETRY_MAX_SECONDS": "2",
        "BPU_VAR_DIR": str(var_dir),
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_API_BASE_URL": f"{telegram_url}/bot",
        "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TELEGRAM_WEBHOOK_URL": "https://bpu.example.invalid/telegram/webhook",
    }


@pytest.fixture(scope="module")
def stack(
    database_url: str,
    rasa_server: RasaServer,
    fake_telegram: tuple[FakeTelegramApi, str],
    fake_whatsapp: tuple[FakeWhatsAppApi, str],
    tmp_path_factory: Any,
) -> Iterator[Stack]:
    api, telegram_url = fake_telegram
    whatsapp_api, whatsapp_url = fake_whatsapp
    upgrade(database_url)
    var_dir: Path = tmp_path_factory.mktemp("var")
    env = gateway_env(
        database_url, rasa_server.url, telegram_url, var_dir, whatsapp_url
    )
    env["RASA_TOKEN"] = rasa_server.token  # the REST channel's secret
    # Rasa's tracker store, as in production: "hapus data saya" deletes from it.
    env["TRACKER_STORE_URL"] = f"sqlite:///{rasa_server.tracker_db}"
    # The action server sends one-time codes through the fake WhatsApp API.
    action_env = {
        "BPU_VAR_DIR": str(var_dir),
        **{k: v for k, v in env.items() if k.startswith("WHATSAPP_")},
    }
    actions = start_action_server(rasa_server.action_port, database_url, action_env)
    try:
        gateway, url = start_gateway(env)
    except Exception:
        actions.stop()
        raise
    stack = Stack(
        url,
        database_url,
        api,
        actions,
        gateway,
        rasa_server,
        action_env,
        telegram_url,
        var_dir,
        whatsapp_api,
    )
    try:
        yield stack
    finally:
        stack.gateway.stop()
        stack.actions.stop()


@pytest.fixture
def chat_id() -> int:
    """A fresh Telegram chat for each test, so conversations never mix."""
    return random.randint(10_000_000, 99_999_999)


@pytest.fixture(params=["telegram", "whatsapp"])
def chat(request: pytest.FixtureRequest, stack: Stack) -> Chat:
    """A fresh participant on each channel in turn: the same test runs on both."""
    return open_chat(stack, str(request.param))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The first test of a session also waits for Rasa to load (fixture set-up
    counts towards pytest-timeout); on 2 shared cores that alone can take minutes."""
    for item in items:
        in_here = item.nodeid.startswith("tests/integration/")
        if in_here and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(900))
