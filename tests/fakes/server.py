"""Services a test runs in the background on a free 127.0.0.1 port.

``ServerThread`` serves an ASGI app (the fake provider APIs); ``tcp_proxy.TcpProxy``
forwards a port it can cut. Both are ``LoopbackService``: a free port, ``start``
returning the service, ``stop``, and ``with service:`` doing both.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Literal, TypeVar

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


ServiceT = TypeVar("ServiceT", bound="LoopbackService")


class LoopbackService:
    """Listens on ``port`` of 127.0.0.1 once started, until stopped."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()

    def start(self: ServiceT) -> ServiceT:
        """Start listening; the service itself, for ``x = Service().start()``."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop listening and let go of what it holds."""
        raise NotImplementedError

    def __enter__(self: ServiceT) -> ServiceT:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class ServerThread(LoopbackService):
    """uvicorn in a thread: ``with ServerThread(app) as server:`` gives ``.url``."""

    def __init__(
        self,
        app: ASGIApp,
        port: int | None = None,
        *,
        lifespan: Literal["on", "off"] = "off",
    ) -> None:
        super().__init__(port)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan=lifespan,
            ws="none",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        """Start and wait until the socket accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("server thread exited during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("fake server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
