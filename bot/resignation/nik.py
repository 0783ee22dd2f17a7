"""NIK, KPJ and date-of-birth parsing with messages that say exactly what is wrong.

A NIK is ``PP KK CC DDMMYY SSSS`` (docs/domain-facts.md §4, [S32][S34]): the day of
birth carries +40 for women, and no check digit is documented, so only the length,
the digits and the date inside are checked. The region code is not checked at all:
sources say it is "not always" reliable ([S33]). A KPJ is 11 digits ([S31]).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.texts import text as copy_text
from bot.parsing.months import MONTHS

NIK_LENGTH = 16
KPJ_LENGTH = 11
_SEPARATORS = re.compile(r"[\s.\-]")
_NAMED_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[-/ ]?\s*([a-z]{3,9})\.?\s*[-/ ]?\s*(\d{4})(?!\d)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})(?!\d)"
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_COMPACT_DATE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")
OLDEST_YEAR = 1900


class IdentityError(ValueError):
    """A value that cannot be a NIK, KPJ or date of birth; ``str()`` is for people."""


@dataclass(frozen=True)
class Nik:
    """A well-formed NIK and the birth data encoded in it."""

    digits: str
    day: int
    month: int
    two_digit_year: int
    female: bool

    def matches_birth_date(self, born: date) -> bool:
        """Whether ``born`` is the date written into this NIK."""
        return (
            born.day == self.day
            and born.month == self.month
            and born.year % 100 == self.two_digit_year
        )


def _digits_only(raw: str, label: str, expected: int) -> str:
    compact = _SEPARATORS.sub("", raw.strip())
    if not compact:
        raise IdentityError(copy_text("identity_empty", label=label))
    if not compact.isdigit():
        raise IdentityError(
            copy_text("identity_not_digits", label=label, expected=expected)
        )
    if len(compact) != expected:
        raise IdentityError(
            copy_text(
                "identity_wrong_length",
                label=label,
                expected=expected,
                given=len(compact),
            )
        )
    return compact


def parse_nik(raw: str) -> Nik:
    """Check a NIK typed with or without spaces, dots or dashes."""
    digits = _digits_only(raw, "NIK", NIK_LENGTH)
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    female = day > 40
    real_day = day - 40 if female else day
    if not 1 <= real_day <= 31:
        raise IdentityError(copy_text("identity_nik_bad_day", day=digits[6:8]))
    if not 1 <= month <= 12:
        raise IdentityError(copy_text("identity_nik_bad_month", month=digits[8:10]))
    return Nik(digits, real_day, month, year, female)


def parse_kpj(raw: str) -> str:
    """Check a KPJ number; returns its 11 digits."""
    return _digits_only(raw, "KPJ", KPJ_LENGTH)


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise IdentityError(copy_text("identity_date_impossible")) from exc


def find_birth_date(message: str, today: date) -> date | None:
    """The date of birth in ``message`` ("12 agustus 1970", "12-08-1970", ...).

    ``None`` when the message holds no date at all; ``IdentityError`` when it holds
    one that cannot be a date of birth.
    """
    lowered = message.lower()
    found: date | None = None
    named = _NAMED_DATE.search(lowered)
    if named and named.group(2) in MONTHS:
        day, month, year = int(named[1]), MONTHS[named[2]], int(named[3])
        found = _make_date(year, month, day)
    elif iso := _ISO_DATE.search(lowered):
        found = _make_date(int(iso[1]), int(iso[2]), int(iso[3]))
    elif numeric := _NUMERIC_DATE.search(lowered):
        found = _make_date(int(numeric[3]), int(numeric[2]), int(numeric[1]))
    elif compact := _COMPACT_DATE.search(lowered):
        found = _make_date(int(compact[3]), int(compact[2]), int(compact[1]))
    if found is None:
        return None
    if found > today:
        raise IdentityError(copy_text("identity_date_future"))
    if found.year < OLDEST_YEAR:
        raise IdentityError(copy_text("identity_date_too_old"))
    return found


_RUN = re.compile(r"\d(?:[ .\-]?\d)*")
_ATTACHED = re.compile(r"[0-9A-Za-z]")
_PREFIX = re.compile(r"^[A-Za-z]*[:#]?")
MIN_CANDIDATE_DIGITS = 9


@dataclass(frozen=True)
class NumberInText:
    """A long number as typed, possibly with letters stuck in it."""

    raw: str
    digits: str
    has_letters: bool


def numbers_in(message: str) -> list[NumberInText]:
    """Long numbers in ``message``: runs of digits with single separators.

    Letters touching a run ("3309O412...", "...0003A") make it a number with
    letters, so the participant hears "only digits" instead of a wrong length;
    a word stuck in front ("NIK3309...") is a label, not part of the number.
    """
    found: list[NumberInText] = []
    seen_end = -1
    for run in _RUN.finditer(message):
        if run.start() < seen_end:
            continue
        start, end = run.start(), run.end()
        while start > 0 and _ATTACHED.match(message[start - 1]):
            start -= 1
        while end < len(message) and (
            _ATTACHED.match(message[end])
            or (
                message[end] in " .-"
                and end + 1 < len(message)
                and message[end + 1].isdigit()
            )
        ):
            end += 1
        seen_end = end
        raw = (
            _PREFIX.sub("", message[start:end])
            if not message[start].isdigit()
            else message[start:end]
        )
        compact = _SEPARATORS.sub("", raw)
        digits = "".join(c for c in compact if c.isdigit())
        letters = any(c.isalpha() for c in compact)
        if len(digits) >= MIN_CANDIDATE_DIGITS or (letters and len(digits) >= 8):
            found.append(NumberInText(raw=raw, digits=digits, has_letters=letters))
    return found
