"""`make bench` (NLU part): our pipeline against Rasa's stock one, on the same data.

Trains an NLU-only model from nlu/ with config.yml and with bench/stock_config.yml
(each with an empty Rasa cache, so neither reuses earlier work and the times are
comparable), evaluates both on the held-out set with scripts/nlu_eval.py, writes
var/bench/nlu.json and prints a side-by-side table. Takes about ten minutes on two
idle cores; run it niced.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
RASA_PY = ROOT / ".venv-rasa" / "bin" / "python"
OUT = ROOT / "var" / "bench"
CONFIGS = {"ours": ROOT / "config.yml", "stock": ROOT / "bench" / "stock_config.yml"}
TRAIN_TIMEOUT_S = 3600


def _train(name: str, config: Path) -> float:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as cache:
        env["RASA_CACHE_DIRECTORY"] = cache
        start = time.monotonic()
        subprocess.run(
            [
                str(RASA), "train", "nlu", "--quiet", "--config", str(config),
                "--nlu", "nlu", "--out", str(OUT / "models"),
                "--fixed-model-name", name,
            ],
            cwd=ROOT, env=env, check=True, timeout=TRAIN_TIMEOUT_S,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return round(time.monotonic() - start, 1)


def _evaluate(name: str) -> dict[str, Any]:
    out = OUT / f"heldout-{name}.json"
    subprocess.run(
        [
            str(RASA_PY), "scripts/nlu_eval.py",
            str(OUT / "models" / f"{name}.tar.gz"), "--out", str(out),
        ],
        cwd=ROOT, check=True, timeout=TRAIN_TIMEOUT_S,
    )  # fmt: skip
    report: dict[str, Any] = json.loads(out.read_text())
    return report


def _table(results: dict[str, dict[str, Any]]) -> str:
    ours, stock = results["ours"], results["stock"]
    rows = [
        ("training time (s)", ours["training_seconds"], stock["training_seconds"]),
        ("intent accuracy", ours["accuracy"], stock["accuracy"]),
        ("intent macro-F1", ours["macro_f1"], stock["macro_f1"]),
    ]
    # The entity types are the ones scripts/nlu_eval.py reports, in its order.
    rows += [
        (f"entity F1 {n}", score["f1"], stock["entities"][n]["f1"])
        for n, score in ours["entities"].items()
    ]
    rows += [
        (f"  F1 {intent}", score["f1"], stock["per_intent"][intent]["f1"])
        for intent, score in ours["per_intent"].items()
    ]
    lines = [f"{'metric':<34}{'ours':>10}{'stock':>10}"]
    lines += [f"{label:<34}{a:>10}{b:>10}" for label, a, b in rows]
    for name in ("ours", "stock"):
        lines.append(f"top confusions ({name}):")
        lines += [
            f"  {c['gold']} -> {c['predicted']} x{c['count']}"
            for c in results[name]["top_confusions"][:5]
        ]
    return "\n".join(lines)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    for name, config in CONFIGS.items():
        seconds = _train(name, config)
        results[name] = {"config": str(config.relative_to(ROOT)), **_evaluate(name)}
        results[name]["training_seconds"] = seconds
    report = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "heldout": "tests/nlu/heldout.yml",
        "cpu_count": os.cpu_count(),
        **results,
    }
    (OUT / "nlu.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(_table(results))
    print(f"report: {(OUT / 'nlu.json').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
