"""Every rule and outcome of PRODUCT.md §4, with every demo participant."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.resignation.eligibility import (
    SERVICE_SOURCE,
    Outcome,
    RulesError,
    load_rules,
)
from bot.resignation.registry import read_csv

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 24)
PARTICIPANTS = {r.full_name: r for r in read_csv(ROOT / "bot/data/participants.csv")}
RULES = load_rules()

# PRODUCT.md §4: outcome, deciding rule, notes for each demo participant.
EXPECTED = {
    "Sutrisno Wibowo": (Outcome.ELIGIBLE, "ELG-06-ACTIVE-BPU", []),
    "Sri Lestari": (Outcome.ELIGIBLE, "ELG-06-ACTIVE-BPU", ["NOTE-ARREARS"]),
    "Rina Marlina": (Outcome.ELIGIBLE, "ELG-06-ACTIVE-BPU", ["NOTE-ARREARS"]),
    "Nur Hidayah": (Outcome.ELIGIBLE, "ELG-06-ACTIVE-BPU", ["NOTE-AUTODEBIT"]),
    "Slamet Riyadi": (
        Outcome.ELIGIBLE,
        "ELG-06-ACTIVE-BPU",
        ["NOTE-AUTODEBIT", "NOTE-PENSION-AGE", "NOTE-JHT-ABOVE-JMO-LIMIT"],
    ),
    "Dewi Anggraini": (Outcome.ELIGIBLE, "ELG-06-ACTIVE-BPU", ["NOTE-AUTODEBIT"]),
    "Agus Prasetyo": (
        Outcome.NOT_BPU,
        "ELG-02-WAGE-EARNER",
        ["NOTE-JHT-ABOVE-JMO-LIMIT"],
    ),
    "Joko Santoso": (Outcome.NOT_BPU, "ELG-03-CONSTRUCTION", []),
    "Wahyuni": (Outcome.ALREADY_INACTIVE, "ELG-04-ALREADY-INACTIVE", []),
    "Hartono": (Outcome.ALREADY_INACTIVE, "ELG-04-ALREADY-INACTIVE", []),
    "Bambang Supriyadi": (Outcome.PENDING_CLAIM, "ELG-05-CLAIM-IN-PROCESS", []),
    "Suparman": (Outcome.DECEASED, "ELG-01-DECEASED", []),
}


def test_every_demo_participant_is_covered() -> None:
    assert set(PARTICIPANTS) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_participant_gets_the_outcome_of_the_product_spec(name: str) -> None:
    outcome, rule_id, notes = EXPECTED[name]
    decision = RULES.decide(PARTICIPANTS[name], TODAY)
    assert decision.outcome is outcome
    assert decision.rule.id == rule_id
    assert [n.id for n in decision.notes] == notes
    assert decision.rules_fired == [rule_id, *notes]
    assert decision.version == RULES.version


# What no demo participant reaches: the catch-all and the note for a deceased
# participant's autodebit (both tested below with changed records).
NOT_IN_DEMO = {"ELG-99-OTHER", "NOTE-AUTODEBIT-DECEASED"}


def test_every_outcome_is_reachable_and_every_rule_fires_for_someone() -> None:
    fired = set()
    outcomes = set()
    for record in PARTICIPANTS.values():
        decision = RULES.decide(record, TODAY)
        fired.update(decision.rules_fired)
        outcomes.add(decision.outcome)
    assert outcomes == set(Outcome) - {Outcome.NEEDS_STAFF}
    assert fired == {rule.id for rule in RULES.rules} - NOT_IN_DEMO


def test_a_claim_in_process_comes_before_inactive() -> None:
    # A nonaktif participant with a claim in process must not be invited to
    # claim again (ELG-05 before ELG-04).
    record = replace(PARTICIPANTS["Wahyuni"], pending_claim="JHT")
    decision = RULES.decide(record, TODAY)
    assert decision.outcome is Outcome.PENDING_CLAIM
    assert decision.rule.id == "ELG-05-CLAIM-IN-PROCESS"


@pytest.mark.parametrize(
    ("segment", "status"),
    [("BPU", "dibekukan"), ("BPU", ""), ("PMI", "aktif"), ("", "aktif")],
)
def test_any_other_segment_or_status_goes_to_staff(segment: str, status: str) -> None:
    record = replace(PARTICIPANTS["Sutrisno Wibowo"], segment=segment, status=status)
    decision = RULES.decide(record, TODAY)
    assert decision.outcome is Outcome.NEEDS_STAFF
    assert decision.rule.id == "ELG-99-OTHER"


def test_notes_apply_to_every_outcome() -> None:
    # An inactive participant whose autodebit still pulls money is told so.
    inactive = replace(PARTICIPANTS["Wahyuni"], autodebit=True)
    decision = RULES.decide(inactive, TODAY)
    assert decision.outcome is Outcome.ALREADY_INACTIVE
    assert [n.id for n in decision.notes] == ["NOTE-AUTODEBIT"]
    pending = replace(PARTICIPANTS["Bambang Supriyadi"], autodebit=True)
    assert [n.id for n in RULES.decide(pending, TODAY).notes] == ["NOTE-AUTODEBIT"]
    # For a deceased participant the note speaks to the family, and nothing is
    # said about "your" pension age.
    deceased = replace(PARTICIPANTS["Suparman"], autodebit=True)
    decision = RULES.decide(deceased, TODAY)
    assert decision.outcome is Outcome.DECEASED
    assert [n.id for n in decision.notes] == ["NOTE-AUTODEBIT-DECEASED"]


def test_a_rule_set_without_a_catch_all_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="catch-all"):
        load_rules(
            _write(
                tmp_path,
                'version: "1"\nrules:\n  - {id: X, effect: decide, outcome: ELIGIBLE,'
                " message: m, sources: [S1], when: [{field: segment, op: eq,"
                " value: BPU}]}\n",
            )
        )


def test_arrears_never_block() -> None:
    record = replace(PARTICIPANTS["Sutrisno Wibowo"], arrears_months=11)
    assert RULES.decide(record, TODAY).outcome is Outcome.ELIGIBLE


def test_age_is_counted_on_the_day() -> None:
    slamet = PARTICIPANTS["Slamet Riyadi"]  # born 1966-02-14
    before = [n.id for n in RULES.decide(slamet, date(2022, 2, 13)).notes]
    after = [n.id for n in RULES.decide(slamet, date(2022, 2, 14)).notes]
    assert "NOTE-PENSION-AGE" not in before
    assert "NOTE-PENSION-AGE" in after


def test_a_deceased_wage_earner_is_deceased_first() -> None:
    record = replace(PARTICIPANTS["Agus Prasetyo"], status="meninggal")
    assert RULES.decide(record, TODAY).outcome is Outcome.DECEASED


def test_every_rule_cites_real_sources_and_a_real_response() -> None:
    facts = (ROOT / "docs/domain-facts.md").read_text(encoding="utf-8")
    known = set(re.findall(r"^- \[(S\d+b?)\]", facts, flags=re.MULTILINE))
    known.add(SERVICE_SOURCE)
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", RULES.version)
    for rule in RULES.rules:
        assert set(rule.sources) <= known, rule.id
        assert rule.message in domain["responses"], rule.id


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(body, encoding="utf-8")
    return path


def test_malformed_rules_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="version"):
        load_rules(_write(tmp_path, "rules: []\n"))
    unknown_field = (
        'version: "1"\nrules:\n  - {id: X, effect: decide, outcome: ELIGIBLE,'
        " message: m, sources: [S1], when: [{field: colour, op: eq, value: red}]}\n"
    )
    with pytest.raises(RulesError, match="unknown field"):
        load_rules(_write(tmp_path, unknown_field))
    no_source = (
        'version: "1"\nrules:\n  - {id: X, effect: decide, outcome: ELIGIBLE,'
        " message: m, sources: [], when: []}\n"
    )
    with pytest.raises(RulesError, match="no source"):
        load_rules(_write(tmp_path, no_source))
