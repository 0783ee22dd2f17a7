"""The console names statuses and reasons from the one copy file (texts.yml)."""

from __future__ import annotations

import pytest

from bot.core.texts import label
from bot.handoff import handoffs
from bot.tickets.records import STATUSES

HANDOFF_STATUSES = (*handoffs.ACTIVE, "returned", "closed")
REASONS = (handoffs.REASON_ASKED, handoffs.REASON_SENSITIVE, handoffs.REASON_TAKEN)


@pytest.mark.parametrize("status", STATUSES)
def test_every_ticket_status_has_a_staff_label(status: str) -> None:
    assert label("staff_status", status) != status


@pytest.mark.parametrize(
    ("group", "value"),
    [("handoff_status", s) for s in HANDOFF_STATUSES]
    + [("handoff_reason", r) for r in REASONS],
)
def test_every_handoff_status_and_reason_has_a_label(group: str, value: str) -> None:
    assert label(group, value) != value


def test_the_console_words_are_unchanged() -> None:
    assert label("staff_status", "diproses") == "Diproses"
    assert label("handoff_status", "assigned") == "Dipegang"
    assert label("handoff_reason", "diminta_peserta") == "Peserta minta petugas"
