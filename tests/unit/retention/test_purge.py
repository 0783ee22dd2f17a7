"""``purge`` keeps the retention promise, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.retention import purge
from bot.store.db import Database
from bot.store.migrate import upgrade
from bot.store.models import (
    CallbackPayload,
    ComplaintDetails,
    Conversation,
    InternalNote,
    Message,
    MessageSecret,
    OutboxItem,
    SharedContact,
    StaffSession,
    Ticket,
    TicketStatusChange,
    VerificationCode,
)
from bot.store.models.outbox import PENDING, SENT
from tests.builders import make_staff
from tests.postgres import db_on_both_engines  # noqa: F401  (the `db` fixture)

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=91)
RECENT = NOW - timedelta(days=89)
LONG_AGO = NOW - timedelta(days=731)


def _run(db: Database, tracker: str | None = None) -> dict[str, int]:
    report = purge(
        db,
        retention_days=90,
        closed_retention_days=730,
        tracker_store_url=tracker,
        now=NOW,
    ).as_json()
    return {k: v for k, v in report.items() if not k.endswith("_days")}


def _conversation(db: Database, external: str, last: datetime) -> int:
    with db.session() as session:
        row = Conversation(
            channel="telegram",
            external_id=external,
            sender_id=f"telegram:{external}",
            last_inbound_at=last,
            created_at=last,
            updated_at=last,
        )
        session.add(row)
        session.flush()
        return row.id


def _message(db: Database, cid: int, at: datetime, outbox: str | None = None) -> int:
    with db.session() as session:
        message = Message(
            conversation_id=cid,
            channel="telegram",
            direction="in" if outbox is None else "out",
            text="NIK ************0003",
            created_at=at,
        )
        session.add(message)
        session.flush()
        session.add(
            MessageSecret(
                message_id=message.id, kind="nik", masked="x", ciphertext="enc"
            )
        )
        if outbox is not None:
            session.add(
                OutboxItem(
                    conversation_id=cid,
                    message_id=message.id,
                    origin="bot",
                    status=outbox,
                    created_at=at,
                )
            )
        return message.id


def _ticket(
    db: Database, cid: int | None, reference: str, kind: str, status: str, at: datetime
) -> int:
    with db.session() as session:
        ticket = Ticket(
            reference=reference,
            kind=kind,
            status=status,
            channel="telegram",
            conversation_id=cid,
            category="layanan",
            office_id="semarang",
            staff_said="kata petugas",
            resolution_wanted="minta maaf",
            request_reason="pindah kerja" if kind == "resignation" else None,
            participant_hash="h" * 64,
            participant_ciphertext="enc",
            created_at=at,
            updated_at=at,
        )
        session.add(ticket)
        session.flush()
        if kind == "complaint":
            session.add(
                ComplaintDetails(
                    ticket_id=ticket.id,
                    description="antre lama",
                    harm="rugi waktu",
                    contact_phone_encrypted="enc",
                    anonymous=False,
                )
            )
        session.add(
            TicketStatusChange(
                ticket_id=ticket.id,
                from_status="baru",
                to_status=status,
                note="Pak Budi sudah ditelepon",
                created_at=at,
            )
        )
        return ticket.id


def test_old_transcripts_go_and_recent_ones_stay(db: Database) -> None:
    old_cid = _conversation(db, "1", OLD)
    live_cid = _conversation(db, "2", RECENT)
    _message(db, old_cid, OLD)
    _message(db, old_cid, OLD, outbox=SENT)
    waiting = _message(db, old_cid, OLD, outbox=PENDING)
    recent = _message(db, live_cid, RECENT)

    report = _run(db)

    assert report["transcript_messages"] == 2
    with db.session() as session:
        left = set(session.scalars(select(Message.id)))
        assert left == {waiting, recent}  # a message still being delivered stays
        assert session.scalar(select(func.count(MessageSecret.id))) == 2
        assert session.scalar(select(func.count(OutboxItem.id))) == 1
        # The old conversation still has a message on its way: not deleted yet.
        assert session.get(Conversation, old_cid) is not None


def test_a_silent_conversation_with_nothing_left_is_deleted(db: Database) -> None:
    gone = _conversation(db, "1", OLD)
    with_ticket = _conversation(db, "2", OLD)
    live = _conversation(db, "3", RECENT)
    _message(db, gone, OLD)
    _ticket(db, with_ticket, "ADU-00000001", "complaint", "diproses", OLD)

    report = _run(db)

    assert report["conversations"] == 1
    with db.session() as session:
        assert session.get(Conversation, gone) is None
        assert session.get(Conversation, with_ticket) is not None
        assert session.get(Conversation, live) is not None


def test_long_closed_tickets_keep_their_facts_only(db: Database) -> None:
    cid = _conversation(db, "1", RECENT)
    closed = _ticket(db, cid, "ADU-00000001", "complaint", "selesai", LONG_AGO)
    open_old = _ticket(db, cid, "ADU-00000002", "complaint", "diproses", LONG_AGO)
    closed_recently = _ticket(db, cid, "ADU-00000003", "complaint", "selesai", OLD)
    request = _ticket(db, cid, "BRH-00000001", "resignation", "baru", LONG_AGO)
    staff = make_staff(db, "sri", "agent")
    with db.session() as session:
        session.add(InternalNote(ticket_id=closed, staff_id=staff.id, text="Budi"))

    report = _run(db)

    assert report["tickets_stripped"] == 2
    with db.session() as session:
        for stripped in (closed, request):
            ticket = session.get(Ticket, stripped)
            assert ticket is not None
            assert ticket.participant_hash is None
            assert ticket.participant_ciphertext is None
            assert ticket.staff_said is None and ticket.resolution_wanted is None
            assert ticket.request_reason is None and ticket.conversation_id is None
            # The facts stay, and the closing time is not moved by the purge.
            assert ticket.category == "layanan" and ticket.office_id == "semarang"
            assert ticket.updated_at == LONG_AGO
        details = session.get(ComplaintDetails, closed)
        assert details is not None
        assert (details.description, details.harm) == (None, None)
        assert details.contact_phone_encrypted is None and details.anonymous
        notes = session.scalars(
            select(TicketStatusChange.note).where(
                TicketStatusChange.ticket_id == closed
            )
        ).all()
        assert notes == [None]
        assert session.scalar(select(func.count(InternalNote.id))) == 0
        for kept in (open_old, closed_recently):
            ticket = session.get(Ticket, kept)
            assert ticket is not None and ticket.participant_ciphertext == "enc"
            assert ticket.staff_said == "kata petugas"


def _token(
    token: str, expires_at: datetime, message_id: int | None = None
) -> MessageSecret:
    """A number's one encrypted copy with its token (no message: the action
    server's own)."""
    return MessageSecret(
        message_id=message_id,
        kind="nik",
        masked="************0003",
        ciphertext="e",
        token=token,
        owner="telegram:1",
        token_expires_at=expires_at,
    )


