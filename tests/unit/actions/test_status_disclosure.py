"""Status by reference: the filer is told everything, anyone else nothing but one line.

The action runs against a real store; a stranger's answer is checked for every fact
the filer's answer holds (office, dates, status, chronology), and failed look-ups
are limited per sender and in total with the same refusal for every reference.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.status import VERIFIED, ActionCheckStatus
from bot.complaints.filing import (
    ComplaintDraft,
    ComplaintExtras,
    Deadlines,
    file_complaint,
)
from bot.core.settings import PROJECT_ROOT, Settings, load_settings
from bot.core.workdays import WorkingCalendar
from bot.messaging import conversations
from bot.messaging.conversations import ConversationKey
from bot.parsing.offices import load_directory
from bot.parsing.references import ReferenceKind
from bot.store.db import Database
from bot.store.models import Ticket, utcnow
from bot.tickets.records import insert_with_new_reference

FILER = ConversationKey("telegram", "1110001")
STRANGER = "telegram:2220002"
PARTICIPANT_HASH = "c0ffee" * 10
UNKNOWN = "ADU-7K3M-Q9TZ"
PRIVATE_LINE = "Nomor ini terdaftar; rinciannya hanya untuk pelapor."


def _settings(**limits: str) -> Settings:
    return load_settings(
        {
            "STATUS_LOOKUP_FAILURES_PER_HOUR": limits.get("per_sender", "5"),
            "STATUS_LOOKUP_FAILURES_GLOBAL_PER_MINUTE": limits.get("overall", "30"),
        }
    )


@pytest.fixture
def store(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    directory = load_directory(PROJECT_ROOT / "bot/data/offices.yml")
    monkeypatch.setattr(runtime, "database", lambda: db)
    monkeypatch.setattr(runtime, "directory", lambda: directory)
    monkeypatch.setattr(runtime, "settings", _settings)
    return db


def _limit(monkeypatch: pytest.MonkeyPatch, **limits: str) -> None:
    monkeypatch.setattr(runtime, "settings", lambda: _settings(**limits))


def _overdue_complaint(db: Database) -> str:
    """Filed 40 days ago from FILER: past its deadline, so the chronology is due."""
    with db.session() as session:
        conversations.get_or_create(session, FILER)
        ticket = file_complaint(
            session,
            FILER,
            ComplaintDraft(
                "kcp_boyolali", None, "2025-01-07T09:30", "satpam", "ke Semarang", None
            ),
            Deadlines(3, 14, WorkingCalendar()),
            utcnow() - timedelta(days=40),
            extras=ComplaintExtras(harm="ongkos pulang pergi"),
        )
        return ticket.reference


def _request(db: Database) -> str:
    """A BRH- request filed from FILER for the participant PARTICIPANT_HASH."""
    with db.session() as session:
        conversation = conversations.get_or_create(session, FILER)

        def build(reference: str) -> Ticket:
            return Ticket(
                reference=reference,
                kind="resignation",
                channel="telegram",
                conversation_id=conversation.id,
                outcome="ELIGIBLE",
                participant_hash=PARTICIPANT_HASH,
            )

        return insert_with_new_reference(
            session, ReferenceKind.RESIGNATION, build
        ).reference


async def _ask(sender: str, reference: str, **slots: Any) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    tracker = Tracker(
        sender,
        {"ticket_reference": reference, **slots},
        {"text": f"status {reference}"},
        [],
        False,
        None,
        None,
        "action_listen",
    )
    events = await ActionCheckStatus().run(dispatcher, tracker, {})
    assert events == [
        {"event": "slot", "name": "ticket_reference", "value": None, "timestamp": None}
    ]
    messages: list[dict[str, Any]] = dispatcher.messages
    return messages


def _said(message: dict[str, Any]) -> dict[str, Any]:
    """What a message carries besides the dispatcher's defaults and alias."""
    return {
        k: v
        for k, v in message.items()
        if v not in (None, [], {}, "") and k != "template"  # "template": "response"
    }


def _response_text(name: str) -> str:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    [variant] = domain["responses"][name]
    return str(variant["text"])


