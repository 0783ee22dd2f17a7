"""Rasa's API token never appears on a command line (``ps`` shows it to everyone)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from scripts.rasa_run import (
    CACHED_RESPONSE_SCHEMA,
    TRIM_AFTER_LOAD,
    apply_tuning,
    block_jax,
    rasa_argv,
    release_freed_memory,
)
from tests.integration.processes import rasa_command

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_passes_the_token_in_the_environment() -> None:
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    (rasa,) = [line for line in procfile.splitlines() if line.startswith("rasa:")]
    assert "auth-token" not in rasa and "RASA_TOKEN" not in rasa
    assert "scripts/rasa_run.py" in rasa


def test_the_tests_start_rasa_without_the_token_in_argv() -> None:
    argv, env = rasa_command(Path("m.tar.gz"), 5005, Path("e.yml"), "s3cret")
    assert not any("s3cret" in arg for arg in argv)
    assert env["RASA_TOKEN"] == "s3cret"


def test_the_launcher_reads_the_token_from_the_environment() -> None:
    assert rasa_argv(["--model", "m"], {"RASA_TOKEN": "t"}) == [
        "rasa",
        "run",
        "--model",
        "m",
        "--auth-token",
        "t",
    ]
    with pytest.raises(SystemExit, match="RASA_TOKEN is not set"):
        rasa_argv(["--model", "m"], {})
    with pytest.raises(SystemExit, match="not on the command line"):
        rasa_argv(["--auth-token=x"], {"RASA_TOKEN": "t"})


def test_the_launcher_gives_tensorflow_one_thread_per_pool_unless_told() -> None:
    inter, intra = "TF_INTER_OP_PARALLELISM_THREADS", "TF_INTRA_OP_PARALLELISM_THREADS"
    environ: dict[str, str] = {}
    apply_tuning(environ)
    assert environ == {
        inter: "1",
        intra: "1",
        CACHED_RESPONSE_SCHEMA: "1",
        TRIM_AFTER_LOAD: "1",
    }
    # The bench's stock server: empty values keep TensorFlow's defaults.
    stock = {inter: "", intra: "2", CACHED_RESPONSE_SCHEMA: "", TRIM_AFTER_LOAD: ""}
    apply_tuning(stock)
    assert stock == {
        inter: "",
        intra: "2",
        CACHED_RESPONSE_SCHEMA: "",
        TRIM_AFTER_LOAD: "",
    }


def test_the_launcher_keeps_jax_out_of_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    """TensorFlow imports jax only if it can; Rasa never needs it (README)."""
    monkeypatch.delitem(sys.modules, "jax", raising=False)
    block_jax()
    try:
        with pytest.raises(ImportError):
            importlib.import_module("jax")
    finally:
        sys.modules.pop("jax", None)


def test_freed_memory_goes_back_to_the_system_on_glibc() -> None:
    """Debian's Python runs on glibc, whose allocator can hand pages back."""
    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # ~128 MB, then freed
    del blocks
    assert release_freed_memory() is True
