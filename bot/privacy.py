"""Masking of identity numbers before anything is written to a transcript or a log.

Participants type numbers with spaces, dots or dashes ("3309 0412 0371 0003"), so the
patterns allow a separator between any two digits.
"""

from __future__ import annotations

import re

_SEP = r"[ .\-]?"


def _digits(count: int) -> str:
    return r"\d" + (_SEP + r"\d") * (count - 1)


# NIK: 16 digits; KPJ: 11 digits; phone: +62/62/0 followed by 8-12 digits.
_NIK = re.compile(rf"(?<![\d])({_digits(16)})(?![\d])")
_PHONE = re.compile(
    rf"(?<![\d+])((?:\+?62|0){_SEP}8{_SEP}(?:\d{_SEP}){{6,10}}\d)(?![\d])"
)
_KPJ = re.compile(rf"(?<![\d])({_digits(11)})(?![\d])")


def mask_value(value: str, visible: int = 4) -> str:
    """``3309041203710003`` -> ``************0003``: digits hidden but the last few."""
    digits = re.sub(r"\D", "", value)
    return "*" * (len(digits) - visible) + digits[-visible:]


def mask_identifiers(text: str) -> str:
    """``text`` with every NIK, phone number and KPJ masked."""
    text = _NIK.sub(lambda m: mask_value(m.group(1)), text)
    text = _PHONE.sub(lambda m: mask_value(m.group(1)), text)
    return _KPJ.sub(lambda m: mask_value(m.group(1)), text)
