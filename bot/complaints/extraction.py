"""Pulling complaint details out of a participant's own words.

The first message often tells the whole story ("ditolak satpam, katanya harus ke
Semarang, saya minta dilayani di sini"). These helpers find what was said and what is
wanted, so the form only asks for what is really missing.
"""

from __future__ import annotations

import re

from bot.complaints.filing import CATEGORY_REFUSAL, CATEGORY_WRONG_PROCEDURE
from bot.parsing.lexicon import NEGATION, starts_with_no, starts_with_yes

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


# --- the rest of the complaint (PRODUCT.md §3.2) ---------------------------------

# Ombudsman RI maladministration categories (docs/domain-facts.md §5, [S43]).
CATEGORY_DELAY = "penundaan berlarut"
CATEGORY_IMPROPER = "tidak patut"
CATEGORY_MONEY = "permintaan imbalan uang"

_SERVICES = (
    (
        re.compile(
            r"\b(berhenti|brenti|keluar|nonaktif\w*|menonaktifkan|mandek|resign|"
            r"cabut|pemberhentian|penonaktifan)\b",
            re.I,
        ),
        "berhenti sebagai peserta BPU",
    ),
    (re.compile(r"\b(klaim|cair\w*|pencairan)\b.{0,12}\bjht\b", re.I), "klaim JHT"),
)
_HARMS = (
    (
        re.compile(r"\btagihan\w*|\bautodebet|\bdipotong\b|\bgopay\b", re.I),
        "tagihan iuran tetap berjalan",
    ),
    (
        re.compile(
            r"\b(jauh|bolak.?balik|naik motor|ongkos|sia.?sia|antri\w* dari)", re.I
        ),
        "perjalanan sia-sia",
    ),
)
_ATTEMPTS = re.compile(
    r"\b(telp|telpon|telepon|nelpon|menelepon|ditelepon|hubungi|menghubungi|wa)\b"
    rf"[^.!?\n]{{0,60}}\b({NEGATION})\s*"
    r"(di\s*)?(angkat|diangkat|dijawab|jawab|aktif|dibalas|respon)",
    re.I,
)
# Bribes and illegal levies: the "money asked" category.
_MONEY_WORDS = (
    r"suap\w*|sogok\w*|nyogok\w*|menyogok|pungli|pungutan liar|pelicin|"
    r"uang rokok|minta (uang|imbalan|duit)|dimintai (uang|duit)"
)
_MONEY = re.compile(rf"\b({_MONEY_WORDS})\b", re.I)
# Those, threats and harassment: such complaints go to a supervisor.
_SENSITIVE = re.compile(
    rf"\b({_MONEY_WORDS}|disuap|ancam\w*|diancam|"
    r"dilecehkan|pelecehan|melecehkan|dipukul|kekerasan|intimidasi\w*)\b",
    re.I,
)
_RUDE = re.compile(
    r"\b(kasar|judes|galak|dibentak|membentak|main hp|marah|"
    rf"(?:{NEGATION}) (?:sopan|ramah))\b",
    re.I,
)
_SLOW = re.compile(
    r"\b(lama|lambat|antre\w*|antri\w*|belum diproses|berminggu|berbulan|"
    rf"(?:{NEGATION}) ada kabar)\b",
    re.I,
)
_NO_ANSWER = re.compile(
    rf"\b({NEGATION})\s*(pernah\s*)?"
    r"(di\s*)?(angkat|diangkat|dijawab|dibalas|aktif)",
    re.I,
)
_NOTHING = re.compile(rf"^\s*({NEGATION}|belum)\s*(ada|pernah|ono)?\s*[.!]?\s*$", re.I)
# A whole answer made only of agreement or filler words: nothing to store as words.
_MEANINGLESS = re.compile(
    r"^\s*((ya+|iya+|iy|y|ok+|oke+|okey|okay|sip|siap|baik|gpp|ga ?papa|"
    r"gak ?papa|nggak ?papa|tidak apa.?apa|nggih|inggih|hmm+|hm+|eh|oh|"
    r"lanjut|terserah|sudah|udah|mantap|deh|dong|aja|saja|\.+|-+|\?+)[\s,.!?]*)+$",
    re.I,
)
_PHONE = re.compile(r"^(?:\+?62|0)8\d{7,11}$")
# "rahasiakan" answers the confidentiality question with a yes.
_KEEP_SECRET = re.compile(r"^\s*rahasia\w*\b", re.I)


