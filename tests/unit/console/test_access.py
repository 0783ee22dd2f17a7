"""Supervisor-only items through the real console app: an agent is refused each rule.

A sensitive complaint (bribery, threats) and its supervisor-only handoff, next to an
ordinary one: the agent's queue and export leave the first out, and every route that
opens or changes it refuses the agent even when the URL is typed or the form forged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from bot.complaints.filing import (
    ComplaintDraft,
    ComplaintExtras,
    Deadlines,
    file_complaint,
)
from bot.console import access
from bot.core.workdays import WorkingCalendar
from bot.handoff.handoffs import REASON_SENSITIVE, open_handoff
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database
from bot.store.models import (
    AuditEntry,
    Handoff,
    InternalNote,
    Ticket,
    TicketStatusChange,
)
from tests.builders import make_staff
from tests.unit.console.support import console_app, login

SENSITIVE_KEY = ConversationKey("telegram", "5550002")
ORDINARY_KEY = ConversationKey("telegram", "5550003")
STORY = "Satpam minta uang pelicin 200 ribu supaya saya dilayani"
DEADLINES = Deadlines(3, 14, WorkingCalendar())


@dataclass(frozen=True)
class Items:
    """The two conversations and their complaints."""

    sensitive_cid: int
    sensitive_ref: str
    ordinary_cid: int
    ordinary_ref: str


def _complaint(
    db: Database, key: ConversationKey, *, sensitive: bool
) -> tuple[int, str]:
    with db.session() as session:
        conversation = conversations.get_or_create(session, key)
        conversations.record_inbound(session, conversation, STORY if sensitive else "")
        ticket = file_complaint(
            session,
            key,
            ComplaintDraft("kcp_boyolali", None, None, "satpam", None, None),
            DEADLINES,
            extras=ComplaintExtras(sensitive=sensitive, description=STORY),
        )
        open_handoff(
            session,
            key,
            REASON_SENSITIVE if sensitive else "diminta_peserta",
            supervisor_only=sensitive,
            ticket_id=ticket.id,
        )
        return conversation.id, ticket.reference


class Sent:
    """What reached the participant's channel."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def deliver(
        self, _key: ConversationKey, message: BotMessage, _proactive: bool
    ) -> Delivery:
        self.texts.append(message.text)
        return Delivery(status="sent")


@pytest.fixture
def sent() -> Sent:
    return Sent()


@pytest.fixture
def items(db: Database) -> Items:
    make_staff(db, "ani", "agent")
    make_staff(db, "sri", "supervisor")
    return Items(
        *_complaint(db, SENSITIVE_KEY, sensitive=True),
        *_complaint(db, ORDINARY_KEY, sensitive=False),
    )


@pytest.fixture
def client(db: Database, sent: Sent, items: Items) -> Iterator[TestClient]:
    outbound = Outbound(db)
    outbound.register("telegram", sent.deliver)
    with TestClient(console_app(db, outbound), base_url="http://testserver") as c:
        yield c


# Every route that opens or changes a conversation or a ticket: (method, path, form).
RULES = [
    ("GET", "/conversations/{cid}", {}),
    ("POST", "/conversations/{cid}/take", {}),
    ("POST", "/conversations/{cid}/reply", {"text": "Halo, saya Ani."}),
    ("POST", "/conversations/{cid}/note", {"text": "catatan agen"}),
    ("POST", "/conversations/{cid}/return", {}),
    ("POST", "/conversations/{cid}/close", {}),
    ("GET", "/tickets/{ref}", {}),
    ("POST", "/tickets/{ref}/status", {"status": "diproses", "note": "dicek"}),
    ("POST", "/tickets/{ref}/note", {"text": "catatan agen"}),
]


def _request(
    client: TestClient,
    csrf: str,
    rule: tuple[str, str, dict[str, str]],
    cid: int,
    ref: str,
) -> tuple[int, str]:
    method, path, form = rule
    url = "/staff" + path.format(cid=cid, ref=ref)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf": csrf, **form})
    return response.status_code, response.text


@pytest.mark.parametrize("rule", RULES, ids=[f"{m} {p}" for m, p, _ in RULES])
def test_an_agent_is_refused_a_supervisor_only_item(
    client: TestClient,
    db: Database,
    sent: Sent,
    items: Items,
    rule: tuple[str, str, dict[str, str]],
) -> None:
    csrf = login(client, "ani")
    status, body = _request(
        client, csrf, rule, items.sensitive_cid, items.sensitive_ref
    )
    assert status == 403
    assert access.SENSITIVE_ONLY in body
    assert "pelicin" not in body
    assert items.sensitive_ref not in body
    assert sent.texts == []
    with db.session() as session:
        handoff = session.query(Handoff).filter_by(supervisor_only=True).one()
        assert (handoff.status, handoff.assigned_staff_id) == ("open", None)
        assert session.query(InternalNote).count() == 0
        assert session.query(TicketStatusChange).count() == 0
        ticket = session.query(Ticket).filter_by(reference=items.sensitive_ref).one()
        assert ticket.status == "baru"


