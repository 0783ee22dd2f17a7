"""(a) The NLU comparison: both trained models on the held-out set.

The NLU part of each full model is what `rasa train nlu` would train alone, so the
models of the whole-path comparison are evaluated here instead of training twice.
scripts/nlu_eval.py runs in the Rasa environment.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bench.models import ROOT
from bench.stats import table

RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
OUT = ROOT / "var" / "bench"
EVAL_TIMEOUT_S = 1800


def evaluate(name: str, model: Path) -> dict[str, Any]:
    """scripts/nlu_eval.py's report for ``model``."""
    out = OUT / f"heldout-{name}.json"
    subprocess.run(
        [str(RASA_PY), "scripts/nlu_eval.py", str(model), "--out", str(out)],
        cwd=ROOT, check=True, timeout=EVAL_TIMEOUT_S, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def nlu_table(ours: dict[str, Any], stock: dict[str, Any]) -> str:
    """Intent and entity scores side by side, then the top confusions."""
    rows: list[list[object]] = [
        ["intent accuracy", ours["accuracy"], stock["accuracy"]],
        ["intent macro-F1", ours["macro_f1"], stock["macro_f1"]],
    ]
    rows += [
        [f"entity F1 {n}", score["f1"], stock["entities"][n]["f1"]]
        for n, score in ours["entities"].items()
    ]
    lines = [table(["NLU (held-out)", "ours", "stock"], rows)]
    for name, report in (("ours", ours), ("stock", stock)):
        lines.append(f"top confusions ({name}):")
        lines += [
            f"  {c['gold']} -> {c['predicted']} x{c['count']}"
            for c in report["top_confusions"][:5]
        ]
    return "\n".join(lines)
