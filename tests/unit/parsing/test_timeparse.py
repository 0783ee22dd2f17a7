"""Indonesian dates and times, relative to a fixed now (Tue 24 Nov 2026 10:15)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.workdays import JAKARTA
from bot.parsing.timeparse import parse_event_time

NOW = datetime(2026, 11, 24, 10, 15, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Selasa 2 Desember 2025 pukul 09.29", "2025-12-02T09:29+07:00"),
        ("tadi pagi", "2026-11-24"),
        ("kemarin sore", "2026-11-23"),
        ("kemarin jam 9", "2026-11-23T09:00+07:00"),
        ("wingi jam 2 siang", "2026-11-23T14:00+07:00"),
        ("2/12", "2025-12-02"),  # no year: the past December, not the coming one
        ("12-11-2026", "2026-11-12"),
        ("jam setengah 10", "2026-11-24T09:30+07:00"),
        ("tgl 17 nov jam 08.15 WIB", "2026-11-17T08:15+07:00"),
        ("Senin, 1 Des 2025 sekitar jam 10 pagi", "2025-12-01T10:00+07:00"),
        ("selasa kemarin jam 9", "2026-11-17T09:00+07:00"),
        ("hari minggu kemarin", "2026-11-22"),
        ("3 hari yang lalu", "2026-11-21"),
        ("kemarin lusa", "2026-11-22"),
        ("jam 8 malam kemarin", "2026-11-23T20:00+07:00"),
        ("pada tanggal 5 Januari", "2026-01-05"),
        # Old and short spellings from the one month table (bot.parsing.months).
        ("2 peb 2026", "2026-02-02"),
        ("3 agust 2026", "2026-08-03"),
        ("4 pebruari 2026 jam 9", "2026-02-04T09:00+07:00"),
    ],
)
def test_parses_to_iso_8601_in_jakarta(text: str, expected: str) -> None:
    parsed = parse_event_time(text, NOW)
    assert parsed is not None
    assert parsed.isoformat() == expected


def test_part_of_day_is_kept_when_there_is_no_clock_time() -> None:
    parsed = parse_event_time("tadi pagi", NOW)
    assert parsed is not None
    assert not parsed.has_time
    assert parsed.part_of_day == "pagi"


def test_a_clock_time_later_than_now_with_no_day_is_yesterday() -> None:
    parsed = parse_event_time("jam 11.30", NOW)
    assert parsed is not None
    assert parsed.isoformat() == "2026-11-23T11:30+07:00"


@pytest.mark.parametrize(
    "text", ["saya ke kantor", "minggu lalu", "ditolak satpam", ""]
)
def test_text_without_a_day_or_time_gives_none(text: str) -> None:
    assert parse_event_time(text, NOW) is None


def test_now_in_utc_is_converted_to_jakarta_first() -> None:
    # 18:00 UTC Monday is 01:00 Tuesday in Jakarta: "kemarin" is Monday.
    utc_now = datetime.fromisoformat("2026-11-23T18:00:00+00:00")
    parsed = parse_event_time("kemarin", utc_now)
    assert parsed is not None
    assert parsed.isoformat() == "2026-11-23"
