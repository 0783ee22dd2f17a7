"""Browser tests drive the console in Debian's Chromium against the whole stack.

The stack fixtures (Rasa, action server, gateway, fake Bot API, SQLite and
PostgreSQL) are the integration tests' own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.integration.conftest import (
    chat_id,
    database_url,
    fake_telegram,
    fake_whatsapp,
    rasa_server,
    stack,
)

__all__ = [
    "chat_id",
    "database_url",
    "fake_telegram",
    "fake_whatsapp",
    "rasa_server",
    "stack",
]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
