"""The cluster launcher's pieces: nginx's configuration, Rasa's stores, the plan."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from scripts.cluster import endpoints, nginx
from scripts.cluster.launch import check_channels
from scripts.cluster.plan import ClusterPlan, Ports, instance_specs, rasa_spec
from tests.required import missing


def _plan(tmp_path: Path, **changes: object) -> ClusterPlan:
    base = {
        "var_dir": tmp_path,
        "database_url": "postgresql://bpu:p%40ss@db.internal:6543/bpu_cluster",
        "redis_url": "redis://127.0.0.1:6380/3",
        "data_key": "k" * 40,
        "rasa_token": "token",
        "ports": Ports(9000, 9001, 9002, 9010, 9020, 9030),
    }
    return ClusterPlan(**{**base, **changes})  # type: ignore[arg-type]


def test_nginx_balances_every_instance_and_retries_only_webhooks(
    tmp_path: Path,
) -> None:
    config = nginx.render(_plan(tmp_path, gateway_count=3))
    for port in (9010, 9011, 9020, 9021, 9030, 9031, 9032):
        assert f"server 127.0.0.1:{port} max_fails=1" in config
    assert config.count("non_idempotent") == 1
    public = config.index("listen 127.0.0.1:9000;")
    assert config.index("non_idempotent") > public
    assert config.index("non_idempotent") < config.index("listen 127.0.0.1:9001;")
    assert str(tmp_path) in config  # pid, logs and temp files under var/


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        missing("Debian's nginx is not installed (make .nginx)")
    plan = _plan(tmp_path)
    spec = nginx.nginx_spec(plan)
    result = subprocess.run(
        [*spec.argv, "-t"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


def test_rasa_shares_trackers_in_postgresql_and_locks_in_redis(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    path = endpoints.write(plan, "bpux")
    rendered = yaml.safe_load(path.read_text())
    assert rendered["action_endpoint"] == {"url": "http://127.0.0.1:9002/webhook"}
    assert rendered["tracker_store"] == {
        "type": "addons.tracker_store.PatientSQLTrackerStore",
        "url": "postgresql://bpu:p%40ss@db.internal:6543/bpu_cluster",
    }
    lock = rendered["lock_store"]
    assert (lock["type"], lock["url"], lock["port"], lock["db"]) == (
        "redis",
        "127.0.0.1",
        6380,
        3,
    )
    assert lock["key_prefix"] == "bpux"
    assert path.stat().st_mode & 0o077 == 0  # it holds the database password


def test_a_cluster_refuses_sqlite(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="PostgreSQL"):
        endpoints.write(_plan(tmp_path, database_url="sqlite:///x.db"), "p")


def test_instances_reach_each_other_through_nginx(tmp_path: Path) -> None:
    plan = _plan(tmp_path, rasa_workers=3)
    specs = {s.name: s for s in instance_specs(plan, tmp_path / "endpoints.yml")}
    assert sorted(specs) == [
        "actions-1", "actions-2", "gateway-1", "gateway-2", "rasa-1", "rasa-2",
    ]  # fmt: skip
    gateway = specs["gateway-2"].env
    assert gateway["RASA_URL"] == "http://127.0.0.1:9001"
    assert gateway["GATEWAY_PORT"] == "9031"
    assert specs["rasa-1"].env["ACTION_ENDPOINT_URL"] == (
        "http://127.0.0.1:9002/webhook"
    )
    assert specs["rasa-2"].env["SANIC_WORKERS"] == "3"
    assert "9011" in specs["rasa-2"].argv
    assert specs["actions-1"].health_url == "http://127.0.0.1:9020/health"


def test_several_gateways_refuse_telegram_polling(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    with pytest.raises(SystemExit, match="webhook"):
        check_channels(plan, {"TELEGRAM_BOT_TOKEN": "1:x"})
    check_channels(plan, {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": "s"})
    check_channels(_plan(tmp_path, gateway_count=1), {"TELEGRAM_BOT_TOKEN": "1:x"})


def test_rasa_gets_its_token_in_the_environment_not_on_the_command_line(
    tmp_path: Path,
) -> None:
    spec = rasa_spec(_plan(tmp_path), 0, tmp_path / "endpoints.yml")
    assert "token" not in spec.argv and "--auth-token" not in spec.argv
    assert spec.env["RASA_TOKEN"] == "token"
