"""Where Rasa keeps dialogue state and its locks, where it finds the actions, and
how hard the outbox retries.

Read with the other settings (``bot.core.settings``). Rasa's tracker store is SQL on
the project's database: with PostgreSQL the same database (Rasa creates its own
``events`` table there); with the embedded SQLite default a file of its own next to
the store's (``var/rasa_tracker.db``), so Rasa's writer and the gateway's never wait
on one SQLite lock. ``TRACKER_STORE_URL`` overrides either. The lock store is Redis
when ``REDIS_URL`` is set (several Rasa servers share the conversations), in memory
otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_ACTION_ENDPOINT_URL = "http://127.0.0.1:5055/webhook"
TRACKER_FILE = "rasa_tracker.db"


@dataclass(frozen=True)
class DurableSettings:
    """Rasa's stores and the action server's address, as the Rasa server needs them."""

    action_endpoint_url: str = DEFAULT_ACTION_ENDPOINT_URL
    # An SQLAlchemy URL that Rasa's environment (SQLAlchemy 1.4, psycopg2) can open.
    tracker_store_url: str = f"sqlite:///var/{TRACKER_FILE}"

    # The outbox's retries (bot.messaging.delivery.RetryPolicy).
    outbox_retry_base_seconds: float = 1.0
    outbox_retry_max_seconds: float = 300.0
    outbox_max_attempts: int = 30
    # How long an action waits for a store that cannot be reached (a restart, a
    # network cut) before it tells the participant; below the gateways' Rasa
    # time-out, like the tracker store's TRACKER_STORE_PATIENCE_SECONDS.
    action_store_patience_seconds: float = 25.0

    @property
    def action_health_url(self) -> str:
        """rasa_sdk's ``/health`` beside its ``/webhook``."""
        base = self.action_endpoint_url.rstrip("/")
        return base.removesuffix("/webhook") + "/health"


def tracker_store_url(
    database_url: str, var_dir: Path, override: str | None = None
) -> str:
    """The tracker store's URL for Rasa's environment.

    PostgreSQL URLs lose an explicit driver (``+psycopg``): Rasa's SQLAlchemy 1.4
    opens ``postgresql://`` with psycopg2, the driver its environment has.
    """
    chosen = override or database_url
    try:
        url = make_url(chosen)
    except ArgumentError:
        name = "TRACKER_STORE_URL" if override else "DATABASE_URL"
        raise ValueError(f"{name} is not a database URL") from None
    if url.get_backend_name() == "sqlite":
        if override is None:
            return f"sqlite:///{(var_dir / TRACKER_FILE).resolve()}"
        return chosen
    if url.get_backend_name() == "postgresql":
        url = url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class DurableVariables(Protocol):
    """The variables read here (``bot.core.settings``' environment has them)."""

    @property
    def action_endpoint_url(self) -> str: ...
    @property
    def tracker_store_url(self) -> str | None: ...
    @property
    def outbox_retry_base_seconds(self) -> float: ...
    @property
    def outbox_retry_max_seconds(self) -> float: ...
    @property
    def outbox_max_attempts(self) -> int: ...
    @property
    def action_store_patience_seconds(self) -> float: ...


def durable_fields(
    env: DurableVariables, database_url: str, var_dir: Path
) -> dict[str, Any]:
    """The ``Settings`` fields this module owns, from the variables."""
    return {
        "durable": DurableSettings(
            action_endpoint_url=env.action_endpoint_url,
            tracker_store_url=tracker_store_url(
                database_url, var_dir, env.tracker_store_url
            ),
            outbox_retry_base_seconds=env.outbox_retry_base_seconds,
            outbox_retry_max_seconds=env.outbox_retry_max_seconds,
            outbox_max_attempts=env.outbox_max_attempts,
            action_store_patience_seconds=env.action_store_patience_seconds,
        )
    }
