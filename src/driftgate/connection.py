"""Talking to the live database: one small protocol, two backends.

Which client each URL kind uses, and why (measured with libsql-client 0.3.1, libsql 0.1.11, sqld 0.24):

- ``file:`` URLs and bare paths: Python's ``sqlite3``, opened read-only (``mode=ro``) unless stamping.
  It is the library that can promise ``check`` never writes, and a file needs no server protocol.
- ``http(s)://``, ``ws(s)://``, ``libsql://``: libsql-client (:mod:`driftgate.remote`).  The ``libsql``
  package (libsql-python, used for the shadow database) can answer a one-statement read over
  ``http://`` without syncing a replica, but it reads ``ws://`` as a local file name (SQLITE_CANTOPEN),
  always uses TLS for ``libsql://`` (so ``?tls=0`` against a local sqld fails), and its ``execute``
  waits for a silent server with no network timeout while holding the GIL (> 45 s, no other thread
  ran): ``--timeout`` and exit 3 could not be kept.  One remote client for every remote URL kind.

Every call has a timeout and every failure becomes a :class:`DatabaseError` (exit 3) whose message
names the database without its credentials.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

from driftgate.errors import DatabaseError, InputError
from driftgate.urls import DatabaseTarget, missing_file_message

Row = tuple[Any, ...]
Statement = tuple[str, Sequence[Any]]


class Backend(Protocol):
    """What a database must answer: reads, an atomic batch of writes, and close."""

    def query(self, sql: str, args: Sequence[Any]) -> list[Row]: ...

    def batch(self, statements: Sequence[Statement]) -> list[int]: ...

    def close(self) -> None: ...


class FileBackend:
    """A SQLite/libSQL file through Python's sqlite3: read-only unless ``writable``."""

    def __init__(self, target: DatabaseTarget, timeout: float, writable: bool) -> None:
        path = target.file_path
        assert path is not None
        self.display = target.display
        if not path.is_file():
            raise InputError(missing_file_message(path))
        mode = "rw" if writable else "ro"
        try:
            self._connection = sqlite3.connect(
                # Percent-encode the path: a '#', '?' or '%' in it would otherwise end the path early,
                # drop mode=ro and let SQLite create (and check) some other, empty file.
                f"{path.resolve().as_uri()}?mode={mode}",
                uri=True,
                timeout=timeout,
                isolation_level=None,
            )
            self._connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"--db: {path} is not a readable SQLite database ({exc})") from None

    def query(self, sql: str, args: Sequence[Any]) -> list[Row]:
        try:
            return [tuple(r) for r in self._connection.execute(sql, tuple(args)).fetchall()]
        except sqlite3.Error as exc:
            raise DatabaseError(f"{self.display}: {exc}") from None

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """One IMMEDIATE transaction: all statements or none."""
        cursor = self._connection.cursor()
        results: list[int] = []
        try:
            cursor.execute("BEGIN IMMEDIATE")
            for sql, args in statements:
                cursor.execute(sql, tuple(args))
                results.append(max(cursor.rowcount, 0))
            cursor.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._connection.in_transaction:
                cursor.execute("ROLLBACK")
            raise DatabaseError(f"{self.display}: {exc}") from None
        return results

    def close(self) -> None:
        self._connection.close()


class Database:
    """One open database, file or remote.  Use as a context manager."""

    def __init__(self, target: DatabaseTarget, *, timeout: float = 30.0, writable: bool = False) -> None:
        self.target = target
        self.timeout = timeout
        self._backend: Backend
        if target.file_path is not None:
            self._backend = FileBackend(target, timeout, writable)
        else:
            from driftgate.remote import RemoteBackend  # aiohttp and libsql-client only when a URL needs them

            self._backend = RemoteBackend(target, timeout)

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        return self._backend.query(sql, args)

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """Run statements atomically, all of them or none (one request for remote databases).

        Returns the number of rows each statement changed.
        """
        return self._backend.batch(statements)

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
