"""Filing a complaint: the ticket, its details and its deadlines in working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.workdays import WorkingCalendar, jakarta_date
from bot.messaging.conversations import ConversationKey, find
from bot.parsing.references import ReferenceKind
from bot.store.models import ComplaintDetails, Ticket, utcnow
from bot.tickets.records import insert_with_new_reference

# Ombudsman RI maladministration categories (docs/domain-facts.md §5, [S43]).
CATEGORY_REFUSAL = "tidak memberikan pelayanan"
CATEGORY_WRONG_PROCEDURE = "penyimpangan prosedur"


@dataclass(frozen=True)
class ComplaintDraft:
    """What the complaint form collected; ``office`` is a directory id or free text."""

    office_id: str | None
    office_text: str | None
    event_at: str | None
    staff_role: str | None
    staff_said: str | None
    resolution_wanted: str | None


@dataclass(frozen=True)
class ComplaintExtras:
    """The rest of a complaint (PRODUCT.md §3.2), stored in ``complaint_details``."""

    category: str = CATEGORY_REFUSAL
    confidential: bool = False
    description: str | None = None
    service_wanted: str | None = None
    harm: str | None = None
    earlier_attempts: str | None = None
    contact_preference: str | None = None
    contact_phone_encrypted: str | None = None
    sensitive: bool = False
    destination_office: str | None = None

    @property
    def anonymous(self) -> bool:
        """Anonymous unless the participant left a way to reach them by name."""
        return self.contact_phone_encrypted is None


@dataclass(frozen=True)
class Deadlines:
    """Service-level settings in working days."""

    first_response_days: int
    resolution_days: int
    calendar: WorkingCalendar


def filed_since(
    session: Session, key: ConversationKey, since: datetime
) -> Ticket | None:
    """The complaint this conversation filed at or after ``since``, if any."""
    conversation = find(session, key.sender_id)
    if conversation is None:
        return None
    return session.scalar(
        select(Ticket)
        .where(
            Ticket.conversation_id == conversation.id,
            Ticket.kind == "complaint",
            Ticket.created_at >= since,
        )
        .order_by(Ticket.id)
        .limit(1)
    )


def file_complaint(
    session: Session,
    key: ConversationKey,
    draft: ComplaintDraft,
    deadlines: Deadlines,
    now: datetime | None = None,
    *,
    extras: ComplaintExtras | None = None,
) -> Ticket:
    """File a complaint about an office that refused service; returns the ticket."""
    extras = extras or ComplaintExtras()
    filed_at = now or utcnow()
    filed_day = jakarta_date(filed_at)
    conversation = find(session, key.sender_id)

    def build(reference: str) -> Ticket:
        return Ticket(
            reference=reference,
            kind="complaint",
            status="baru",
            channel=key.channel,
            conversation_id=conversation.id if conversation else None,
            category=extras.category,
            confidential=extras.confidential,
            office_id=draft.office_id,
            office_text=draft.office_text,
            event_at=draft.event_at,
            staff_role=draft.staff_role,
            staff_said=draft.staff_said,
            resolution_wanted=draft.resolution_wanted,
            first_response_due=deadlines.calendar.add_working_days(
                filed_day, deadlines.first_response_days
            ),
            resolution_due=deadlines.calendar.add_working_days(
                filed_day, deadlines.resolution_days
            ),
            created_at=filed_at,
            updated_at=filed_at,
        )

    ticket = insert_with_new_reference(session, ReferenceKind.COMPLAINT, build)
    session.add(
        ComplaintDetails(
            ticket_id=ticket.id,
            description=extras.description,
            service_wanted=extras.service_wanted,
            harm=extras.harm,
            earlier_attempts=extras.earlier_attempts,
            contact_preference=extras.contact_preference,
            contact_phone_encrypted=extras.contact_phone_encrypted,
            anonymous=extras.anonymous,
            sensitive=extras.sensitive,
            destination_office=extras.destination_office,
        )
    )
    session.flush()
    return ticket
