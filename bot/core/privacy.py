"""Masking of identity numbers before anything is stored, forwarded or logged.

The one place that decides what a typed number is (PRODUCT.md §8). Runs of digits
are found however they were typed (``bot.core.digit_runs``: NFKC, every separator,
zero-width characters), then each run is cut into what it holds: a phone number
(``08…``, ``62 8…``, ``+62 8…``), a NIK (16 digits), a KPJ (11 digits) or some
other run of ten or more digits, which could be either mistyped and is treated as
identifying. Dates and shorter numbers are left as they are.

A number split over two messages ("3309041203", then "710003") is caught with the
count of digits the previous message ended with (``carried``): the gateway keeps
it in the store per conversation, so every gateway sees it.

The first part of such a number may be shorter than ten digits ("330904", then
"1203710003"). In a whole inbound message (``message``), a run of five to nine
digits that is all the message says, or ends it after words like "nik", "kpj",
"nomor saya", is hidden as a partial number (none of its digits shown; Rasa gets a
token): it could be a NIK's region and birth date. Kept as typed: the one-time code
the conversation waits for (six digits, ``code_awaited``; the action checks it as
typed), short answers and option numbers (under five digits), amounts and numbers
inside a sentence, dates with separators ("12-05-1980"). A compact date
("12051980") is hidden: nothing reads it as a date, and a birth date is personal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.digit_runs import (
    FORMAT,
    SEPARATOR,
    Group,
    classify,
    digit_runs,
    ends_with_run,
    starts_with_run,
)

MIN_DIGITS = 10
NIK_DIGITS = 16
KPJ_DIGITS = 11
# A number completed by the next message: what the two parts may add up to (a NIK
# or a KPJ, exactly: two one-time codes in a row, 6 + 6 digits, are two codes),
# and the fewest digits a completion has, so that an option number ("2") answered
# after a partial number is never taken for one.
CARRY_TOTAL = frozenset({KPJ_DIGITS, NIK_DIGITS})
MIN_COMPLETION = 3
# A whole message of this many digits may be the first part of a split number.
PARTIAL_DIGITS = range(5, MIN_DIGITS)
CODE_DIGITS = 6  # bot/resignation/codes.py
# Words that may come before a partial number ("nik", "NIK saya:", "ini nomor saya").
_LEAD_IN = re.compile(
    r"(?:[\s:.,=\-]|\b(?:nik|kpj|ktp|e-?ktp|no|nmr|nomor|nomer|saya|sy|ini|itu|nya"
    r"|niknya|adalah|yaitu|kartu|peserta|bpjs|pak|bu|ya|yg|yang)\b)*",
    re.IGNORECASE,
)
# Indonesian mobile numbers: 08 + 8-11 digits, or 62 8 + 8-11 digits.
_PHONE_LENGTHS = {"08": range(10, 14), "628": range(11, 15)}
_DATE = re.compile(
    r"(?:(?:0?[1-9]|[12]\d|3[01]) (?:0?[1-9]|1[0-2]) (?:\d{2}|(?:19|20)\d{2})"
    r"|(?:19|20)\d{2} (?:0?[1-9]|1[0-2]) (?:0?[1-9]|[12]\d|3[01]))"
    r"(?: (?:[01]?\d|2[0-3]) [0-5]\d)?"
)

MAX_DATE_DIGITS = 12  # dd mm yyyy hh mm
_DATE_MARKS = frozenset("/-.")
# A short number typed before a NIK or KPJ ("umur 45 3309...") is kept as typed.
MAX_KEPT = 3
# Runs of more groups are hidden whole rather than cut (and the cut stays cheap).
MAX_GROUPS = 40

PHONE, NIK, KPJ, NUMBER = "phone", "nik", "kpj", "number"


@dataclass(frozen=True)
class Found:
    """One number to hide: where it was typed, what it is, its plain digits."""

    start: int
    end: int
    kind: str
    digits: str
    completes: bool = False  # the end of a number the previous message began
    partial: bool = False  # maybe the start of a number the next message ends


@dataclass(frozen=True)
class Scan:
    """The numbers of one message, and the digits it ends with for the next one."""

    found: list[Found] = field(default_factory=list)
    tail: int = 0


def _count(groups: list[Group], i: int, j: int) -> int:
    return sum(len(g.digits) for g in groups[i : j + 1])


def _phone_end(groups: list[Group], i: int) -> int | None:
    """The last group of a phone number starting at group ``i``, if it is one."""
    head = "".join(g.digits for g in groups[i : i + 3])
    lengths = next((r for p, r in _PHONE_LENGTHS.items() if head.startswith(p)), None)
    if lengths is None:
        return None
    ends = [
        j
        for j in range(i, len(groups))
        if _count(groups, i, j) in lengths and _leaves_whole(groups, j)
    ]
    # The longest, unless a shorter one leaves a NIK or KPJ right after it
    # ("0813 2555 0101 3 309..." is a phone and a NIK typed with a stray space).
    clean = [
        j
        for j in ends
        if j + 1 < len(groups)
        and (
            _exact_end(groups, j + 1, NIK_DIGITS) is not None
            or _exact_end(groups, j + 1, KPJ_DIGITS) is not None
        )
    ]
    chosen = clean or ends
    return chosen[-1] if chosen else None


def _leaves_whole(groups: list[Group], j: int) -> bool:
    """Whether a number may end at group ``j``: what follows in the run is nothing,
    a date, or long enough to be masked itself. Otherwise the cut would show the
    digits after it ("1 1 0101010 1 0 0 00" is no KPJ and "0 00")."""
    rest = j + 1
    return (
        rest == len(groups)
        or _count(groups, rest, len(groups) - 1) >= MIN_DIGITS
        or _date_end(groups, rest) is not None
    )


def _exact_end(groups: list[Group], i: int, size: int) -> int | None:
    for j in range(i, len(groups)):
        count = _count(groups, i, j)
        if count == size:
            return j if _leaves_whole(groups, j) else None
        if count > size:
            return None
    return None


def _identity_at(groups: list[Group], i: int) -> tuple[int, str] | None:
    """``(last group, kind)`` of a phone, NIK or KPJ that starts at group ``i``."""
    end = _phone_end(groups, i)
    if end is not None:
        return end, PHONE
    end = _exact_end(groups, i, NIK_DIGITS)
    if end is not None:
        return end, NIK
    if _date_end(groups, i) is not None:  # "2/12/2025 09.30" has eleven digits
        return None
    end = _exact_end(groups, i, KPJ_DIGITS)
    return (end, KPJ) if end is not None else None


def _date_end(groups: list[Group], i: int) -> int | None:
    """The last group of a date (and time) starting at group ``i``, if it is one.

    Only where the rest of the run is no longer than a date and a time: the
    front of "1 10 10 1010100 00" looks like a date, but the run is a number.
    """
    if _count(groups, i, len(groups) - 1) > MAX_DATE_DIGITS:
        return None
    if i + 2 >= len(groups):
        return None
    mark = groups[i + 1].before
    if mark not in _DATE_MARKS or groups[i + 2].before != mark:
        return None
    for j in range(min(len(groups), i + 5) - 1, i + 1, -1):
        if j > i + 2 and not groups[i + 3].before.isspace():
            continue  # a time follows the date after a space: "2/12/2025 09.30"
        if _DATE.fullmatch(" ".join(g.digits for g in groups[i : j + 1])):
            return j
    return None


def _segments(groups: list[Group]) -> list[tuple[int, int, str]]:
    """The numbers in one run, as ``(first group, last group, kind)``."""
    out: list[tuple[int, int, str]] = []
    if len(groups) > MAX_GROUPS:  # no one types a number like that: hide it all
        return [(0, len(groups) - 1, NUMBER)]
    i = 0
    while i < len(groups):
        found = _identity_at(groups, i)
        if found is not None:
            out.append((i, found[0], found[1]))
            i = found[0] + 1
            continue
        date = _date_end(groups, i)
        if date is not None:
            i = date + 1
            continue
        if len(groups[i].digits) <= MAX_KEPT and i + 1 < len(groups):
            rest = _identity_at(groups, i + 1)
            # "umur 45 3309..." keeps the 45; never before a phone number, which
            # Rasa sees as typed: "11 0 8 0 1 0 1 0 100" is a NIK, not 11 and a phone.
            if rest is not None and rest[0] == len(groups) - 1 and rest[1] != PHONE:
                i += 1
                continue
        if _count(groups, i, len(groups) - 1) >= MIN_DIGITS:
            out.append((i, len(groups) - 1, NUMBER))
        break
    return out


def _found(groups: list[Group], i: int, j: int, kind: str) -> Found:
    digits = "".join(g.digits for g in groups[i : j + 1])
    return Found(groups[i].start, groups[j].end, kind, digits)


def _completion(
    text: str,
    run: list[Group],
    carried: int,
    code_awaited: Callable[[], bool] | None,
) -> Found | None:
    """The run that finishes a number the previous message ended with; six digits
    the conversation may take for its one-time code are the code."""
    digits = "".join(g.digits for g in run)
    total = carried + len(digits)
    if not carried or not MIN_COMPLETION <= len(digits) < MIN_DIGITS:
        return None
    if total not in CARRY_TOTAL or not starts_with_run(text, run):
        return None
    if len(digits) == CODE_DIGITS and code_awaited is not None and code_awaited():
        return None
    kind = NIK if total == NIK_DIGITS else KPJ if total == KPJ_DIGITS else NUMBER
    return Found(run[0].start, run[-1].end, kind, digits, completes=True)


def _tail(text: str, runs: list[list[Group]], found: list[Found]) -> int:
    """Digits at the end of ``text`` that the next message might continue."""
    if not runs or not ends_with_run(text, runs[-1]):
        return 0
    last = runs[-1]
    if any(f.kind == PHONE and f.end == last[-1].end for f in found):
        return 0
    if any(_date_end(last, i) is not None for i in range(len(last))):
        return 0  # a date ends the message, not the start of a number
    count = sum(len(g.digits) for g in last)
    return count if count < NIK_DIGITS else 0


def _partial(
    text: str,
    runs: list[list[Group]],
    found: list[Found],
    code_awaited: Callable[[], bool] | None,
) -> Found | None:
    """The lone run of 5-9 digits ending a whole message, unless it is kept: a
    date, or the six-digit code the conversation waits for."""
    if found or len(runs) != 1:
        return None
    run = runs[0]
    digits = "".join(g.digits for g in run)
    if len(digits) not in PARTIAL_DIGITS or not ends_with_run(text, run):
        return None
    lead = "".join(
        " " if classify(c)[0] in (SEPARATOR, FORMAT) else c
        for c in text[: run[0].start]
    )
    if not _LEAD_IN.fullmatch(lead):
        return None
    if any(_date_end(run, i) is not None for i in range(len(run))):
        return None
    if len(digits) == CODE_DIGITS and (code_awaited is None or code_awaited()):
        return None
    return Found(run[0].start, run[-1].end, NUMBER, digits, partial=True)


def scan(
    text: str,
    carried: int = 0,
    *,
    message: bool = False,
    code_awaited: Callable[[], bool] | None = None,
) -> Scan:
    """The numbers to hide in ``text``; ``carried`` digits ended the last message.

    ``message``: ``text`` is a whole inbound message, whose lone run of five to nine
    digits is hidden as a partial number; ``code_awaited`` says (asked only for six
    digits) whether it may be the one-time code the conversation waits for, which
    is kept (no answer to ask: kept too).
    """
    runs = digit_runs(text)
    found: list[Found] = []
    for index, run in enumerate(runs):
        completion = (
            _completion(text, run, carried, code_awaited) if index == 0 else None
        )
        if completion is not None:
            found.append(completion)
            continue
        found += [_found(run, i, j, kind) for i, j, kind in _segments(run)]
    if message:
        partial = _partial(text, runs, found, code_awaited)
        if partial is not None:
            found.append(partial)
    return Scan(found, _tail(text, runs, found))


def mask_value(value: str, visible: int = 4) -> str:
    """``3309041203710003`` -> ``************0003``: digits hidden but the last few."""
    digits = re.sub(r"\D", "", value)
    return "*" * (len(digits) - visible) + digits[-visible:]


def masked(found: Found) -> str:
    """How one number appears once hidden: a completion or a partial number shows
    none of its digits."""
    if found.completes or found.partial:
        return "*" * len(found.digits)
    return mask_value(found.digits)


def apply_mask(text: str, numbers: Scan) -> str:
    """``text`` with the numbers of ``numbers`` (a scan of it) hidden."""
    parts: list[str] = []
    last = 0
    for found in numbers.found:
        parts += [text[last : found.start], masked(found)]
        last = found.end
    parts.append(text[last:])
    return "".join(parts)


def mask_identifiers(text: str, carried: int = 0) -> str:
    """``text`` with every NIK, phone number, KPJ and other long number masked."""
    return apply_mask(text, scan(text, carried))


def mask_optional(text: str | None) -> str | None:
    """``mask_identifiers`` for a field that may be empty."""
    return mask_identifiers(text) if text else text
