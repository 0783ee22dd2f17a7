"""``Database.run``: the one way async code does store work, off the event loop."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.store.db import Database
from bot.store.models import Conversation

KEY = ConversationKey("telegram", "77")
SENDER = KEY.sender_id


async def test_work_runs_off_the_loop_and_commits(
    db: Database, sessions_on_loop: list[str]
) -> None:
    cid = await db.run(lambda s: conversations.get_or_create(s, KEY).id)
    assert sessions_on_loop == []
    with db.session() as session:
        found = conversations.find(session, KEY.sender_id)
        assert found is not None and found.id == cid


async def test_a_failing_unit_of_work_rolls_back_and_raises(db: Database) -> None:
    def fail(session: Session) -> None:
        session.add(
            Conversation(channel="telegram", external_id="77", sender_id=SENDER)
        )
        session.flush()
        raise LookupError("stop")

    with pytest.raises(LookupError):
        await db.run(fail)
    with db.session() as session:
        assert conversations.find(session, SENDER) is None
