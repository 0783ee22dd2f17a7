"""Every participant-facing text traces to a fact id (docs/response_facts.yml).

The table maps each response of domain.yml and each copy text of
bot/core/texts.yml to the fact ids of docs/domain-facts.md §10 it rests on, or to
``no policy``. A text that states policy (programs, money, deadlines, channels,
offices, the law) must name its facts; a fact marked UNVERIFIED may only be said
as "umumnya …" with Contact Center 175; rule and source ids are for staff only.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.unit.core.copy_texts import ROOT, copy_texts, responses

TABLE: dict[str, dict[str, Any]] = yaml.safe_load(
    (ROOT / "docs/response_facts.yml").read_text(encoding="utf-8")
)
NO_POLICY = "no policy"
# Words that make a sentence a statement of policy: programs, money, deadlines,
# status, channels and offices, documents, the law and the escalation bodies.
POLICY = re.compile(
    r"\b(JHT|JKK|JKM|iuran|denda|nonaktif|Rp ?\d|hari kerja|paling lambat|klaim"
    r"|Ombudsman|LAPOR|1708|137|175|JMO|Lapak Asik|UU \d+|usia 56|kantor cabang"
    r"|KTP|KK|NPWP|dokumen|autodebit|ahli waris|tidak aktif|target|\d+ digit"
    r"|rahasia\w*|supervisor|jam kerja|terenkripsi)\b",
    re.IGNORECASE,
)
# What must never reach a participant: rule ids and source ids.
INTERNAL_IDS = re.compile(
    r"\b(ELG|NOTE)-[A-Z0-9-]+|\bF-[A-Z0-9-]+|\[S\d+b?\]|\bS\d{1,2}b?\b|\{rule_id\}"
    r"|\{sources\}|sumber S\d"
)
_FACT_ROW = re.compile(
    r"^\| (F-[A-Z0-9-]+) \|.*\| (sourced|UNVERIFIED|derived|service) \|$", re.MULTILINE
)


def _facts() -> dict[str, str]:
    sheet = (ROOT / "docs/domain-facts.md").read_text(encoding="utf-8")
    return dict(_FACT_ROW.findall(sheet))


def _all() -> list[tuple[str, str, Any]]:
    """(table section, key, text, entry) for every participant-facing text."""
    found = []
    for section, texts in (("responses", responses()), ("texts", copy_texts())):
        for key, text in texts.items():
            found.append((f"{section}:{key}", text, TABLE[section].get(key)))
    return found


def test_the_fact_sheet_has_ids() -> None:
    facts = _facts()
    assert len(facts) >= 40
    assert "UNVERIFIED" in facts.values()


def test_every_text_is_in_the_table() -> None:
    missing = [key for key, _text, entry in _all() if entry is None]
    assert missing == [], (
        "add these to docs/response_facts.yml, with the fact ids of "
        "docs/domain-facts.md §10 they rest on, or `no policy`"
    )


def test_the_table_names_no_text_that_does_not_exist() -> None:
    live = {"responses": set(responses()), "texts": set(copy_texts())}
    stale = [
        f"{section}:{key}"
        for section, entries in TABLE.items()
        for key in entries
        if key not in live[section]
    ]
    assert stale == []


def test_every_fact_id_exists_in_the_fact_sheet() -> None:
    facts = _facts()
    unknown = {
        key: [f for f in entry if f not in facts]
        for key, _text, entry in _all()
        if isinstance(entry, list)
    }
    assert {k: v for k, v in unknown.items() if v} == {}


def test_entries_are_fact_lists_or_no_policy() -> None:
    bad = [
        key
        for key, _text, entry in _all()
        if entry != NO_POLICY and not (isinstance(entry, list) and entry)
    ]
    assert bad == []


def test_a_text_that_states_policy_names_its_facts() -> None:
    unsourced = {
        key: POLICY.search(text).group(0)  # type: ignore[union-attr]
        for key, text, entry in _all()
        if entry == NO_POLICY and POLICY.search(text)
    }
    assert unsourced == {}


def test_unverified_facts_are_said_as_umumnya_with_175() -> None:
    facts = _facts()
    stated = [
        key
        for key, text, entry in _all()
        if isinstance(entry, list)
        and any(facts.get(f) == "UNVERIFIED" for f in entry)
        and not ("umumnya" in text.lower() and "175" in text)
    ]
    assert stated == []


def test_no_rule_or_source_id_reaches_a_participant() -> None:
    leaked = {
        key: INTERNAL_IDS.search(text).group(0)  # type: ignore[union-attr]
        for key, text, _entry in _all()
        if INTERNAL_IDS.search(text)
    }
    assert leaked == {}


@pytest.mark.parametrize(
    "claim",
    [
        "tanpa ke kantor",
        "tanpa datang ke kantor",
        "cukup NIK dan tanggal lahir",
        "jangan dibayar lagi",
        "tidak ada yang perlu dihentikan",
        "adalah bukti bahwa",
        "anonim",
        "Permohonan diproses paling lambat",
    ],
)
def test_the_claims_the_sources_do_not_support_are_gone(claim: str) -> None:
    assert [key for key, text, _e in _all() if claim.lower() in text.lower()] == []
