"""Where a message says when something happened, and that moment in ISO 8601.

The parsing is ``bot.parsing.timeparse`` (also used by the complaint form):
dateparser with Indonesian, past dates preferred and Asia/Jakarta, plus the relative
words it does not know ("tadi pagi", "kemarin sore", "wingi", "jam setengah 10"). This
module only finds the spans: each date or time expression, with neighbouring pieces
joined ("Selasa 2 Desember 2025 pukul 09.29" is one moment, not three).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.parsing.months import MONTHS
from bot.parsing.timeparse import WEEKDAYS, EventTime, parse_event_time

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(
    sorted((w.replace("'", "'?") for w in WEEKDAYS), key=len, reverse=True)
)
_PART = r"(?:pagi|siang|sore|malam|subuh)"
_CLOCK_WORD = r"(?:jam|jm|pukul|pkl|pk)"

_PIECES = [
    rf"(?:hari\s+)?(?:{_WEEKDAY})(?:\s+(?:lalu|kemarin|kmrn|kemaren))?",
    rf"(?:tanggal|tgl\.?)?\s*\d{{1,2}}\s*(?:{_MONTH})\.?(?:\s*\d{{4}})?",
    r"(?:tanggal|tgl\.?)\s*\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?",
    r"(?<![\d.:/])\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?(?![\d/])",
    rf"{_CLOCK_WORD}\s*setengah\s*\d{{1,2}}",
    rf"{_CLOCK_WORD}\s*\d{{1,2}}(?:\s*[.:]\s*\d{{2}})?(?!\d)",
    r"(?<![\d/.:,])(?:[01]?\d|2[0-3])[.:][0-5]\d(?![\d/.,])",
    r"(?:kemarin|kemaren|kmrn|kmren|kmarin)\s+lusa",
    r"\d{1,2}\s*hari\s*(?:yang\s*|yg\s*)?(?:lalu|kemarin)",
    r"(?:kemarin|kemaren|kmrn|kmren|kmarin|wingi|tadi|td|barusan|hari\s+ini|saiki)",
    rf"{_PART}",
    r"wib",
]
_PIECE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in _PIECES) + r")(?!\w)", re.IGNORECASE
)
# Words and marks that may sit between two pieces of one moment.
_GLUE = re.compile(
    r"^(?:[\s,.]|sekitar|sktr|kira-kira|kira2|kurang\s+lebih|pada|pas|sekitaran)*$",
    re.IGNORECASE,
)
# A part of the day alone ("pagi") is a greeting, not a moment.
_ONLY_PART = re.compile(rf"^(?:{_PART}|wib)$", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A date or time expression: its span, its text and the parsed moment."""

    start: int
    end: int
    text: str
    moment: EventTime


def find_dates(text: str, now: datetime) -> list[DateMention]:
    """Every date or time expression in ``text``, parsed relative to ``now``."""
    spans: list[list[int]] = []
    for match in _PIECE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        if spans and _GLUE.match(text[spans[-1][1] : start]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    mentions = []
    for start, end in spans:
        span_text = text[start:end]
        if _ONLY_PART.match(span_text.strip()):
            continue
        moment = parse_event_time(span_text, now)
        if moment is not None:
            mentions.append(DateMention(start, end, span_text, moment))
    return mentions