@pytest.mark.parametrize("rule", RULES, ids=[f"{m} {p}" for m, p, _ in RULES])
def test_the_same_route_serves_the_agent_an_ordinary_item(
    client: TestClient, items: Items, rule: tuple[str, str, dict[str, str]]
) -> None:
    csrf = login(client, "ani")
    if rule[1].endswith(("/reply", "/return", "/close")):
        # Only the holder replies or finishes: take it first, as the page does.
        client.post(
            f"/staff/conversations/{items.ordinary_cid}/take", data={"csrf": csrf}
        )
    status, _ = _request(client, csrf, rule, items.ordinary_cid, items.ordinary_ref)
    assert status == 200


def test_a_supervisor_opens_takes_and_closes_the_sensitive_conversation(
    client: TestClient, db: Database, items: Items, sent: Sent
) -> None:
    csrf = login(client, "sri")
    cid, ref = items.sensitive_cid, items.sensitive_ref
    page = client.get(f"/staff/conversations/{cid}")
    assert page.status_code == 200
    assert "pelicin" in page.text
    assert client.get(f"/staff/tickets/{ref}").status_code == 200
    client.post(f"/staff/conversations/{cid}/take", data={"csrf": csrf})
    client.post(f"/staff/conversations/{cid}/close", data={"csrf": csrf})
    with db.session() as session:
        assert session.query(Handoff).filter_by(supervisor_only=True).one().status == (
            "closed"
        )
    assert len(sent.texts) == 1


def _queue_rows(client: TestClient) -> str:
    page = client.get("/staff/?semua=1")
    assert page.status_code == 200
    return str(page.text)


def test_the_agent_queue_hides_supervisor_only_items(
    client: TestClient, items: Items
) -> None:
    login(client, "ani")
    page = _queue_rows(client)
    assert f"/staff/conversations/{items.ordinary_cid}" in page
    assert items.ordinary_ref in page
    assert f"/staff/conversations/{items.sensitive_cid}" not in page
    assert items.sensitive_ref not in page
    assert "khusus supervisor" not in page


def test_the_supervisor_queue_shows_them_marked(
    client: TestClient, items: Items
) -> None:
    login(client, "sri")
    page = _queue_rows(client)
    assert f"/staff/conversations/{items.sensitive_cid}" in page
    assert items.sensitive_ref in page
    assert "khusus supervisor" in page


def test_an_agent_export_leaves_them_out_and_is_audited(
    client: TestClient, db: Database, items: Items
) -> None:
    login(client, "ani")
    csv = client.get("/staff/tickets.csv")
    assert csv.status_code == 200
    assert items.ordinary_ref in csv.text
    assert items.sensitive_ref not in csv.text
    assert "pelicin" not in csv.text
    with db.session() as session:
        [entry] = session.query(AuditEntry).all()
        newest = session.query(Ticket).filter_by(reference=items.ordinary_ref).one().id
        assert entry.staff.name == "ani"
        assert entry.action == "export_tickets"
        assert entry.subject == (
            f"tickets.csv: 1 baris, id <= {newest}, tanpa aduan khusus supervisor"
        )


def test_a_supervisor_export_has_them_and_every_export_is_audited(
    client: TestClient, db: Database, items: Items
) -> None:
    login(client, "sri")
    for _ in range(2):
        csv = client.get("/staff/tickets.csv")
        assert items.sensitive_ref in csv.text
        assert items.ordinary_ref in csv.text
    with db.session() as session:
        entries = session.query(AuditEntry).all()
        assert [e.action for e in entries] == ["export_tickets"] * 2
        assert all("2 baris" in e.subject for e in entries)
        assert all("termasuk aduan khusus supervisor" in e.subject for e in entries)


def test_a_sensitive_complaint_without_a_handoff_still_closes_its_chat(
    db: Database,
) -> None:
    """The story is in the transcript even when the handoff failed to open."""
    with db.session() as session:
        conversations.get_or_create(session, SENSITIVE_KEY)
        ticket = file_complaint(
            session,
            SENSITIVE_KEY,
            ComplaintDraft(None, "kantor X", None, None, None, None),
            DEADLINES,
            extras=ComplaintExtras(sensitive=True),
        )
        assert access.restricted_tickets(session) == {ticket.id}
        assert access.restricted_conversations(session) == {ticket.conversation_id}


def test_a_ticket_handed_off_to_supervisors_is_theirs_too(db: Database) -> None:
    with db.session() as session:
        conversations.get_or_create(session, ORDINARY_KEY)
        ticket = file_complaint(
            session,
            ORDINARY_KEY,
            ComplaintDraft(None, "kantor X", None, None, None, None),
            DEADLINES,
        )
        assert access.restricted_tickets(session) == set()
        handoff = open_handoff(
            session, ORDINARY_KEY, REASON_SENSITIVE, supervisor_only=True
        )
        handoff.ticket_id = ticket.id
        session.flush()
        assert access.restricted_tickets(session) == {ticket.id}
        assert access.restricted_conversations(session) == {handoff.conversation_id}
