"""Someone typing for the participant: "saya anaknya", "bantu bapak saya".

A son may type for his father (the seed's participant came with his son). He may,
but the possession step still goes to the participant's own registered number: the
bot says so in plain words, and asks for the code sent there.
"""

from __future__ import annotations

import re

_RELATIVE = (
    r"(?:bapak|bpk|pak|ayah|bapa|ibu|bu|mama|mamah|mamak|emak|mak|ortu|orang\s*tua|"
    r"suami|istri|isteri|kakak|kak|adik|adek|om|tante|paman|bibi|nenek|kakek|mertua|"
    r"anak|saudara|keluarga|tetangga|teman)"
)
_PATTERNS = (
    # "saya anaknya", "saya anak beliau", "aku istrinya"
    rf"\b(?:saya|aku|sy|gue|gw)\s+(?:ini\s+)?{_RELATIVE}(?:nya|\s+beliau|\s+dari)\b",
    # "bantu bapak saya", "untuk ibu saya", "mewakili ayah saya", "punya mama saya"
    rf"\b(?:bantu(?:in)?|membantu|untuk|buat|mewakili|wakil|punya|milik|atas\s+nama)"
    rf"\s+(?:si\s+)?{_RELATIVE}\s+(?:saya|aku|sy|gue|gw)\b",
    # "bapak saya mau berhenti", "ortu saya"
    rf"\b{_RELATIVE}\s+(?:saya|aku|sy)\s+(?:mau|ingin|minta|pengen|pingin)\b",
    r"\bmewakili\b",
)
_HELPER = re.compile("|".join(_PATTERNS), re.IGNORECASE)
# A parent named next to "saya"/"aku" ("bapak saya", "ibu kulo", "bapakku"): the
# helper is addressed as helping a parent ("Bapak/Ibu membantu orang tua").
_PARENT = re.compile(
    r"\b(?:(?:bapak|bpk|ayah|bapa|papa|ibu|mama|mamah|mamak|emak|ortu|orang\s*tua)"
    r"\s+(?:saya|aku|sy|kulo|kami)|(?:bapak|ayah|ibu|mama|emak)ku)\b",
    re.IGNORECASE,
)


def speaks_for_someone(text: str) -> bool:
    """Whether ``text`` says the writer acts for another person."""
    return bool(_HELPER.search(" ".join(text.split())))


def helps_parent(text: str) -> bool:
    """Whether the person helped, in ``text``, is the writer's father or mother."""
    return bool(_PARENT.search(" ".join(text.split())))
