"""``forget_sender``: one sender's events leave Rasa's SQL tracker store, no other's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from bot.retention import forget_sender
from bot.store.db import Database

# The columns of Rasa 3.6's SQLTrackerStore ``events`` table that matter here.
EVENTS = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
    " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
    " action_name VARCHAR(255), data TEXT)"
)


def _tracker(path: Path, rows: list[tuple[str, str]]) -> str:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(EVENTS))
        for sender, data in rows:
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data)"
                    " VALUES (:sender, 'user', 1, :data)"
                ),
                {"sender": sender, "data": data},
            )
    engine.dispose()
    return url


def _left(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT sender_id, data FROM events"))
            return [(r.sender_id, r.data) for r in rows]
    finally:
        engine.dispose()


def test_only_the_senders_events_go(db: Database, tmp_path: Path) -> None:
    url = _tracker(
        tmp_path / "rasa_tracker.db",
        [
            ("telegram:1", '{"text": "niktok0123456789"}'),
            ("telegram:1", '{"text": "081325550101"}'),
            ("telegram:10", '{"text": "halo"}'),
        ],
    )
    assert forget_sender(db, url, "telegram:1") == 2
    assert _left(url) == [("telegram:10", '{"text": "halo"}')]
    assert forget_sender(db, url, "telegram:1") == 0  # twice: nothing more


def test_no_tracker_store_to_reach_deletes_nothing_and_creates_nothing(
    db: Database, tmp_path: Path
) -> None:
    missing = tmp_path / "never_ran.db"
    assert forget_sender(db, None, "telegram:1") == 0
    assert forget_sender(db, f"sqlite:///{missing}", "telegram:1") == 0
    assert not missing.exists()
