"""Yes, no and "not" as participants write them, kept in one list.

Informal Indonesian mixed with Javanese: "iya", "nggih", "sip", "gak", "ndak",
"mboten". The stop-participation form reads consent and confirmation with these
words and the complaint form reads its yes/no answers and "nothing to add"; one
list keeps the two from drifting apart. Pure: imports nothing else from bot/.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

YES_WORDS = (
    "ya+",
    "iya+",
    "iyo",
    "y",
    "yes",
    "yup",
    "setuju",
    "saya setuju",
    "boleh",
    "ok",
    "oke",
    "okey",
    "okay",
    "baik",
    "lanjut",
    "benar",
    "betul",
    "bener",
    "nggih",
    "inggih",
    "sip",
    "siap",
    "kirim",
)
# The words for "not": part of a no, and of phrases such as "tidak diangkat".
NEGATION_WORDS = (
    "tidak",
    "tdk",
    "gak",
    "ga",
    "nggak",
    "enggak",
    "engga",
    "ndak",
    "mboten",
    "boten",
)
NO_WORDS = (*NEGATION_WORDS, "no", "nope", "tolak", "jangan", "belum")
QUESTION_WORDS = (
    "gimana",
    "bagaimana",
    "gmn",
    "apa",
    "apakah",
    "berapa",
    "kenapa",
    "mengapa",
    "kapan",
    "bisa",
)


def alternation(words: Iterable[str]) -> str:
    """A regex group body matching any of ``words`` (longest first)."""
    return "|".join(sorted(words, key=len, reverse=True))


# A regex fragment for "not", for patterns built elsewhere ("tidak diangkat").
NEGATION = alternation(NEGATION_WORDS)

_YES = re.compile(rf"^\s*(?:{alternation(YES_WORDS)})\b", re.IGNORECASE)
_NO = re.compile(rf"^\s*(?:{alternation(NO_WORDS)})\b", re.IGNORECASE)
_QUESTION = re.compile(rf"\?|\b(?:{alternation(QUESTION_WORDS)})\b", re.IGNORECASE)


def starts_with_yes(text: str) -> bool:
    """Whether ``text`` opens with a yes ("iya", "nggih", "ok kirim")."""
    return bool(_YES.match(text))


def starts_with_no(text: str) -> bool:
    """Whether ``text`` opens with a no ("gak", "mboten", "belum")."""
    return bool(_NO.match(text))


def sounds_like_question(text: str) -> bool:
    """A question mark or a question word: the message asks rather than tells."""
    return bool(_QUESTION.search(text))
