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


def speaks_for_someone(text: str) -> bool:
    """Whether ``text`` says the writer acts for another person."""
    return bool(_HELPER.search(" ".join(text.split())))
