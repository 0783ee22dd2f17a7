"""A console app over a fresh store, signed-in clients, and a complaint to look at."""

from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.complaints.filing import (
    ComplaintDraft,
    ComplaintExtras,
    Deadlines,
    file_complaint,
)
from bot.console import create_console
from bot.core.crypto import DataCipher
from bot.core.privacy import scan
from bot.core.settings import PROJECT_ROOT
from bot.core.workdays import WorkingCalendar
from bot.messaging import conversations, secrets
from bot.messaging.conversations import ConversationKey
from bot.messaging.identity_tokens import IdentityTokens
from bot.messaging.outbound import Outbound
from bot.parsing.offices import load_directory
from bot.store.db import Database
from bot.store.models import utcnow

CIPHER = DataCipher("unit-test-key-for-the-console-guard-0123456")
KEY = ConversationKey("telegram", "5550001")
PHONE = "081234567890"
NIK = "3309041203710003"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def console_app(db: Database, outbound: Outbound | None = None) -> Starlette:
    """The console mounted at ``/staff``, as the gateway mounts it."""
    console = create_console(
        db,
        outbound or Outbound(db),
        CIPHER,
        load_directory(PROJECT_ROOT / "bot/data/offices.yml"),
    )
    return Starlette(routes=[Mount("/staff", app=console)])


def login(client: TestClient, name: str) -> str:
    """Sign in a ``tests.builders.make_staff`` account; its CSRF token."""
    token = CSRF.search(client.get("/staff/login").text)
    assert token
    response = client.post(
        "/staff/login",
        data={"csrf": token.group(1), "name": name, "password": f"{name}-password-123"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    csrf = CSRF.search(client.get("/staff/").text)
    assert csrf
    return csrf.group(1)


def complaint_with_phone(db: Database) -> tuple[str, int, int]:
    """A complaint with an encrypted phone, from a chat with a masked NIK.

    Returns the ticket reference, the NIK's secret id and the conversation id.
    """
    with db.session() as session:
        conversation = conversations.get_or_create(session, KEY)
        message = conversations.record_inbound(session, conversation, "NIK saya ***")
        raw = f"NIK saya {NIK}"
        IdentityTokens(db, CIPHER).record(
            session, message.id, raw, scan(raw).found, KEY.sender_id, utcnow()
        )
        ticket = file_complaint(
            session,
            KEY,
            ComplaintDraft("kcp_boyolali", None, None, "satpam", "ke semarang", None),
            Deadlines(3, 14, WorkingCalendar()),
            extras=ComplaintExtras(contact_phone_encrypted=CIPHER.encrypt(PHONE)),
        )
        session.flush()
        [secret] = secrets.secrets_for(session, [message.id])[message.id]
        return ticket.reference, secret.id, conversation.id
