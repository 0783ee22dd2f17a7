"""The gateway proves itself to Rasa's REST channel with the shared secret."""

from __future__ import annotations

import httpx

from bot.gateway.rasa_client import RasaClient


async def test_every_turn_carries_the_secret() -> None:
    seen: list[str | None] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json=[{"text": "ok"}])

    client = RasaClient(
        "http://rasa.test", 5, transport=httpx.MockTransport(rasa), token="s3cret"
    )
    try:
        await client.send("telegram:1", "halo", "telegram", {})
    finally:
        await client.aclose()
    assert seen == ["Bearer s3cret"]
