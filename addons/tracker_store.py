"""Rasa's SQL tracker store, waiting for its database instead of forgetting.

Rasa wraps every tracker store in its ``FailSafeTrackerStore``: when the database
cannot be reached, ``retrieve`` answers "no such conversation" and ``save`` keeps
the tracker in this process's memory only. A participant in the middle of a form
would then be answered as a stranger, and what they said would be lost for the
other Rasa servers. This store tries again, with short pauses, for as long as a
turn can wait (``PATIENCE_SECONDS``, below the gateways' Rasa time-out), so a
database that is away for a few seconds (a restart, a fail-over, a network cut)
only delays the turn. Named in the endpoints file that ``python -m bot
rasa-endpoints`` writes; loaded by the Rasa server only.

Rasa's store talks to the database synchronously inside its ``async`` methods, so
every query and every commit stops the Rasa server's one event loop: while one
turn's tracker is committed (on the embedded default, a SQLite commit waits for the
disk), no other participant's message is read, parsed or predicted. This store runs
each call in a worker thread instead (``_off_the_loop``). Measured 2026-12-03 with
py-spy on the Rasa server, ten participants in a closed loop: a third of the
server's busy time was that end-of-turn commit. SQLite's file is also put in
write-ahead-log mode, which makes a commit one ``fsync`` of the log instead of
several of a rollback journal (1.3 ms against 4.5 ms per commit on this disk) and
lets readers go on while one turn writes; the durability is the same.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event
from sqlalchemy.exc import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What the database raises when it cannot be reached (refused, reset, timed out).
UNREACHABLE = (OperationalError, InterfaceError)
FIRST_PAUSE_SECONDS = 0.5
LONGEST_PAUSE_SECONDS = 4.0


def patience_seconds() -> float:
    """How long one call waits for the database (``TRACKER_STORE_PATIENCE_SECONDS``)."""
    return float(os.environ.get("TRACKER_STORE_PATIENCE_SECONDS", "25"))


async def patiently(call: Callable[[], Awaitable[T]], what: str) -> T:
    """``await call()``, again after a pause while the database is unreachable."""
    deadline = time.monotonic() + patience_seconds()
    pause = FIRST_PAUSE_SECONDS
    while True:
        try:
            return await call()
        except UNREACHABLE:
            if time.monotonic() + pause > deadline:
                raise
            logger.warning("tracker store unreachable: %s again in %.1fs", what, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


def _sqlite_write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    # WAL: one fsync per commit, readers never wait for a writer; the busy
    # timeout makes a second writer (the gateway's "hapus data saya") wait.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class PatientSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose every call outlasts a short database outage and
    leaves the Rasa server's event loop free while it waits for the database."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Rasa's own engine uses a new connection per session (NullPool):
            # each one gets the settings; the first below turns the file to WAL.
            event.listen(self.engine, "connect", _sqlite_write_ahead_log)
            with self.engine.connect():
                pass

    def _off_the_loop(
        self, call: Callable[[], Coroutine[Any, Any, T]]
    ) -> Callable[[], Awaitable[T]]:
        """``call`` (one of Rasa's blocking ``async`` methods) in a worker thread.

        The coroutine gets an event loop of its own there. Rasa's SQL store awaits
        nothing of the server's loop unless an event broker is configured (its
        client lives on that loop): then the call stays where it is.
        """
        if self.event_broker is not None:
            return call
        return lambda: asyncio.to_thread(asyncio.run, call())

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        result: DialogueStateTracker | None = await patiently(
            self._off_the_loop(lambda: SQLTrackerStore.retrieve(self, sender_id)),
            "retrieve",
        )
        return result

    async def retrieve_full_tracker(
        self, conversation_id: str
    ) -> DialogueStateTracker | None:
        result: DialogueStateTracker | None = await patiently(
            self._off_the_loop(
                lambda: SQLTrackerStore.retrieve_full_tracker(self, conversation_id)
            ),
            "retrieve_full_tracker",
        )
        return result

    async def save(self, tracker: DialogueStateTracker) -> None:
        await patiently(
            self._off_the_loop(lambda: SQLTrackerStore.save(self, tracker)), "save"
        )

    async def keys(self) -> Iterable[str]:
        result: Iterable[str] = await patiently(
            self._off_the_loop(lambda: SQLTrackerStore.keys(self)), "keys"
        )
        return result
