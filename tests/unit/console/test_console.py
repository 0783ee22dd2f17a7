"""The staff console in-process (Starlette's test client), without Rasa or a browser.

The browser tests (tests/browser) drive the same pages in Chromium; these check each
route's rules quickly: login, CSRF, roles, escaping, reply, status change, export.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.complaints.filing import ComplaintDraft, Deadlines, file_complaint
from bot.console import create_console
from bot.core.crypto import DataCipher
from bot.core.privacy import mask_identifiers, scan
from bot.core.settings import PROJECT_ROOT
from bot.core.workdays import WorkingCalendar
from bot.handoff.handoffs import open_handoff
from bot.messaging import conversations, secrets
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import IdentityTokens
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.parsing.offices import load_directory
from bot.store.db import Database
from bot.store.models import AuditEntry, Message, utcnow
from tests.builders import make_staff

CIPHER = DataCipher("unit-test-key-for-the-console-0123456789")
KEY = ConversationKey("telegram", "5551234")
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
NIK = "3309 0412 0371 0003"
NIK_DIGITS = "3309041203710003"


class Sent:
    def __init__(self) -> None:
        self.messages: list[tuple[ConversationKey, str]] = []

    async def deliver(
        self, key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        self.messages.append((key, message.text))
        return Delivery(status="sent", provider_message_id=str(len(self.messages)))


@pytest.fixture
def setup(db: Database) -> Iterator[tuple[TestClient, Sent, Database, str]]:
    sent = Sent()
    outbound = Outbound(db)
    outbound.register("telegram", sent.deliver)
    console = create_console(
        db, outbound, CIPHER, load_directory(PROJECT_ROOT / "bot/data/offices.yml")
    )
    app = Starlette(routes=[Mount("/staff", app=console)])
    make_staff(db, "ani", "agent")
    make_staff(db, "sri", "supervisor")
    with db.session() as session:
        conversation = conversations.get_or_create(session, KEY)
        for raw in (XSS, f"NIK saya {NIK}"):
            message = conversations.record_inbound(
                session, conversation, mask_identifiers(raw)
            )
            IdentityTokens(db, CIPHER).record(
                session, message.id, raw, scan(raw).found, KEY.sender_id, utcnow()
            )
        open_handoff(session, KEY, "diminta_peserta")
        ticket = file_complaint(
            session,
            KEY,
            ComplaintDraft("kcp_boyolali", None, None, "satpam", "ke semarang", None),
            Deadlines(3, 14, WorkingCalendar()),
        )
        reference = ticket.reference
    with TestClient(app, base_url="http://testserver") as client:
        yield client, sent, db, reference


def _login(client: TestClient, name: str) -> str:
    page = client.get("/staff/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/staff/login",
        data={"csrf": token.group(1), "name": name, "password": f"{name}-password-123"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    queue = client.get("/staff/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', queue.text)
    assert csrf
    return csrf.group(1)


def _conversation_id(db: Database) -> int:
    with db.session() as session:
        found = conversations.find(session, KEY.sender_id)
        assert found is not None
        return found.id


def test_pages_need_a_login(setup: tuple[TestClient, Sent, Database, str]) -> None:
    client, *_ = setup
    response = client.get("/staff/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"


def test_session_cookie_is_httponly_and_strict(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, *_ = setup
    page = client.get("/staff/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/staff/login",
        data={"csrf": token.group(1), "name": "ani", "password": "ani-password-123"},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Path=/staff" in cookie


def test_wrong_password_is_refused(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, *_ = setup
    page = client.get("/staff/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    response = client.post(
        "/staff/login",
        data={"csrf": token.group(1), "name": "ani", "password": "wrong-password-x"},
    )
    assert response.status_code == 401
    assert client.get("/staff/", follow_redirects=False).status_code == 303


def test_transcript_escapes_and_masks(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, _, db, _ = setup
    _login(client, "ani")
    page = client.get(f"/staff/conversations/{_conversation_id(db)}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "************0003" in page.text
    assert "3309041203710003" not in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_a_whatsapp_conversation_shows_only_the_last_four_digits(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, _, db, _ = setup
    number = "6281325550101"
    with db.session() as session:
        cid = conversations.remember_address(
            session, CIPHER, conversations.whatsapp_key(CIPHER, number)
        ).id
    _login(client, "ani")
    page = client.get(f"/staff/conversations/{cid}")
    assert page.status_code == 200
    assert "whatsapp …0101" in page.text
    assert number not in page.text and "81325550101" not in page.text


def test_post_without_csrf_is_refused(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, _sent, db, _ = setup
    _login(client, "ani")
    cid = _conversation_id(db)
    response = client.post(f"/staff/conversations/{cid}/take", data={})
    assert response.status_code == 403
    response = client.post(f"/staff/conversations/{cid}/take", data={"csrf": "forged"})
    assert response.status_code == 403


def test_take_reply_and_hand_back(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, sent, db, _ = setup
    csrf = _login(client, "ani")
    cid = _conversation_id(db)
    refused = client.post(
        f"/staff/conversations/{cid}/reply", data={"csrf": csrf, "text": "Halo"}
    )
    assert refused.status_code == 409  # take it first
    client.post(f"/staff/conversations/{cid}/take", data={"csrf": csrf})
    client.post(
        f"/staff/conversations/{cid}/reply",
        data={"csrf": csrf, "text": "Selamat siang, saya Ani dari BPJS TK."},
    )
    assert sent.messages[-1] == (KEY, "Selamat siang, saya Ani dari BPJS TK.")
    page = client.get(f"/staff/conversations/{cid}")
    assert "Petugas ani" in page.text
    client.post(f"/staff/conversations/{cid}/return", data={"csrf": csrf})
    assert "asisten otomatis" in sent.messages[-1][1]


def test_agent_cannot_reveal_but_supervisor_can_with_audit(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, _, db, _ = setup
    with db.session() as session:
        message_id = session.query(Message).filter(Message.text.like("NIK%")).one().id
        [secret] = secrets.secrets_for(session, [message_id])[message_id]
        secret_id = secret.id
    csrf = _login(client, "ani")
    refused = client.post(f"/staff/secrets/{secret_id}/reveal", data={"csrf": csrf})
    assert refused.status_code == 403
    assert NIK_DIGITS not in refused.text
    client.post("/staff/logout", data={"csrf": csrf})
    csrf = _login(client, "sri")
    shown = client.post(f"/staff/secrets/{secret_id}/reveal", data={"csrf": csrf})
    assert shown.status_code == 200
    assert NIK_DIGITS in shown.text  # the digits, whatever separators were typed
    with db.session() as session:
        [entry] = session.query(AuditEntry).all()
        assert entry.action == "reveal_nik"


def test_status_change_notifies_and_illegal_change_is_refused(
    setup: tuple[TestClient, Sent, Database, str],
) -> None:
    client, sent, _, reference = setup
    csrf = _login(client, "ani")
    client.post(
        f"/staff/tickets/{reference}/status",
        data={"csrf": csrf, "status": "diproses", "note": "Sedang kami cek."},
    )
    assert sent.messages[-1][0] == KEY
    assert reference in sent.messages[-1][1]
    assert "sedang diproses" in sent.messages[-1][1]
    refused = client.post(
        f"/staff/tickets/{reference}/status",
        data={"csrf": csrf, "status": "baru", "note": ""},
    )
    assert refused.status_code == 400
    page = client.get(f"/staff/tickets/{reference}")
    assert "Sedang kami cek." in page.text


def test_csv_export_and_charts(setup: tuple[TestClient, Sent, Database, str]) -> None:
    client, _, _, reference = setup
    _login(client, "ani")
    csv = client.get("/staff/tickets.csv")
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].startswith("nomor,jenis,status")
    assert reference in csv.text
    for path in ("/staff/charts/complaints.png", "/staff/charts/outcomes.png"):
        image = client.get(path)
        assert image.status_code == 200
        assert image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/staff/charts").status_code == 200


def test_cookie_is_secure_over_https(db: Database, tmp_path: Path) -> None:
    console = create_console(
        db, Outbound(db), CIPHER, load_directory(PROJECT_ROOT / "bot/data/offices.yml")
    )
    app = Starlette(routes=[Mount("/staff", app=console)])
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/staff/login")
        assert "Secure" in response.headers["set-cookie"]