def test_an_expired_token_of_a_message_goes_and_its_reveal_copy_stays(
    db: Database,
) -> None:
    """One encrypted copy per typed number: the token lives two days, the copy
    staff may reveal lives as long as the transcript."""
    cid = _conversation(db, "1", RECENT)
    with db.session() as session:
        message = Message(
            conversation_id=cid, channel="telegram", direction="in", text="x"
        )
        session.add(message)
        session.flush()
        session.add(_token("niktok00000000aa", NOW - timedelta(hours=1), message.id))
        message_id = message.id

    report = _run(db)
    again = _run(db)

    assert (report["identity_tokens"], again["identity_tokens"]) == (1, 0)
    with db.session() as session:
        row = session.scalars(select(MessageSecret)).one()
        assert (row.message_id, row.ciphertext, row.masked) == (
            message_id,
            "e",
            "************0003",
        )
        assert (row.token, row.owner, row.token_expires_at) == (None, None, None)


def test_expired_secrets_go_and_live_ones_stay(db: Database) -> None:
    staff = make_staff(db, "sri", "agent")
    with db.session() as session:
        session.add_all(
            [
                _token("niktok0000000001", NOW - timedelta(days=1)),
                _token("niktok0000000002", NOW + timedelta(days=2)),
                StaffSession(
                    token_hash="a" * 64,
                    staff_id=staff.id,
                    csrf_token="c",
                    expires_at=NOW - timedelta(minutes=1),
                ),
                StaffSession(
                    token_hash="b" * 64,
                    staff_id=staff.id,
                    csrf_token="c",
                    expires_at=NOW + timedelta(hours=1),
                ),
                VerificationCode(
                    sender_id="telegram:1",
                    participant_hash="p",
                    code_hash="c",
                    salt="s",
                    created_at=NOW - timedelta(hours=2),
                    expires_at=NOW - timedelta(hours=2) + timedelta(minutes=5),
                ),
                # Expired, but still counts against the sending limit.
                VerificationCode(
                    sender_id="telegram:1",
                    participant_hash="p",
                    code_hash="c",
                    salt="s",
                    created_at=NOW - timedelta(minutes=10),
                    expires_at=NOW - timedelta(minutes=5),
                ),
                SharedContact(
                    sender_id="telegram:1",
                    phone_hash="x",
                    own=True,
                    created_at=NOW - timedelta(hours=1),
                ),
                SharedContact(
                    sender_id="telegram:2", phone_hash="x", own=True, created_at=NOW
                ),
                CallbackPayload(key="k:old", payload="/a", created_at=OLD),
                CallbackPayload(key="k:new", payload="/b", created_at=RECENT),
            ]
        )

    report = _run(db)

    assert {
        name: report[name]
        for name in (
            "identity_tokens",
            "staff_sessions",
            "verification_codes",
            "shared_contacts",
            "callback_keys",
        )
    } == dict.fromkeys(
        (
            "identity_tokens",
            "staff_sessions",
            "verification_codes",
            "shared_contacts",
            "callback_keys",
        ),
        1,
    )
    with db.session() as session:
        assert session.scalars(select(MessageSecret.token)).all() == [
            "niktok0000000002"
        ]
        assert session.scalars(select(CallbackPayload.key)).all() == ["k:new"]


