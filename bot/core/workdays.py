"""Working-day arithmetic for ticket deadlines (weekends and holidays off)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

JAKARTA = ZoneInfo("Asia/Jakarta")


@lru_cache(maxsize=32)
def _indonesian_holidays(years: tuple[int, ...]) -> holidays.HolidayBase:
    return holidays.country_holidays("ID", years=years)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: Monday-Friday minus public holidays.

    ``extra_holidays`` covers days the government adds late (cuti bersama).
    """

    extra_holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Monday-Friday and not a public holiday in Indonesia."""
        if day.weekday() >= 5 or day in self.extra_holidays:
            return False
        return day not in _indonesian_holidays((day.year,))

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name, for explaining a deadline."""
        names = _indonesian_holidays((day.year,)).get_list(day)
        return names[0] if names else None

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (not counting ``start``).

        A ticket filed on Friday evening with 3 working days is due on Wednesday.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        return sum(1 for d in _days(start, end) if self.is_working_day(d))


def _days(start: date, end: date) -> Iterable[date]:
    current = start + timedelta(days=1)
    while current <= end:
        yield current
        current += timedelta(days=1)


def jakarta_date(moment: datetime) -> date:
    """The calendar date in Jakarta of an aware ``moment``."""
    return moment.astimezone(JAKARTA).date()
