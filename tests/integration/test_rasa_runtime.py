"""What our Rasa launcher and tracker store change in Rasa, checked in Rasa's own
environment: responses are validated as strictly as Rasa does with the schema
checked once, and the tracker store leaves the event loop free while it waits for
the database (README "Performance")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.processes import run_rasa_probe

PROBE = Path(__file__).with_name("rasa_runtime_probe.py")


def _probe(*args: str) -> dict[str, Any]:
    return run_rasa_probe(PROBE, *args)


def test_action_responses_are_checked_as_strictly_with_the_schema_checked_once() -> (
    None
):
    found = _probe("schema")
    assert found["accepted"] is True
    assert len(found["refused"]) == 2
    message = "Failed to validate Action server response"
    assert all(message in refusal for refusal in found["refused"])
    # Once at start-up; Rasa's own check of a refused response checks it again.
    assert found["schema_checks"] == 1 + len(found["refused"])


def test_the_tracker_store_waits_for_sqlite_off_the_event_loop(tmp_path: Path) -> None:
    found = _probe("store", str(tmp_path / "rasa_tracker.db"))
    assert found["journal_mode"] == "wal"
    assert found["loop_ran_while_saving"] is True
    assert found["sessions_opened"] is True
    assert found["on_the_loops_thread"] is False
    assert found["kpj"] == "kpjtok1"
