"""A running stack's database, read and written as the action server would.

The console tests need a Telegram chat's conversation id and a complaint filed from
that chat without walking the whole complaint form first.
"""

from __future__ import annotations

from bot.complaints.filing import (
    ComplaintDraft,
    ComplaintExtras,
    Deadlines,
    file_complaint,
)
from bot.core.workdays import WorkingCalendar
from bot.handoff import handoffs
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.store.db import Database

DRAFT = ComplaintDraft(
    "kcp_boyolali",
    None,
    "2025-12-02T09:30+07:00",
    "satpam",
    "harus ke kantor semarang",
    "dilayani di boyolali saja",
)


def conversation_id(database_url: str, chat_id: int) -> int:
    """The stored conversation of this Telegram chat (it must exist)."""
    with Database(database_url) as db, db.session() as session:
        found = conversations.find(session, f"telegram:{chat_id}")
        assert found is not None
        return found.id


def file_telegram_complaint(
    database_url: str, chat_id: int, extras: ComplaintExtras, **changes: object
) -> str:
    """A complaint (``DRAFT``) from this chat; ``changes`` are set on the ticket."""
    with Database(database_url) as db, db.session() as session:
        key = ConversationKey("telegram", str(chat_id))
        conversations.get_or_create(session, key)
        ticket = file_complaint(
            session, key, DRAFT, Deadlines(3, 14, WorkingCalendar()), extras=extras
        )
        for name, value in changes.items():
            setattr(ticket, name, value)
        return ticket.reference


def sensitive_case(database_url: str, chat_id: int, story: str) -> tuple[int, str]:
    """A sensitive complaint from this chat, handed to supervisors as the action does.

    Returns the conversation id and the ticket's reference.
    """
    with Database(database_url) as db, db.session() as session:
        key = ConversationKey("telegram", str(chat_id))
        conversation = conversations.get_or_create(session, key)
        conversations.record_inbound(session, conversation, story)
        ticket = file_complaint(
            session,
            key,
            DRAFT,
            Deadlines(3, 14, WorkingCalendar()),
            extras=ComplaintExtras(sensitive=True, description=story),
        )
        handoffs.open_handoff(
            session,
            key,
            handoffs.REASON_SENSITIVE,
            supervisor_only=True,
            ticket_id=ticket.id,
        )
        return conversation.id, ticket.reference


def webchat_conversation_id(database_url: str, session_id: str) -> int:
    """The stored conversation of a web chat session (it must exist)."""
    with Database(database_url) as db, db.session() as session:
        found = conversations.find(session, f"webchat:{session_id}")
        assert found is not None
        return found.id
