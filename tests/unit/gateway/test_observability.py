"""``/healthz`` names each dependency, ``/metrics`` counts the traffic, and every
turn has an id that reaches Rasa's metadata and the log lines."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.core.logs import JsonFormatter, new_turn, turn_id
from bot.gateway import health
from tests.fakes import telegram_updates as tg
from tests.fakes.gateway import Fakes, LocalGateway, fakes, local_gateway
from tests.fakes.server import free_port


@pytest.fixture(scope="module")
def world() -> Iterator[Fakes]:
    with fakes() as outside:
        yield outside


@pytest.fixture(scope="module")
def gateway(
    world: Fakes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalGateway]:
    folder: Path = tmp_path_factory.mktemp("gateway")
    closed = free_port()  # nothing listens there: the action server and Redis are down
    overrides = {
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{closed}/webhook",
        "REDIS_URL": f"redis://127.0.0.1:{closed}/0",
    }
    url = f"sqlite:///{folder / 'bpu.sqlite3'}"
    with local_gateway(world, url, str(folder), overrides) as running:
        yield running


def _wait(check: object, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if callable(check) and check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_healthz_names_each_dependency(gateway: LocalGateway) -> None:
    response = httpx.get(f"{gateway.url}/healthz", timeout=10)
    # The store is up, so the gateway can take messages: it stays in rotation.
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "dependencies": {
            "store": "up",
            "rasa": "up",
            "actions": "down",
            "redis": "down",
        },
    }


async def test_a_store_that_is_down_makes_healthz_503() -> None:
    async def down() -> bool:
        raise OSError("connection refused")

    async def up() -> bool:
        return True

    body, code = await health.report({"store": down, "rasa": up})
    assert code == 503
    assert body == {"status": "down", "dependencies": {"store": "down", "rasa": "up"}}


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "")
    found = re.search(rf"^{pattern} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert found, f"{name} {labels} not in metrics"
    return float(found.group(1))


def test_metrics_count_a_turn_and_turn_ids_reach_rasa(
    gateway: LocalGateway, world: Fakes, caplog: pytest.LogCaptureFixture
) -> None:
    chat = 55_501_234
    before = httpx.get(f"{gateway.url}/metrics", timeout=10)
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    with caplog.at_level(logging.INFO, logger="bot.gateway.dialogue"):
        assert gateway.post_telegram(tg.text(chat, "halo")).status_code == 200
        world.telegram.wait_for_texts(chat, 1)
        _wait(lambda: "turn " in caplog.text, "the turn's log line")
    text = httpx.get(f"{gateway.url}/metrics", timeout=10).text
    assert _metric(text, "bpu_messages_in_total", channel="telegram") >= 1
    assert (
        _metric(text, "bpu_messages_out_total", channel="telegram", outcome="sent") >= 1
    )
    assert _metric(text, "bpu_turn_seconds_count", channel="telegram") >= 1
    assert _metric(text, "bpu_outbox_depth") == 0
    assert _metric(text, "bpu_open_handoffs") == 0
    assert _metric(text, "bpu_overdue_tickets") == 0
    [request] = [r for r in world.rasa.requests if r["sender"] == f"telegram:{chat}"]
    sent_id = request["metadata"]["turn_id"]
    assert re.fullmatch(r"[0-9a-f]{16}", sent_id)
    assert f"turn {sent_id} " in caplog.text  # the gateway logged the same id


def test_metrics_count_rasa_errors(gateway: LocalGateway, world: Fakes) -> None:
    # An action failed: Rasa's answer carries nothing to show.
    world.rasa.scripted["kosong"] = [{"recipient_id": "telegram:55501235"}]
    assert gateway.post_telegram(tg.text(55_501_235, "kosong")).status_code == 200
    world.telegram.wait_for_texts(55_501_235, 1)  # the apology
    text = httpx.get(f"{gateway.url}/metrics", timeout=10).text
    assert _metric(text, "bpu_dialogue_errors_total", kind="action") >= 1


def test_json_log_lines_carry_the_turn_id() -> None:
    turn = new_turn()
    record = logging.LogRecord(
        "bot.x", logging.INFO, __file__, 1, "hello %s", ("a",), None
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello a"
    assert line["turn_id"] == turn and line["level"] == "INFO"
    turn_id.set(None)
    assert "turn_id" not in json.loads(JsonFormatter().format(record))
