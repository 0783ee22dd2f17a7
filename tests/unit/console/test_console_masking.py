"""The console and its CSV show no identity number in clear, even for rows written
before masking held (issue 10): views mask again what they show."""

from __future__ import annotations

from sqlalchemy import update
from starlette.testclient import TestClient

from bot.messaging import conversations
from bot.store.db import Database
from bot.store.models import InternalNote, Staff, Ticket, TicketStatusChange
from tests.builders import make_staff
from tests.unit.console.support import KEY, complaint_with_phone, console_app, login

TYPED = "nik 3309/0412/0371/0003 hp 0813\u00a02555\u00a00101"
CLEAR = ("3309041203710003", "3309/0412/0371/0003", "081325550101")


def _old_rows(db: Database) -> tuple[str, int]:
    """A complaint whose fields were stored as typed (SQL, past the validators)."""
    reference, _, conversation_id = complaint_with_phone(db)
    with db.session() as session:
        conversation = conversations.get_or_create(session, KEY)
        conversations.record_inbound(session, conversation, TYPED)
        staff_id = session.query(Staff.id).filter(Staff.name == "sri").scalar()
        ticket = session.query(Ticket).filter(Ticket.reference == reference).one()
        session.add(InternalNote(ticket_id=ticket.id, staff_id=staff_id, text="x"))
        session.add(
            InternalNote(conversation_id=conversation_id, staff_id=staff_id, text="y")
        )
        session.add(
            TicketStatusChange(
                ticket_id=ticket.id, from_status="baru", to_status="diproses", note="z"
            )
        )
        session.flush()
        session.execute(
            update(Ticket)
            .where(Ticket.id == ticket.id)
            .values(office_id=None, office_text=TYPED, staff_said=TYPED)
        )
        session.execute(update(InternalNote).values(text=TYPED))
        session.execute(update(TicketStatusChange).values(note=TYPED))
    return reference, conversation_id


def _shows_clear(text: str) -> list[str]:
    return [value for value in CLEAR if value in text.replace("\u00a0", "")]


def test_views_and_export_mask_what_was_stored_in_clear(db: Database) -> None:
    make_staff(db, "sri", "supervisor")
    reference, conversation_id = _old_rows(db)
    client = TestClient(console_app(db))
    login(client, "sri")
    ticket = client.get(f"/staff/tickets/{reference}")
    conversation = client.get(f"/staff/conversations/{conversation_id}")
    export = client.get("/staff/tickets.csv")
    for page in (ticket, conversation, export):
        assert page.status_code == 200
        assert _shows_clear(page.text) == []
    assert "************0003" in ticket.text
    assert "************0003" in conversation.text
    assert "************0003" in export.text


def test_a_new_note_is_stored_masked(db: Database) -> None:
    make_staff(db, "sri", "supervisor")
    with db.session() as session:
        staff_id = session.query(Staff.id).filter(Staff.name == "sri").scalar()
        note = InternalNote(staff_id=staff_id, text=TYPED)
        assert _shows_clear(note.text) == []
