"""Runs of digits as people really type them, found in the original text.

A NIK reaches us as ``3309 - 0412 - 0371 - 0003``, with non-breaking or double
spaces, slashes, underscores, commas, zero-width characters copied from another app,
or full-width digits from a phone keyboard. Each character is classified on its own
NFKC form, so the positions found are positions in the text as typed (masking
replaces exactly what was typed) while the digits found are plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Up to this many separator characters between two digit groups keep one run:
# "3309 - 0412" has three.
MAX_SEPARATORS = 3
_SEPARATORS = frozenset(" .-/_,\t\r\n")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
# Tokens the gateway puts in place of numbers (bot/messaging/identity_tokens.py):
# their hex may hold digits, which are not a number typed by anyone.
TOKEN_PATTERN = re.compile(r"(?:nik|kpj)tok[0-9a-f]{10}")

DIGIT, FORMAT, SEPARATOR, PLUS, OTHER = "d", "f", "s", "+", "x"


@dataclass(frozen=True)
class Group:
    """Digits typed without a separator between them (format characters aside)."""

    start: int
    end: int
    digits: str
    plus: bool = False  # typed as "+62...": the "+" is part of the group's span
    # The separators typed between the previous group and this one, NFKC-folded
    # (dates keep one kind of separator: "2/12/2025").
    before: str = ""


def classify(char: str) -> tuple[str, str]:
    """``(class, digit)`` of one character; ``digit`` is set for ``DIGIT`` only."""
    if char.isascii():
        if char.isdigit():
            return DIGIT, char
        if char in _SEPARATORS:
            return SEPARATOR, ""
        return (PLUS, "") if char == "+" else (OTHER, "")
    category = unicodedata.category(char)
    if category == "Cf":  # zero-width space/joiner, word joiner, BOM, soft hyphen
        return FORMAT, ""
    form = unicodedata.normalize("NFKC", char)
    if len(form) == 1 and form.isdecimal():
        return DIGIT, str(unicodedata.decimal(form))
    if form in _SEPARATORS or char in _DASHES or category.startswith("Z"):
        return SEPARATOR, ""
    if form == "+":
        return PLUS, ""
    return OTHER, ""


def _token_positions(text: str) -> set[int]:
    return {i for match in TOKEN_PATTERN.finditer(text) for i in range(*match.span())}


class _Scanner:
    """Walks the text once, closing groups and runs as separators allow."""

    def __init__(self) -> None:
        self.runs: list[list[Group]] = []
        self.groups: list[Group] = []
        self.start = -1
        self.end = -1
        self.digits: list[str] = []
        self.plus_at = -1
        self.separators = 0
        self.between: list[str] = []

    def digit(self, at: int, value: str) -> None:
        if not self.digits:
            self.start = at
        self.digits.append(value)
        self.end = at + 1
        self.separators = 0

    def separator(self, char: str) -> None:
        self.close_group()
        self.plus_at = -1
        self.separators += 1
        self.between.append(unicodedata.normalize("NFKC", char))
        if self.separators > MAX_SEPARATORS:
            self.close_run()

    def other(self, at: int, plus: bool) -> None:
        self.close_run()
        self.plus_at = at if plus else -1

    def close_group(self) -> None:
        if self.digits:
            plus = self.plus_at >= 0 and not self.groups
            start = self.plus_at if plus else self.start
            before = "".join(self.between) if self.groups else ""
            self.groups.append(
                Group(start, self.end, "".join(self.digits), plus, before)
            )
            self.digits = []
            self.plus_at = -1
            self.between = []

    def close_run(self) -> None:
        self.close_group()
        if self.groups:
            self.runs.append(self.groups)
        self.groups = []
        self.separators = 0
        self.between = []


def digit_runs(text: str) -> list[list[Group]]:
    """Every run of digit groups in ``text``, each run a list of its groups."""
    if not any(char.isdigit() for char in text):
        return []
    tokens = _token_positions(text) if "tok" in text else set()
    scanner = _Scanner()
    for at, char in enumerate(text):
        kind, value = (OTHER, "") if at in tokens else classify(char)
        if kind == DIGIT:
            scanner.digit(at, value)
        elif kind == SEPARATOR:
            scanner.separator(char)
        elif kind != FORMAT:
            scanner.other(at, kind == PLUS)
    scanner.close_run()
    return scanner.runs


def ends_with_run(text: str, run: list[Group]) -> bool:
    """Whether nothing but separators and format characters follow ``run``."""
    return all(classify(c)[0] in (SEPARATOR, FORMAT) for c in text[run[-1].end :])


def starts_with_run(text: str, run: list[Group]) -> bool:
    """Whether nothing but separators and format characters precede ``run``."""
    return all(classify(c)[0] in (SEPARATOR, FORMAT) for c in text[: run[0].start])
