"""Ticket status transitions: allowed table, refusals, history, notification text."""

from __future__ import annotations

import pytest

from bot.complaints.filing import ComplaintDraft, Deadlines, file_complaint
from bot.core.workdays import WorkingCalendar
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.messaging.messages import BotMessage
from bot.messaging.outbound import Delivery, Outbound
from bot.store.db import Database
from bot.store.models import Ticket, TicketStatusChange
from bot.tickets import lifecycle
from tests.builders import make_staff

DRAFT = ComplaintDraft("kcp_boyolali", None, None, "satpam", "harus ke semarang", None)


def _ticket(db: Database) -> str:
    with db.session() as session:
        conversations.get_or_create(session, ConversationKey("telegram", "42"))
        ticket = file_complaint(
            session,
            ConversationKey("telegram", "42"),
            DRAFT,
            Deadlines(3, 14, WorkingCalendar()),
        )
        return ticket.reference


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("baru", "diproses"),
        ("baru", "menunggu_peserta"),
        ("diproses", "selesai"),
        ("menunggu_peserta", "diproses"),
        ("diproses", "ditolak"),
        ("selesai", "diproses"),
    ],
)
def test_allowed_moves(start: str, target: str) -> None:
    assert lifecycle.allowed(start, target)


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("baru", "baru"),
        ("diproses", "baru"),
        ("selesai", "ditolak"),
        ("ditolak", "selesai"),
        ("selesai", "menunggu_peserta"),
        ("diproses", "dibatalkan"),
    ],
)
def test_illegal_moves_are_refused(db: Database, start: str, target: str) -> None:
    assert not lifecycle.allowed(start, target)
    reference = _ticket(db)
    with db.session() as session:
        ticket = session.query(Ticket).filter_by(reference=reference).one()
        ticket.status = start
    with db.session() as session:
        ticket = session.query(Ticket).filter_by(reference=reference).one()
        with pytest.raises(lifecycle.TransitionError):
            lifecycle.change_status(session, ticket, target, staff_id=None, note="x")
        assert ticket.status == start
        assert lifecycle.history(session, ticket.id) == []


def test_finishing_needs_a_resolution_note(db: Database) -> None:
    reference = _ticket(db)
    with db.session() as session:
        ticket = session.query(Ticket).filter_by(reference=reference).one()
        with pytest.raises(lifecycle.TransitionError, match="catatan"):
            lifecycle.change_status(session, ticket, "selesai", staff_id=None, note=" ")


def test_a_change_is_recorded_with_who_and_why(db: Database) -> None:
    agent = make_staff(db, "ani", "agent")
    reference = _ticket(db)
    with db.session() as session:
        ticket = session.query(Ticket).filter_by(reference=reference).one()
        change = lifecycle.change_status(
            session, ticket, "diproses", staff_id=agent.id, note="Sudah kami teruskan"
        )
        assert change.key == ConversationKey("telegram", "42")
    with db.session() as session:
        ticket = session.query(Ticket).filter_by(reference=reference).one()
        [row] = lifecycle.history(session, ticket.id)
        assert (row.from_status, row.to_status, row.staff_id) == (
            "baru",
            "diproses",
            agent.id,
        )
        assert row.note == "Sudah kami teruskan"
        assert ticket.status == "diproses"


def test_notification_names_the_ticket_the_status_and_the_note() -> None:
    change = lifecycle.StatusChange(
        1, "ADU-7K3M-Q9TZ", "selesai", "Sudah dinonaktifkan", None
    )
    text = lifecycle.notification(change).text
    assert "ADU-7K3M-Q9TZ" in text
    assert '"selesai"' in text
    assert "Catatan petugas: Sudah dinonaktifkan" in text


def test_waiting_for_the_participant_asks_them_to_reply() -> None:
    change = lifecycle.StatusChange(1, "ADU-7K3M-Q9TZ", "menunggu_peserta", None, None)
    text = lifecycle.notification(change).text
    assert "menunggu jawaban Bapak/Ibu" in text
    assert "Balas pesan ini" in text


async def test_notify_records_the_delivery_off_the_event_loop(
    db: Database, sessions_on_loop: list[str]
) -> None:
    reference = _ticket(db)
    with db.session() as session:
        ticket = session.query(Ticket).filter_by(reference=reference).one()
        change = lifecycle.change_status(
            session, ticket, "diproses", staff_id=None, note="dicek"
        )
    sessions_on_loop.clear()  # the setup above ran on the test's own loop
    outbound = Outbound(db)

    async def deliver(
        key: ConversationKey, message: BotMessage, proactive: bool
    ) -> Delivery:
        return Delivery(status="sent")

    outbound.register("telegram", deliver)
    assert await lifecycle.notify(db, outbound, change) == "sent"
    assert sessions_on_loop == []
    with db.session() as session:
        row = session.get(TicketStatusChange, change.change_id)
        assert row is not None and row.notified == "sent"
