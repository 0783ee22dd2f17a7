"""Two needs in one message: the bills and stopping participation.

"mau berhenti, iurannya masih kepotong terus di gopay" is one message with two
needs. The NLU picks one intent; these checks find the other in the words, so the
bot answers the bills part and then takes the participant on to stopping (or the
other way round).
"""

from __future__ import annotations

import re

_BILLS = re.compile(
    r"\b(tagihan\w*|ditagih|nagih|kepotong|terpotong|dipotong|potong(?:an)?"
    r"|autodebit|auto ?debet|autodebet|ditarik|narik|kesedot|gopay|gotagihan"
    r"|(?:di|lewat|pakai|via|aplikasi) dana"
    r"|linkaja|link aja)\b"
)
_STOPPING = re.compile(
    r"\b(berhenti|berhentiin|berhentikan|nonaktif\w*|menonaktifkan|keluar dari"
    r"|stop (?:jadi|dari|bpu|bpjs|kepesertaan|peserta)|mandek|mandeg|udahan"
    r"|mundur dari|cabut dari)\b"
)
# "berhenti" in "tagihannya tidak berhenti" is about the bills, not the membership.
_BILLS_NOT_STOPPING = re.compile(
    r"\b(tidak|gak|ga|nggak|ndak|belum|ora|mboten)\s+(?:juga\s+|mau\s+)?"
    r"berhenti(?:[- ]?berhenti|2)?\b"
)


def mentions_bills(text: str) -> bool:
    """Whether ``text`` speaks of bills or money debited."""
    return bool(_BILLS.search(text.lower()))


def mentions_stopping(text: str) -> bool:
    """Whether ``text`` asks to stop participation (not "the bills don't stop")."""
    lowered = _BILLS_NOT_STOPPING.sub(" ", text.lower())
    return bool(_STOPPING.search(lowered))
