"""Tables of the gateway's store: conversations, their messages, and tickets.

Rasa's tracker store holds dialogue state only; everything staff and participants
rely on later (transcripts, tickets, deadlines) lives here.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Aware UTC now; every timestamp in the store is UTC."""
    return datetime.now(timezone.utc)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in and comes out timezone-aware UTC on every backend.

    SQLite keeps no zone; PostgreSQL's ``timestamptz`` does. Normalising here means
    the services never compare naive and aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Declarative base with the project's naming convention for constraints."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
    }


Base.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Conversation(Base):
    """One participant on one channel: the unit staff take over and hand back."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    sender_id: Mapped[str] = mapped_column(String(96), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="bot")
    last_buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # p5 (0004_channels): the provider said the participant cannot be reached (a
    # Telegram 403); cleared when they write again.
    unreachable_at: Mapped[datetime | None]
    # p5: which gateway task runs this participant's turn, and until when.
    lease_holder: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None]

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id"
    )

    def __repr__(self) -> str:
        return f"Conversation(id={self.id}, sender_id={self.sender_id!r})"


class Message(Base):
    """Every message in and out, as staff will read it (identity numbers masked)."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "direction", "provider_message_id"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    kind: Mapped[str] = mapped_column(String(16), default="text")
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # p5 (0004_channels): the provider's last delivery report on an outbound message.
    status_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(300))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"Message(id={self.id}, direction={self.direction!r})"


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
    # Resignation requests (P3, migration 0002_resign): the decision and why.
    rules_fired: Mapped[list[str] | None] = mapped_column(JSON)
    ruleset_version: Mapped[str | None] = mapped_column(String(32))
    request_reason: Mapped[str | None] = mapped_column(Text)
    participant_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    participant_ciphertext: Mapped[str | None] = mapped_column(Text)

    conversation: Mapped[Conversation | None] = relationship()

    def __repr__(self) -> str:
        return f"Ticket(reference={self.reference!r}, status={self.status!r})"


class RateWindow(Base):
    """Messages one sender sent in one clock minute (shared by every gateway)."""

    __tablename__ = "rate_windows"

    sender_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class CallbackPayload(Base):
    """A button payload too long for Telegram's 64-byte callback data, by its key."""

    __tablename__ = "callback_payloads"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- stopping participation (P3, migration 0002_resign) ----------------------------


class RegistryParticipant(Base):
    """The embedded demo registry: NIK and KPJ only as ciphertext and keyed hash."""

    __tablename__ = "registry_participants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    nik_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nik_ciphertext: Mapped[str] = mapped_column(Text, default="")
    kpj_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    kpj_ciphertext: Mapped[str | None] = mapped_column(Text)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1), default="")
    segment: Mapped[str] = mapped_column(String(8), default="")
    status: Mapped[str] = mapped_column(String(16), default="")
    programs: Mapped[str] = mapped_column(String(64), default="")
    jht_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    arrears_months: Mapped[int] = mapped_column(Integer, default=0)
    last_paid_month: Mapped[str | None] = mapped_column(String(7))
    payment_channel: Mapped[str] = mapped_column(String(32), default="")
    autodebit: Mapped[bool] = mapped_column(Boolean, default=False)
    pending_claim: Mapped[str | None] = mapped_column(String(32))
    registered_office: Mapped[str | None] = mapped_column(String(64))
    employer: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(Base):
    """Proof of consent (UU 27/2022 Pasal 24): when, where, which text, the answer."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(96), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32))
    text_version: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerificationLock(Base):
    """Failed identity checks per conversation, in the store for every process."""

    __tablename__ = "verification_locks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(96), unique=True)
    participant_hash: Mapped[str | None] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdentityToken(Base):
    """A long number from a message, replaced by a token before Rasa sees it."""

    __tablename__ = "identity_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(24), unique=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


# --- p4: complaints to resolution, handoff, staff console ---------------------------


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


class Staff(Base):
    """A console account; ``role`` is ``agent`` or ``supervisor``."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffSession(Base):
    """A console login; the cookie holds a random token, the table only its hash."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    staff: Mapped[Staff] = relationship()


class Handoff(Base):
    """A conversation handed to people: open, assigned, returned (to bot), closed."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    supervisor_only: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    assigned_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]

    conversation: Mapped[Conversation] = relationship()
    assigned_staff: Mapped[Staff | None] = relationship()


class InternalNote(Base):
    """A note staff leave for each other on a conversation or a ticket; never sent."""

    __tablename__ = "internal_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff] = relationship()


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


class StaffMessage(Base):
    """Marks an outbound transcript message as written by a person, not the bot."""

    __tablename__ = "staff_messages"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class MessageSecret(Base):
    """The encrypted original of one masked number in a message, for audited reveal."""

    __tablename__ = "message_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # nik, kpj, phone
    masked: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Who saw or did something sensitive (a reveal of a masked number)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    staff: Mapped[Staff] = relationship()
