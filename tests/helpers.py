"""Small helpers for comparison tests: SQL text in, model or findings out."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Callable, Iterator

from driftgate.compare import compare_schemas
from driftgate.findings import Finding
from driftgate.model import Location, Schema
from driftgate.shadow import shadow_schema
from driftgate.sources.statements import split_sql_script


def schema_of(sql: str) -> Schema:
    """The model of a script, read the way every expected source is: through the shadow database."""
    return shadow_schema(split_sql_script(sql, Location("test.sql", 1)))


def findings(expected_sql: str, actual_sql: str, source: str = "sql") -> list[Finding]:
    return compare_schemas(schema_of(expected_sql), schema_of(actual_sql), source)


def failing(expected_sql: str, actual_sql: str) -> list[tuple[str, str, str]]:
    """(kind, object, status) of every finding that is not ok, sorted."""
    return sorted((f.kind, f.object, f.status) for f in findings(expected_sql, actual_sql) if f.status != "ok")


@contextlib.contextmanager
def serving(server: http.server.ThreadingHTTPServer, name: str) -> Iterator[int]:
    """Run a test HTTP server in a thread; yields its port, and shuts it down afterwards."""
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@contextlib.contextmanager
def tcp_listener(on_accept: Callable[[socket.socket, threading.Event], None], name: str) -> Iterator[int]:
    """A raw TCP server for misbehaving-peer tests: each accepted connection goes to ``on_accept(connection,
    stop)`` (which must not block); yields the port. Closed, with the connections, afterwards."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    accepted: list[socket.socket] = []

    def accept_loop() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                connection = listener.accept()[0]
                accepted.append(connection)
                on_accept(connection, stop)

    thread = threading.Thread(target=accept_loop, name=name, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(10)
        for connection in accepted:
            connection.close()
        listener.close()
