"""Talking to the live database: libsql-client for remote URLs, sqlite3 for files.

Every call has a timeout and every failure becomes a :class:`DatabaseError`
(exit 3) whose message names the database without its credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from typing import Any

import libsql_client

from driftgate.errors import DatabaseError, InputError
from driftgate.urls import DatabaseTarget, redact

Row = tuple[Any, ...]
Statement = tuple[str, Sequence[Any]]


class Database:
    """One open database.  Use as a context manager."""

    def __init__(self, target: DatabaseTarget, *, timeout: float = 30.0, writable: bool = False) -> None:
        self.target = target
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: libsql_client.Client | None = None
        self._file: sqlite3.Connection | None = None
        if target.file_path is not None:
            self._open_file(writable)
        else:
            self._loop = asyncio.new_event_loop()

            async def create() -> libsql_client.Client:
                # aiohttp wants its session created inside the running loop.
                return libsql_client.create_client(target.url, auth_token=target.auth_token)

            try:
                self._client = self._loop.run_until_complete(create())
            except libsql_client.LibsqlError as exc:
                self._loop.close()
                raise InputError(f"--db: {self._clean(str(exc))}") from None

    def _open_file(self, writable: bool) -> None:
        path = self.target.file_path
        assert path is not None
        if not path.is_file():
            raise InputError(f"--db: database file {path} does not exist")
        mode = "rw" if writable else "ro"
        try:
            self._file = sqlite3.connect(
                f"file:{path.resolve()}?mode={mode}", uri=True, timeout=self.timeout, isolation_level=None
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
        lowered = text.lower()
        if "401" in text or "unauthori" in lowered or "auth" in lowered and "token" in lowered:
            return DatabaseError(f"{where}: authentication failed (check the auth token)")
        return DatabaseError(f"{where}: {text.splitlines()[0][:300]}")

    def _run(self, coro: Any) -> Any:
        assert self._loop is not None
        try:
            return self._loop.run_until_complete(asyncio.wait_for(coro, self.timeout))
        except (TimeoutError, libsql_client.LibsqlError, OSError, ValueError, KeyError) as exc:
            raise self._fail(exc) from None
        except Exception as exc:  # aiohttp and hrana raise many types; all mean "cannot use it"
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
