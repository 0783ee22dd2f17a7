"""Only the gateway speaks to Rasa: no token on ``ps``, the REST channel checks it."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.integration.processes import RasaServer


def test_the_token_is_not_on_rasas_command_line(rasa_server: RasaServer) -> None:
    pid = rasa_server.process.pid
    assert pid is not None
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    assert b"rasa_run.py" in cmdline
    assert rasa_server.token.encode() not in cmdline


def test_a_message_without_the_gateways_secret_is_refused(
    rasa_server: RasaServer,
) -> None:
    url = f"{rasa_server.url}/webhooks/rest/webhook"
    body = {"sender": "telegram:424242", "message": "halo"}
    assert httpx.post(url, json=body, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer not-the-secret"}
    assert httpx.post(url, json=body, headers=wrong, timeout=30).status_code == 401
    right = {"Authorization": f"Bearer {rasa_server.token}"}
    assert httpx.post(url, json=body, headers=right, timeout=120).status_code == 200
