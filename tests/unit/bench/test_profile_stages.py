"""The profile's summary of stages (bench/profile.py), on made-up turns."""

from __future__ import annotations

from typing import Any

from bench.profile import summarise_stages


def _turn(total: float, nlu: float, action: str, action_ms: float) -> dict[str, Any]:
    return {
        "stages_ms": {"rasa_nlu": nlu, "total": total},
        "actions_ms": {action: action_ms},
        "database": {"gateway": {
            "statements": 10, "statements_before_rasa": 6, "commits": 3, "ms": 4.0,
        }},
    }  # fmt: skip


def test_medians_means_and_shares_of_the_total() -> None:
    turns = [
        _turn(100.0, 20.0, "action_a", 5.0),
        _turn(300.0, 40.0, "action_a", 15.0),
        _turn(200.0, 30.0, "action_b", 9.0),
    ]
    summary = summarise_stages(turns)
    assert summary["turns"] == 3
    assert summary["stages"]["total"] == {
        "median_ms": 200.0,
        "mean_ms": 200.0,
        "share_of_total": 1.0,
    }
    assert summary["stages"]["rasa_nlu"]["share_of_total"] == 0.15  # 30 / 200
    assert summary["actions_median_ms"] == {"action_a": 10.0, "action_b": 9.0}
    assert summary["database_per_turn"]["gateway"]["statements"] == 10


def test_no_turns_no_summary() -> None:
    assert summarise_stages([]) == {}
