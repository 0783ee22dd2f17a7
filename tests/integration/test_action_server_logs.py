"""The action server (``python -m actions.serve``) logs JSON lines carrying the turn
id the gateway put in the message metadata, which Rasa passes in the tracker."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.fakes.server import free_port
from tests.integration.processes import start_action_server


def test_an_action_call_is_logged_with_its_turn_id(tmp_path: Path) -> None:
    port = free_port()
    actions = start_action_server(
        port, f"sqlite:///{tmp_path / 'bpu.sqlite3'}", {"BPU_VAR_DIR": str(tmp_path)}
    )
    try:
        call = {
            "next_action": "action_that_does_not_exist",
            "sender_id": "telegram:1",
            "tracker": {
                "sender_id": "telegram:1",
                "slots": {},
                "events": [],
                "latest_message": {
                    "text": "halo",
                    "metadata": {"turn_id": "0123456789abcdef"},
                },
            },
            "domain": {},
        }
        response = httpx.post(f"http://127.0.0.1:{port}/webhook", json=call)
        assert response.status_code == 404  # unknown action: refused, but logged
    finally:
        actions.stop()
    lines = [
        json.loads(line)
        for line in actions.log_path.read_text(errors="replace").splitlines()
        if line.startswith("{")
    ]
    mine = [line for line in lines if line.get("turn_id") == "0123456789abcdef"]
    assert any(line["message"] == "action action_that_does_not_exist" for line in mine)
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
