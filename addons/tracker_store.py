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
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
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


class PatientSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose every call outlasts a short database outage."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        result: DialogueStateTracker | None = await patiently(
            lambda: SQLTrackerStore.retrieve(self, sender_id), "retrieve"
        )
        return result

    async def retrieve_full_tracker(
        self, conversation_id: str
    ) -> DialogueStateTracker | None:
        result: DialogueStateTracker | None = await patiently(
            lambda: SQLTrackerStore.retrieve_full_tracker(self, conversation_id),
            "retrieve_full_tracker",
        )
        return result

    async def save(self, tracker: DialogueStateTracker) -> None:
        await patiently(lambda: SQLTrackerStore.save(self, tracker), "save")

    async def keys(self) -> Iterable[str]:
        result: Iterable[str] = await patiently(
            lambda: SQLTrackerStore.keys(self), "keys"
        )
        return result
