"""The operator commands against a fresh SQLite store, in this process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings point at an empty SQLite file and a private var/ (blank = unset)."""
    monkeypatch.setenv("BPU_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    for name in ("DATA_ENCRYPTION_KEY", "TELEGRAM_BOT_TOKEN", "WHATSAPP_ACCESS_TOKEN"):
        monkeypatch.setenv(name, "")
    assert main(["db", "upgrade"]) == 0
    return tmp_path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_listings_of_an_empty_store_are_empty(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _json(capsys, ["tickets", "list", "--json"]) == []
    assert _json(capsys, ["handoffs", "list", "--json", "--active"]) == []


def test_bootstrap_creates_one_supervisor_only_once(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["staff", "bootstrap"]) == 0
    assert "password:" in capsys.readouterr().out
    assert main(["staff", "bootstrap"]) == 0
    assert capsys.readouterr().out == ""


def test_staff_add_reads_the_password_and_refuses_a_second_account(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("rahasia-yang-panjang-sekali\n"))
    assert main(["staff", "add", "budi", "--role", "agent"]) == 0
    assert "budi added as agent" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("rahasia-yang-panjang-sekali\n"))
    assert main(["staff", "add", "budi", "--role", "agent"]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_seed_demo_loads_the_registry_once(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["seed-demo", "--if-empty"]) == 0
    assert "participants loaded" in capsys.readouterr().out
    assert main(["seed-demo", "--if-empty"]) == 0
    assert "already loaded" in capsys.readouterr().out


def test_purge_prints_what_it_did_and_a_second_run_does_nothing(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "30")
    first = _json(capsys, ["purge"])
    assert isinstance(first, dict)
    assert first["retention_days"] == 30 and first["closed_retention_days"] == 730
    assert _json(capsys, ["purge"]) == first  # nothing to do either time


def test_purge_refuses_a_retention_of_zero_days(
    store: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOSED_RETENTION_DAYS", "0")
    assert main(["purge"]) == 2
    assert "CLOSED_RETENTION_DAYS" in capsys.readouterr().err
