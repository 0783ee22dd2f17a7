"""The closed loop (bench/load.py) and the reply counting of the fake Bot API
(bench/telegram_sink.py), with a driver that answers at once."""

from __future__ import annotations

import asyncio

import httpx

from bench.conversations import Conversation, Step, all_conversations
from bench.load import run_level
from bench.telegram_sink import ReplySink
from tests.fakes.gateway import TG_TOKEN

SCRIPTS = (
    Conversation("a", (Step("one"), Step("two"))),
    Conversation("b", (Step("three"),)),
)


class InstantDriver:
    """Answers every turn at once; fails every turn whose text is ``fail_on``."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on
        self.played: list[tuple[int, tuple[str, int]]] = []

    async def turn(
        self, chat_id: int, key: tuple[str, int], step: Step
    ) -> float | None:
        self.played.append((chat_id, key))
        await asyncio.sleep(0.001)
        return None if step.text == self.fail_on else 0.001


async def test_participants_play_the_scripts_in_turn_with_a_new_chat_each() -> None:
    driver = InstantDriver()
    result = await run_level(driver, SCRIPTS, 3, warmup_s=0.05, measure_s=0.2)
    assert result.summary.turns > 0
    assert result.summary.errors == 0
    assert result.all_turns >= result.summary.turns
    chats: dict[int, set[str]] = {}
    for chat_id, (script, _step) in driver.played:
        chats.setdefault(chat_id, set()).add(script)
    assert all(len(scripts) == 1 for scripts in chats.values())  # one script per chat
    # The three participants start at different scripts of the cycle.
    first_keys = {key for _chat, key in driver.played[:3]}
    assert first_keys == {("a", 0), ("b", 0)}


async def test_failed_turns_are_errors_not_messages_served() -> None:
    driver = InstantDriver(fail_on="three")
    result = await run_level(driver, SCRIPTS, 2, warmup_s=0.0, measure_s=0.2)
    assert result.summary.errors > 0
    assert result.summary.turns > 0
    assert len(result.latencies) == result.summary.turns


async def test_the_sink_wakes_a_participant_at_its_last_reply() -> None:
    sink = ReplySink(TG_TOKEN)
    with sink.serve() as server:
        url = f"{server.url}/bot{TG_TOKEN}/sendMessage"
        async with httpx.AsyncClient() as client:
            done = sink.expect(42, 2)
            await client.post(url, json={"chat_id": 42, "text": "satu"})
            assert not done.done()
            await client.post(url, json={"chat_id": 7, "text": "orang lain"})
            await client.post(url, json={"chat_id": 42, "text": "dua"})
            arrived = await asyncio.wait_for(done, 5)
            assert arrived > 0
            # A refused message (empty text) is no reply.
            refused = sink.expect(42, 1)
            await client.post(url, json={"chat_id": 42, "text": " "})
            await asyncio.sleep(0.1)
            assert not refused.done()
    assert sink.unexpected == 1  # chat 7 was nobody's turn


def test_the_cycle_has_a_third_of_each_kind_of_conversation() -> None:
    names = [c.name.split(" ")[0] for c in all_conversations()]
    assert names.count("complaint") == names.count("resignation")
    assert names.count("questions") == names.count("complaint")
