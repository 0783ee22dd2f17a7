"""`make bench`: (a) NLU, (b) stock Rasa REST, (c) our whole path, a one-turn profile.

One invocation on one machine, so every figure is measured under the same load; the
load average at start and end goes in the report because absolute numbers move with
it, while the ratios of systems measured side by side move much less. Settings:
BENCH_SECONDS (measured window per load level, default 20), BENCH_WARMUP (5),
BENCH_LEVELS ("1,10,50"); RASA_START_TIMEOUT (seconds a Rasa server may take to
load, default here 1800: on a shared, loaded machine loading takes minutes).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from bench import models, nlu, profile
from bench.conversations import Conversation, all_conversations
from bench.load import Driver, RestDriver, TelegramDriver, run_level
from bench.report import level_ratios, tables, targets
from bench.stacks import WEBHOOK_SECRET, Stack, new_sink, our_stack, stock_stack
from bench.tuning import OUR_RASA_ENV

OUT = models.ROOT / "var" / "bench"
MEASURE_S = float(os.environ.get("BENCH_SECONDS", "20"))
WARMUP_S = float(os.environ.get("BENCH_WARMUP", "5"))
LEVELS = tuple(int(n) for n in os.environ.get("BENCH_LEVELS", "1,10,50").split(","))
PROFILES = ("sqlite", "postgres")


def _client() -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    return httpx.AsyncClient(timeout=60.0, limits=limits)


async def _levels(
    stack: Stack, driver: Driver, conversations: tuple[Conversation, ...]
) -> dict[str, Any]:
    """Every load level on ``stack``; CPU per turn of each process; memory at end."""
    levels: dict[str, Any] = {}
    for participants in LEVELS:
        before = stack.cpu()
        result = await run_level(
            driver, conversations, participants, WARMUP_S, MEASURE_S
        )
        after = stack.cpu()
        figures: dict[str, Any] = result.summary.as_dict()
        played = max(result.all_turns, 1)
        figures["cpu_ms_per_turn"] = {
            role: round((after[role] - before.get(role, 0.0)) * 1000 / played, 1)
            for role in after
        }
        levels[str(participants)] = figures
        print(f"  {stack.name} x{participants}: {figures}", flush=True)
    return {"levels": levels, "memory": stack.memory()}


async def _stock(model: models.TrainedModel) -> dict[str, Any]:
    conversations = all_conversations()
    with stock_stack(model.path, {}) as stack:
        async with _client() as client:
            return await _levels(
                stack,
                RestDriver(client, stack.rasa.url, stack.rasa.token),
                conversations,
            )


async def _ours(profile_name: str, model: models.TrainedModel) -> dict[str, Any]:
    conversations = all_conversations()
    sink = new_sink()
    with our_stack(profile_name, model.path, OUR_RASA_ENV, sink) as stack:
        async with _client() as client:
            driver = TelegramDriver(client, stack.gateway_url, WEBHOOK_SECRET, sink, {})
            await driver.calibrate(conversations)
            run = await _levels(stack, driver, conversations)
            run["replies_per_step"] = {
                f"{name} #{step}": count
                for (name, step), count in driver.expected.items()
            }
        if profile_name == "sqlite":
            run["profile"] = await profile.one_turn_profile(stack, conversations)
        return run


def _our_runs(model: models.TrainedModel) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for name in PROFILES:
        key = "ours_sqlite" if name == "sqlite" else "ours_postgres_redis"
        try:
            runs[key] = asyncio.run(_ours(name, model))
        except pytest.skip.Exception as exc:  # PostgreSQL absent, and CI unset
            runs[key] = {"skipped": str(exc)}
    return runs


def main() -> int:
    started, load_start = time.monotonic(), os.getloadavg()
    os.environ.setdefault("RASA_START_TIMEOUT", "1800")
    trained = {name: models.ensure(name) for name in ("stock", "ours")}
    print("training:", {n: m.training_seconds for n, m in trained.items()}, flush=True)
    nlu_reports = {name: nlu.evaluate(name, m.path) for name, m in trained.items()}
    runs = {"stock": asyncio.run(_stock(trained["stock"]))}
    runs.update(_our_runs(trained["ours"]))
    report: dict[str, Any] = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "settings": {"measure_s": MEASURE_S, "warmup_s": WARMUP_S, "levels": LEVELS},
        "our_rasa_env": OUR_RASA_ENV,
        "training": {n: m.__dict__ | {"path": str(m.path)} for n, m in trained.items()},
        "nlu": {n: {k: r[k] for k in ("accuracy", "macro_f1", "entities")}
                for n, r in nlu_reports.items()},
        "runs": runs,
        "ratios": level_ratios(runs),
    }  # fmt: skip
    report["duration_seconds"] = round(time.monotonic() - started, 1)
    report["targets"] = targets(report)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(nlu.nlu_table(nlu_reports["ours"], nlu_reports["stock"]))
    print()
    print(tables(report))
    print(f"\nload average: start {load_start}, end {os.getloadavg()}")
    print(f"report: {(OUT / 'report.json').relative_to(models.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
