"""Rasa's own multi-worker mode against two Rasa processes behind nginx.

``make bench-cluster`` (``python -m tests.reliability.bench_cluster``): the same
cluster as the reliability tests (nginx, 2 action servers, 2 gateways, PostgreSQL,
Redis locks) with either two Rasa processes of one Sanic worker each, or one Rasa
process with ``SANIC_WORKERS=2`` — two workers either way. After one warm-up
complaint per worker, ``PARTICIPANTS`` participants file complaints at once through
nginx's public port, ``ROUNDS`` times; a turn is timed from the webhook POST until
its last reply reaches the fake Bot API. Prints a table and writes
``var/bench/cluster.json``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scripts.cluster.plan import ROOT
from tests.reliability.harness import running_cluster
from tests.reliability.participants import COMPLAINT, crowd, file_complaint, percentile

PARTICIPANTS = 10
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
SETUPS = {
    "processes": ("two Rasa processes (1 worker each)", 2, 1),
    "workers": ("one Rasa process, SANIC_WORKERS=2", 1, 2),
}


def measure(label: str, rasa_count: int, workers: int) -> dict[str, Any]:
    """Start the setup, warm it up, run the rounds; the figures."""
    with (
        tempfile.TemporaryDirectory() as folder,
        running_cluster(Path(folder), rasa_count, workers) as cluster,
    ):
        for warm in range(2):
            file_complaint(cluster, 10**8 + warm, twice=False, first_gateway=None)
        turns: list[float] = []
        errors = 0
        started = time.monotonic()
        for _ in range(ROUNDS):
            outcomes = crowd(cluster, PARTICIPANTS, twice=False, through_nginx=True)
            turns += [t for o in outcomes for t in o.turn_seconds]
            errors += sum(o.error is not None for o in outcomes)
        elapsed = time.monotonic() - started
    return {
        "setup": label,
        "participants": PARTICIPANTS,
        "turns": len(turns),
        "expected_turns": PARTICIPANTS * ROUNDS * len(COMPLAINT),
        "errors": errors,
        "seconds": round(elapsed, 1),
        "turns_per_second": round(len(turns) / elapsed, 2),
        "p50_s": round(percentile(turns, 0.50), 2),
        "p95_s": round(percentile(turns, 0.95), 2),
    }


def main(argv: list[str]) -> int:
    """Measure the setups named in ``argv`` (default both); merge into the JSON."""
    out = ROOT / "var" / "bench" / "cluster.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    results = {row["name"]: row for row in previous.get("results", [])}
    for name in argv or list(SETUPS):
        load = os.getloadavg()
        row = {"name": name, **measure(*SETUPS[name])}
        row["load_average_before"] = [round(x, 2) for x in load]
        row["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        results[name] = row
    rows = list(results.values())
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"cpus": os.cpu_count(), "results": rows}
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"\n{'setup':<40} {'turns/s':>8} {'p50 s':>7} {'p95 s':>7} {'errors':>7}")
    for row in rows:
        print(
            f"{row['setup']:<40} {row['turns_per_second']:>8} {row['p50_s']:>7} "
            f"{row['p95_s']:>7} {row['errors']:>7}  load average "
            f"{row['load_average_before']} -> {row['load_average_after']}"
        )
    print(f"{os.cpu_count()} CPUs; {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
