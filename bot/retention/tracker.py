"""Rasa's tracker events, reached from the app side (SQLAlchemy 2.0, no Rasa import).

Rasa's SQL tracker store keeps every event of a conversation in its ``events``
table: the texts as Rasa got them (numbers as tokens) and phone numbers as typed.
Purge deletes old ones (``bot.retention.purge``); "hapus data saya" deletes all of
one sender's (``forget_sender``), once the erasure's turn is over.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from bot.store.db import Database, make_engine, retry_on_conflict

_FORGET = text("DELETE FROM events WHERE sender_id = :sender")


@contextmanager
def tracker_events(db: Database, url: str | None) -> Iterator[Engine | None]:
    """The engine of Rasa's tracker store while its ``events`` table exists, else
    ``None``; an engine opened here is disposed of on leaving."""
    if url is None:
        yield None
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not (
        parsed.database and Path(parsed.database).is_file()
    ):
        yield None  # Rasa never ran here; do not create its file
        return
    owned = parsed != db.engine.url
    engine = make_engine(url) if owned else db.engine
    try:
        yield engine if inspect(engine).has_table("events") else None
    finally:
        if owned:
            engine.dispose()


def forget_sender(db: Database, url: str | None, sender_id: str) -> int:
    """Delete every tracker event of ``sender_id``; how many there were.

    Called after the turn whose action erased the conversation: Rasa saved that
    turn's events (the ``Restarted`` too) before it answered, and the gateway's
    lease keeps the sender's next message waiting until this returns. That message
    then finds no tracker, and Rasa starts a new one (a new session, no slot, no
    text of before). Without a SQL tracker store (Rasa's memory, a development
    set-up) there is nothing on disk to delete: 0.
    """
    with tracker_events(db, url) as engine:
        if engine is None:
            return 0

        def step() -> int:
            with engine.begin() as connection:
                return connection.execute(_FORGET, {"sender": sender_id}).rowcount

        return retry_on_conflict(step)
