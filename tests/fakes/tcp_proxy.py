"""A TCP proxy on loopback that a test can cut, to make a server unreachable.

The reliability tests point the cluster at PostgreSQL through this proxy instead
of stopping the machine's PostgreSQL (which other work uses). ``block`` closes the
listening socket (new connections are refused, as when the port is blocked) and
resets every open connection; ``unblock`` listens again on the same port.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading

from tests.fakes.server import LoopbackService

CHUNK = 65536
RESET = struct.pack("ii", 1, 0)


class TcpProxy(LoopbackService):
    """``with TcpProxy("127.0.0.1", 5432) as proxy:`` forwards ``proxy.port``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__()
        self.target = (target_host, target_port)
        self.connections_cut = 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    # --- what tests do ----------------------------------------------------------------

    def start(self) -> TcpProxy:
        self._listen()
        return self

    def block(self) -> None:
        """Refuse new connections and reset the open ones."""
        listener, self._listener = self._listener, None
        if listener is not None:
            # Closing alone does not wake a thread blocked in accept(), which would
            # let one more connection through: shutdown does.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            doomed, self._open = self._open, set()
        for sock in doomed:
            with contextlib.suppress(OSError):
                # Linger 0: the peer sees a reset, as when a firewall drops it.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
                sock.close()
        self.connections_cut += len(doomed) // 2

    def unblock(self) -> None:
        """Listen again on the same port."""
        self._listen()

    def stop(self) -> None:
        self.block()

    # --- forwarding -------------------------------------------------------------------

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by block/stop
            if self._listener is not listener:  # blocked meanwhile: refuse it
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET)
                client.close()
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            threading.Thread(
                target=self._pipe, args=(client, server), daemon=True
            ).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        try:
            while True:
                readable, _, _ = select.select(list(peers), [], [], 1.0)
                for sock in readable:
                    data = sock.recv(CHUNK)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._open.discard(client)
                self._open.discard(server)
            for sock in (client, server):
                with contextlib.suppress(OSError):
                    sock.close()
