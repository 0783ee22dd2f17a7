"""Masking of identity numbers before anything is written to a transcript or a log.

Participants type numbers with spaces, dots or dashes ("3309 0412 0371 0003"), so the
patterns allow a separator between any two digits.
"""

from __future__ import annotations

import re

SEPARATOR = r"[ .\-]?"


def _digit_run(count: int) -> str:
    return r"\d" + (SEPARATOR + r"\d") * (count - 1)


# NIK: 16 digits; KPJ: 11 digits; phone: +62/62/0 followed by 8-12 digits.
NIK_PATTERN = re.compile(rf"(?<![\d])({_digit_run(16)})(?![\d])")
PHONE_PATTERN = re.compile(
    rf"(?<![\d+])((?:\+?62|0){SEPARATOR}8{SEPARATOR}(?:\d{SEPARATOR}){{6,10}}\d)(?![\d])"
)
KPJ_PATTERN = re.compile(rf"(?<![\d])({_digit_run(11)})(?![\d])")


def mask_value(value: str, visible: int = 4) -> str:
    """``3309041203710003`` -> ``************0003``: digits hidden but the last few."""
    digits = re.sub(r"\D", "", value)
    return "*" * (len(digits) - visible) + digits[-visible:]


def mask_identifiers(text: str) -> str:
    """``text`` with every NIK, phone number and KPJ masked."""
    text = NIK_PATTERN.sub(lambda m: mask_value(m.group(1)), text)
    text = PHONE_PATTERN.sub(lambda m: mask_value(m.group(1)), text)
    return KPJ_PATTERN.sub(lambda m: mask_value(m.group(1)), text)
