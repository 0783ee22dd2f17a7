"""What the browser tests do alike: name the database, sign in to the console."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.integration.conftest import Stack


def db_name(stack: Stack) -> str:
    """``sqlite`` or ``postgres``: screenshots are kept per database."""
    return "postgres" if stack.database_url.startswith("postgresql") else "sqlite"


def login(page: Page, stack: Stack, name: str, password: str) -> None:
    """Sign in through the login form, as staff do; lands on the queue."""
    page.goto(f"{stack.gateway_url}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    page.get_by_label("Nama").fill(name)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Antrean")).to_be_visible()
