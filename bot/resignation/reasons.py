"""What the reason a participant gives for stopping means for their JHT.

For a BPU participant, JHT is paid on stopping work or at 56 [S19][S20] — not for
any other reason to stop paying. The reason is the participant's own words (or a
button), so it is read here into one of a few kinds; anything unclear is OTHER,
which promises nothing.
"""

from __future__ import annotations

import re
from enum import Enum

from bot.parsing.lexicon import NEGATION_WORDS


class ReasonKind(Enum):
    """What the reason says about the participant's work."""

    STOPPED_WORKING = "stopped_working"
    BECAME_EMPLOYEE = "became_employee"
    OTHER = "other"


_NOT = "|".join((*NEGATION_WORDS, "ora", "sudah tidak", "udah ga", "udh ga"))
_WORK = r"(?:be)?kerja|nyambut ?damel|usaha|jualan|narik|ngojek|dagang|bekerja lagi"
_STOPPED = re.compile(
    rf"\b(?:(?:{_NOT})\s+(?:lagi\s+)?(?:{_WORK})"
    rf"|berhenti\s+(?:{_WORK})|(?:usaha|warung|toko|lapak)(?:nya)?"
    r"(?:\s+(?:saya|sy|kula))?\s+(?:sudah\s+|udah\s+)?(?:tutup|bangkrut)"
    r"|pensiun|nganggur|menganggur|di ?phk|kena phk|phk|sakit keras|lumpuh)\b"
)
_EMPLOYEE = re.compile(
    r"\b(?:jadi|menjadi|pindah|diterima|sekarang)\b.*\b(?:karyawan|pegawai|buruh"
    r"|pabrik|perusahaan|pns|asn)\b|\bpenerima upah\b|\bdidaftarkan (?:kantor|pabrik"
    r"|perusahaan)\b"
)


def reason_kind(reason: str | None) -> ReasonKind:
    """The kind of ``reason``; OTHER when it says nothing clear about work."""
    text = " ".join((reason or "").lower().split())
    if _EMPLOYEE.search(text):
        return ReasonKind.BECAME_EMPLOYEE
    if _STOPPED.search(text):
        return ReasonKind.STOPPED_WORKING
    return ReasonKind.OTHER
