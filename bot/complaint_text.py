"""Pulling complaint details out of a participant's own words.

The first message often tells the whole story ("ditolak satpam, katanya harus ke
Semarang, saya minta dilayani di sini"). These helpers find what was said and what is
wanted, so the form only asks for what is really missing.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"[\"“”«]([^\"“”«»]{3,200})[\"“”»]")
_SAID = re.compile(
    r"\b(?:katanya|kata\s*nya|katane|bilang(?:nya)?|ngomong|mengatakan|berkata|"
    r"menyampaikan|jawabnya|jawab(?:nya)?|alasannya|alasan)\b[\s:,]*(?P<said>[^.!?\n]{3,200})",
    re.IGNORECASE,
)
_WANTED = re.compile(
    r"\b(?:saya|sy|aku|kulo)?\s*"
    r"(?:minta|mohon|ingin|pengen|pingin|berharap|harapan saya)\b"
    r"[\s:,]*(?P<wanted>[^.!?\n]{3,200})",
    re.IGNORECASE,
)
# Wishes that describe the service asked for at the office, not the complaint's aim.
_SERVICE_WORDS = re.compile(
    r"^(berhenti|keluar|nonaktif|menonaktifkan|resign|cabut)", re.I
)


def _tidy(fragment: str) -> str:
    return " ".join(fragment.strip(" ,;:-").split())


def said_phrase(text: str) -> str | None:
    """What the staff member said, as the participant quotes or reports it."""
    if match := _QUOTED.search(text):
        return _tidy(match.group(1))
    if match := _SAID.search(text):
        return _tidy(match.group("said"))
    return None


def resolution_phrase(text: str) -> str | None:
    """What the participant asks for, when the message states it."""
    for match in _WANTED.finditer(text):
        wanted = _tidy(match.group("wanted"))
        if not _SERVICE_WORDS.match(wanted):
            return wanted
    return None
