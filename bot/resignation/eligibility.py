"""Eligibility rules as data (``bot/data/eligibility_rules.yml``), evaluated in order.

A rule is an id, conditions on the registry record, an outcome, a message and the
source ids behind it. The decision, every rule that fired and the rule-set version
are stored with the request, so a decision can be explained and audited later even
after the rules change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.resignation.registry import ParticipantRecord

RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "eligibility_rules.yml"


class Outcome(str, Enum):
    """Outcomes of PRODUCT.md §4 that come from the registry record."""

    ELIGIBLE = "ELIGIBLE"
    NOT_BPU = "NOT_BPU"
    ALREADY_INACTIVE = "ALREADY_INACTIVE"
    PENDING_CLAIM = "PENDING_CLAIM"
    DECEASED = "DECEASED"
    # The catch-all: a record no other rule covers goes to a person.
    NEEDS_STAFF = "NEEDS_STAFF"


# Outcomes of the identity check, before any rule runs (PRODUCT.md §4).
NOT_FOUND = "NOT_FOUND"
IDENTITY_MISMATCH = "IDENTITY_MISMATCH"


class RulesError(ValueError):
    """The rules file is malformed (it must end with a catch-all deciding rule)."""


# A rule of this service itself (PRODUCT.md §4) rather than of a public source.
SERVICE_SOURCE = "service"


def _empty(value: Any) -> bool:
    return value in (None, "", (), [])


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda field, value: field == value,
    "ne": lambda field, value: field != value,
    "in": lambda field, value: field in value,
    "gt": lambda field, value: field > value,
    "gte": lambda field, value: field >= value,
    "lt": lambda field, value: field < value,
    "lte": lambda field, value: field <= value,
    "empty": lambda field, _value: _empty(field),
    "not_empty": lambda field, _value: not _empty(field),
    "contains": lambda field, value: value in field,
    "not_contains": lambda field, value: value not in field,
}


@dataclass(frozen=True)
class Condition:
    """``field op value`` on the record."""

    field: str
    op: str
    value: Any = None

    def holds(self, facts: dict[str, Any]) -> bool:
        """Whether the condition is true for ``facts``."""
        return _OPERATORS[self.op](facts[self.field], self.value)


@dataclass(frozen=True)
class Rule:
    """One rule of the rule set."""

    id: str
    effect: str  # "decide" or "note"
    conditions: tuple[Condition, ...]
    outcome: Outcome | None
    message: str
    sources: tuple[str, ...]

    def matches(self, facts: dict[str, Any]) -> bool:
        """Whether every condition holds."""
        return all(c.holds(facts) for c in self.conditions)


@dataclass(frozen=True)
class Decision:
    """The outcome, the rule that gave it, the notes that apply, and the version."""

    outcome: Outcome
    rule: Rule
    notes: tuple[Rule, ...]
    version: str

    @property
    def rules_fired(self) -> list[str]:
        """Ids of the deciding rule and every matching note, in rule order."""
        return [self.rule.id, *(note.id for note in self.notes)]


FIELDS = frozenset(
    {
        "segment", "status", "programs", "jht_balance", "arrears_months",
        "payment_channel", "autodebit", "pending_claim", "registered_office",
        "employer", "sex", "age", "last_paid_month",
    }
)  # fmt: skip


def facts_of(record: ParticipantRecord, today: date) -> dict[str, Any]:
    """The fields rules may test, from ``record`` as of ``today``."""
    return {
        "segment": record.segment,
        "status": record.status,
        "programs": list(record.programs),
        "jht_balance": record.jht_balance,
        "arrears_months": record.arrears_months,
        "payment_channel": record.payment_channel,
        "autodebit": record.autodebit,
        "pending_claim": record.pending_claim,
        "registered_office": record.registered_office,
        "employer": record.employer,
        "sex": record.sex,
        "age": record.age_on(today),
        "last_paid_month": record.last_paid_month,
    }


@dataclass(frozen=True)
class RuleSet:
    """A versioned list of rules."""

    version: str
    rules: tuple[Rule, ...]

    def decide(self, record: ParticipantRecord, today: date) -> Decision:
        """Evaluate every rule on ``record``; the first deciding match wins."""
        facts = facts_of(record, today)
        deciding = next(
            (r for r in self.rules if r.effect == "decide" and r.matches(facts)), None
        )
        if deciding is None or deciding.outcome is None:
            raise RulesError(
                f"no rule decides a {record.segment}/{record.status} record"
            )
        notes = tuple(r for r in self.rules if r.effect == "note" and r.matches(facts))
        return Decision(deciding.outcome, deciding, notes, self.version)


def _rule(raw: dict[str, Any]) -> Rule:
    try:
        effect = raw["effect"]
        conditions = tuple(
            Condition(c["field"], c["op"], c.get("value")) for c in raw["when"]
        )
        outcome = Outcome(raw["outcome"]) if effect == "decide" else None
        rule = Rule(
            id=str(raw["id"]),
            effect=effect,
            conditions=conditions,
            outcome=outcome,
            message=str(raw["message"]),
            sources=tuple(str(s) for s in raw["sources"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RulesError(f"malformed rule {raw!r}: {exc}") from exc
    if effect not in ("decide", "note"):
        raise RulesError(f"rule {rule.id}: effect must be decide or note")
    for condition in conditions:
        if condition.field not in FIELDS or condition.op not in _OPERATORS:
            raise RulesError(f"rule {rule.id}: unknown field or operator {condition}")
    if not rule.sources:
        raise RulesError(f"rule {rule.id} names no source")
    return rule


def load_rules(path: Path = RULES_FILE) -> RuleSet:
    """Read and check the rule set.

    The last deciding rule must have no condition: every record then gets an
    outcome, whatever segment or status a registry sends.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not data.get("version"):
        raise RulesError(f"{path}: a version and a list of rules are required")
    rules = tuple(_rule(raw) for raw in data.get("rules") or [])
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RulesError(f"{path}: duplicate rule ids")
    deciding = [r for r in rules if r.effect == "decide"]
    if not deciding or deciding[-1].conditions:
        raise RulesError(f"{path}: the last deciding rule must be a catch-all")
    return RuleSet(version=str(data["version"]), rules=rules)


@lru_cache(maxsize=1)
def current_rules() -> RuleSet:
    """The rule set in the rules file, read once."""
    return load_rules()


def basis(rule_ids: list[str] | None, version: str | None) -> list[str]:
    """For staff: each rule that fired with its sources, when the version is known.

    Only the current rule set is on disk; a decision under an older version shows
    its rule ids alone.
    """
    rules = current_rules()
    known = {r.id: r for r in rules.rules} if version == rules.version else {}
    return [
        f"{rid} (sumber {', '.join(known[rid].sources)})" if rid in known else rid
        for rid in rule_ids or []
    ]
