"""Plain words for older participants on small screens (issue 13, "Plain words").

Every participant-facing text says "Bapak/Ibu", never the distant "Anda"; glosses
each term a participant may not know the first time a message uses it; and fits a
small screen: at most ~400 characters, except the summaries that list what the
participant told us (their length is theirs). Placeholders are counted as written.
"""

from __future__ import annotations

import re

from tests.unit.core.copy_texts import copy_texts, response_variants, responses

LIMIT = 400
# Summaries that repeat the participant's own answers back to them.
SUMMARIES = {"utter_complaint_review"}
# A term and the words that explain it in the same message.
GLOSSES = {
    "BPU": ("pekerja mandiri", "bukan penerima upah"),
    "KPJ": ("kartu peserta",),
    "autodebit": ("otomatis",),
    "terenkripsi": ("sandi",),
}
# The service's own name is not a use of the term.
SERVICE_NAME = "Layanan Mandiri BPU"


def _everything() -> dict[str, str]:
    texts = {f"responses:{key}": text for key, text in responses().items()}
    texts.update({f"texts:{key}": text for key, text in copy_texts().items()})
    return texts


def test_participants_are_addressed_as_bapak_ibu() -> None:
    distant = [
        key for key, text in _everything().items() if re.search(r"\bAnda\b", text, re.I)
    ]
    assert distant == []


def test_terms_are_explained_where_they_are_used() -> None:
    unexplained = [
        (key, term)
        for key, text in _everything().items()
        for term, glosses in GLOSSES.items()
        if re.search(rf"\b{term}\b", text.replace(SERVICE_NAME, ""))
        and not any(g in text.lower() for g in glosses)
    ]
    assert unexplained == []


def test_messages_fit_a_small_screen() -> None:
    long = [
        (name, len(text))
        for name, text in response_variants()
        if name not in SUMMARIES and len(text) > LIMIT
    ]
    long += [
        (key, len(text)) for key, text in copy_texts().items() if len(text) > LIMIT
    ]
    assert long == []


def test_the_consent_states_the_rights_in_one_line() -> None:
    (consent,) = [t for n, t in response_variants() if n == "utter_ask_resign_consent"]
    rights = [line for line in consent.splitlines() if "Hak Bapak/Ibu" in line]
    assert len(rights) == 1
    for right in ("melihat", "membetulkan", "hapus"):
        assert right in rights[0]
