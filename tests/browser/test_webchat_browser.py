"""The web chat in a real browser, with a person answering from the console.

The whole stack (Rasa, the action server, the gateway): the page opens with the
greeting and the menu, the participant presses "Hubungi petugas", an agent takes the
conversation in the console and replies, and the reply appears on the open page.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.pages import db_name, login
from tests.integration.conftest import Stack
from tests.integration.console_client import add_staff
from tests.integration.store_peek import webchat_conversation_id

AGENT = ("wati", "kata-sandi-agen-456")
GREETING = "Halo, saya asisten Layanan Mandiri BPU"
HANDED_OFF = "saya teruskan ke petugas Layanan Mandiri BPU"
# The page polls every 3 seconds; the stack is slow on a busy machine.
WAIT_MS = 30_000


@pytest.fixture(scope="module")
def agent(stack: Stack) -> None:
    add_staff(stack.database_url, AGENT[0], "agent", AGENT[1])


@pytest.fixture
def participant(browser: Browser) -> Iterator[BrowserContext]:
    # A phone-sized screen: the participants' own.
    context = browser.new_context(viewport={"width": 390, "height": 780})
    yield context
    context.close()


def _staff_reply(browser: Browser, stack: Stack, cid: int, reply: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        login(page, stack, *AGENT)
        row = page.locator(
            "#handoffs tr", has=page.locator(f'a[href="/staff/conversations/{cid}"]')
        )
        expect(row).to_contain_text("webchat")
        row.get_by_role("link", name="Buka percakapan").click()
        # The press reads as what the participant saw, not as its payload.
        expect(page.locator("#transcript")).to_contain_text("[Hubungi petugas]")
        expect(page.locator("#transcript")).not_to_contain_text("/request_human")
        page.get_by_role("button", name="Ambil (tangani saya)").click()
        page.get_by_label(re.compile("Balas ke peserta")).fill(reply)
        page.get_by_role("button", name="Kirim balasan").click()
        expect(page.get_by_role("status")).to_contain_text("Balasan terkirim")
    finally:
        context.close()


def _open_chat(page: Page, stack: Stack) -> None:
    page.goto(f"{stack.gateway_url}/")
    log = page.get_by_role("log")
    expect(log).to_contain_text(GREETING, timeout=WAIT_MS)
    expect(page.get_by_role("button", name="6. Hubungi petugas")).to_be_visible()


def test_the_chat_opens_with_the_menu_and_shows_a_staff_reply(
    stack: Stack,
    agent: None,
    browser: Browser,
    participant: BrowserContext,
    artifacts: Path,
) -> None:
    page = participant.new_page()
    _open_chat(page, stack)
    page.screenshot(path=artifacts / f"webchat-open-{db_name(stack)}.png")

    page.get_by_role("button", name="6. Hubungi petugas").click()
    log = page.get_by_role("log")
    expect(log).to_contain_text(HANDED_OFF, timeout=WAIT_MS)
    session = page.evaluate("localStorage.getItem('bpu-webchat-session')")
    cid = webchat_conversation_id(stack.database_url, str(session))

    reply = "Selamat siang, saya Wati dari BPJS Ketenagakerjaan. Ada yang bisa dibantu?"
    _staff_reply(browser, stack, cid, reply)
    expect(log).to_contain_text(reply, timeout=WAIT_MS)
    page.screenshot(path=artifacts / f"webchat-staff-reply-{db_name(stack)}.png")

    # Reopened, the page draws the same conversation once, and asks nothing again.
    page.reload()
    expect(log).to_contain_text(reply, timeout=WAIT_MS)
    expect(log.get_by_text(GREETING)).to_have_count(1)
    expect(log.get_by_text("Hubungi petugas", exact=True)).to_have_count(1)


def test_a_numbered_option_typed_works_like_the_button(
    stack: Stack, participant: BrowserContext
) -> None:
    page = participant.new_page()
    _open_chat(page, stack)
    page.get_by_label("Pesan").fill("6")
    page.get_by_role("button", name="Kirim").click()
    expect(page.get_by_role("log")).to_contain_text(HANDED_OFF, timeout=WAIT_MS)
