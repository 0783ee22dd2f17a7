"""What every fake provider API does alike, so each fake keeps only its wire format.

A fake records every request as a ``Call`` (and whether it accepted or refused it),
serves itself on a free loopback port (``serve``), lets a test make it refuse what
the real provider would refuse in a situation the test cannot otherwise create
(``inject``: a 429, a 5xx outage, interactive messages a client cannot show;
``drop_connections``: the connection cut mid-answer), and lets a test
wait for what a participant would see (``wait_for_texts``).
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from tests.fakes.server import ServerThread

RecipientT = TypeVar("RecipientT")
Handler = Callable[["Call"], "Awaitable[Any] | Any"]


@dataclass
class Call:
    """One request a fake received, and how it answered."""

    method: str
    params: dict[str, Any]
    accepted: bool = False
    # The provider's error code when it refused (Telegram: the HTTP status).
    error_code: int | None = None
    # The id the provider gave what it accepted (a message id).
    result_id: str | None = None
    at: float = field(default_factory=time.monotonic)


class ProviderError(Exception):
    """A refusal, answered in the provider's own words by ``body``."""

    def __init__(self, code: int, message: str, status: int) -> None:
        super().__init__(f"({code}) {message}")
        self.code = code
        self.status = status

    # HTTP headers sent with the refusal (a 429's ``Retry-After``).
    headers: dict[str, str] = {}  # noqa: RUF012 - replaced per instance, never mutated

    def body(self) -> dict[str, Any]:
        """The JSON the provider answers with."""
        raise NotImplementedError


class DroppedConnection(ProviderError):
    """Not an answer: the connection is cut in the middle of the response."""

    def __init__(self) -> None:
        super().__init__(0, "connection dropped", status=200)


class _CutResponse(Response):
    """Starts a response, sends part of its body, then aborts the connection."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"4096"),
                ],
            }
        )
        await send(
            {"type": "http.response.body", "body": b'{"ok": tr', "more_body": True}
        )
        # uvicorn closes the transport when the app fails mid-response.
        raise ConnectionAbortedError("fake provider dropped the connection")


@dataclass
class Fault:
    """A refusal a test injected: for ``method`` calls ``when`` they match."""

    error: ProviderError
    method: str
    when: Callable[[dict[str, Any]], bool] | None = None
    remaining: int | None = 1  # None: until lifted


class FakeProvider(Generic[RecipientT]):
    """Recording, serving, injected refusals and waiting, for one fake API."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.calls: list[Call] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=list(routes))

    # --- what tests do ----------------------------------------------------------------

    def serve(self) -> ServerThread:
        """The fake on a free loopback port: ``with api.serve() as server:``."""
        return ServerThread(self.app)

    def inject(
        self,
        error: ProviderError,
        *,
        method: str,
        when: Callable[[dict[str, Any]], bool] | None = None,
        times: int | None = 1,
    ) -> Fault:
        """Refuse the next ``times`` matching calls (None: until ``lift``)."""
        fault = Fault(error, method, when, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def lift(self, fault: Fault) -> None:
        """Stop refusing what ``fault`` refused."""
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    @contextmanager
    def injected(
        self,
        error: ProviderError,
        *,
        method: str,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Iterator[Fault]:
        """Refuse every matching call inside the ``with`` block."""
        fault = self.inject(error, method=method, when=when, times=None)
        try:
            yield fault
        finally:
            self.lift(fault)

    # --- what tests read --------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        """Recorded calls of one method, oldest first."""
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def refused(self, method: str | None = None) -> list[Call]:
        """Calls the fake refused (of ``method`` only, if given)."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.error_code is not None and method in (None, c.method)
            ]

    def texts_to(self, recipient: RecipientT) -> list[str]:
        """What ``recipient`` saw, one string per accepted message."""
        raise NotImplementedError

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 30.0, what: str = ""
    ) -> None:
        """Poll until ``predicate()`` holds; else fail the test naming ``what``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what or predicate}")

    def wait_for_texts(
        self, recipient: RecipientT, count: int, timeout: float = 30.0
    ) -> list[str]:
        """Wait until ``recipient`` got at least ``count`` messages; return them all."""
        self.wait_for(
            lambda: len(self.texts_to(recipient)) >= count,
            timeout,
            f"{count} messages to {recipient} (got {self.texts_to(recipient)})",
        )
        return self.texts_to(recipient)

    # --- for the fake's own routes ----------------------------------------------------

    def drop_connections(self, method: str, times: int | None = 1) -> Fault:
        """Cut the connection of the next ``times`` calls of ``method`` mid-answer."""
        return self.inject(DroppedConnection(), method=method, times=times)

    async def answer(self, call: Call, handle: Handler) -> Response:
        """Record ``call``; answer what ``handle`` returns or the refusal it raises."""
        with self._lock:
            self.calls.append(call)
        try:
            result = handle(call)
            if inspect.isawaitable(result):
                result = await result
        except DroppedConnection as exc:
            call.error_code = exc.code
            return _CutResponse()
        except ProviderError as exc:
            call.error_code = exc.code
            return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
        call.accepted = True
        return JSONResponse(result)

    def raise_injected(self, call: Call) -> None:
        """Raise the first injected refusal that matches ``call``, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.method != call.method:
                    continue
                if fault.when is not None and not fault.when(call.params):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                raise fault.error
