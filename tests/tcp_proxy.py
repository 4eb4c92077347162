"""A small forwarding TCP proxy on 127.0.0.1 for fault-injection tests.

Every chunk is shown to a hook before it is forwarded; the hook may kill the
upstream server or ask the proxy to cut the connection instead of forwarding.
Threads only, bounded by ``stop()`` (or the context manager), never left running.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

# hook(direction, chunk) -> True to forward the chunk, False to drop it and close both sides.
# direction is "up" (client -> server) or "down" (server -> client).
Hook = Callable[[str, bytes], bool]


class TcpProxy:
    def __init__(self, upstream_port: int, hook: Hook | None = None) -> None:
        self.upstream_port = upstream_port
        self.hook: Hook = hook or (lambda direction, chunk: True)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept_loop, name="tcp-proxy-accept", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TcpProxy:
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._acceptor.join(5)
        self._listener.close()
        self.close_all()
        for thread in list(self._threads):
            thread.join(5)

    def close_all(self) -> None:
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
            except OSError:
                client.close()  # the server is down: refuse, as it would
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            self._threads = [t for t in self._threads if t.is_alive()]
            for source, sink, direction in ((client, upstream, "up"), (upstream, client, "down")):
                thread = threading.Thread(
                    target=self._pump, args=(source, sink, direction, client, upstream), daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def _pump(self, source: socket.socket, sink: socket.socket, direction: str, *pair: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                chunk = source.recv(65536)
                if not chunk or not self.hook(direction, chunk):
                    break
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
