"""Every free-text field of a ticket is stored with its numbers masked (issue 10).

Before: only the complaint description was masked; ``staff_said``, ``harm``,
earlier attempts, the resolution wanted and a resignation's reason were kept as typed.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.complaints.filing import (
    ComplaintDraft,
    ComplaintExtras,
    Deadlines,
    file_complaint,
)
from bot.core.workdays import WorkingCalendar
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.store.db import Database
from bot.store.models import ComplaintDetails, Ticket, TicketStatusChange

KEY = ConversationKey("telegram", "4242")
NIK = "3309 0412 0371 0003"
PHONE = "0813-2555-0101"
TYPED = f"nik saya {NIK}, hp {PHONE}"
MASKED = "nik saya ************0003, hp ********0101"


def test_every_free_text_field_of_a_complaint_is_masked(
    db: Database, tmp_path: Path
) -> None:
    draft = ComplaintDraft(None, TYPED, TYPED, TYPED, TYPED, TYPED)
    extras = ComplaintExtras(
        description=TYPED,
        service_wanted=TYPED,
        harm=TYPED,
        earlier_attempts=TYPED,
    )
    with db.session() as session:
        conversations.get_or_create(session, KEY)
        ticket = file_complaint(
            session, KEY, draft, Deadlines(3, 14, WorkingCalendar()), extras=extras
        )
        session.add(
            TicketStatusChange(
                ticket_id=ticket.id,
                from_status="baru",
                to_status="diproses",
                note=TYPED,
            )
        )
    with db.session() as session:
        stored = session.scalars(select(Ticket)).one()
        details = session.scalars(select(ComplaintDetails)).one()
        change = session.scalars(select(TicketStatusChange)).one()
        fields = [
            stored.office_text,
            stored.event_at,
            stored.staff_role,
            stored.staff_said,
            stored.resolution_wanted,
            details.description,
            details.service_wanted,
            details.harm,
            details.earlier_attempts,
            change.note,
        ]
    # event_at and staff_role are short columns: they hold the masked start.
    assert all(MASKED.startswith(value) for value in fields if value)
    assert stored.staff_said == MASKED and details.harm == MASKED
    raw = (tmp_path / "bpu.sqlite3").read_bytes()
    assert b"3309041203710003" not in raw and NIK.encode() not in raw
    assert PHONE.encode() not in raw


def test_a_field_changed_later_is_masked_too(db: Database) -> None:
    with db.session() as session:
        conversations.get_or_create(session, KEY)
        ticket = file_complaint(
            session,
            KEY,
            ComplaintDraft(None, "kcp", None, None, None, None),
            Deadlines(3, 14, WorkingCalendar()),
        )
        ticket.request_reason = TYPED
        ticket.staff_said = None
        assert ticket.request_reason == MASKED
        assert ticket.staff_said is None
