"""`make bench`: (a) NLU, (b) stock Rasa REST, (c) our whole path, a one-turn profile.

One invocation on one machine, so every figure is measured under the same load; the
load average at start and end goes in the report because absolute numbers move with
it, while the ratios of systems measured side by side move much less. Settings:
BENCH_SECONDS (measured window per load level, default 15), BENCH_WARMUP (5),
BENCH_LEVELS ("1,10,50"); RASA_START_TIMEOUT (seconds a Rasa server may take to
load, default here 1800: on a shared, loaded machine loading takes minutes).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from bench import models, nlu, profile
from bench.conversations import Conversation, all_conversations
from bench.load import Driver, RestDriver, TelegramDriver, run_level
from bench.report import level_ratios, tables, targets
from bench.stacks import WEBHOOK_SECRET, Stack, new_sink, our_stack, stock_stack
from bench.tuning import OUR_RASA_ENV, STOCK_RASA_ENV

OUT = models.ROOT / "var" / "bench"
MEASURE_S = float(os.environ.get("BENCH_SECONDS", "15"))
WARMUP_S = float(os.environ.get("BENCH_WARMUP", "5"))
LEVELS = tuple(int(n) for n in os.environ.get("BENCH_LEVELS", "1,10,50").split(","))
STOCK = "stock"
# Report key -> profile of our stack.
OURS = {"ours_sqlite": "sqlite", "ours_postgres_redis": "postgres"}


def _client() -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    return httpx.AsyncClient(timeout=60.0, limits=limits)


async def _levels(
    stack: Stack, driver: Driver, conversations: tuple[Conversation, ...]
) -> dict[str, Any]:
    """Every load level on ``stack``; CPU per turn of each process; memory at end."""
    levels: dict[str, Any] = {}
    for participants in LEVELS:
        before, load = stack.cpu(), os.getloadavg()[0]
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
        figures["load_average_1m"] = {"start": load, "end": os.getloadavg()[0]}
        levels[str(participants)] = figures
        print(f"  {stack.name} x{participants}: {figures}", flush=True)
    return {"levels": levels, "memory": stack.memory()}


async def _stock(stack: Stack) -> dict[str, Any]:
    async with _client() as client:
        driver = RestDriver(client, stack.rasa.url, stack.rasa.token)
        return await _levels(stack, driver, all_conversations())


async def _ours(stack: Stack, expected: dict[tuple[str, int], int]) -> dict[str, Any]:
    """The whole path on ``stack``; ``expected`` (replies per step) is filled by the
    first stack's calibration and reused by the next: the bot is the same."""
    conversations = all_conversations()
    async with _client() as client:
        driver = TelegramDriver(
            client, stack.gateway_url, WEBHOOK_SECRET, stack.replies(), expected
        )
        await driver.calibrate(conversations)
        run = await _levels(stack, driver, conversations)
        run["replies_per_step"] = {
            f"{name} #{step}": count for (name, step), count in expected.items()
        }
    if stack.name == "ours-sqlite":
        run["profile"] = await profile.one_turn_profile(stack, conversations, expected)
    return run


def _start_all(
    exits: contextlib.ExitStack, trained: dict[str, models.TrainedModel]
) -> tuple[dict[str, Stack | str], dict[str, Any]]:
    """Start every system at once, with the NLU evaluation beside them.

    Loading a Rasa model takes ~20 s on idle cores but minutes on this shared
    machine; loading the three servers (and the two NLU evaluations) side by side
    before anything is measured takes about as long as the slowest one, instead of
    their sum. Nothing is measured while they load. A stack that cannot start
    (PostgreSQL absent and CI unset) is reported as skipped.
    """
    contexts: dict[str, contextlib.AbstractContextManager[Stack]] = {
        STOCK: stock_stack(trained["stock"].path, STOCK_RASA_ENV),
        **{
            key: our_stack(name, trained["ours"].path, OUR_RASA_ENV, new_sink())
            for key, name in OURS.items()
        },
    }
    with ThreadPoolExecutor(len(contexts) + 2) as pool:
        nlu_jobs = {n: pool.submit(nlu.evaluate, n, m.path) for n, m in trained.items()}
        started = {n: pool.submit(c.__enter__) for n, c in contexts.items()}
        jobs: list[Future[Any]] = [*nlu_jobs.values(), *started.values()]
        wait(jobs)
    stacks: dict[str, Stack | str] = {}
    failure: BaseException | None = None
    for name, future in started.items():
        error = future.exception()
        if error is None:
            exits.push(contexts[name].__exit__)
            stacks[name] = future.result()
        elif isinstance(error, pytest.skip.Exception):
            stacks[name] = str(error)
        else:
            failure = failure or error
    if failure is not None:
        raise failure
    return stacks, {name: job.result() for name, job in nlu_jobs.items()}


def _measure(stacks: dict[str, Stack | str]) -> dict[str, Any]:
    """Each system in turn, alone under load (the others idle)."""
    runs: dict[str, Any] = {}
    expected: dict[tuple[str, int], int] = {}
    for name, stack in stacks.items():
        if isinstance(stack, str):
            runs[name] = {"skipped": stack}
        elif name == STOCK:
            runs[name] = asyncio.run(_stock(stack))
        else:
            runs[name] = asyncio.run(_ours(stack, expected))
    return runs


def main() -> int:
    started, load_start = time.monotonic(), os.getloadavg()
    os.environ.setdefault("RASA_START_TIMEOUT", "1800")
    trained = {name: models.ensure(name) for name in ("stock", "ours")}
    print("training:", {n: m.training_seconds for n, m in trained.items()}, flush=True)
    with contextlib.ExitStack() as exits:
        stacks, nlu_reports = _start_all(exits, trained)
        ready_s = round(time.monotonic() - started, 1)
        print(f"started in {ready_s} s; load average {os.getloadavg()}", flush=True)
        runs = _measure(stacks)
    report: dict[str, Any] = {
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "load_average": {"start": load_start, "end": os.getloadavg()},
        "settings": {"measure_s": MEASURE_S, "warmup_s": WARMUP_S, "levels": LEVELS},
        "start_up_seconds": ready_s,
        "our_rasa_env": OUR_RASA_ENV,
        "stock_rasa_env": STOCK_RASA_ENV,
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
