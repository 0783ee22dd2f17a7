"""The report: figures of every system side by side, ratios ours/stock, the targets.

``var/bench/report.json`` holds everything; ``tables`` is what `make bench` prints.
The functions take plain dictionaries, so the unit tests check them on known figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench.stats import ratios, table

STOCK = "stock"
# PRODUCT.md §11 and issue 14.
TARGET_THROUGHPUT_RATIO = 3.0
TARGET_P95_MS = 150.0
TARGET_MACRO_F1 = 0.95
TARGET_TRAINING_S = 180.0
TARGET_RASA_MB = 1536.0
TARGET_BENCH_S = 900.0
TARGET_PARTICIPANTS = "10"


def level_ratios(runs: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """For each of our systems and each load level: ours / stock."""
    stock = runs.get(STOCK, {}).get("levels", {})
    out: dict[str, dict[str, Any]] = {}
    for name, run in runs.items():
        if name == STOCK or "levels" not in run:
            continue
        out[name] = {
            level: ratios(figures, stock[level])
            for level, figures in run["levels"].items()
            if level in stock
        }
    return out


def _target(
    name: str, value: float | None, goal: float, higher: bool
) -> dict[str, Any]:
    met = None if value is None else (value >= goal if higher else value <= goal)
    sign = ">=" if higher else "<="
    return {"target": name, "value": value, "goal": f"{sign} {goal:g}", "met": met}


def targets(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 14 with the figure measured and whether it is met."""
    rows = []
    at = TARGET_PARTICIPANTS
    for name, by_level in report.get("ratios", {}).items():
        value = by_level.get(at, {}).get("messages_per_second")
        rows.append(
            _target(
                f"{name}: throughput at {at} / stock's",
                value,
                TARGET_THROUGHPUT_RATIO,
                higher=True,
            )
        )
        level = report["runs"][name]["levels"].get(at, {})
        rows.append(
            _target(
                f"{name}: p95 at {at} (ms)", level.get("p95_ms"), TARGET_P95_MS, False
            )
        )
    ours_nlu = report.get("nlu", {}).get("ours", {})
    rows.append(
        _target(
            "intent macro-F1 (held-out)",
            ours_nlu.get("macro_f1"),
            TARGET_MACRO_F1,
            True,
        )
    )
    training = report.get("training", {}).get("ours", {})
    rows.append(
        _target(
            "training (s)", training.get("training_seconds"), TARGET_TRAINING_S, False
        )
    )
    for name, run in report.get("runs", {}).items():
        if name == STOCK:
            continue
        rasa = run.get("memory", {}).get("rasa", {})
        rows.append(
            _target(
                f"{name}: Rasa peak RSS (MB)",
                rasa.get("peak_mb"),
                TARGET_RASA_MB,
                False,
            )
        )
    rows.append(
        _target("make bench (s)", report.get("duration_seconds"), TARGET_BENCH_S, False)
    )
    return rows


def tables(report: Mapping[str, Any]) -> str:
    """What `make bench` prints: latency and throughput, ratios, memory, targets."""
    parts = [_levels_table(report), _ratios_table(report), _memory_table(report)]
    parts.append(_profile_table(report))
    parts.append(
        table(
            ["target", "measured", "goal", "met"],
            [
                [t["target"], t["value"], t["goal"], _yes(t["met"])]
                for t in report.get("targets", [])
            ],
        )
    )
    return "\n\n".join(p for p in parts if p)


def _yes(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "NO")


def _levels_table(report: Mapping[str, Any]) -> str:
    rows = []
    for name, run in report.get("runs", {}).items():
        if "levels" not in run:
            rows.append([name, "skipped", None, None, None, None, run.get("skipped")])
            continue
        for level, f in run["levels"].items():
            rows.append(
                [
                    f"{name} x{level}", f["p50_ms"], f["p95_ms"], f["p99_ms"],
                    f["messages_per_second"], f["turns"], f["errors"],
                ]
            )  # fmt: skip
    header = ["system x participants", "p50 ms", "p95 ms", "p99 ms", "msg/s"]
    return table([*header, "turns", "errors"], rows)


def _ratios_table(report: Mapping[str, Any]) -> str:
    rows = [
        [f"{name} x{level}", r["p50_ms"], r["p95_ms"], r["p99_ms"],
         r["messages_per_second"]]
        for name, by_level in report.get("ratios", {}).items()
        for level, r in by_level.items()
    ]  # fmt: skip
    header = ["ours / stock", "p50", "p95", "p99", "throughput"]
    return table(header, rows) if rows else ""


def _memory_table(report: Mapping[str, Any]) -> str:
    rows = [
        [f"{name}: {role}", m["rss_mb"], m["peak_mb"]]
        for name, run in report.get("runs", {}).items()
        for role, m in run.get("memory", {}).items()
    ]
    return table(["process", "RSS MB", "peak RSS MB"], rows) if rows else ""


def _profile_table(report: Mapping[str, Any]) -> str:
    """The stages of one turn (bench/profile.py), largest share first."""
    summary = report.get("runs", {}).get("ours_sqlite", {}).get("profile", {})
    stages = summary.get("summary", {}).get("stages", {})
    rows = [
        [name, s["median_ms"], s["mean_ms"], s["share_of_total"]]
        for name, s in sorted(
            stages.items(), key=lambda item: -(item[1]["share_of_total"] or 0)
        )
    ]
    header = ["one turn (profile)", "median ms", "mean ms", "share"]
    return table(header, rows) if rows else ""
