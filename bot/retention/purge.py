"""``python -m bot purge``: what the consent text promises, done from cron.

- Transcripts older than ``RETENTION_DAYS`` (default 90): the gateway's messages
  (with their revealable numbers), Rasa's tracker events of sessions that ended
  before then, and conversations left with nothing.
- Tickets closed (or resignation requests filed) more than ``CLOSED_RETENTION_DAYS``
  ago (default 730) keep their facts and lose personal data.
- Expired identity tokens (a typed number keeps its encrypted copy for the
  transcript's reveal), console sessions, one-time codes, shared contacts, and
  button keys of keyboards older than the transcripts.

Idempotent (a second run finds nothing) and safe while serving: every step works in
batches of short transactions, and nothing that a live conversation reads is taken
(a message still in the outbox, the current Rasa session, a fresh code).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    text,
)
from sqlalchemy.orm import Session

from bot.resignation.codes import SEND_WINDOW
from bot.resignation.possession import CONTACT_VALID
from bot.retention.records import (
    BATCH,
    delete_messages,
    delete_where,
    drop_tokens,
    has_personal_data,
    ids_where,
    in_batches,
    not_pending,
    strip_personal_data,
)
from bot.retention.tracker import tracker_events
from bot.store.db import Database, retry_on_conflict
from bot.store.models import (
    CallbackPayload,
    Conversation,
    Handoff,
    InternalNote,
    Message,
    MessageSecret,
    SharedContact,
    StaffSession,
    Ticket,
    VerificationCode,
    utcnow,
)
from bot.tickets.lifecycle import FINAL


@dataclass(frozen=True)
class PurgeReport:
    """What one run removed; printed as JSON for the cron log."""

    retention_days: int
    closed_retention_days: int
    transcript_messages: int
    tracker_events: int
    conversations: int
    tickets_stripped: int
    identity_tokens: int
    staff_sessions: int
    verification_codes: int
    shared_contacts: int
    callback_keys: int

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return asdict(self)


def purge(
    db: Database,
    *,
    retention_days: int,
    closed_retention_days: int,
    tracker_store_url: str | None = None,
    now: datetime | None = None,
) -> PurgeReport:
    """Run every step once; ``now`` is for tests."""
    moment = now or utcnow()
    cutoff = moment - timedelta(days=retention_days)
    closed_cutoff = moment - timedelta(days=closed_retention_days)
    messages = in_batches(
        db,
        ids_where(Message.id, Message.created_at < cutoff, not_pending(Message.id)),
        delete_messages,
    )
    return PurgeReport(
        retention_days=retention_days,
        closed_retention_days=closed_retention_days,
        transcript_messages=messages,
        tracker_events=_tracker_events(db, tracker_store_url, cutoff),
        conversations=_idle_conversations(db, cutoff),
        tickets_stripped=in_batches(
            db,
            ids_where(
                Ticket.id,
                or_(
                    and_(Ticket.status.in_(FINAL), Ticket.updated_at < closed_cutoff),
                    and_(
                        Ticket.kind == "resignation",
                        Ticket.created_at < closed_cutoff,
                    ),
                ),
                has_personal_data(),
            ),
            strip_personal_data,
        ),
        identity_tokens=drop_tokens(db, MessageSecret.token_expires_at < moment),
        staff_sessions=delete_where(
            db, StaffSession.id, StaffSession.expires_at < moment
        ),
        verification_codes=delete_where(
            db,
            VerificationCode.id,
            VerificationCode.expires_at < moment,
            # Recent codes still count against the sending limit.
            VerificationCode.created_at < moment - SEND_WINDOW,
        ),
        shared_contacts=delete_where(
            db, SharedContact.id, SharedContact.created_at < moment - CONTACT_VALID
        ),
        callback_keys=delete_where(
            db, CallbackPayload.key, CallbackPayload.created_at < cutoff
        ),
    )


def _idle_conversations(db: Database, cutoff: datetime) -> int:
    """Conversations silent since the cutoff with nothing left hanging on them."""
    idle = ids_where(
        Conversation.id,
        func.coalesce(Conversation.last_inbound_at, Conversation.created_at) < cutoff,
        Conversation.updated_at < cutoff,
        ~exists().where(Message.conversation_id == Conversation.id),
        ~exists().where(Ticket.conversation_id == Conversation.id),
        ~exists().where(Handoff.conversation_id == Conversation.id),
        ~exists().where(InternalNote.conversation_id == Conversation.id),
    )

    def act(session: Session, ids: list[int]) -> None:
        session.execute(delete(Conversation).where(Conversation.id.in_(ids)))

    return in_batches(db, idle, act)


# Rasa's SQLTrackerStore reads a conversation's events from its latest
# ``session_started`` on (and counts only those when it saves), so events before it
# are history; a sender with no event since the cutoff is history entirely.
_TRACKER_BATCH = text(
    """
    SELECT e.id FROM events e
    WHERE e.timestamp < :cutoff
      AND (
        NOT EXISTS (
          SELECT 1 FROM events n
          WHERE n.sender_id = e.sender_id AND n.timestamp >= :cutoff
        )
        OR e.timestamp < (
          SELECT MAX(s.timestamp) FROM events s
          WHERE s.sender_id = e.sender_id AND s.type_name = 'session_started'
        )
      )
    LIMIT :batch
    """
)


def _tracker_events(db: Database, url: str | None, cutoff: datetime) -> int:
    """Old events from Rasa's tracker store, when it is a SQL store we can reach."""
    with tracker_events(db, url) as engine:
        if engine is None:
            return 0
        done = 0
        while True:

            def step() -> int:
                with engine.begin() as connection:
                    ids = list(
                        connection.execute(
                            _TRACKER_BATCH,
                            {"cutoff": cutoff.timestamp(), "batch": BATCH},
                        ).scalars()
                    )
                    if ids:
                        connection.execute(
                            text("DELETE FROM events WHERE id IN :ids").bindparams(
                                bindparam("ids", expanding=True)
                            ),
                            {"ids": ids},
                        )
                    return len(ids)

            count = retry_on_conflict(step)
            done += count
            if count < BATCH:
                return done
