"""``python -m bot purge`` while a conversation runs, on SQLite and PostgreSQL.

An old conversation (its transcript and Rasa events moved 100 days back) is purged
while another participant is in the middle of a complaint; that complaint goes on
and is filed, and a second purge right after finds nothing.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.store.db import Database
from bot.store.models import Conversation, Message
from tests.fakes import telegram_updates as tg
from tests.integration.conftest import Stack
from tests.integration.processes import run_cli
from tests.integration.test_telegram_complaint import (
    SUMMARY,
    WHOLE_STORY,
    filed_reference,
    finish_complaint,
)

AGE = timedelta(days=100)


def _say(stack: Stack, chat_id: int, text: str, expect_total: int) -> list[str]:
    assert stack.post_update(tg.text(chat_id, text)).status_code == 200
    return stack.telegram.wait_for_texts(chat_id, expect_total)


def _age_conversation(stack: Stack, chat_id: int) -> int:
    """Move one chat's transcript and Rasa events 100 days back; its message count."""
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            conversation = session.scalar(
                select(Conversation).where(Conversation.external_id == str(chat_id))
            )
            assert conversation is not None
            sender = conversation.sender_id
            messages = session.scalars(
                select(Message).where(Message.conversation_id == conversation.id)
            ).all()
            for message in messages:
                message.created_at -= AGE
            count = len(messages)
    finally:
        db.dispose()
    with sqlite3.connect(stack.rasa.tracker_db) as tracker:
        tracker.execute(
            "UPDATE events SET timestamp = timestamp - ? WHERE sender_id = ?",
            (AGE.total_seconds(), sender),
        )
    return count


def _purge(stack: Stack) -> dict[str, Any]:
    report: dict[str, Any] = run_cli(
        ["purge"],
        stack.database_url,
        {"TRACKER_STORE_URL": f"sqlite:///{stack.rasa.tracker_db}"},
    )
    return report


def test_purge_while_a_conversation_runs(stack: Stack, chat_id: int) -> None:
    # Its own chat for each store: the fake Bot API is shared by the whole session.
    old_chat = random.randint(55_000_000, 55_999_999)
    _say(stack, old_chat, "/start", 1)
    _say(stack, old_chat, "halo", 2)
    aged = _age_conversation(stack, old_chat)
    assert aged >= 4

    texts = _say(stack, chat_id, "/start", 1)
    reports: list[dict[str, Any]] = []
    purging = threading.Thread(target=lambda: reports.append(_purge(stack)))
    purging.start()
    texts = _say(stack, chat_id, WHOLE_STORY, 3)  # while the purge runs
    purging.join(timeout=120)
    assert SUMMARY in texts[-1]
    texts = finish_complaint(stack, chat_id)
    reference = filed_reference(texts)
    assert any(t["id"] == reference for t in stack.tickets())

    (first,) = reports
    assert first["transcript_messages"] >= aged
    assert first["tracker_events"] > 0
    db = Database(stack.database_url)
    try:
        with db.session() as session:
            old = session.scalar(
                select(func.count(Message.id))
                .join(Conversation)
                .where(Conversation.external_id == str(old_chat))
            )
            live = session.scalar(
                select(func.count(Message.id))
                .join(Conversation)
                .where(Conversation.external_id == str(chat_id))
            )
    finally:
        db.dispose()
    assert old == 0
    # Every message of the running chat is kept: the bot's and the participant's 3.
    assert live == len(texts) + 3

    second = _purge(stack)
    assert second["transcript_messages"] == 0
    assert second["tracker_events"] == 0