def service_phrase(text: str) -> str | None:
    """The service the participant went to the office for, when the story says it."""
    for pattern, service in _SERVICES:
        if pattern.search(text):
            return service
    return None


def harm_phrase(text: str) -> str | None:
    """The harm the story mentions (bills still charged, a wasted trip)."""
    found = [harm for pattern, harm in _HARMS if pattern.search(text)]
    return ", ".join(found) if found else None


def attempts_phrase(text: str) -> str | None:
    """Earlier attempts the story mentions (calls that were not answered)."""
    return "sudah menelepon, tidak diangkat" if _ATTEMPTS.search(text) else None


def means_nothing(text: str) -> bool:
    """``tidak ada``, ``belum pernah``: an answer that there is nothing to add."""
    return bool(_NOTHING.match(text))


def meaningless(text: str) -> bool:
    """``ya``, ``ok``, ``gpp``: an answer with no content to store as words."""
    return bool(_MEANINGLESS.match(text))


def is_sensitive(text: str) -> bool:
    """Bribery, illegal levies, threats or harassment: a supervisor handles it."""
    return bool(_SENSITIVE.search(text))


def refusal_category(sent_elsewhere: bool, story: str) -> str:
    """Ombudsman category of a refusal: being sent elsewhere deviates from procedure."""
    if _MONEY.search(story):
        return CATEGORY_MONEY
    return CATEGORY_WRONG_PROCEDURE if sent_elsewhere else CATEGORY_REFUSAL


def service_category(story: str) -> str:
    """Ombudsman category of another service failure, from the participant's words."""
    if _MONEY.search(story):
        return CATEGORY_MONEY
    if _RUDE.search(story):
        return CATEGORY_IMPROPER
    if _NO_ANSWER.search(story):
        return CATEGORY_REFUSAL
    if _SLOW.search(story):
        return CATEGORY_DELAY
    return CATEGORY_REFUSAL


def contact_choice(text: str) -> str | None:
    """``telepon`` when they allow a call, ``chat`` when not; None if unclear."""
    lowered = text.lower()
    if re.search(
        r"\b(telp|telpon|telepon|ditelepon|hp|nomor)\b", lowered
    ) and not starts_with_no(lowered):
        return "telepon"
    if re.search(r"\b(chat|pesan|wa|sini)\b", lowered) or starts_with_no(lowered):
        return "chat"
    if starts_with_yes(lowered):
        return "telepon"
    return None


def phone_number(text: str) -> str | None:
    """A mobile number as plain digits (``0812...``), if ``text`` is one."""
    digits = re.sub(r"[\s.\-()]", "", text.strip())
    return digits if _PHONE.match(digits) else None


def yes_or_no(text: str) -> bool | None:
    """True for yes-like answers, False for no-like ones, None if neither."""
    if starts_with_no(text):
        return False
    if starts_with_yes(text) or _KEEP_SECRET.match(text):
        return True
    return None


# --- the review before filing ("periksa aduan Anda") ------------------------------

SEND = "kirim"
CHANGE = "ubah"
ADD = "tambah"
_SEND = re.compile(
    r"^\s*(kirim\w*|kirim(kan)? (saja|sekarang|aduan\w*)|sudah benar|benar|betul|"
    r"setuju|lanjut(kan)?|ya+,? kirim\w*)\b[\s.!]*$",
    re.I,
)
_CHANGE = re.compile(
    r"^\s*(ubah|ganti|ralat|koreksi|edit|perbaiki)\b(?P<rest>[^\n]*)$", re.I
)
_ADD = re.compile(r"^\s*tambah(kan)?\b", re.I)
_NUMBER = re.compile(r"\b(?:no\.?|nomor|nomer)?\s*(?P<number>\d{1,2})\b", re.I)


def review_choice(text: str) -> tuple[str, int | None] | None:
    """The answer to the summary: send, change (with a field number) or add.

    ``("ubah", 3)`` when the number of the field comes with the word. A plain yes
    ("ya", "ok") sends: the summary asks whether to send it. None when unclear.
    """
    if _ADD.match(text):
        return ADD, None
    if match := _CHANGE.match(text):
        return CHANGE, field_number(match.group("rest"))
    if _SEND.match(text) or (meaningless(text) and starts_with_yes(text)):
        return SEND, None
    return None


def field_number(text: str) -> int | None:
    """The number of a summary line ("3", "nomor 3"), if the text names one."""
    match = _NUMBER.search(text)
    return int(match.group("number")) if match else None
