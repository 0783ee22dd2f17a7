"""Evaluate a trained model on the held-out NLU set (tests/nlu/heldout.yml).

Runs in the Rasa environment: ``.venv-rasa/bin/python scripts/nlu_eval.py MODEL``.
Reports intent accuracy, macro-F1, per-intent F1, the top confusions and entity F1
for nik/kpj/reference/office/datetime/staff_role/payment_app on the held-out set;
with ``--floor`` it fails (exit 1) below the CI floor. The sweep of fallback
thresholds runs on the development split (tests/nlu/dev.yml), never on the held-out
set: a threshold chosen by looking at the held-out set would make its figures
flatter than the truth. The metric functions are plain Python so the unit tests
can check them.

Dates are compared by value: the gold span is parsed with bot/parsing/timeparse.py
at the same moment the model parses it, so "tadi pagi" is judged as a date, not words.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "nlu" / "heldout.yml"
DEV = ROOT / "tests" / "nlu" / "dev.yml"
ENTITIES = (
    "nik",
    "kpj",
    "reference",
    "office",
    "datetime",
    "staff_role",
    "payment_app",
)
FALLBACK = "nlu_fallback"
# CI floor (make nlu-check); the bench targets are higher (0.95 / 0.98). The numbers
# have a fixed shape (a pattern finds them): 0.95. The learned entities' floors sit a
# little under what the model reached on the rebuilt held-out set on 2026-12-03
# (office 0.94, datetime 0.71, staff_role 0.83), so a data change that breaks them
# fails here while a retrain's noise does not.
FLOOR_MACRO_F1 = 0.90
FLOOR_ENTITY_F1 = {
    "nik": 0.95,
    "kpj": 0.95,
    "reference": 0.95,
    "office": 0.90,
    "datetime": 0.65,
    "staff_role": 0.75,
}


@dataclass
class Example:
    """One held-out message: gold labels and what the model said."""

    text: str
    intent: str
    entities: Counter[tuple[str, str]] = field(default_factory=Counter)
    predicted: str = ""
    confidence: float = 0.0
    # Best intent other than the fallback, and its confidence (for the sweep).
    raw_intent: str = ""
    raw_confidence: float = 0.0
    predicted_entities: Counter[tuple[str, str]] = field(default_factory=Counter)


def f1(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (0 when undefined), rounded for the report."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(score, 4),
        "support": tp + fn,
    }


def intent_report(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Accuracy, macro-F1 over the gold intents, per-intent scores, top confusions."""
    labels = sorted({gold for gold, _ in pairs})
    per_intent = {}
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        per_intent[label] = f1(tp, fp, fn)
    confusions = Counter((g, p) for g, p in pairs if g != p)
    correct = sum(1 for g, p in pairs if g == p)
    return {
        "examples": len(pairs),
        "accuracy": round(correct / len(pairs), 4) if pairs else 0.0,
        "macro_f1": round(
            sum(s["f1"] for s in per_intent.values()) / len(per_intent), 4
        )
        if per_intent
        else 0.0,
        "per_intent": per_intent,
        "top_confusions": [
            {"gold": g, "predicted": p, "count": n}
            for (g, p), n in confusions.most_common(10)
        ],
    }


def entity_report(
    pairs: Iterable[tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]],
    names: Sequence[str] = ENTITIES,
) -> dict[str, dict[str, float]]:
    """F1 per entity type over (type, value) multisets, message by message."""
    counts = {name: [0, 0, 0] for name in names}
    for gold, predicted in pairs:
        for name in names:
            g = Counter({k: v for k, v in gold.items() if k[0] == name})
            p = Counter({k: v for k, v in predicted.items() if k[0] == name})
            tp = sum((g & p).values())
            counts[name][0] += tp
            counts[name][1] += sum(p.values()) - tp
            counts[name][2] += sum(g.values()) - tp
    return {name: f1(*counts[name]) for name in names}


