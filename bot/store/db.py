"""Engine and sessions: one engine per process, one session per unit of work."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.private_files import private_file

T = TypeVar("T")

# PostgreSQL ends one of two colliding transactions with a deadlock (40P01) or a
# serialisation failure (40001) so the other can finish; running the loser again
# is the documented remedy, not an outage.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_ATTEMPTS = 3
# What the store raises when it cannot be reached (refused, reset, timed out), as
# opposed to refusing one statement (a constraint) or a bug.
STORE_DOWN = (OperationalError, InterfaceError)
# Work that must not be dropped (an acknowledged message, a reply already handed to
# the provider) waits this long for a store that cannot be reached (PostgreSQL
# restarting, a network cut), trying again after pauses that double up to the
# longest one.
STORE_PATIENCE_SECONDS = 600.0
STORE_FIRST_PAUSE_SECONDS = 0.5
STORE_LONGEST_PAUSE_SECONDS = 5.0

logger = logging.getLogger(__name__)


def is_transaction_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` is a collision that another attempt resolves."""
    original = getattr(exc, "orig", None)
    return getattr(original, "sqlstate", None) in CONFLICT_SQLSTATES


def retry_on_conflict(work: Callable[[], T]) -> T:
    """Run ``work`` (one whole transaction) again when PostgreSQL aborted it."""
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return work()
        except Exception as exc:
            if attempt == CONFLICT_ATTEMPTS or not is_transaction_conflict(exc):
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


async def patiently(
    work: Callable[[], T], what: str, patience: float | None = None
) -> T:
    """Run ``work`` (one transaction) in a thread, again while the store is down.

    For work whose loss a retry by the caller cannot repair: the provider was told
    a message arrived, or a reply has already reached the participant.
    """
    budget = STORE_PATIENCE_SECONDS if patience is None else patience
    deadline = time.monotonic() + budget
    pause = STORE_FIRST_PAUSE_SECONDS
    while True:
        try:
            return await asyncio.to_thread(work)
        except STORE_DOWN:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            wait = min(pause, left)  # the last try falls on the deadline itself
            logger.warning("store unreachable %s; again in %.1f s", what, wait)
            await asyncio.sleep(wait)
            pause = min(pause * 2, STORE_LONGEST_PAUSE_SECONDS)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the gateway and the action server write to one file concurrently;
    # the busy timeout makes the second writer wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """Create the engine for ``database_url`` (SQLite file or PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            private_file(Path(url.database))  # 0600, in a 0700 folder if new
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


class Database:
    """Owns the engine and hands out sessions that commit or roll back as a unit."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    async def run(self, work: Callable[[Session], T]) -> T:
        """Run one synchronous unit of work in a worker thread, in its own transaction.

        The rule for async code (the console's routes, the notifications they send):
        it never opens a session on the event loop, because every query blocks and a
        slow database would stall every participant's chat with it. It hands the
        whole unit of work (queries, writes, and rendering that still reads lazy
        relationships) to this method instead; the transaction commits when ``work``
        returns and rolls back when it raises, and the exception reaches the caller.
        """

        def in_session() -> T:
            with self.session() as session:
                return work(session)

        return await asyncio.to_thread(in_session)

    def dispose(self) -> None:
        """Close pooled connections (at shutdown and between tests)."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        """``with Database(url) as db``: a short-lived store (one CLI command)."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.dispose()
