"""Messages on their way to a participant (the outbox).

Every outbound message (a bot reply, a staff reply, a status notification) is
written here in the same transaction as what caused it, with its transcript row,
and delivered by ``bot.messaging.delivery``: at once in the common case, retried
with backoff when the provider fails for a while, in order per conversation. A
claim (``claimed_by`` until ``claimed_until``) lets several gateways share the work
without sending one message twice while both are alive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models.base import Base, utcnow

# An item's life: "pending" until delivered ("sent") or given up ("failed": a
# permanent refusal, or too many attempts). Only pending items are ever claimed.
PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxItem(Base):
    """One outbound message and its delivery attempts."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_conversation_id_status", "conversation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    # The transcript row staff read (masked text, delivery status); purging it
    # (retention) takes the item with it.
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE")
    )
    origin: Mapped[str] = mapped_column(String(16))  # bot, staff, notification
    # What the provider gets; replaced by the masked text once done.
    text: Mapped[str] = mapped_column(Text, default="")
    buttons: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    custom: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The participant did not just write (WhatsApp's 24-hour window applies).
    proactive: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"OutboxItem(id={self.id}, status={self.status!r})"