async def test_the_filer_gets_the_status_deadlines_and_chronology(
    store: Database,
) -> None:
    reference = _overdue_complaint(store)
    messages = await _ask(FILER.sender_id, reference)
    assert [m["response"] for m in messages] == [
        "utter_ticket_status",
        "utter_ticket_escalation",
        "utter_ticket_chronology",
    ]
    status = messages[0]
    assert status["reference"] == reference
    assert status["status"] and status["created"] and status["resolution_due"]
    assert "Boyolali" in messages[2]["chronology"]
    assert "ongkos pulang pergi" in messages[2]["chronology"]


async def test_a_stranger_learns_only_that_the_number_exists(store: Database) -> None:
    reference = _overdue_complaint(store)
    filer_sees = await _ask(FILER.sender_id, reference)
    messages = await _ask(STRANGER, reference)
    assert [_said(m) for m in messages] == [
        {"response": "utter_ticket_private", "reference": reference}
    ]
    # The line itself has no slot for any fact, and says nothing of the ticket.
    line = _response_text("utter_ticket_private")
    assert line.startswith(PRIVATE_LINE)
    assert "{" not in line
    facts = [
        v
        for m in filer_sees
        for k, v in m.items()
        if k not in ("response", "reference")
    ]
    for fact in [f for f in facts if isinstance(f, str) and f]:
        assert fact not in line
    for word in ("Boyolali", "Status", "baru", "paling lambat", "2025"):
        assert word not in line


async def test_a_request_is_told_to_its_conversation_and_its_verified_participant(
    store: Database,
) -> None:
    reference = _request(store)
    [own] = await _ask(FILER.sender_id, reference)
    assert own["response"] == "utter_request_status"
    [verified] = await _ask(STRANGER, reference, **{VERIFIED: PARTICIPANT_HASH})
    assert verified["response"] == "utter_request_status"
    assert verified["outcome"]
    [other] = await _ask(STRANGER, reference, **{VERIFIED: "0" * 60})
    assert _said(other) == {"response": "utter_ticket_private", "reference": reference}
    [unverified] = await _ask(STRANGER, reference)
    assert unverified["response"] == "utter_ticket_private"


async def test_failed_look_ups_are_limited_per_sender_with_one_refusal_for_all(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _overdue_complaint(store)
    _limit(monkeypatch, per_sender="3")
    answers = [
        (await _ask(STRANGER, ref))[0]["response"]
        for ref in (UNKNOWN, reference, UNKNOWN)
    ]
    assert answers == [
        "utter_ticket_not_found",
        "utter_ticket_private",
        "utter_ticket_not_found",
    ]
    # Over the limit: the same refusal whether the number exists or not.
    for ref in (reference, UNKNOWN):
        [refused] = await _ask(STRANGER, ref)
        assert _said(refused) == {"response": "utter_status_limited", "reference": ref}
    # Another sender is not held back by this one; the filer never is.
    [other] = await _ask("telegram:3330003", UNKNOWN)
    assert other["response"] == "utter_ticket_not_found"
    own = await _ask(FILER.sender_id, reference)
    assert own[0]["response"] == "utter_ticket_status"


async def test_failed_look_ups_are_limited_in_total(
    store: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _overdue_complaint(store)
    _limit(monkeypatch, overall="2")
    senders = [f"webchat:rotating-session-{i:02d}" for i in range(4)]
    answers = [(await _ask(s, UNKNOWN))[0]["response"] for s in senders]
    assert answers == ["utter_ticket_not_found"] * 2 + ["utter_status_limited"] * 2
    own = await _ask(FILER.sender_id, reference)
    assert own[0]["response"] == "utter_ticket_status"


def test_the_refusals_name_no_fact_of_any_ticket() -> None:
    for name in ("utter_ticket_private", "utter_status_limited"):
        assert "{" not in _response_text(name)


def test_the_limits_are_counted_in_the_store(tmp_path: Path) -> None:
    """Two action servers share one store: the second sees the first's failures."""
    from bot.store.migrate import upgrade
    from bot.tickets import disclosure

    url = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(url)
    limits = _settings(per_sender="2").status_limits
    servers = [Database(url), Database(url)]
    try:
        results = []
        for i in range(3):
            with servers[i % 2].session() as session:
                results.append(
                    disclosure.count_failure(session, STRANGER, limits, utcnow())
                )
        assert results == [True, True, False]
    finally:
        for server in servers:
            server.dispose()
