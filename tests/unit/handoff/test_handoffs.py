"""Handoff ownership: one holder at a time, supervisor-only cases, handing back."""

from __future__ import annotations

import threading

import pytest

from bot.handoff import handoffs
from bot.messaging.conversations import ConversationKey
from bot.staff.accounts import StaffUser
from bot.store.db import Database
from bot.store.models import Conversation, Handoff
from tests.builders import make_staff

KEY = ConversationKey("telegram", "777")


def _open(db: Database, supervisor_only: bool = False) -> int:
    with db.session() as session:
        return handoffs.open_handoff(
            session, KEY, handoffs.REASON_ASKED, supervisor_only=supervisor_only
        ).id


def test_opening_silences_the_bot_and_is_reused(db: Database) -> None:
    first = _open(db)
    second = _open(db)
    assert first == second
    with db.session() as session:
        conversation = session.query(Conversation).one()
        assert handoffs.is_active(conversation)


def test_two_staff_cannot_both_take_a_conversation(db: Database) -> None:
    ani = make_staff(db, "ani", "agent")
    budi = make_staff(db, "budi", "agent")
    handoff_id = _open(db)
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def take(user: StaffUser) -> None:
        barrier.wait()
        try:
            with db.session() as session:
                handoffs.assign(session, handoff_id, user)
            results[user.name] = "won"
        except handoffs.HandoffError:
            results[user.name] = "refused"

    threads = [threading.Thread(target=take, args=(u,)) for u in (ani, budi)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["refused", "won"]
    with db.session() as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        winner = ani if results["ani"] == "won" else budi
        assert handoff.assigned_staff_id == winner.id
        assert handoff.status == "assigned"


def test_agents_cannot_take_a_sensitive_case(db: Database) -> None:
    ani = make_staff(db, "ani", "agent")
    sri = make_staff(db, "sri", "supervisor")
    handoff_id = _open(db, supervisor_only=True)
    with db.session() as session, pytest.raises(handoffs.HandoffError):
        handoffs.assign(session, handoff_id, ani)
    with db.session() as session:
        handoffs.assign(session, handoff_id, sri)


def test_agents_cannot_close_or_return_a_sensitive_case(db: Database) -> None:
    """Nobody holds it yet, which let any agent finish it before."""
    ani = make_staff(db, "ani", "agent")
    sri = make_staff(db, "sri", "supervisor")
    handoff_id = _open(db, supervisor_only=True)
    for status in ("closed", "returned"):
        with db.session() as session, pytest.raises(handoffs.HandoffError):
            handoffs.finish(session, handoff_id, ani, status)
    with db.session() as session:
        found = session.get(Handoff, handoff_id)
        assert found is not None and found.status == "open"
        handoffs.finish(session, handoff_id, sri, "closed")


def test_only_the_holder_replies_and_handing_back_wakes_the_bot(db: Database) -> None:
    ani = make_staff(db, "ani", "agent")
    budi = make_staff(db, "budi", "agent")
    handoff_id = _open(db)
    with db.session() as session:
        conversation_id = session.query(Conversation).one().id
        handoffs.assign(session, handoff_id, ani)
    with db.session() as session, pytest.raises(handoffs.HandoffError):
        handoffs.held_by(session, conversation_id, budi)
    with db.session() as session, pytest.raises(handoffs.HandoffError):
        handoffs.finish(session, handoff_id, budi, "returned")
    with db.session() as session:
        handoffs.held_by(session, conversation_id, ani)
        handoffs.finish(session, handoff_id, ani, "returned")
    with db.session() as session:
        conversation = session.query(Conversation).one()
        assert not handoffs.is_active(conversation)
        assert handoffs.active_for(session, conversation_id) is None


def test_list_json_has_the_contract_fields(db: Database) -> None:
    _open(db)
    with db.session() as session:
        [handoff] = handoffs.list_handoffs(session)
        item = handoffs.as_json(handoff, 3)
    assert {
        "id",
        "conversation_id",
        "channel",
        "reason",
        "status",
        "created_at",
        "message_count",
    } <= set(item)
    assert item["status"] == "open"
    assert item["channel"] == "telegram"
    assert item["message_count"] == 3
