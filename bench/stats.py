"""The arithmetic of the report: percentiles, summaries of a run, ratios ours/stock.

Plain Python on lists of numbers, so the unit tests check it without running anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

PERCENTILES = (50, 95, 99)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolated linearly between closest ranks.

    The same definition as numpy's default, so the figures can be checked by anyone:
    rank ``(n - 1) * q / 100`` of the sorted values.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0-100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    """One load level of one system: per-turn latency and throughput."""

    turns: int
    errors: int
    seconds: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    mean_ms: float | None
    throughput: float  # turns (participant messages answered) per second

    def as_dict(self) -> dict[str, float | int | None]:
        """The JSON form of the report."""
        return {
            "turns": self.turns,
            "errors": self.errors,
            "seconds": self.seconds,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "mean_ms": self.mean_ms,
            "messages_per_second": self.throughput,
        }


def summarise(latencies_s: Sequence[float], errors: int, seconds: float) -> Summary:
    """Latency percentiles in milliseconds and throughput over ``seconds``.

    Throughput counts answered turns only: a turn that failed or timed out is an
    error, not a message served.
    """
    if seconds <= 0:
        raise ValueError("a run lasts a positive time")
    ms = [value * 1000 for value in latencies_s]

    def pick(q: float) -> float | None:
        return round(percentile(ms, q), 1) if ms else None

    return Summary(
        turns=len(ms),
        errors=errors,
        seconds=round(seconds, 2),
        p50_ms=pick(50),
        p95_ms=pick(95),
        p99_ms=pick(99),
        mean_ms=round(sum(ms) / len(ms), 1) if ms else None,
        throughput=round(len(ms) / seconds, 2),
    )


def ratio(ours: float | None, stock: float | None) -> float | None:
    """``ours / stock`` to two places; None when either is missing or stock is 0."""
    if ours is None or stock is None or stock == 0:
        return None
    return round(ours / stock, 2)


RATIO_FIELDS = ("p50_ms", "p95_ms", "p99_ms", "messages_per_second")


def ratios(
    ours: Mapping[str, float | int | None], stock: Mapping[str, float | int | None]
) -> dict[str, float | None]:
    """Ours over stock for each latency percentile and the throughput.

    Below 1 is better for latency; above 1 is better for throughput.
    """
    return {
        name: ratio(_number(ours.get(name)), _number(stock.get(name)))
        for name in RATIO_FIELDS
    }


def _number(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A fixed-width text table: first column left-aligned, the rest right-aligned."""
    cells = [[_cell(v) for v in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for row in cells:
        first = row[0].ljust(widths[0])
        rest = [v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join([first, *rest]))
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.3e}"
    return str(value)
