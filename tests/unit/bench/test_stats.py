"""The bench report's arithmetic (bench/stats.py), on small known cases."""

from __future__ import annotations

import pytest

from bench.stats import percentile, ratio, ratios, summarise, table


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0]  # unsorted on purpose
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 4.0
    assert percentile(values, 50) == 2.5
    # rank (4 - 1) * 0.95 = 2.85: 3 + 0.85 * (4 - 3)
    assert percentile(values, 95) == pytest.approx(3.85)


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([7.0], 99) == 7.0


def test_percentile_refuses_nothing_and_out_of_range() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_summary_in_milliseconds_and_messages_per_second() -> None:
    latencies = [0.010 * i for i in range(1, 101)]  # 10 ms .. 1000 ms
    summary = summarise(latencies, errors=2, seconds=20.0)
    assert summary.turns == 100
    assert summary.errors == 2
    assert summary.p50_ms == pytest.approx(505.0)
    assert summary.p95_ms == pytest.approx(950.5)
    assert summary.p99_ms == pytest.approx(990.1)
    assert summary.mean_ms == pytest.approx(505.0)
    assert summary.throughput == 5.0  # errors are not messages served
    assert summary.as_dict()["messages_per_second"] == 5.0


def test_summary_of_a_run_where_nothing_was_answered() -> None:
    summary = summarise([], errors=3, seconds=10.0)
    assert summary.p95_ms is None
    assert summary.throughput == 0.0
    with pytest.raises(ValueError, match="positive"):
        summarise([0.1], errors=0, seconds=0)


def test_ratio_ours_over_stock() -> None:
    assert ratio(60.0, 20.0) == 3.0
    assert ratio(1.0, 3.0) == 0.33
    assert ratio(None, 3.0) is None
    assert ratio(3.0, 0.0) is None


def test_ratios_for_each_percentile_and_throughput() -> None:
    ours = {"p50_ms": 50.0, "p95_ms": 100.0, "p99_ms": None, "messages_per_second": 90}
    stock = {
        "p50_ms": 200.0,
        "p95_ms": 400.0,
        "p99_ms": 800.0,
        "messages_per_second": 30,
    }
    assert ratios(ours, stock) == {
        "p50_ms": 0.25,
        "p95_ms": 0.25,
        "p99_ms": None,
        "messages_per_second": 3.0,
    }


def test_table_aligns_columns_and_shows_missing_values() -> None:
    text = table(["what", "p50"], [["stock", 12.5], ["ours", None]])
    assert text.splitlines() == ["what    p50", "stock  12.5", "ours      -"]
