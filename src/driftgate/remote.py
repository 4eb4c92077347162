"""The WebSocket backend: libsql-client's async client on a private event loop, with timeouts.

Used for ``ws://`` and ``wss://`` URLs only (the HTTP ones go to :mod:`driftgate.hrana_http`, which
avoids importing aiohttp; the notes are in :mod:`driftgate.connection`).  libsql-client is the Python
client here that speaks Hrana over WebSocket *and* can be given up on after ``--timeout``.  Its
``create_client_sync`` waits for each answer with no timeout at all (a server that accepts and never
answers blocked it for as long as we watched, > 20 s) and cannot cancel a stuck call, so the async
client runs here under ``asyncio.wait_for`` on a loop we own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import weakref
from collections.abc import Coroutine, Sequence
from typing import Any

import libsql_client

from driftgate.connection import Row, Statement, auth_failed, cannot_connect, no_answer, not_libsql
from driftgate.errors import DatabaseError, InputError
from driftgate.urls import DatabaseTarget, redact

# A rejected credential, as libsql-client reports it: Hrana's AUTH_* error codes (WebSocket), or the
# HTTP status of a refused request. Matched on the status, never on any "401" (a port may hold it).
_AUTH_FAILURE = re.compile(r"(?i)^AUTH_[A-Z_]*:|HTTP status 40[13]\b|\bunauthori[sz]ed\b|authentication failed")


def _connect_failure(exc: BaseException) -> str | None:
    """aiohttp's "Cannot connect to host h:p ssl:default [...]" as "cannot connect to h:p (reason)".

    Its ``ssl:default`` is aiohttp's own parameter dump, shown even for ws:// URLs, where it
    misleads: the host, the port and the operating system's reason are what a user can act on.
    """
    os_error = getattr(exc, "os_error", None)
    host, port = getattr(exc, "host", None), getattr(exc, "port", None)
    if not isinstance(os_error, OSError) or host is None:
        return None
    return cannot_connect(host, port, os_error)


class HranaHello:
    """Keeps the server's answer to the WebSocket hello, which libsql-client 0.3.1 loses.

    Over ws/wss the client sends ``hello`` (carrying the token) and queues requests behind it.  A
    server that rejects the token answers ``hello_error`` and closes the socket; the client then fails
    the queued request with its own write error ("Cannot write to closing transport"), and the
    server's AUTH_* error, the one that says what is wrong, is gone.  So every connection the client
    opens gets its ``_receive`` wrapped to keep the first hello error, and the first request on a
    connection waits until its hello is answered.

    The client replaces its connection after an error (``HranaClient._open_stream`` opens a new
    ``_conn`` when the old one has failed), so wrapping only the first connection would lose the watch:
    ``_open_conn`` is wrapped too, a failed connection is replaced before the request (so the new
    one's hello is awaited first), and each connection is awaited once.

    This touches private attributes of the pinned version (libsql-client >=0.3.1,<0.4, whose repository
    is archived); tests/test_connection.py checks it against that version and a real sqld.  It can go
    when the client reports a ``hello_error`` to the requests queued behind the hello (e.g. if
    ``HranaConn._receive`` set the connection's exception before it marks the handshake finished).
    HTTP URLs have no hello: nothing is wrapped for them.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self.error: libsql_client.LibsqlError | None = None
        self._awaited: weakref.WeakSet[Any] = weakref.WeakSet()  # connections whose hello was waited for
        # Connections whose server answered with an error: dead, whether or not the client has set their
        # exception yet (it does so in a later callback, which the next request could overtake).
        self._refused: weakref.WeakSet[Any] = weakref.WeakSet()
        open_conn = getattr(client, "_open_conn", None)
        first = getattr(client, "_conn", None)
        if not callable(open_conn) or not callable(getattr(first, "_receive", None)):
            return  # the HTTP client, or a libsql-client that no longer looks like 0.3

        def open_watched() -> Any:
            conn = open_conn()
            self._watch(conn)
            return conn

        self._watch(first)
        client._open_conn = open_watched

    def _watch(self, conn: Any) -> None:
        receive = conn._receive

        def watched(text: str) -> None:
            try:
                receive(text)
            except libsql_client.LibsqlError as exc:
                if self.error is None:
                    self.error = exc
                self._refused.add(conn)
                raise

        conn._receive = watched

    def _replace_failed(self, conn: Any) -> Any:
        """Open the new connection now, as ``HranaClient._open_stream`` would inside the request.

        Done here so that the new connection's hello is awaited before a request is queued behind it:
        otherwise a refused token shows up as the client's own write error, depending on a race.
        """
        close_task = asyncio.ensure_future(conn.close())
        close_tasks = getattr(self._client, "_close_tasks", None)
        if isinstance(close_tasks, set):
            close_tasks.add(close_task)
            close_task.add_done_callback(close_tasks.discard)
        self._client._conn = self._client._open_conn()
        return self._client._conn

    async def settle(self) -> None:
        """Wait for the current connection's hello, once; raise the server's error if it refused."""
        conn = getattr(self._client, "_conn", None)
        if conn is None or not callable(getattr(conn, "wait_connected", None)):
            return  # the HTTP client
        if (conn.exception is not None or conn in self._refused) and not getattr(self._client, "_closed", False):
            conn = self._replace_failed(conn)
        if conn in self._awaited:
            return
        self._awaited.add(conn)
        await conn.wait_connected()
        if self.error is not None:
            raise self.error


class RemoteBackend:
    """A libSQL server over Hrana on a WebSocket (libsql-client also speaks HTTP, but that path is not used)."""

    def __init__(self, target: DatabaseTarget, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        if not os.environ.get("DRIFTGATE_DEBUG"):
            # libsql-client's WebSocket callbacks can fail after a timeout has already decided the
            # outcome (InvalidStateError on a cancelled future); asyncio would print their
            # tracebacks on stderr. The error that matters is raised by _run.
            self._loop.set_exception_handler(lambda loop, context: None)

        async def create() -> libsql_client.Client:
            # aiohttp wants its session created inside the running loop.
            return libsql_client.create_client(target.url, auth_token=target.auth_token)

        try:
            self._client = self._loop.run_until_complete(create())
        except libsql_client.LibsqlError as exc:
            self._loop.close()
            raise InputError(f"--db: {self._clean(str(exc))}") from None
        self._hello = HranaHello(self._client)

    def _clean(self, text: str) -> str:
        return redact(text, (self.target.auth_token,))

    def _fail(self, exc: BaseException) -> DatabaseError:
        where = self.target.display
        if isinstance(exc, asyncio.TimeoutError | TimeoutError):
            return no_answer(where, self.timeout)
        text = self._clean(f"{exc}") or type(exc).__name__
        first = text.splitlines()[0][:300]
        status = getattr(exc, "status", None)  # aiohttp's ClientResponseError (e.g. a refused WebSocket upgrade)
        lowered = text.lower()
        if status in (401, 403) or _AUTH_FAILURE.search(text) or ("auth" in lowered and "token" in lowered):
            return auth_failed(where)
        refused = _connect_failure(exc)
        if refused:
            return DatabaseError(f"{where}: {refused}")
        if isinstance(status, int) or isinstance(exc, KeyError | ValueError) or "HTTP status" in text:
            return not_libsql(where, first)
        return DatabaseError(f"{where}: {first}")

    async def _after_hello(self, coro: Coroutine[Any, Any, Any]) -> Any:
        try:
            await self._hello.settle()
        except BaseException:
            coro.close()  # never started: close it, or Python warns that it was never awaited
            raise
        return await coro

    def _run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        self._hello.error = None  # only a refusal seen during this call explains this call's failure
        try:
            return self._loop.run_until_complete(asyncio.wait_for(self._after_hello(coro), self.timeout))
        except Exception as exc:  # aiohttp, hrana and libsql-client raise many types; all mean "cannot use it"
            # The server's own refusal of the hello says more than whatever failed after it.
            raise self._fail(self._hello.error or exc) from None

    def query(self, sql: str, args: Sequence[Any]) -> list[Row]:
        result = self._run(self._client.execute(sql, list(args)))
        return [tuple(row) for row in result.rows]

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """One request: libSQL runs a batch atomically."""
        stmts = [libsql_client.Statement(sql, list(args)) for sql, args in statements]
        return [rs.rows_affected for rs in self._run(self._client.batch(stmts))]

    def close(self) -> None:
        # Closing a dead connection must not hide the real error.
        with contextlib.suppress(Exception):
            self._loop.run_until_complete(asyncio.wait_for(self._client.close(), 5))
        self._loop.close()