def fallback_sweep(
    examples: Sequence[Example], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """For each threshold: how often a right answer would fall back, and a wrong one."""
    right = [e for e in examples if e.raw_intent == e.intent]
    wrong = [e for e in examples if e.raw_intent != e.intent]
    rows = []
    for threshold in thresholds:
        pairs = [
            (e.intent, e.raw_intent if e.raw_confidence >= threshold else FALLBACK)
            for e in examples
        ]
        rows.append(
            {
                "threshold": threshold,
                "false_fallback_rate": round(
                    sum(e.raw_confidence < threshold for e in right) / len(right), 4
                )
                if right
                else 0.0,
                "errors_caught_rate": round(
                    sum(e.raw_confidence < threshold for e in wrong) / len(wrong), 4
                )
                if wrong
                else 0.0,
                "macro_f1": intent_report(pairs)["macro_f1"],
            }
        )
    return rows


def _gold_value(entity: dict[str, Any], now: datetime) -> str:
    if entity["entity"] != "datetime":
        return str(entity.get("value"))
    from bot.parsing.timeparse import parse_event_time

    parsed = parse_event_time(str(entity["value"]), now)
    return parsed.isoformat() if parsed else str(entity["value"])


def load_examples(path: Path) -> list[Example]:
    """The held-out examples with their gold intents and entities."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.parsing.timeparse import JAKARTA

    now = datetime.now(JAKARTA)
    examples = []
    for message in load_data(str(path)).intent_examples:
        gold: Counter[tuple[str, str]] = Counter(
            (e["entity"], _gold_value(e, now)) for e in message.get("entities") or []
        )
        examples.append(Example(message.get("text"), message.get("intent"), gold))
    return examples


async def _predict(model: Path, examples: list[Example]) -> None:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # one debug line per parse otherwise

    agent = Agent.load(str(model))
    for example in examples:
        parsed = await agent.parse_message(example.text)
        example.predicted = parsed["intent"]["name"]
        example.confidence = float(parsed["intent"].get("confidence") or 0.0)
        ranking = [
            r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK
        ]
        if ranking:
            example.raw_intent = ranking[0]["name"]
            example.raw_confidence = float(ranking[0]["confidence"])
        example.predicted_entities = Counter(
            (e["entity"], str(e.get("value"))) for e in parsed.get("entities") or []
        )


def evaluate(model: Path, heldout: Path = HELDOUT, dev: Path = DEV) -> dict[str, Any]:
    """The report for ``model`` on ``heldout``, with the threshold sweep on ``dev``."""
    examples = load_examples(heldout)
    tuning = load_examples(dev)
    asyncio.run(_predict(model, examples + tuning))
    report = intent_report([(e.intent, e.predicted) for e in examples])
    report["entities"] = entity_report(
        (e.entities, e.predicted_entities) for e in examples
    )
    report["fallback_sweep_set"] = dev.name
    report["fallback_sweep"] = fallback_sweep(
        tuning, [round(0.3 + 0.05 * i, 2) for i in range(11)]
    )
    report["errors"] = [
        {
            "text": e.text,
            "gold": e.intent,
            "predicted": e.predicted,
            "conf": e.confidence,
        }
        for e in examples
        if e.intent != e.predicted
    ]
    report["entity_errors"] = [
        {
            "text": e.text,
            "missing": sorted(
                map(list, (e.entities - e.predicted_entities).elements())
            ),
            "extra": sorted(map(list, (e.predicted_entities - e.entities).elements())),
        }
        for e in examples
        if e.entities != e.predicted_entities
    ]
    return report


def floor_failures(report: dict[str, Any]) -> list[str]:
    """What is below the CI floor, in words (empty when all is well)."""
    problems = []
    if report["macro_f1"] < FLOOR_MACRO_F1:
        problems.append(f"intent macro-F1 {report['macro_f1']} < {FLOOR_MACRO_F1}")
    for name, floor in FLOOR_ENTITY_F1.items():
        score = report["entities"][name]["f1"]
        if score < floor:
            problems.append(f"{name} F1 {score} < {floor}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--floor", action="store_true", help="fail below the CI floor")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    report = evaluate(args.model)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    entities = report["entities"]
    print(
        f"held-out: {report['examples']} examples, accuracy {report['accuracy']}, "
        f"macro-F1 {report['macro_f1']}; "
        + ", ".join(f"{n} F1 {entities[n]['f1']}" for n in ENTITIES)
    )
    for row in report["top_confusions"][:5]:
        print(f"  confused: {row['gold']} -> {row['predicted']} x{row['count']}")
    if args.floor and (problems := floor_failures(report)):
        print("NLU below the floor: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
