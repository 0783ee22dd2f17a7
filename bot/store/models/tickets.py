"""Tickets (complaints and resignation requests), their details and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from bot.core.privacy import mask_optional
from bot.store.models.base import Base, utcnow

if TYPE_CHECKING:
    from bot.store.models.conversations import Conversation
    from bot.store.models.staff import Staff


class Ticket(Base):
    """A complaint (``ADU-``) or a resignation request (``BRH-``)."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(13), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(20), default="baru")
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    category: Mapped[str | None] = mapped_column(String(64))
    office_id: Mapped[str | None] = mapped_column(String(64))
    office_text: Mapped[str | None] = mapped_column(String(200))
    event_at: Mapped[str | None] = mapped_column(String(32))
    staff_role: Mapped[str | None] = mapped_column(String(32))
    staff_said: Mapped[str | None] = mapped_column(Text)
    resolution_wanted: Mapped[str | None] = mapped_column(Text)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str | None] = mapped_column(String(32))
    first_response_due: Mapped[date | None] = mapped_column(Date)
    resolution_due: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Resignation requests only: the decision and why.
    rules_fired: Mapped[list[str] | None] = mapped_column(JSON)
    ruleset_version: Mapped[str | None] = mapped_column(String(32))
    request_reason: Mapped[str | None] = mapped_column(Text)
    participant_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    participant_ciphertext: Mapped[str | None] = mapped_column(Text)

    conversation: Mapped[Conversation | None] = relationship()

    @validates(
        "office_text", "event_at", "staff_role", "staff_said", "resolution_wanted",
        "request_reason",
    )
    def _masked(self, _key: str, value: str | None) -> str | None:
        """What the participant typed is kept with its numbers masked, whoever
        writes it (actions, console, seeds): PRODUCT.md §8."""
        return mask_optional(value)

    def __repr__(self) -> str:
        return f"Ticket(reference={self.reference!r}, status={self.status!r})"


class ComplaintDetails(Base):
    """The parts of a complaint beyond P1's columns (PRODUCT.md §3.2), one per ticket.

    A side table rather than columns on ``tickets``: the resignation requests share
    that table and never use these fields.
    """

    __tablename__ = "complaint_details"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    service_wanted: Mapped[str | None] = mapped_column(Text)
    harm: Mapped[str | None] = mapped_column(Text)
    earlier_attempts: Mapped[str | None] = mapped_column(Text)
    contact_preference: Mapped[str | None] = mapped_column(String(16))
    contact_phone_encrypted: Mapped[str | None] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    destination_office: Mapped[str | None] = mapped_column(String(64))

    ticket: Mapped[Ticket] = relationship()

    @validates(
        "description", "service_wanted", "harm", "earlier_attempts",
        "contact_preference", "destination_office",
    )
    def _masked(self, _key: str, value: str | None) -> str | None:
        """Free text is kept with its numbers masked (see ``Ticket._masked``)."""
        return mask_optional(value)


class TicketStatusChange(Base):
    """One step of a ticket's life: who moved it from what to what, and why."""

    __tablename__ = "ticket_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str | None] = mapped_column(Text)
    notified: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff | None] = relationship()

    @validates("note")
    def _masked(self, _key: str, value: str | None) -> str | None:
        """A note may quote the participant: numbers masked."""
        return mask_optional(value)
