"""NIK, KPJ and ticket references inside free text, as participants type them.

People copy numbers off a card or read them from a letter: "3309 0412 0371 0003",
"23.012.345.678", "adu-7k3m-q9tz". A fixed shape with optional separators is a job
for a pattern, not for a statistical model, so these never go through DIET. Pure
Python (the Rasa component in ``addons.components`` and the unit tests share it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing.references import InvalidReference
from bot.parsing.references import parse as parse_reference

_SEP = r"[ .\-]?"


def _digits(count: int, first: str = r"\d") -> re.Pattern[str]:
    # Not preceded by a digit (possibly across one separator), and not followed by
    # one: "1234 5678 9012 3456 7" is no NIK and holds no KPJ either.
    return re.compile(
        rf"(?<!\d)(?<!\d[ .\-]){first}(?:{_SEP}\d){{{count - 1}}}(?!{_SEP}\d)"
    )


# NIK: 16 digits, the first two a province code (11-94), so never 0.
_NIK = _digits(16, r"[1-9]")
# KPJ: 11 digits. "08..." is a mobile phone number, not a membership number.
_KPJ = _digits(11)
_PHONE_START = re.compile(r"^(?:0|62)")
# References: ADU/BRH + two groups of four; O, I and L are read as 0, 1 and 1.
_REFERENCE = re.compile(
    r"(?<![0-9A-Za-z])(?:ADU|BRH)[\s.\-]?[0-9A-Z]{4}[\s.\-]?[0-9A-Z]{4}(?![0-9A-Za-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """One entity: its name, the span in the text and the normalised value."""

    entity: str
    start: int
    end: int
    text: str
    value: str


def find_numbers(text: str) -> list[Found]:
    """Every NIK, KPJ and reference in ``text``, in order, without overlaps."""
    found: list[Found] = []
    for match in _REFERENCE.finditer(text):
        try:
            value = parse_reference(match.group())
        except InvalidReference:
            continue
        found.append(Found("reference", *match.span(), match.group(), value))
    for entity, pattern in (("nik", _NIK), ("kpj", _KPJ)):
        for match in pattern.finditer(text):
            digits = re.sub(r"\D", "", match.group())
            if entity == "kpj" and _PHONE_START.match(digits):
                continue
            if any(f.start < match.end() and match.start() < f.end for f in found):
                continue
            found.append(Found(entity, *match.span(), match.group(), digits))
    return sorted(found, key=lambda f: f.start)
