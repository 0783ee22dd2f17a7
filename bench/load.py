"""Closed-loop load: N simulated participants, each sending its next message as soon
as the last one is answered (no think time), for a fixed window.

A driver plays one turn and says when it ended: the REST driver when Rasa's response
arrives, the Telegram driver when the last reply reaches the fake Bot API. Turns that
start in the warm-up or end after the window are not counted.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from bench.conversations import Conversation, Step
from bench.stats import Summary, summarise
from bench.telegram_sink import ReplySink
from tests.fakes import telegram_updates as tg

TURN_TIMEOUT_S = 60.0
_chat_ids = itertools.count(20_000_000)


class Driver(Protocol):
    """Plays one participant turn; returns its latency in seconds, or None on error."""

    async def turn(
        self, chat_id: int, key: tuple[str, int], step: Step
    ) -> float | None:
        """Send ``step`` as participant ``chat_id``; ``key`` names script and step."""


@dataclass
class LevelResult:
    """What one load level measured."""

    participants: int
    summary: Summary
    latencies: list[float] = field(repr=False)
    all_turns: int = 0  # warm-up and late turns included (for CPU per turn)


class RestDriver:
    """Rasa's REST channel: the turn ends when the response (all replies) arrives."""

    def __init__(self, client: httpx.AsyncClient, rasa_url: str) -> None:
        self._client = client
        self._url = f"{rasa_url}/webhooks/rest/webhook"

    async def turn(
        self, chat_id: int, key: tuple[str, int], step: Step
    ) -> float | None:
        payload = {
            "sender": f"telegram:{chat_id}",
            "message": step.text,
            "metadata": {"channel": "telegram", "button": step.press},
        }
        start = time.monotonic()
        try:
            response = await self._client.post(self._url, json=payload)
        except httpx.HTTPError:
            return None
        end = time.monotonic()
        if response.status_code != 200 or not response.json():
            return None
        return end - start


class TelegramDriver:
    """The gateway's webhook: the turn ends at the last reply at the fake Bot API.

    How many replies a step gets comes from a calibration pass (``calibrate``): the
    bot is deterministic for a given script, and waiting for a silence instead would
    add the silence to every turn.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        gateway_url: str,
        secret: str,
        sink: ReplySink,
        expected: dict[tuple[str, int], int],
    ) -> None:
        self._client = client
        self._url = f"{gateway_url}/telegram/webhook"
        self._headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        self._sink = sink
        self.expected = expected

    def update_for(self, chat_id: int, step: Step) -> dict[str, Any]:
        """The Bot API's Update for ``step`` (a press the fake will accept once)."""
        if step.press:
            return self._sink.press(chat_id, step.text)
        return tg.text(chat_id, step.text)

    async def turn(
        self, chat_id: int, key: tuple[str, int], step: Step
    ) -> float | None:
        count = self.expected.get(key, 1)
        arrived = self._sink.expect(chat_id, count)
        start = time.monotonic()
        try:
            response = await self._client.post(
                self._url, json=self.update_for(chat_id, step), headers=self._headers
            )
            if response.status_code != 200:
                return None
            last = await asyncio.wait_for(arrived, TURN_TIMEOUT_S)
        except (httpx.HTTPError, asyncio.TimeoutError):
            self._sink.forget(chat_id)
            return None
        return last - start

    async def calibrate(
        self, conversations: Sequence[Conversation], quiet_s: float = 1.5
    ) -> None:
        """Play each script once, alone; count replies until ``quiet_s`` of silence.

        The cycle repeats scripts (the same complaint three times); each distinct
        script is played once, which keeps the calibration to about a minute.
        """
        for conversation in conversations:
            if (conversation.name, 0) in self.expected:
                continue
            chat_id = next(_chat_ids)
            for index, step in enumerate(conversation.steps):
                before = len(self._sink.texts_to(chat_id))
                await self._client.post(
                    self._url,
                    json=self.update_for(chat_id, step),
                    headers=self._headers,
                )
                count = await self._settle(chat_id, before, quiet_s)
                self.expected[(conversation.name, index)] = count

    async def _settle(self, chat_id: int, before: int, quiet_s: float) -> int:
        deadline = time.monotonic() + TURN_TIMEOUT_S
        seen, last_change = before, time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            now = len(self._sink.texts_to(chat_id))
            if now != seen:
                seen, last_change = now, time.monotonic()
            elif seen > before and time.monotonic() - last_change >= quiet_s:
                break
        return seen - before


async def run_level(
    driver: Driver,
    conversations: Sequence[Conversation],
    participants: int,
    warmup_s: float,
    measure_s: float,
) -> LevelResult:
    """``participants`` closed loops for ``warmup_s + measure_s``; counts the window."""
    start = time.monotonic()
    window = (start + warmup_s, start + warmup_s + measure_s)
    latencies: list[float] = []
    errors, played = [0], [0]

    async def participant(offset: int) -> None:
        for n in itertools.count(offset):
            conversation = conversations[n % len(conversations)]
            chat_id = next(_chat_ids)
            for index, step in enumerate(conversation.steps):
                began = time.monotonic()
                if began >= window[1]:
                    return
                took = await driver.turn(chat_id, (conversation.name, index), step)
                played[0] += 1
                if began < window[0] or time.monotonic() > window[1]:
                    continue
                if took is None:
                    errors[0] += 1
                else:
                    latencies.append(took)

    await asyncio.gather(*(participant(i) for i in range(participants)))
    summary = summarise(latencies, errors[0], measure_s)
    return LevelResult(participants, summary, latencies, played[0])
