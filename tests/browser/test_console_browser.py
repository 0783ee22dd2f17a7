"""The staff console in a real browser: a handed-off Telegram chat answered by a person.

Screenshots of each page go to test-artifacts/ (one set per database).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, expect

from bot.complaints.filing import ComplaintExtras
from tests.browser.pages import db_name, login
from tests.fakes import telegram_updates as tg
from tests.integration.conftest import Stack
from tests.integration.console_client import add_staff
from tests.integration.store_peek import (
    conversation_id,
    file_telegram_complaint,
    sensitive_case,
)

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
NIK = "3309041203710003"
AGENT = ("ani", "kata-sandi-agen-123")
SUPERVISOR = ("sri", "kata-sandi-super-123")
BRIBE = "Satpam minta uang pelicin 200 ribu supaya saya dilayani"
SENSITIVE_ONLY = "Hanya supervisor yang boleh membuka atau mengubah aduan sensitif."


@pytest.fixture(scope="module")
def accounts(stack: Stack) -> None:
    add_staff(stack.database_url, *AGENT[:1], "agent", AGENT[1])
    add_staff(stack.database_url, SUPERVISOR[0], "supervisor", SUPERVISOR[1])


@pytest.fixture
def context(browser: Browser, accounts: None) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    yield context
    context.close()


def _handed_off_chat(stack: Stack, chat_id: int) -> int:
    """A Telegram participant asks for a person, then writes while they wait."""
    assert stack.post_update(
        tg.text(chat_id, "saya mau bicara dengan petugas")
    ).is_success
    stack.telegram.wait_for_texts(chat_id, 1)
    for text in (XSS, f"NIK saya {NIK}"):
        assert stack.post_update(tg.text(chat_id, text)).is_success
    return conversation_id(stack.database_url, chat_id)


def _ticket_for(stack: Stack, chat_id: int) -> str:
    return file_telegram_complaint(
        stack.database_url,
        chat_id,
        ComplaintExtras(category="penyimpangan prosedur"),
    )


def test_agent_answers_a_handed_off_telegram_chat_and_changes_a_ticket(
    stack: Stack, context: BrowserContext, chat_id: int, artifacts: Path
) -> None:
    cid = _handed_off_chat(stack, chat_id)
    reference = _ticket_for(stack, chat_id)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    db = db_name(stack)

    login(page, stack, *AGENT)
    row = page.locator(
        "#handoffs tr", has=page.locator(f'a[href="/staff/conversations/{cid}"]')
    )
    expect(row).to_contain_text("Peserta minta petugas")
    expect(page.locator("#tickets")).to_contain_text(reference)
    page.screenshot(path=artifacts / f"console-queue-{db}.png", full_page=True)

    row.get_by_role("link", name="Buka percakapan").click()
    transcript = page.locator("#transcript")
    # The participant's markup is shown as text and nothing of it runs.
    expect(transcript).to_contain_text(XSS)
    assert page.locator("#transcript img").count() == 0
    assert page.locator("#transcript script").count() == 0
    expect(transcript).to_contain_text("************0003")
    expect(transcript).not_to_contain_text(NIK)
    # An agent sees no reveal button.
    expect(page.get_by_text("(hanya supervisor yang bisa membuka)")).to_be_visible()
    assert page.get_by_role("button", name="Tampilkan").count() == 0

    page.get_by_role("button", name="Ambil (tangani saya)").click()
    expect(page.get_by_role("status")).to_contain_text("Anda pegang")
    reply = "Selamat siang, saya Ani dari BPJS Ketenagakerjaan. Saya bantu cek ya."
    page.get_by_label(re.compile("Balas ke peserta")).fill(reply)
    page.get_by_role("button", name="Kirim balasan").click()
    expect(page.get_by_role("status")).to_contain_text("Balasan terkirim")
    texts = stack.telegram.wait_for_texts(chat_id, 2)
    assert texts[-1] == reply
    expect(transcript).to_contain_text("Petugas ani")
    page.screenshot(path=artifacts / f"console-transcript-{db}.png", full_page=True)

    page.goto(f"{stack.gateway_url}/staff/tickets/{reference}")
    page.get_by_label("Status baru").select_option("diproses")
    page.get_by_label(re.compile("Catatan penyelesaian")).fill(
        "Sedang kami cek ke kantor."
    )
    page.get_by_role("button", name="Simpan dan kabari peserta").click()
    expect(page.locator("#ticket-status")).to_contain_text("Diproses")
    texts = stack.telegram.wait_for_texts(chat_id, 3)
    assert reference in texts[-1]
    assert "Sedang kami cek ke kantor." in texts[-1]
    page.screenshot(path=artifacts / f"console-ticket-{db}.png", full_page=True)

    page.goto(f"{stack.gateway_url}/staff/charts")
    images = page.locator("img")
    expect(images).to_have_count(2)
    for i in range(2):
        assert images.nth(i).evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=artifacts / f"console-charts-{db}.png", full_page=True)
    assert dialogs == []


def test_a_post_without_the_csrf_token_is_refused(
    stack: Stack, context: BrowserContext, chat_id: int
) -> None:
    cid = _handed_off_chat(stack, chat_id)
    page = context.new_page()
    login(page, stack, *AGENT)
    # Same browser, same session cookie, but no token: refused and nothing changes.
    response = page.request.post(
        f"{stack.gateway_url}/staff/conversations/{cid}/take", form={"x": "1"}
    )
    assert response.status == 403
    page.goto(f"{stack.gateway_url}/staff/conversations/{cid}")
    expect(page.get_by_role("button", name="Ambil (tangani saya)")).to_be_visible()


def test_agent_cannot_reveal_a_nik_but_a_supervisor_can(
    stack: Stack, browser: Browser, context: BrowserContext, chat_id: int
) -> None:
    cid = _handed_off_chat(stack, chat_id)
    agent = context.new_page()
    login(agent, stack, *AGENT)
    agent.goto(f"{stack.gateway_url}/staff/conversations/{cid}")
    csrf = agent.locator('input[name="csrf"]').first.get_attribute("value")
    assert csrf
    supervisor_context = browser.new_context()
    try:
        supervisor = supervisor_context.new_page()
        login(supervisor, stack, *SUPERVISOR)
        supervisor.goto(f"{stack.gateway_url}/staff/conversations/{cid}")
        button = supervisor.get_by_role("button", name="Tampilkan")
        expect(button).to_have_count(1)
        action = supervisor.locator("form", has=button).get_attribute("action")
        assert action

        # The agent forges the supervisor's form: refused, nothing revealed.
        refused = agent.request.post(
            f"{stack.gateway_url}{action}", form={"csrf": csrf}
        )
        assert refused.status == 403
        assert NIK not in refused.text()

        button.click()
        expect(supervisor.locator(".revealed")).to_have_text(NIK)
        expect(supervisor.get_by_text("tercatat di audit")).to_be_visible()
    finally:
        supervisor_context.close()


def test_an_agent_neither_sees_nor_opens_a_supervisor_only_case(
    stack: Stack,
    browser: Browser,
    context: BrowserContext,
    chat_id: int,
    artifacts: Path,
) -> None:
    cid, reference = sensitive_case(stack.database_url, chat_id, BRIBE)
    agent = context.new_page()
    login(agent, stack, *AGENT)
    agent.goto(f"{stack.gateway_url}/staff/?semua=1")
    expect(agent.get_by_role("heading", name="Antrean")).to_be_visible()
    expect(agent.locator(f'a[href="/staff/conversations/{cid}"]')).to_have_count(0)
    expect(agent.get_by_role("link", name=reference)).to_have_count(0)
    agent.screenshot(
        path=artifacts / f"console-queue-agent-{db_name(stack)}.png", full_page=True
    )
    csrf = agent.locator('input[name="csrf"]').first.get_attribute("value")
    assert csrf
    # A typed URL or a forged form is refused as well as the hidden link.
    for path in (f"/conversations/{cid}", f"/tickets/{reference}"):
        response = agent.goto(f"{stack.gateway_url}/staff{path}")
        assert response is not None and response.status == 403
        expect(agent.get_by_text(SENSITIVE_ONLY)).to_be_visible()
        expect(agent.locator("body")).not_to_contain_text("pelicin")
    for path in ("take", "close", "return"):
        refused = agent.request.post(
            f"{stack.gateway_url}/staff/conversations/{cid}/{path}", form={"csrf": csrf}
        )
        assert refused.status == 403

    supervisor_context = browser.new_context()
    try:
        supervisor = supervisor_context.new_page()
        login(supervisor, stack, *SUPERVISOR)
        row = supervisor.locator(
            "#handoffs tr",
            has=supervisor.locator(f'a[href="/staff/conversations/{cid}"]'),
        )
        expect(row).to_contain_text("khusus supervisor")
        row.get_by_role("link", name="Buka percakapan").click()
        expect(supervisor.locator("#transcript")).to_contain_text("pelicin")
        # Still waiting for a supervisor: the agent's attempts changed nothing.
        expect(
            supervisor.get_by_role("button", name="Ambil (tangani saya)")
        ).to_be_visible()
    finally:
        supervisor_context.close()
