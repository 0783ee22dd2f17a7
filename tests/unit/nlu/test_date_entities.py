"""Date and time mentions found in messages, in ISO 8601 relative to a fixed now."""

from __future__ import annotations

from datetime import datetime

import pytest

from addons.dates import find_dates
from bot.parsing.timeparse import JAKARTA

NOW = datetime(2026, 11, 24, 10, 15, tzinfo=JAKARTA)  # a Tuesday morning


@pytest.mark.parametrize(
    ("text", "span", "iso"),
    [
        (
            "Selasa 2 Desember 2025 pukul 09.29 saya ke kantor",
            "Selasa 2 Desember 2025 pukul 09.29",
            "2025-12-02T09:29+07:00",
        ),
        ("tadi pagi sy ke kantor", "tadi pagi", "2026-11-24"),
        ("kemarin sore ditolak satpam", "kemarin sore", "2026-11-23"),
        ("tgl 2/12 sy ke boyolali", "tgl 2/12", "2025-12-02"),
        ("jam setengah 10 saya datang", "jam setengah 10", "2026-11-24T09:30+07:00"),
        (
            "Senin 1 Desember sekitar jam 10 pagi saya ke kantor",
            "Senin 1 Desember sekitar jam 10 pagi",
            "2025-12-01T10:00+07:00",
        ),
        ("wingi kulo teng kantor", "wingi", "2026-11-23"),
        ("3 hari yang lalu", "3 hari yang lalu", "2026-11-21"),
        ("KEMARIN JAM 9", "KEMARIN JAM 9", "2026-11-23T09:00+07:00"),
    ],
)
def test_one_mention_with_its_span_and_value(text: str, span: str, iso: str) -> None:
    mentions = find_dates(text, NOW)
    assert [(m.text, m.moment.isoformat()) for m in mentions] == [(span, iso)]
    assert text[mentions[0].start : mentions[0].end] == span


def test_tadi_pagi_is_today_with_the_part_of_day() -> None:
    (mention,) = find_dates("tadi pagi", NOW)
    assert mention.moment.isoformat() == "2026-11-24"
    assert mention.moment.part_of_day == "pagi"
    assert not mention.moment.has_time


@pytest.mark.parametrize(
    "text",
    ["pagi min", "selamat siang pak", "iuran 16.800", "saya ke kantor", "minggu lalu"],
)
def test_no_mention(text: str) -> None:
    assert find_dates(text, NOW) == []


def test_two_separate_mentions_stay_separate() -> None:
    text = "tgl 2/12 sy ke kcp boyolali jam setengah 10 ditolak"
    assert [m.text for m in find_dates(text, NOW)] == ["tgl 2/12", "jam setengah 10"]
