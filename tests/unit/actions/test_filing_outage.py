"""Filing a complaint while the store is away: it waits, and never files twice.

The action's commit can reach PostgreSQL while the answer is lost with the
connection; the attempt after it must find that ticket instead of filing another.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from actions import runtime
from actions.complaint import filing
from actions.complaint.filing import ActionFileComplaint
from bot.complaints.filing import file_complaint
from bot.core.settings import PROJECT_ROOT, load_settings
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.parsing.offices import load_directory
from bot.store import db as db_module
from bot.store.db import Database
from bot.store.models import Ticket

SENDER = ConversationKey("telegram", "5550005")
SLOTS = {
    "office": "kcp_boyolali",
    "event_at": "2026-12-01T09:30",
    "staff_role": "satpam",
    "staff_said": "harus ke Semarang",
    "complaint_description": "saya ditolak satpam, disuruh ke Semarang",
}


@pytest.fixture
def store(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    directory = load_directory(PROJECT_ROOT / "bot/data/offices.yml")
    patience = {"ACTION_STORE_PATIENCE_SECONDS": "2"}
    monkeypatch.setattr(runtime, "database", lambda: db)
    monkeypatch.setattr(runtime, "directory", lambda: directory)
    monkeypatch.setattr(runtime, "settings", lambda: load_settings(patience))
    monkeypatch.setattr(db_module, "STORE_FIRST_PAUSE_SECONDS", 0.01)
    with db.session() as session:
        conversations.get_or_create(session, SENDER)
    return db


def _unreachable() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection"))


def _failing(times: int, *, after_commit: bool) -> Any:
    """``file_complaint`` whose first ``times`` calls fail: before anything was
    written, or after the ticket was committed (the answer lost on the way)."""
    real = file_complaint
    calls = {"left": times}

    def run(session: Any, *args: Any, **kwargs: Any) -> Any:
        if calls["left"] > 0:
            calls["left"] -= 1
            if after_commit:
                real(session, *args, **kwargs)
                session.commit()
            raise _unreachable()
        return real(session, *args, **kwargs)

    return run


async def _file() -> list[dict[str, Any]]:
    tracker = Tracker(SENDER.sender_id, SLOTS, {}, [], False, None, None, None)
    dispatcher = CollectingDispatcher()
    await ActionFileComplaint().run(dispatcher, tracker, {})
    messages: list[dict[str, Any]] = dispatcher.messages
    return messages


def _references(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Ticket.reference)))


@pytest.mark.parametrize("after_commit", [False, True], ids=["before", "after-commit"])
async def test_a_short_outage_delays_the_filing_and_files_once(
    store: Database, monkeypatch: pytest.MonkeyPatch, after_commit: bool
) -> None:
    monkeypatch.setattr(
        filing, "file_complaint", _failing(2, after_commit=after_commit)
    )
    messages = await _file()
    (reference,) = _references(store)
    filed = [m for m in messages if m["response"] == "utter_complaint_filed"]
    assert [m["reference"] for m in filed] == [reference]


async def test_a_longer_outage_is_told_and_files_nothing(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filing, "file_complaint", _failing(10_000, after_commit=False))
    messages = await _file()
    assert [m["response"] for m in messages] == ["utter_complaint_not_saved"]
    assert _references(store) == []
