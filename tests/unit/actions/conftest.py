"""Fixtures shared by the actions' tests."""

from __future__ import annotations

from typing import Any

import pytest

from actions import handoff


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The hand-offs actions open, as (sender, reason), without a store; the
    hand-off message is the in-hours one."""
    calls: list[tuple[str, str]] = []

    def fake_open(sender_id: str, reason: str, **_: Any) -> int:
        calls.append((sender_id, reason))
        return 1

    monkeypatch.setattr(handoff, "open_in_store", fake_open)
    monkeypatch.setattr(
        handoff,
        "handoff_message",
        lambda supervisor_only: {"response": "utter_handoff_in_hours", "who": "x"},
    )
    return calls
