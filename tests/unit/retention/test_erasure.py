""" "hapus data saya": the store after ``erase_conversation`` and the chat actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from actions import privacy, runtime
from bot.gateway.dialogue import FORGET_CONVERSATION
from bot.retention import erase_conversation
from bot.store.db import Database
from bot.store.models import (
    ComplaintDetails,
    Conversation,
    Message,
    MessageSecret,
    SharedContact,
    Ticket,
    VerificationLock,
    utcnow,
)

SENDER = "telegram:42"
OTHER = "telegram:43"


def _conversation(db: Database, sender: str) -> int:
    channel, external = sender.split(":")
    with db.session() as session:
        row = Conversation(channel=channel, external_id=external, sender_id=sender)
        session.add(row)
        session.flush()
        for text in ("NIK saya ************0003", "Terima kasih"):
            message = Message(
                conversation_id=row.id, channel=channel, direction="in", text=text
            )
            session.add(message)
            session.flush()
            session.add(
                MessageSecret(
                    message_id=message.id, kind="nik", masked="m", ciphertext="enc"
                )
            )
        return row.id


def _ticket(db: Database, cid: int, reference: str, status: str) -> int:
    with db.session() as session:
        ticket = Ticket(
            reference=reference,
            kind="complaint",
            status=status,
            channel="telegram",
            conversation_id=cid,
            staff_said="harus ke semarang",
            participant_hash="h",
            participant_ciphertext="enc",
        )
        session.add(ticket)
        session.flush()
        session.add(
            ComplaintDetails(
                ticket_id=ticket.id,
                description="ditolak satpam",
                contact_phone_encrypted="enc",
                anonymous=False,
            )
        )
        return ticket.id


def _token(token: str, owner: str | None, now: datetime) -> MessageSecret:
    return MessageSecret(
        kind="nik",
        masked="",
        ciphertext="e",
        token=token,
        owner=owner,
        token_expires_at=now + timedelta(days=1),
    )


def test_the_conversation_is_forgotten_and_open_tickets_stay_without_identity(
    db: Database,
) -> None:
    mine = _conversation(db, SENDER)
    theirs = _conversation(db, OTHER)
    open_ticket = _ticket(db, mine, "ADU-00000001", "diproses")
    closed_ticket = _ticket(db, mine, "ADU-00000002", "selesai")
    other_ticket = _ticket(db, theirs, "ADU-00000003", "baru")
    now = utcnow()
    with db.session() as session:
        session.add_all(
            [
                # Numbers the action server tokenised (no message): one found
                # in the tracker, one issued to this chat, one another chat's.
                _token("niktok00000000aa", None, now),
                _token("niktok00000000cc", SENDER, now),
                _token("niktok00000000bb", OTHER, now),
                SharedContact(sender_id=SENDER, phone_hash="p", own=True),
                VerificationLock(sender_id=SENDER, failures=2),
            ]
        )

    report = erase_conversation(db, SENDER, ["niktok00000000aa"])

    assert report.as_json() == {
        "messages": 2,
        "open_tickets_kept": 1,
        "closed_tickets_stripped": 1,
        "shared_contacts": 1,
        "identity_tokens": 2,
    }
    with db.session() as session:
        count = select(func.count(Message.id)).where(Message.conversation_id == mine)
        assert session.scalar(count) == 0
        # The other chat's two typed numbers and its token: nothing of this one.
        assert session.scalar(select(func.count(MessageSecret.id))) == 3
        kept = session.get(Ticket, open_ticket)
        assert kept is not None and kept.status == "diproses"
        assert kept.participant_hash is None and kept.participant_ciphertext is None
        assert kept.staff_said == "harus ke semarang"  # staff still need the facts
        details = session.get(ComplaintDetails, open_ticket)
        assert details is not None and details.contact_phone_encrypted is None
        assert details.anonymous and details.description == "ditolak satpam"
        closed = session.get(Ticket, closed_ticket)
        assert closed is not None and closed.staff_said is None
        assert closed.conversation_id is None
        other = session.get(Ticket, other_ticket)
        assert other is not None and other.participant_ciphertext == "enc"
        assert session.scalars(
            select(MessageSecret.token).where(MessageSecret.token.is_not(None))
        ).all() == ["niktok00000000bb"]
        # Asking to be forgotten does not reset a verification lock.
        assert session.scalar(select(func.count(VerificationLock.id))) == 1


def test_erasing_twice_or_an_unknown_sender_does_nothing(db: Database) -> None:
    _conversation(db, SENDER)
    erase_conversation(db, SENDER)
    again = erase_conversation(db, SENDER)
    assert set(again.as_json().values()) == {0}
    assert set(erase_conversation(db, "whatsapp:1").as_json().values()) == {0}


def _events(*items: tuple[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for kind, value in items:
        if kind == "user":
            events.append({"event": "user", "text": value})
        elif kind == "slot":
            events.append({"event": "slot", "name": "nik", "value": value})
        else:
            events.append({"event": "action", "name": value})
    return events


OFFERED = _events(
    ("user", "NIK saya niktok0123456789"),
    ("slot", "niktok9876543210"),
    ("action", "action_listen"),
    ("user", "hapus data saya"),
    ("action", "action_erase_offer"),
    ("action", "action_listen"),
    ("user", "/affirm"),
)


def test_tokens_are_found_in_messages_and_slots() -> None:
    assert privacy.tokens_in(OFFERED) == {"niktok0123456789", "niktok9876543210"}


def test_only_a_yes_right_after_the_offer_deletes() -> None:
    assert privacy.answers_the_offer(OFFERED)
    later = [
        *OFFERED[:-1],
        *_events(("user", "halo"), ("action", "utter_greet"), ("user", "ya")),
    ]
    assert not privacy.answers_the_offer(later)


def _tracker(events: list[dict[str, Any]]) -> Tracker:
    return Tracker(SENDER, {"erase_offered": True}, {}, events, False, None, {}, "")


async def test_yes_erases_says_what_was_done_and_restarts(
    monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    cid = _conversation(db, SENDER)
    _ticket(db, cid, "ADU-00000001", "baru")
    monkeypatch.setattr(runtime, "database", lambda: db)
    dispatcher = CollectingDispatcher()
    events = await privacy.ActionEraseData().run(dispatcher, _tracker(OFFERED), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_erase_done",
        "utter_erase_done_kept",
        None,
    ]
    # Last, unshown: the gateway deletes the tracker events once Rasa saved them.
    assert dispatcher.messages[2]["custom"] == {FORGET_CONVERSATION: True}
    assert privacy.FORGET_CONVERSATION == FORGET_CONVERSATION
    assert dispatcher.messages[0]["messages"] == 2
    assert dispatcher.messages[1]["count"] == 1
    assert [e["event"] for e in events] == ["slot", "restart"]


async def test_a_stale_yes_deletes_nothing(
    monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    _conversation(db, SENDER)
    monkeypatch.setattr(runtime, "database", lambda: db)
    stale = [*OFFERED[:-1], *_events(("user", "halo"), ("action", "utter_greet"))]
    stale.append({"event": "user", "text": "ya"})
    dispatcher = CollectingDispatcher()
    events = await privacy.ActionEraseData().run(dispatcher, _tracker(stale), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_menu"]
    assert [e["event"] for e in events] == ["slot"]
    with db.session() as session:
        assert session.scalar(select(func.count(Message.id))) == 2


async def test_a_store_failure_says_so_and_keeps_the_conversation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: Any) -> None:
        raise OperationalError("DELETE", {}, Exception("database is locked"))

    monkeypatch.setattr(privacy, "erase_conversation", broken)
    monkeypatch.setattr(runtime, "database", lambda: None)
    dispatcher = CollectingDispatcher()
    events = await privacy.ActionEraseData().run(dispatcher, _tracker(OFFERED), {})
    # Nothing was deleted: the tracker stays too (no marker).
    assert [m["response"] for m in dispatcher.messages] == ["utter_erase_failed"]
    assert [e["event"] for e in events] == ["slot"]
