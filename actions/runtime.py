"""Long-lived objects of the action server, built on first use (never at import).

rasa_sdk imports every module under ``actions/`` at start-up, so anything that opens
a database or reads a file must wait until an action actually runs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.complaints.filing import Deadlines
from bot.core.crypto import DataCipher
from bot.core.settings import Settings, load_settings
from bot.core.workdays import WorkingCalendar
from bot.handoff.handoffs import StaffHours
from bot.parsing.offices import Directory, load_directory
from bot.store.db import Database


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The action server's settings."""
    return load_settings()


@lru_cache(maxsize=1)
def database() -> Database:
    """The shared store (same DATABASE_URL as the gateway)."""
    return Database(settings().database_url)


@lru_cache(maxsize=1)
def directory() -> Directory:
    """The office directory."""
    return load_directory(settings().offices_file)


@lru_cache(maxsize=1)
def deadlines() -> Deadlines:
    """Working-day service levels for tickets."""
    config = settings()
    return Deadlines(
        first_response_days=config.first_response_working_days,
        resolution_days=config.resolution_working_days,
        calendar=WorkingCalendar(),
    )


@lru_cache(maxsize=1)
def cipher() -> DataCipher:
    """Encrypts personal numbers (a complainant's phone) before they are stored."""
    return DataCipher(settings().data_key())


@lru_cache(maxsize=1)
def staff_hours() -> StaffHours:
    """When people answer a handed-off conversation (settings, holidays off)."""
    config = settings()
    return StaffHours(
        config.staff_hours_start, config.staff_hours_end, WorkingCalendar()
    )


def entity_values(
    message: dict[str, Any], entity: str, role: str | None = None
) -> list[Any]:
    """Values of ``entity`` (with ``role``, or no role) in the latest message."""
    return [
        e.get("value")
        for e in message.get("entities") or []
        if e.get("entity") == entity and e.get("role") == role
    ]


def entity_texts(message: dict[str, Any], entity: str) -> list[str]:
    """The literal text spans of ``entity`` in the latest message."""
    text = message.get("text") or ""
    spans = []
    for e in message.get("entities") or []:
        if e.get("entity") == entity and isinstance(e.get("start"), int):
            spans.append(text[e["start"] : e["end"]])
    return spans
