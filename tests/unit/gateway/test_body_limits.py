"""Bodies are capped while they are read; a forged signature is refused, never a 500.

The requests are played straight into the gateway's ASGI app with a ``receive`` that
counts how much of the body the app pulled, so "stopped reading" is observed, not
assumed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp

from bot.app import create_app
from bot.core.settings import load_settings
from bot.store.migrate import upgrade
from tests.fakes.gateway import TG_SECRET, fakes, gateway_env

CHUNK = b"x" * (64 * 1024)
CHUNKS = 100  # 6.4 MB, over every cap


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ASGIApp]:
    folder: Path = tmp_path_factory.mktemp("limits")
    url = f"sqlite:///{folder / 'bpu.sqlite3'}"
    upgrade(url)
    with fakes() as world:
        yield create_app(load_settings(gateway_env(world, url, str(folder))))


def _post(
    app: ASGIApp, path: str, headers: dict[str, str], chunks: int = CHUNKS
) -> tuple[int, int]:
    """The status and how many body chunks the app read."""
    pulled = 0
    status: dict[str, int] = {}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled < chunks:
            pulled += 1
            return {"type": "http.request", "body": CHUNK, "more_body": pulled < chunks}
        await asyncio.sleep(3600)  # the client has nothing more to send
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status["code"] = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 60))
    return status["code"], pulled


@pytest.mark.parametrize(
    ("path", "headers", "most"),
    [
        ("/whatsapp/webhook", {"X-Hub-Signature-256": "sha256=00"}, 17),
        ("/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}, 17),
        ("/webchat/messages", {"Content-Type": "application/json"}, 2),
    ],
)
def test_a_streamed_body_over_the_cap_is_refused_without_reading_it_all(
    app: ASGIApp, path: str, headers: dict[str, str], most: int
) -> None:
    status, pulled = _post(app, path, headers)
    assert status == 413
    assert pulled <= most < CHUNKS


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/whatsapp/webhook", {"X-Hub-Signature-256": "sha256=00"}),
        ("/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}),
        ("/webchat/messages", {"Content-Type": "application/json"}),
    ],
)
def test_a_declared_length_over_the_cap_is_refused_before_reading(
    app: ASGIApp, path: str, headers: dict[str, str]
) -> None:
    status, pulled = _post(app, path, {**headers, "Content-Length": str(10**8)})
    assert (status, pulled) == (413, 0)


def test_a_non_ascii_signature_is_refused_not_a_server_error(app: ASGIApp) -> None:
    headers = {"X-Hub-Signature-256": "sha256=\u00e9\u00e8" + "0" * 62}
    status, _ = _post(app, "/whatsapp/webhook", headers, chunks=1)
    assert status == 401
