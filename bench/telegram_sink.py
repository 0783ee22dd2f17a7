"""The fake Bot API of tests/fakes, telling the load generator when replies arrive.

A turn through the gateway ends when the last reply to its message reaches the Bot
API. The fake runs in its own thread and event loop; a participant waiting for its
replies registers how many it expects and is woken, on its own loop, when that many
``sendMessage`` calls to its chat have been accepted.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

from starlette.responses import Response

from tests.fakes.provider import Call, Handler
from tests.fakes.telegram_api import FakeTelegramApi


@dataclass
class _Waiter:
    remaining: int
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[float]
    arrivals: list[float] = field(default_factory=list)


class ReplySink(FakeTelegramApi):
    """``expect(chat, n)`` gives a future resolved at the n-th reply's arrival time."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self._waiters: dict[int, _Waiter] = {}
        self._waiters_lock = threading.Lock()
        self.unexpected = 0  # replies no participant was waiting for

    def expect(self, chat_id: int, count: int) -> asyncio.Future[float]:
        """Wait for ``count`` more replies to ``chat_id`` (call before sending)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[float] = loop.create_future()
        with self._waiters_lock:
            self._waiters[chat_id] = _Waiter(count, loop, done)
        return done

    def forget(self, chat_id: int) -> None:
        """Stop waiting for ``chat_id`` (its turn timed out)."""
        with self._waiters_lock:
            self._waiters.pop(chat_id, None)

    async def answer(self, call: Call, handle: Handler) -> Response:
        """Record and answer as the fake does; then count an accepted reply."""
        response = await super().answer(call, handle)
        if call.accepted and call.method == "sendMessage":
            self._arrived(int(call.params["chat_id"]), time.monotonic())
        return response

    def _arrived(self, chat_id: int, at: float) -> None:
        with self._waiters_lock:
            waiter = self._waiters.get(chat_id)
            if waiter is None:
                self.unexpected += 1
                return
            waiter.arrivals.append(at)
            waiter.remaining -= 1
            if waiter.remaining > 0:
                return
            del self._waiters[chat_id]
        waiter.loop.call_soon_threadsafe(_resolve, waiter.done, at)

    def trim(self) -> None:
        """Drop the recorded calls (a long run would otherwise keep every one)."""
        with self._lock:
            self.calls.clear()


def _resolve(future: asyncio.Future[float], at: float) -> None:
    if not future.done():
        future.set_result(at)
