"""Conversations, their transcript, and the gateway's per-message state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.store.models.base import Base, utcnow


class Conversation(Base):
    """One participant on one channel: the unit staff take over and hand back."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    sender_id: Mapped[str] = mapped_column(String(96), unique=True)
    # Where the provider delivers when ``external_id`` is a keyed hash (WhatsApp):
    # the number encrypted, and its last four digits for staff.
    address_ciphertext: Mapped[str | None] = mapped_column(Text)
    address_hint: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="bot")
    last_buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    last_inbound_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The provider said the participant cannot be reached (a
    # Telegram 403); cleared when they write again.
    unreachable_at: Mapped[datetime | None]
    # Which gateway task runs this participant's turn, and until when.
    lease_holder: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None]
    # Digits the last inbound message ended with (a number may go on in the next
    # one, bot/core/privacy.py); a count only, never the digits.
    digit_tail: Mapped[int | None]

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
    # The provider's last delivery report on an outbound message.
    status_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(300))

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    def __repr__(self) -> str:
        return f"Message(id={self.id}, direction={self.direction!r})"


class MessageSecret(Base):
    """The one encrypted copy of a number typed in a message (or read by the actions).

    It serves two readers: the console's audited reveal (by ``message_id``, for the
    transcript's life) and the action server, which gets a NIK or KPJ back from the
    ``niktok…``/``kpjtok…`` token Rasa saw in its place (``token``, valid for
    ``owner``'s conversation until ``token_expires_at``; purge then clears the token
    and keeps the reveal copy). Numbers the action server tokenises itself have no
    message; phone numbers have no token (Rasa sees them as typed).
    """

    __tablename__ = "message_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # nik, kpj, phone
    masked: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[str] = mapped_column(Text)
    token: Mapped[str | None] = mapped_column(String(24), unique=True, nullable=True)
    # The Rasa sender id of the conversation the token was issued to: the only one
    # it resolves for.
    owner: Mapped[str | None] = mapped_column(String(96), index=True, nullable=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(index=True)


class RateWindow(Base):
    """Events of one key in one window, shared by every process (bot.store.ratelimit).

    The key is a sender for the per-sender message limit (``sender_id`` is named for
    it), a web chat caller's address, or a counter of failed status look-ups.
    """

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
