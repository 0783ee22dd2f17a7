"""Per-sender rate limit, counted in the store so it holds across gateways.

Fixed one-minute windows: a counter row per sender and minute, incremented by an
atomic upsert. The first message over the limit gets one polite notice; the rest of
that minute is recorded but not answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.store.models import RateWindow

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RateDecision:
    """Where one message stands against the sender's limit."""

    count: int
    limit: int

    @property
    def allowed(self) -> bool:
        """Within the limit: forward to the dialogue."""
        return self.count <= self.limit

    @property
    def notify(self) -> bool:
        """The first message over the limit: say so, once."""
        return self.count == self.limit + 1


def count_message(
    session: Session, sender_id: str, now: datetime, limit: int
) -> RateDecision:
    """Count one message of ``sender_id`` in the current minute."""
    window = int(now.timestamp()) // WINDOW_SECONDS
    values = {"sender_id": sender_id, "window_start": window, "count": 1}
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(RateWindow).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["sender_id", "window_start"],
        set_={"count": RateWindow.count + 1},
    ).returning(RateWindow.count)
    count = int(session.execute(statement).scalar_one())
    if count == 1:
        # First message of a new minute for this sender: drop its old windows.
        session.execute(
            delete(RateWindow).where(
                RateWindow.sender_id == sender_id, RateWindow.window_start < window
            )
        )
    return RateDecision(count=count, limit=limit)
