"""Fixed-window counters in the store, so a limit holds across gateways and servers.

A counter row per key and window, incremented by an atomic upsert. The key says
whose count it is: a sender (``telegram:123``), a web chat caller's address, or one
shared key for a global ceiling. The gateway's per-sender limit uses one-minute
windows: the first message over the limit gets one polite notice; the rest of that
minute is recorded but not answered.
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
    session: Session,
    key: str,
    now: datetime,
    limit: int,
    *,
    window_seconds: int = WINDOW_SECONDS,
) -> RateDecision:
    """Count one event of ``key`` in its current window (one key, one window size)."""
    window = int(now.timestamp()) // window_seconds
    values = {"sender_id": key, "window_start": window, "count": 1}
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(RateWindow).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["sender_id", "window_start"],
        set_={"count": RateWindow.count + 1},
    ).returning(RateWindow.count)
    count = int(session.execute(statement).scalar_one())
    if count == 1:
        # First event of a new window for this key: drop its old windows.
        session.execute(
            delete(RateWindow).where(
                RateWindow.sender_id == key, RateWindow.window_start < window
            )
        )
    return RateDecision(count=count, limit=limit)
