"""A profile of one turn: where the time of a participant's message goes.

After the measured runs, the gateway and the action server of the SQLite stack are
restarted under bench/sqltrace.py (every database round trip timed) with a timing
proxy (bench/proxy.py) in front of Rasa and one in front of the action server, and
each script is played once by one participant. Every turn is then cut into stages:

- gateway before Rasa: from the webhook POST to the request reaching Rasa (recording
  the message, rate count, lease, conversation, identity tokens);
- Rasa NLU: /model/parse of the same text on the same server, timed separately;
- Rasa policies and tracker: the rest of Rasa's time once NLU and actions are taken
  out (policy predictions for every action, the tracker and lock stores);
- each action-server call, by action name;
- delivery: from Rasa's answer to the last reply at the fake Bot API (rendering,
  sendMessage, recording each reply);
- database round trips of the gateway and the action server, counted and timed.

The proxies add two local hops, so the profiled turn is a little slower than a
measured one; the stages are what matters.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.conversations import Conversation, Step
from bench.proxy import Hop, TimingProxy
from bench.stacks import WEBHOOK_SECRET, Stack, gateway_settings, stop_app
from tests.fakes import telegram_updates as tg
from tests.fakes.server import ServerThread, free_port
from tests.integration.processes import start_action_server, start_gateway

REST = "/webhooks/rest/webhook"
SETTLE_S = 0.3  # after the last reply, for the turn's last writes before the next


def _trace_runner(path: Path) -> tuple[str, ...]:
    path.write_text("")
    return ("-m", "bench.sqltrace", str(path))


def _read_trace(path: Path) -> list[tuple[float, float | None, str]]:
    rows = []
    for line in path.read_text().splitlines():
        start, seconds, verb = json.loads(line)
        rows.append((float(start), seconds, str(verb)))
    return rows


async def one_turn_profile(
    stack: Stack,
    conversations: Sequence[Conversation],
    expected: Mapping[tuple[str, int], int],
) -> dict[str, Any]:
    """Restart the app processes traced, play each script once, cut turns in stages."""
    stop_app(stack)
    traces = {
        "gateway": stack.var_dir / "sql-gateway.jsonl",
        "actions": stack.var_dir / "sql-actions.jsonl",
    }
    action_port = free_port()
    to_actions = TimingProxy(f"http://127.0.0.1:{action_port}")
    to_rasa = TimingProxy(stack.rasa.url)
    env = {k: v for k, v in stack.env.items() if k != "TELEGRAM_URL"}
    with (
        ServerThread(to_actions.app, port=stack.rasa.action_port),
        ServerThread(to_rasa.app) as rasa_proxy,
    ):
        stack.processes["actions"] = start_action_server(
            action_port, stack.database_url, env, _trace_runner(traces["actions"])
        )
        gateway, url = start_gateway(
            gateway_settings(stack, rasa_proxy.url), _trace_runner(traces["gateway"])
        )
        stack.processes["gateway"], stack.gateway_url = gateway, url
        try:
            turns = await _play(stack, _one_of_each(conversations), expected)
        finally:
            stop_app(stack)
    sql = {role: _read_trace(path) for role, path in traces.items()}
    cut = [_stages(t, to_rasa.hops, to_actions.hops, sql) for t in turns]
    return {"turns": cut, "summary": summarise_stages(cut)}


def _one_of_each(conversations: Sequence[Conversation]) -> list[Conversation]:
    seen: dict[str, Conversation] = {}
    for c in conversations:
        seen.setdefault(c.name.split(" ")[0], c)
    return list(seen.values())


async def _play(
    stack: Stack,
    conversations: list[Conversation],
    expected: Mapping[tuple[str, int], int],
) -> list[dict[str, Any]]:
    """Each script twice (the first warms the new processes); the second is kept."""
    turns: list[dict[str, Any]] = []
    chat_ids = itertools.count(30_000_000)
    headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with httpx.AsyncClient(timeout=60.0) as client:
        for keep in (False, True):
            for conversation in conversations:
                chat_id = next(chat_ids)
                for index, step in enumerate(conversation.steps):
                    want = expected.get((conversation.name, index))
                    turn = await _turn(client, stack, chat_id, step, headers, want)
                    turn.update(script=conversation.name, step=index, text=step.text)
                    if keep:
                        turn["nlu_ms"] = await _parse_ms(client, stack, step.text)
                        turns.append(turn)
    return turns


async def _turn(
    client: httpx.AsyncClient,
    stack: Stack,
    chat_id: int,
    step: Step,
    headers: dict[str, str],
    want: int | None,
) -> dict[str, Any]:
    sink = stack.replies()
    update = (
        sink.press(chat_id, step.text) if step.press else tg.text(chat_id, step.text)
    )
    before = len(sink.texts_to(chat_id))
    start = time.monotonic()
    response = await client.post(
        f"{stack.gateway_url}/telegram/webhook", json=update, headers=headers
    )
    acked = time.monotonic()
    last = await _quiet(sink.texts_to, chat_id, before, want)
    await asyncio.sleep(SETTLE_S)
    return {
        "status": response.status_code,
        "start": start,
        "acked": acked,
        "last_reply": last,
        "replies": len(sink.texts_to(chat_id)) - before,
        "until": time.monotonic(),
    }


async def _quiet(
    texts: Any, chat_id: int, before: int, want: int | None, quiet_s: float = 1.0
) -> float:
    """When the last reply arrived: the ``want``-th (the calibration's count), or,
    for a step not calibrated, the last before ``quiet_s`` with nothing new."""
    seen, at = before, time.monotonic()
    deadline = at + 60
    while time.monotonic() < deadline:
        await asyncio.sleep(0.005)
        now = len(texts(chat_id))
        if now != seen:
            seen, at = now, time.monotonic()
        if want is not None and seen - before >= want:
            break
        if seen > before and time.monotonic() - at >= quiet_s:
            break
    return at


async def _parse_ms(client: httpx.AsyncClient, stack: Stack, text: str) -> float:
    """Median of three /model/parse calls for ``text``: Rasa's NLU alone."""
    times = []
    for _ in range(3):
        start = time.monotonic()
        response = await client.post(
            f"{stack.rasa.url}/model/parse",
            params={"token": stack.rasa.token},
            json={"text": text},
        )
        response.raise_for_status()
        times.append(time.monotonic() - start)
    return round(statistics.median(times) * 1000, 1)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _stages(
    turn: dict[str, Any],
    rasa_hops: list[Hop],
    action_hops: list[Hop],
    sql: dict[str, list[tuple[float, float | None, str]]],
) -> dict[str, Any]:
    start, last, until = turn["start"], turn["last_reply"], turn["until"]
    rasa = next(h for h in rasa_hops if h.path == REST and start <= h.start <= last)
    actions = [h for h in action_hops if rasa.start <= h.start <= rasa.end]
    action_ms = sum(h.end - h.start for h in actions)
    rasa_s = rasa.end - rasa.start
    nlu_s = turn["nlu_ms"] / 1000
    stages = {
        "webhook_ack": _ms(turn["acked"] - start),
        "gateway_before_rasa": _ms(rasa.start - start),
        "rasa_nlu": _ms(nlu_s),
        "rasa_policies_and_tracker": _ms(max(rasa_s - nlu_s - action_ms, 0.0)),
        "action_server": _ms(action_ms),
        "delivery": _ms(last - rasa.end),
        "total": _ms(last - start),
    }
    round_trips = {}
    for role, rows in sql.items():
        mine = [r for r in rows if start <= r[0] < until and r[1] is not None]
        before = [r for r in mine if r[0] < rasa.start]
        round_trips[role] = {
            "statements": len(mine),
            "statements_before_rasa": len(before),
            "commits": sum(1 for r in rows if start <= r[0] < until and r[1] is None),
            "ms": _ms(sum(r[1] or 0.0 for r in mine)),
        }
    return {
        "script": turn["script"],
        "step": turn["step"],
        "replies": turn["replies"],
        "stages_ms": stages,
        "actions_ms": {h.action or "?": _ms(h.end - h.start) for h in actions},
        "database": round_trips,
    }


def summarise_stages(turns: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Median and mean of each stage over the profiled turns, and its share of the
    mean total; database round trips per turn; each action's median time."""
    if not turns:
        return {}
    names = list(turns[0]["stages_ms"])
    mean_total = statistics.mean(t["stages_ms"]["total"] for t in turns)
    stages = {}
    for name in names:
        values = [t["stages_ms"][name] for t in turns]
        mean = statistics.mean(values)
        stages[name] = {
            "median_ms": round(statistics.median(values), 1),
            "mean_ms": round(mean, 1),
            "share_of_total": round(mean / mean_total, 3) if mean_total else None,
        }
    actions: dict[str, list[float]] = {}
    for t in turns:
        for action, ms in t["actions_ms"].items():
            actions.setdefault(action, []).append(ms)
    database = {
        role: {
            key: round(statistics.mean(t["database"][role][key] for t in turns), 2)
            for key in ("statements", "statements_before_rasa", "commits", "ms")
        }
        for role in turns[0]["database"]
    }
    return {
        "turns": len(turns),
        "stages": stages,
        "actions_median_ms": {
            a: round(statistics.median(v), 1) for a, v in sorted(actions.items())
        },
        "database_per_turn": database,
    }
