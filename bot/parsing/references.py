"""Ticket and request references: ``ADU-7K3M-Q9TZ`` (complaint), ``BRH-...`` (request).

Participants read references aloud over the phone and retype them on cheap keyboards,
so the body uses Crockford's base32 (no I, L, O, U) and parsing forgives case, missing
or extra separators, and the letters people confuse with digits (O/0, I/L/1).
"""

from __future__ import annotations

import re
import secrets
from enum import Enum

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_BODY_LENGTH = 8


class ReferenceKind(str, Enum):
    """The prefix says what a reference points to."""

    COMPLAINT = "ADU"
    RESIGNATION = "BRH"


# A reference inside free text: the prefix, then two groups of four body characters,
# each group optionally after one space, dot or dash. Anything looser matches words:
# "adu ke sana saja" would read as ADU-KESA-NASA.
_GROUP = "[0-9A-HJKMNP-TV-Z]{4}"
REFERENCE_PATTERN = re.compile(
    rf"(?<![0-9A-Za-z])(?P<prefix>ADU|BRH)[\s.\-]?{_GROUP}[\s.\-]?{_GROUP}(?![0-9A-Za-z])",
    re.IGNORECASE,
)


class InvalidReference(ValueError):
    """Text that is not a well-formed reference."""


def generate(kind: ReferenceKind) -> str:
    """A new random reference of ``kind`` (40 random bits in the body)."""
    body = "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(_BODY_LENGTH))
    return f"{kind.value}-{body[:4]}-{body[4:]}"


def parse(text: str) -> str:
    """Return the canonical ``XXX-XXXX-XXXX`` form of ``text`` or raise.

    Accepts any case, with or without dashes, spaces or dots between characters.
    """
    compact = re.sub(r"[\s.\-_]", "", text).upper()
    prefix, body = compact[:3], compact[3:]
    if prefix not in {k.value for k in ReferenceKind}:
        raise InvalidReference(f"unknown prefix in {text!r}")
    body = body.translate(_CONFUSABLES)
    if len(body) != _BODY_LENGTH or any(c not in CROCKFORD_ALPHABET for c in body):
        raise InvalidReference(f"malformed body in {text!r}")
    return f"{prefix}-{body[:4]}-{body[4:]}"


def find(text: str) -> str | None:
    """The first well-formed reference inside free text, canonicalised, if any.

    Stricter than :func:`parse`: separators only where references have them and no
    confusable letters, because free text is full of words that look like bodies.
    """
    match = REFERENCE_PATTERN.search(text)
    return parse(match.group(0)) if match else None


def kind_of(reference: str) -> ReferenceKind:
    """The kind of a canonical reference."""
    return ReferenceKind(reference[:3])
