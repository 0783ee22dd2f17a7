"""The bench report (bench/report.py): ratios per level, the targets, the tables."""

from __future__ import annotations

from typing import Any

from bench.report import level_ratios, tables, targets


def _level(p95: float, throughput: float) -> dict[str, Any]:
    return {
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "p99_ms": p95 * 2,
        "messages_per_second": throughput,
        "turns": 100,
        "errors": 0,
    }


def _report() -> dict[str, Any]:
    runs: dict[str, Any] = {
        "stock": {
            "levels": {"1": _level(40, 25), "10": _level(400, 20)},
            "memory": {"rasa": {"rss_mb": 1700.0, "peak_mb": 1800.0}},
        },
        "ours_sqlite": {
            "levels": {"1": _level(20, 50), "10": _level(120, 70)},
            "memory": {"rasa": {"rss_mb": 900.0, "peak_mb": 1000.0}},
        },
        "ours_postgres_redis": {"skipped": "PostgreSQL not reachable"},
    }
    runs["ours_sqlite"]["profile"] = {
        "summary": {
            "stages": {
                "rasa_nlu": {"median_ms": 20, "mean_ms": 22, "share_of_total": 0.2},
                "total": {"median_ms": 100, "mean_ms": 110, "share_of_total": 1.0},
            }
        }
    }
    report: dict[str, Any] = {
        "runs": runs,
        "ratios": level_ratios(runs),
        "nlu": {"ours": {"macro_f1": 0.96}},
        "training": {"ours": {"training_seconds": 200.0}},
        "duration_seconds": 800.0,
    }
    report["targets"] = targets(report)
    return report


def test_ratios_ours_over_stock_for_every_level_and_system_that_ran() -> None:
    ratios = _report()["ratios"]
    assert set(ratios) == {"ours_sqlite"}  # skipped systems have no ratios
    assert ratios["ours_sqlite"]["10"]["messages_per_second"] == 3.5
    assert ratios["ours_sqlite"]["10"]["p95_ms"] == 0.3
    assert ratios["ours_sqlite"]["1"]["p50_ms"] == 0.5


def test_targets_say_which_are_met() -> None:
    met = {t["target"]: t["met"] for t in _report()["targets"]}
    assert met["ours_sqlite: throughput at 10 / stock's"] is True  # 3.5 >= 3
    assert met["ours_sqlite: p95 at 10 (ms)"] is True  # 120 <= 150
    assert met["intent macro-F1 (held-out)"] is True
    assert met["training (s)"] is False  # 200 > 180
    assert met["ours_sqlite: Rasa peak RSS (MB)"] is True
    assert met["ours_postgres_redis: Rasa peak RSS (MB)"] is None  # not measured
    assert met["make bench (s)"] is True


def test_tables_show_every_system_the_ratios_and_the_targets() -> None:
    text = tables(_report())
    assert "stock x10" in text
    assert "ours_sqlite x10" in text
    assert "ours_postgres_redis" in text and "skipped" in text
    ratio_line = next(
        line
        for line in text.splitlines()
        if line.startswith("ours_sqlite x10  ") and "3.5" in line
    )
    assert ratio_line.split()[-1] == "3.5"
    assert "training (s)" in text and "NO" in text
    profile = text.split("one turn (profile)")[1].splitlines()
    assert profile[1].split() == ["total", "100", "110", "1"]
    assert profile[2].split() == ["rasa_nlu", "20", "22", "0.2"]
