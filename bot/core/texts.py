"""The one copy file for text the gateway and the actions compose (``texts.yml``).

Whole sentences live in domain.yml; this file holds the gateway's own messages and
the words the actions put into those sentences (labels, day and month names).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

TEXTS_FILE = Path(__file__).parent / "texts.yml"


@lru_cache(maxsize=1)
def _texts() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    return data


def text(key: str, **values: object) -> str:
    """The gateway text for ``key`` with ``{placeholders}`` filled in."""
    return str(_texts()[key]).strip().format(**values)


def label(group: str, value: str | None) -> str:
    """The Indonesian word for ``value`` in ``group``; unknown values pass through."""
    if value is None:
        return "-"
    labels: dict[str, str] = _texts()["labels"][group]
    return labels.get(value, value)


def long_date(day: date) -> str:
    """``Jumat, 27 November 2026``."""
    weekdays: list[str] = _texts()["weekdays"]
    months: list[str] = _texts()["months"]
    return f"{weekdays[day.weekday()]}, {day.day} {months[day.month - 1]} {day.year}"


def due_date(day: date | None) -> str:
    """A deadline in words, or "-" when none was set."""
    return long_date(day) if day is not None else "-"


def long_datetime(moment: datetime) -> str:
    """``Selasa, 2 Desember 2025 pukul 09.30`` (the moment's own zone)."""
    return f"{long_date(moment.date())} pukul {moment:%H.%M}"


def section(group: str) -> dict[str, str]:
    """A group of related texts (``chronology``: one line template per key)."""
    values: dict[str, Any] = _texts()[group]
    return {str(key): str(value) for key, value in values.items()}


def intent_label(intent: str) -> str | None:
    """The button label for a topic (intent), or None if it is never offered."""
    labels: dict[str, str] = _texts().get("intent_labels") or {}
    return labels.get(intent)
