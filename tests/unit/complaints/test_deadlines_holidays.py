"""Ticket deadlines and staff-hours promises across weekends and public holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

from bot.complaints.filing import ComplaintDraft, Deadlines, file_complaint
from bot.core.workdays import JAKARTA, WorkingCalendar
from bot.handoff.handoffs import StaffHours
from bot.messaging.conversations import ConversationKey
from bot.store.db import Database

DEADLINES = Deadlines(3, 14, WorkingCalendar())
DRAFT = ComplaintDraft("kcp_boyolali", None, None, "satpam", "harus ke semarang", None)
HOURS = StaffHours(time(8, 0), time(16, 0), WorkingCalendar())


def _file_at(db: Database, moment: datetime) -> tuple[date | None, date | None]:
    with db.session() as session:
        ticket = file_complaint(
            session, ConversationKey("webchat", "t1"), DRAFT, DEADLINES, now=moment
        )
        return ticket.first_response_due, ticket.resolution_due


def test_complaint_filed_before_christmas_skips_the_holiday(db: Database) -> None:
    # Tue 23 Dec 2025, 10:00 WIB. First response: Wed 24, (Thu 25 Christmas), Fri 26,
    # (weekend), Mon 29. Resolution, 14 working days: Christmas and New Year skipped.
    filed = datetime(2025, 12, 23, 10, 0, tzinfo=JAKARTA)
    first, resolution = _file_at(db, filed)
    assert first == date(2025, 12, 29)
    assert resolution == date(2026, 1, 14)


def test_filing_after_midnight_jakarta_counts_from_the_jakarta_day(
    db: Database,
) -> None:
    # Fri 23:30 UTC is Saturday 06:30 WIB: counting starts after Saturday.
    filed = datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc)
    first, _ = _file_at(db, filed)
    assert first == date(2026, 12, 2)  # Mon 30, Tue 1, Wed 2


def test_staff_hours_on_a_working_morning() -> None:
    assert HOURS.is_open(datetime(2026, 11, 24, 9, 0, tzinfo=JAKARTA))
    assert not HOURS.is_open(datetime(2026, 11, 24, 16, 0, tzinfo=JAKARTA))
    assert not HOURS.is_open(datetime(2026, 11, 24, 7, 59, tzinfo=JAKARTA))


def test_friday_evening_promises_monday_morning() -> None:
    opening = HOURS.next_opening(datetime(2026, 11, 27, 17, 0, tzinfo=JAKARTA))
    assert opening == datetime(2026, 11, 30, 8, 0, tzinfo=JAKARTA)


def test_christmas_eve_evening_promises_the_day_after_christmas() -> None:
    # Wed 24 Dec 2025 after hours; Thu 25 is Christmas; Fri 26 is a working day.
    moment = datetime(2025, 12, 24, 18, 0, tzinfo=JAKARTA)
    assert not HOURS.is_open(datetime(2025, 12, 25, 9, 0, tzinfo=JAKARTA))
    assert HOURS.next_opening(moment) == datetime(2025, 12, 26, 8, 0, tzinfo=JAKARTA)


def test_early_morning_promises_the_same_day() -> None:
    moment = datetime(2026, 11, 24, 6, 0, tzinfo=JAKARTA)
    assert HOURS.next_opening(moment) == datetime(2026, 11, 24, 8, 0, tzinfo=JAKARTA)


def test_hours_are_described_for_the_participant() -> None:
    assert HOURS.describe() == "Senin–Jumat pukul 08.00–16.00 WIB"
