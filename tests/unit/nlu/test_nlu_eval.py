"""The held-out report's arithmetic (scripts/nlu_eval.py), on small known cases."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "nlu_eval.py"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nlu_eval", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["nlu_eval"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


nlu_eval = _module()


def test_intent_report_macro_f1_and_confusions() -> None:
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("b", "nlu_fallback")]
    report = nlu_eval.intent_report(pairs)
    assert report["accuracy"] == 0.5
    # a: P 1, R .5 -> F1 .6667; b: P .5, R .5 -> .5
    assert report["per_intent"]["a"]["f1"] == 0.6667
    assert report["per_intent"]["b"]["f1"] == 0.5
    assert report["macro_f1"] == round((0.6667 + 0.5) / 2, 4)
    assert {(c["gold"], c["predicted"]) for c in report["top_confusions"]} == {
        ("a", "b"),
        ("b", "nlu_fallback"),
    }


def test_entity_report_counts_values_per_type() -> None:
    gold = Counter({("nik", "3309041203710003"): 1, ("office", "kc_klaten"): 1})
    predicted = Counter({("nik", "3309041203710003"): 1, ("office", "kcp_boyolali"): 1})
    report = nlu_eval.entity_report([(gold, predicted)], ("nik", "office", "kpj"))
    assert report["nik"]["f1"] == 1.0
    assert report["office"]["f1"] == 0.0
    assert report["kpj"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}


def test_floor_names_what_is_below_it() -> None:
    entities = {name: {"f1": 1.0} for name in nlu_eval.ENTITIES}
    entities["kpj"] = {"f1": 0.9}
    entities["staff_role"] = {"f1": 0.5}
    report = {"macro_f1": 0.89, "entities": entities}
    assert nlu_eval.floor_failures(report) == [
        "intent macro-F1 0.89 < 0.9",
        "kpj F1 0.9 < 0.95",
        "staff_role F1 0.5 < 0.75",
    ]


def test_every_learned_entity_has_a_floor() -> None:
    assert {"office", "datetime", "staff_role"} <= set(nlu_eval.FLOOR_ENTITY_F1)


def test_fallback_sweep_separates_right_from_wrong_answers() -> None:
    right = nlu_eval.Example("x", "a", raw_intent="a", raw_confidence=0.9)
    unsure = nlu_eval.Example("y", "a", raw_intent="a", raw_confidence=0.45)
    wrong = nlu_eval.Example("z", "b", raw_intent="a", raw_confidence=0.4)
    (row,) = nlu_eval.fallback_sweep([right, unsure, wrong], [0.5])
    assert row["false_fallback_rate"] == 0.5
    assert row["errors_caught_rate"] == 1.0
