"""Talking to the live database: libsql-client for remote URLs, sqlite3 for files.

Every call has a timeout and every failure becomes a :class:`DatabaseError`
(exit 3) whose message names the database without its credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

import libsql_client

from driftgate.errors import DatabaseError, InputError
from driftgate.urls import DatabaseTarget, redact

Row = tuple[Any, ...]
Statement = tuple[str, Sequence[Any]]

# A rejected credential, as libsql-client reports it: Hrana's AUTH_* error codes (WebSocket), or the
# HTTP status of a refused request. Matched on the status, never on any "401" (a port may hold it).
_AUTH_FAILURE = re.compile(r"(?i)^AUTH_[A-Z_]*:|HTTP status 40[13]\b|\bunauthori[sz]ed\b|authentication failed")


class Database:
    """One open database.  Use as a context manager."""

    def __init__(self, target: DatabaseTarget, *, timeout: float = 30.0, writable: bool = False) -> None:
        self.target = target
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: libsql_client.Client | None = None
        self._file: sqlite3.Connection | None = None
        self._handshake_pending = True
        self._hello_error: libsql_client.LibsqlError | None = None  # the server's answer to the Hrana hello
        if target.file_path is not None:
            self._open_file(writable)
        else:
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
            self._watch_hello()

    def _watch_hello(self) -> None:
        """Keep the server's own error from the WebSocket hello (a rejected token: AUTH_JWT_INVALID ...).

        libsql-client 0.3 loses it: after a hello_error the server closes the socket, and the client's
        attempt to close it too ("Cannot write to closing transport") replaces the server's error.
        """
        conn = getattr(self._client, "_conn", None)  # HranaConn, for ws/wss URLs only
        receive = getattr(conn, "_receive", None)
        if not callable(receive):
            return

        def watched(text: str) -> None:
            try:
                receive(text)
            except libsql_client.LibsqlError as exc:
                if self._hello_error is None:
                    self._hello_error = exc
                raise

        conn._receive = watched  # type: ignore[union-attr]

    def _open_file(self, writable: bool) -> None:
        path = self.target.file_path
        assert path is not None
        if not path.is_file():
            raise InputError(f"--db: database file {path} does not exist")
        mode = "rw" if writable else "ro"
        try:
            self._file = sqlite3.connect(
                # Percent-encode the path: a '#', '?' or '%' in it would otherwise end the path early,
                # drop mode=ro and let SQLite create (and check) some other, empty file.
                f"{path.resolve().as_uri()}?mode={mode}",
                uri=True,
                timeout=self.timeout,
                isolation_level=None,
            )
            self._file.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"--db: {path} is not a readable SQLite database ({exc})") from None

    def _clean(self, text: str) -> str:
        return redact(text, (self.target.auth_token,))

    def _fail(self, exc: BaseException) -> DatabaseError:
        where = self.target.display
        if isinstance(exc, asyncio.TimeoutError | TimeoutError):
            return DatabaseError(f"{where}: no answer within {self.timeout:g} s (--timeout)")
        text = self._clean(f"{exc}") or type(exc).__name__
        first = text.splitlines()[0][:300]
        status = getattr(exc, "status", None)  # aiohttp's ClientResponseError (e.g. a refused WebSocket upgrade)
        lowered = text.lower()
        if status in (401, 403) or _AUTH_FAILURE.search(text) or ("auth" in lowered and "token" in lowered):
            return DatabaseError(f"{where}: authentication failed (check the auth token)")
        if isinstance(status, int) or isinstance(exc, KeyError | ValueError) or "HTTP status" in text:
            # Something answered, but not the Hrana protocol: a web server, a proxy, a wrong port.
            return DatabaseError(f"{where}: does not answer like a libSQL server ({first})")
        return DatabaseError(f"{where}: {first}")

    async def _after_handshake(self, coro: Any) -> Any:
        """Over WebSocket, let the Hrana hello finish before the first request is sent.

        A server that rejects the token answers the hello with an error and closes the socket; a request
        queued behind the hello would then fail to write, and that error would hide the real one.
        """
        conn = getattr(self._client, "_conn", None)  # libsql-client's HranaConn (ws/wss URLs only)
        try:
            if self._handshake_pending and callable(getattr(conn, "wait_connected", None)):
                self._handshake_pending = False
                await conn.wait_connected()  # type: ignore[union-attr]
                if self._hello_error is not None:
                    raise self._hello_error
        except BaseException:
            coro.close()  # never started: close it, or Python warns that it was never awaited
            raise
        return await coro

    def _run(self, coro: Any) -> Any:
        assert self._loop is not None
        try:
            return self._loop.run_until_complete(asyncio.wait_for(self._after_handshake(coro), self.timeout))
        except Exception as exc:  # aiohttp, hrana and libsql-client raise many types; all mean "cannot use it"
            raise self._fail(exc) from None

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        if self._file is not None:
            try:
                return [tuple(r) for r in self._file.execute(sql, tuple(args)).fetchall()]
            except sqlite3.Error as exc:
                raise DatabaseError(f"{self.target.display}: {exc}") from None
        assert self._client is not None
        result = self._run(self._client.execute(sql, list(args)))
        return [tuple(row) for row in result.rows]

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """Run statements atomically, all of them or none (one request for remote databases).

        Returns the number of rows each statement changed.
        """
        if self._file is not None:
            cursor = self._file.cursor()
            results: list[int] = []
            try:
                cursor.execute("BEGIN IMMEDIATE")
                for sql, args in statements:
                    cursor.execute(sql, tuple(args))
                    results.append(max(cursor.rowcount, 0))
                cursor.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._file.in_transaction:
                    cursor.execute("ROLLBACK")
                raise DatabaseError(f"{self.target.display}: {exc}") from None
            return results
        assert self._client is not None
        stmts = [libsql_client.Statement(sql, list(args)) for sql, args in statements]
        return [rs.rows_affected for rs in self._run(self._client.batch(stmts))]

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        if self._client is not None and self._loop is not None:
            # Closing a dead connection must not hide the real error.
            with contextlib.suppress(Exception):
                self._loop.run_until_complete(asyncio.wait_for(self._client.close(), 5))
            self._loop.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
