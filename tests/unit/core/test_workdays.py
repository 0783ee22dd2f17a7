"""Working-day deadlines skip weekends and Indonesian public holidays."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot.core.workdays import WorkingCalendar, jakarta_date

CAL = WorkingCalendar()


def test_friday_plus_three_working_days_skips_the_weekend() -> None:
    # Friday 2026-11-20 -> Mon 23, Tue 24, Wed 25.
    assert CAL.add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 25)


def test_christmas_on_thursday_is_skipped() -> None:
    # Tue 2025-12-23 -> Wed 24, (Thu 25 Christmas), Fri 26, (weekend), Mon 29.
    assert not CAL.is_working_day(date(2025, 12, 25))
    assert CAL.add_working_days(date(2025, 12, 23), 3) == date(2025, 12, 29)


def test_deadline_across_a_weekend_and_new_year() -> None:
    # Mon 2025-12-29 + 3: Tue 30, Wed 31, (Thu 1 Jan holiday), Fri 2 Jan.
    assert CAL.add_working_days(date(2025, 12, 29), 3) == date(2026, 1, 2)


def test_fourteen_working_days_from_the_boyolali_case() -> None:
    # Filed Tue 2025-12-02: 14 working days, Christmas Thu 25 Dec skipped.
    due = CAL.add_working_days(date(2025, 12, 2), 14)
    assert due == date(2025, 12, 22)
    assert CAL.working_days_between(date(2025, 12, 2), due) == 14


def test_extra_holidays_such_as_cuti_bersama_count_as_days_off() -> None:
    calendar = WorkingCalendar(extra_holidays=frozenset({date(2025, 12, 26)}))
    assert calendar.add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)


def test_zero_days_is_the_same_day() -> None:
    assert CAL.add_working_days(date(2026, 11, 24), 0) == date(2026, 11, 24)


def test_filing_late_evening_utc_counts_as_the_next_jakarta_day() -> None:
    # 20:00 UTC on Monday is 03:00 on Tuesday in Jakarta.
    moment = datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc)
    assert jakarta_date(moment) == date(2026, 11, 24)
