"""What a participant hears for each eligibility outcome, and what staff see.

The decision is told in plain words: no rule id, no source id. Notes follow every
outcome they apply to; a wage earner or a construction worker is offered a person.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.resign.decision import say_decision
from bot.resignation.eligibility import basis, current_rules
from bot.resignation.registry import ParticipantRecord, read_csv

ROOT = Path(__file__).resolve().parents[3]
DOMAIN: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text("utf-8"))
DEMO = {r.full_name: r for r in read_csv(ROOT / "bot/data/participants.csv")}
TODAY = date(2026, 11, 24)


def _hear(record: ParticipantRecord) -> list[dict[str, Any]]:
    """The messages (text and buttons) said for ``record``'s decision."""
    dispatcher = CollectingDispatcher()
    say_decision(dispatcher, record, current_rules().decide(record, TODAY))
    said = []
    for message in dispatcher.messages:
        variant = DOMAIN["responses"][message["response"]][0]
        values = {k: v for k, v in message.items() if k != "response"}
        said.append(
            {
                "text": str(variant["text"]).format(**values),
                "payloads": [b["payload"] for b in variant.get("buttons", [])],
            }
        )
    return said


def _text(said: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in said)


@pytest.mark.parametrize("name", sorted(DEMO))
def test_no_rule_or_source_id_is_said(name: str) -> None:
    text = _text(_hear(DEMO[name]))
    for internal in ("ELG-", "NOTE-", "sumber", "aturan"):
        assert internal not in text, (name, text)


@pytest.mark.parametrize("name", ["Agus Prasetyo", "Joko Santoso"])
def test_not_bpu_gets_its_route_and_a_person(name: str) -> None:
    said = _hear(DEMO[name])
    assert "/request_human" in said[0]["payloads"]
    assert DEMO[name].employer in said[0]["text"]
    # The employer/contractor route has no source: said as "umumnya" with 175.
    assert "Umumnya" in said[0]["text"] and "175" in said[0]["text"]


def test_inactive_with_autodebit_is_told_the_money_still_goes() -> None:
    wahyuni = replace(DEMO["Wahyuni"], autodebit=True)
    text = _text(_hear(wahyuni))
    assert "tidak ada yang perlu dihentikan" not in text
    assert "ditarik otomatis (autodebit) lewat GoPay" in text
    assert "terus terpotong" in text


def test_inactive_hears_when_jht_is_paid_and_the_route() -> None:
    text = _text(_hear(DEMO["Wahyuni"]))  # nonaktif, JHT Rp1,8 juta, age 47
    assert "Rp1.800.000" not in text or "JMO" in text
    assert "berhenti bekerja" in text and "56 tahun" in text
    assert "JMO" in text


def test_deceased_speaks_to_the_family() -> None:
    suparman = replace(DEMO["Suparman"], autodebit=True)
    text = _text(_hear(suparman))
    assert "turut berduka" in text
    assert "JKM" in text and "JHT" in text
    assert "atas nama beliau" in text
    assert "Usia Bapak/Ibu" not in text


def test_a_record_no_rule_covers_is_told_a_person_will_look() -> None:
    odd = replace(DEMO["Sutrisno Wibowo"], status="dibekukan")
    text = _text(_hear(odd))
    assert "perlu diperiksa petugas" in text


def test_staff_see_each_rule_with_its_sources() -> None:
    rules = current_rules()
    shown = basis(["ELG-06-ACTIVE-BPU", "NOTE-AUTODEBIT"], rules.version)
    assert shown == [
        "ELG-06-ACTIVE-BPU (sumber S1, S3, service)",
        "NOTE-AUTODEBIT (sumber S4, S5, S11, S12)",
    ]
    # A decision under an older rule set shows its ids alone.
    assert basis(["ELG-06-ACTIVE-BPU"], "2020.1.1") == ["ELG-06-ACTIVE-BPU"]
    assert basis(None, None) == []
