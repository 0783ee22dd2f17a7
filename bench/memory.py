"""Resident memory of a process and everything it started, from /proc (Linux)."""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def _status_kb(pid: int, field: str) -> int:
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:  # gone meanwhile
        return 0
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in (PROC / str(pid) / "task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue += _children(current)
    return pids


def resident_mb(pid: int) -> dict[str, float]:
    """Resident memory now (``rss_mb``) and at its peak (``peak_mb``), in MiB,
    summed over the process tree (a worker pool counts in full)."""
    pids = tree(pid)
    rss = sum(_status_kb(p, "VmRSS") for p in pids)
    peak = sum(_status_kb(p, "VmHWM") for p in pids)
    return {"rss_mb": round(rss / 1024, 1), "peak_mb": round(peak / 1024, 1)}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by ``pid`` and its live descendants."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for current in tree(pid):
        try:
            fields = (
                (PROC / str(current) / "stat").read_text().rsplit(")", 1)[1].split()
            )
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (after the name)
    return total / tick
