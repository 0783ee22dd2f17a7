"""A whole cluster on loopback for the reliability tests and the cluster benchmark.

The same plan and supervisor as ``make run-cluster`` (scripts/cluster): nginx, two
Rasa servers, two action servers and two gateways as real processes, on a fresh
PostgreSQL database of the session's own (reached through a TCP proxy the tests can
cut) and the machine's Redis (locks under a key prefix of the session's own), with
fake Telegram and WhatsApp APIs. PostgreSQL and Redis are required when CI=true;
elsewhere their absence skips with the reason.
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import redis

from bot.store.db import Database
from scripts.cluster import deploy, endpoints, nginx
from scripts.cluster.plan import ClusterPlan, Ports, instance_specs
from scripts.cluster.supervisor import StartError, Supervisor, is_healthy
from tests.fakes.gateway import WA_PHONE_ID, WA_TEMPLATE, WA_TOKEN
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.whatsapp_api import FakeWhatsAppApi
from tests.integration.conftest import BOT_TOKEN, WEBHOOK_SECRET, gateway_env
from tests.integration.processes import TEST_DATA_KEY, postgres_database, run_cli
from tests.required import missing

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RASA_TIMEOUT_SECONDS = "120"
# Settings of the stores and of Rasa come from the plan, not from here.
PLAN_OWNED = ("DATABASE_URL", "RASA_URL", "BPU_VAR_DIR")


def _require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as exc:
        missing(f"Redis not reachable at {REDIS_URL}: {exc}")


def _port_free(port: int) -> bool:
    """Whether 127.0.0.1:port can be bound: no listener and no connection holds it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _ephemeral_floor() -> int:
    """The lowest port the kernel hands out for port 0 and outgoing connections.

    The integration tests run beside this suite and take their ports from that
    range (``free_port``), and so does every client connection: a block picked
    there could be taken between the check and nginx's ``bind``.
    """
    try:
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
        return int(text.split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_ports() -> Ports:
    """A block of 40 free ports below the ephemeral range, for nginx and instances."""
    blocks = max(1, (_ephemeral_floor() - 20_000) // 100)
    for _ in range(50):
        base = 20_000 + (uuid.uuid4().int % blocks) * 100
        if all(_port_free(base + offset) for offset in range(40)):
            return Ports(base, base + 1, base + 2, base + 10, base + 20, base + 30)
    raise RuntimeError("no free block of ports on 127.0.0.1")


@dataclass
class Cluster:
    """The running cluster and what the tests drive and read."""

    plan: ClusterPlan
    supervisor: Supervisor
    telegram: FakeTelegramApi
    whatsapp: FakeWhatsAppApi
    postgres: TcpProxy
    # The database without the proxy, for the tests' own reads.
    direct_database_url: str

    def gateway_url(self, index: int | None) -> str:
        """One gateway directly (0, 1, ...), or nginx's public listener (None)."""
        if index is None:
            return self.plan.public_url
        return f"http://127.0.0.1:{self.plan.gateway_ports()[index]}"

    def post_update(
        self,
        update: dict[str, Any],
        gateway: int | None = None,
        secret: str | None = WEBHOOK_SECRET,
        timeout: float = 30.0,
    ) -> httpx.Response:
        """POST an Update to a gateway's Telegram webhook as the Bot API would."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return httpx.post(
            f"{self.gateway_url(gateway)}/telegram/webhook",
            json=update,
            headers=headers,
            timeout=timeout,
        )

    def tickets(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = run_cli(
            ["tickets", "list", "--json"], self.direct_database_url
        )
        return items

    def database(self) -> Database:
        return Database(self.direct_database_url)

    def wait_until_quiet(self, seconds: float = 5.0) -> None:
        """Until the fake Bot API got no new call for ``seconds``.

        Late replies (duplicates, retries from the outbox) would show by then, and
        the next test starts on an idle cluster.
        """
        last = -1
        while (count := len(self.telegram.calls)) != last:
            last = count
            time.sleep(seconds)

    def last_rasa_server(self) -> str:
        """The Rasa instance that answered the last turn (from nginx's log)."""
        log = self.plan.log_dir / "nginx-rasa_servers.log"
        turns = [
            line for line in log.read_text().splitlines() if "/webhooks/rest/" in line
        ]
        assert turns, "nginx logged no Rasa turn"
        # After a retry nginx lists every instance it tried; the last one answered.
        port = int(re.findall(r"127\.0\.0\.1:(\d+)", turns[-1])[-1])
        return f"rasa-{port - self.plan.ports.first_rasa + 1}"


def _proxied(database_url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(database_url)
    return parts._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()


def _plan(database_url: str, var_dir: Path, app_env: dict[str, str]) -> ClusterPlan:
    return ClusterPlan(
        var_dir=var_dir,
        database_url=database_url,
        redis_url=REDIS_URL,
        data_key=TEST_DATA_KEY,
        rasa_token=uuid.uuid4().hex,
        ports=free_ports(),
        app_env=app_env,
        rasa_start_timeout=float(os.environ.get("RASA_START_TIMEOUT", "600")),
    )


def _wait_balanced(plan: ClusterPlan, timeout: float = 180.0) -> None:
    """Until nginx passes requests to every Rasa and action server again.

    While Rasa loads, the gateways' health checks reach it through nginx and fail,
    so nginx takes each server out of rotation for a few seconds (``max_fails``):
    a first turn in that window would get a 502 and the outage notice.
    """
    listeners = (
        (f"{plan.rasa_url}/", plan.rasa_count),
        (
            plan.action_endpoint_url.removesuffix("/webhook") + "/health",
            plan.actions_count,
        ),
    )
    deadline = time.monotonic() + timeout
    for url, servers in listeners:
        answered = 0  # in a row: round-robin has then reached every server
        while answered < 2 * servers:
            if time.monotonic() > deadline:
                raise StartError(f"nginx does not reach every server behind {url}")
            answered = answered + 1 if is_healthy(url) else 0
            if not answered:
                time.sleep(0.5)


def figures(test: str, **numbers: int | float | str) -> None:
    """Print a test's figures on one line, for the closing note."""
    shown = " ".join(f"{name}={value}" for name, value in numbers.items())
    print(f"\nFIGURES {test}: {shown}", flush=True)


@contextmanager
def running_cluster(
    var_dir: Path, rasa_count: int = 2, rasa_workers: int = 1
) -> Iterator[Cluster]:
    """Start a cluster on a fresh database; stop it and drop the database after."""
    _require_redis()
    telegram = FakeTelegramApi(BOT_TOKEN)
    whatsapp = FakeWhatsAppApi(WA_TOKEN, WA_PHONE_ID, {WA_TEMPLATE: 1})
    with (
        postgres_database() as direct_url,
        telegram.serve() as telegram_server,
        whatsapp.serve() as whatsapp_server,
    ):
        parts = urlsplit(direct_url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
        env = gateway_env(
            direct_url, "", telegram_server.url, var_dir, whatsapp_server.url
        )
        app_env = {k: v for k, v in env.items() if k not in PLAN_OWNED}
        # 50 participants at once on a small shared machine make slow turns: a
        # turn cut short by the gateway's time-out would be an outage notice.
        app_env["RASA_TIMEOUT_SECONDS"] = RASA_TIMEOUT_SECONDS
        plan = replace(
            _plan(_proxied(direct_url, proxy), var_dir, app_env),
            rasa_count=rasa_count,
            rasa_workers=rasa_workers,
        )
        deploy.run_once(plan, (["db", "upgrade"], ["seed-demo", "--if-empty"]))
        rasa_endpoints = endpoints.write(plan, f"bputest{uuid.uuid4().hex[:8]}")
        specs = [nginx.nginx_spec(plan), *instance_specs(plan, rasa_endpoints)]
        supervisor = Supervisor(specs, plan.log_dir)
        try:
            supervisor.start()
            _wait_balanced(plan)
            yield Cluster(plan, supervisor, telegram, whatsapp, proxy, direct_url)
        finally:
            supervisor.stop()
            proxy.stop()
