"""When did it happen? Dates and times as participants write them, in Indonesian.

"Selasa 2 Desember 2025 pukul 09.29", "tadi pagi", "kemarin sore", "2/12",
"jam setengah 10", "wingi" (Javanese: yesterday). Explicit calendar dates go through
``dateparser`` (Indonesian, DMY, past preferred, Asia/Jakarta); the relative words and
clock times it does not know are handled here. A complaint is about the past, so a date
without a year that would lie in the future is taken from the year before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.parsing.months import MONTHS

# Defined here, not imported from bot.core.workdays, so the Rasa server's date extractor
# (addons/) can import this module without the holidays package.
JAKARTA = ZoneInfo("Asia/Jakarta")

WEEKDAYS = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
PARTS_OF_DAY = ("pagi", "siang", "sore", "malam")

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_CLOCK_WORD = r"(?:jam|jm|pukul|pkl|pk)"

_TEXTUAL_DATE = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}})\s*(?P<month>{_MONTH_RE})\b\.?(?:\s*(?P<year>\d{{4}}))?"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d.:])(?P<day>\d{1,2})[/-](?P<month>\d{1,2})(?:[/-](?P<year>\d{2,4}))?(?![\d/])"
)
_HALF_HOUR = re.compile(rf"{_CLOCK_WORD}\s*setengah\s*(?P<hour>\d{{1,2}})\b")
_CLOCK = re.compile(
    rf"{_CLOCK_WORD}\s*(?P<hour>\d{{1,2}})(?:\s*[.:]\s*(?P<minute>\d{{2}}))?(?!\d)"
)
_BARE_CLOCK = re.compile(r"(?<![\d/.:])(?P<hour>\d{1,2})[.:](?P<minute>\d{2})(?![\d/])")
_DAYS_AGO = re.compile(r"(?P<n>\d{1,2})\s*hari\s*(?:yang\s*|yg\s*)?(?:lalu|kemarin)")
_WEEK_WORDS = re.compile(r"\s*(lalu|kemarin|kmrn|ini|depan)\b")
_WEEKDAY = re.compile(
    rf"\b(?P<weekday>{_WEEKDAY_RE})\b(?P<past>\s+(?:lalu|kemarin|kmrn))?"
)


@dataclass(frozen=True)
class EventTime:
    """A moment in Jakarta time; ``has_time`` is False when only the date is known."""

    moment: datetime
    has_time: bool
    part_of_day: str | None = None

    @property
    def day(self) -> date:
        """The calendar date in Jakarta."""
        return self.moment.date()

    def isoformat(self) -> str:
        """ISO 8601: a datetime with +07:00 when the time is known, else a date."""
        if self.has_time:
            return self.moment.isoformat(timespec="minutes")
        return self.day.isoformat()


def _clean(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"\btgl\b\.?", "tanggal", text)
    return re.sub(r"\s+", " ", text)


def _clock_time(text: str) -> tuple[time | None, str | None]:
    part = next((p for p in PARTS_OF_DAY if re.search(rf"\b{p}\b", text)), None)
    hour: int | None = None
    minute = 0
    if match := _HALF_HOUR.search(text):
        hour, minute = int(match["hour"]) - 1, 30
    elif match := _CLOCK.search(text):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
    elif (match := _BARE_CLOCK.search(text)) and not _NUMERIC_DATE.search(text):
        hour, minute = int(match["hour"]), int(match["minute"])
    if hour is None:
        return None, part
    afternoon = part in ("siang", "sore") and hour < 12
    late_morning = part == "siang" and hour >= 10  # "jam 10 siang" is still 10:00
    evening = part == "malam" and 5 <= hour < 12
    if (afternoon and not late_morning) or evening:
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None, part
    return time(hour, minute), part


def _dateparser(span: str, now: datetime) -> date | None:
    import dateparser  # imported lazily: loading its language data takes a while

    settings: Any = {
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": "Asia/Jakarta",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
    }
    parsed = dateparser.parse(span, languages=["id"], settings=settings)
    return parsed.date() if parsed else None


def _explicit_date(text: str, now: datetime) -> date | None:
    today = now.date()
    match = _TEXTUAL_DATE.search(text) or _NUMERIC_DATE.search(text)
    if not match:
        return None
    day = int(match["day"])
    month_raw = match["month"]
    month = int(month_raw) if month_raw.isdigit() else MONTHS[month_raw]
    year_raw = match["year"]
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    if year_raw:
        year = int(year_raw) + (2000 if len(year_raw) == 2 else 0)
        span = f"{day} {month} {year}"
    else:
        span = f"{day} {month}"
    parsed = _dateparser(span, now)
    if parsed is None:
        return None
    if not year_raw and parsed > today:
        # "2/12" in November means last December: complaints are about the past.
        try:
            parsed = parsed.replace(year=parsed.year - 1)
        except ValueError:
            return None
    return parsed


def _weekday(text: str) -> tuple[int, bool] | None:
    """A named weekday and whether it was marked as past ("Selasa kemarin").

    "minggu lalu" / "minggu ini" speak of a week, not of Sunday, unless the text says
    "hari minggu".
    """
    for match in _WEEKDAY.finditer(text):
        name = match["weekday"]
        after = text[match.end("weekday") :]
        said_hari = text[: match.start()].endswith("hari ")
        if name == "minggu" and not said_hari and _WEEK_WORDS.match(after):
            continue
        return WEEKDAYS[name], bool(match["past"])
    return None


def _relative_date(text: str, today: date) -> date | None:
    weekday = _weekday(text)
    if re.search(r"\b(kemarin|kmrn)\s*lusa\b", text):
        return today - timedelta(days=2)
    if match := _DAYS_AGO.search(text):
        return today - timedelta(days=int(match["n"]))
    if weekday is not None:
        target, marked_past = weekday
        back = (today.weekday() - target) % 7
        if back == 0 and marked_past:
            back = 7
        return today - timedelta(days=back)
    if re.search(r"\b(kemarin|kemaren|kmrn|kmren|kmarin|wingi)\b", text):
        return today - timedelta(days=1)
    if re.search(r"\b(hari ini|td|tadi|barusan|saiki)\b", text):
        return today
    return None


def parse_event_time(text: str, now: datetime) -> EventTime | None:
    """Find when an event happened in ``text``, relative to ``now`` (aware).

    Returns None when ``text`` names no day and no clock time.
    """
    now_local = now.astimezone(JAKARTA)
    today = now_local.date()
    cleaned = _clean(text)
    clock, part = _clock_time(cleaned)
    day = _explicit_date(cleaned, now_local) or _relative_date(cleaned, today)
    if day is None and clock is not None:
        # A time alone ("jam 9 tadi") is today, or yesterday if that is still ahead.
        day = today
        if datetime.combine(today, clock, JAKARTA) > now_local:
            day = today - timedelta(days=1)
    if day is None:
        return None
    moment = datetime.combine(day, clock or time(0, 0), JAKARTA)
    return EventTime(moment=moment, has_time=clock is not None, part_of_day=part)