def test_a_second_purge_finds_nothing(db: Database) -> None:
    cid = _conversation(db, "1", OLD)
    _message(db, cid, OLD)
    _ticket(db, None, "ADU-00000001", "complaint", "ditolak", LONG_AGO)
    first = _run(db)
    assert first["transcript_messages"] == 1 and first["tickets_stripped"] == 1
    second = _run(db)
    assert set(second.values()) == {0}


def test_more_than_one_batch_is_purged(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.retention.records.BATCH", 3)
    cid = _conversation(db, "1", RECENT)
    for _ in range(7):
        _message(db, cid, OLD)
    assert _run(db)["transcript_messages"] == 7


def test_rasa_events_of_ended_sessions_go(tmp_path: Path) -> None:
    """Rasa's tracker store: history before the current session, idle senders."""
    tracker = tmp_path / "rasa_tracker.db"
    url = f"sqlite:///{tracker}"
    engine_db = Database(url)
    store = f"sqlite:///{tmp_path / 'bpu.sqlite3'}"
    upgrade(store)
    db = Database(store)
    old, recent = OLD.timestamp(), RECENT.timestamp()
    rows = [
        ("idle", "user", old),
        ("idle", "session_started", old - 10),
        ("live", "session_started", old - 10),
        ("live", "user", old - 5),  # an earlier session: history
        ("live", "session_started", old + 5),
        ("live", "user", old + 6),  # the current session began before the cutoff
        ("live", "user", recent),
    ]
    with engine_db.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, "
                "type_name TEXT, timestamp REAL)"
            )
        )
        for sender, kind, at in rows:
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp) "
                    "VALUES (:s, :k, :t)"
                ),
                {"s": sender, "k": kind, "t": at},
            )
    try:
        assert _run(db, tracker=url)["tracker_events"] == 4
        with engine_db.engine.begin() as connection:
            left = connection.execute(
                text("SELECT sender_id, timestamp FROM events ORDER BY timestamp")
            ).all()
        assert [tuple(row) for row in left] == [
            ("live", old + 5),
            ("live", old + 6),
            ("live", recent),
        ]
        assert _run(db, tracker=url)["tracker_events"] == 0
    finally:
        engine_db.dispose()
        db.dispose()


def test_a_tracker_store_that_does_not_exist_is_not_created(
    db: Database, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "rasa_tracker.db"
    assert _run(db, tracker=f"sqlite:///{missing}")["tracker_events"] == 0
    assert not missing.exists()
