"""Talking to the live database: one small protocol, three backends.

Which client each URL kind uses, and why (measured with libsql-client 0.3.1, libsql 0.1.11, sqld 0.24,
Python 3.11, 2 shared cores under load; import times are cumulative ``python -X importtime`` lines of a
real ``driftgate check`` run):

- ``file:`` URLs and bare paths: Python's ``sqlite3``, opened read-only (``mode=ro``) unless stamping.
  It is the library that can promise ``check`` never writes, and a file needs no server protocol.
- ``http://``, ``https://`` and ``libsql://``: Hrana over HTTP on the standard library
  (:mod:`driftgate.hrana_http`: 0.03-0.04 s of imports, 0.02 s of it the ``ssl`` module that
  ``http.client`` always loads).  Through libsql-client the same URLs cost 0.18-0.28 s of imports
  (aiohttp 0.14-0.22 s) plus a verified SSL context (0.03-0.13 s) that aiohttp builds even for
  ``http://``: a 40-table check over sqld went from 1.13-1.19 s to 0.56-0.76 s (medians of 7).
  ``libsql://h`` is read as ``https://h`` and ``libsql://h:p?tls=0`` as ``http://h:p``: that is what the
  official TypeScript client does by default (@libsql/client 0.18, ``createClient`` expands ``libsql:``
  with ``preferHttp``); :mod:`driftgate.urls` rewrites the URL.
- ``ws://`` and ``wss://``: libsql-client's WebSocket client (:mod:`driftgate.remote`), imported only for
  these URLs.  The ``libsql`` package (libsql-python, used for the shadow database) can answer a
  one-statement read over ``http://`` without syncing a replica, but it reads ``ws://`` as a local file
  name (SQLITE_CANTOPEN), always uses TLS for ``libsql://`` (so ``?tls=0`` against a local sqld fails),
  and its ``execute`` waits for a silent server with no network timeout while holding the GIL (> 45 s,
  no other thread ran): ``--timeout`` and exit 3 could not be kept.

Every call has a timeout and every failure becomes a :class:`DatabaseError` (exit 3) whose message
names the database without its credentials; the wording of the failures both remote clients share is
kept here (``auth_failed``, ``no_answer``, ``not_libsql``, ``cannot_connect``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
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


def auth_failed(where: str) -> DatabaseError:
    return DatabaseError(f"{where}: authentication failed (check the auth token)")


def no_answer(where: str, timeout: float) -> DatabaseError:
    return DatabaseError(f"{where}: no answer within {timeout:g} s (--timeout)")


def not_libsql(where: str, detail: str) -> DatabaseError:
    """Something answered, but not the Hrana protocol: a web server, a proxy, a wrong port."""
    return DatabaseError(f"{where}: does not answer like a libSQL server ({detail})")


def locked(where: str, timeout: float) -> DatabaseError:
    """Another connection holds a lock on a file database (BEGIN EXCLUSIVE, locking_mode=EXCLUSIVE) past --timeout."""
    return DatabaseError(
        f"{where}: the database is locked by another connection and stayed locked for {timeout:g} s (--timeout)"
    )


def is_lock_error(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED (any extended code): a lock held elsewhere, not a bad file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def cannot_connect(host: str, port: int | str, error: OSError) -> str:
    """ "cannot connect to h:p (reason)": the host, the port and the system's reason, what a user can act on."""
    return f"cannot connect to {host}:{port} ({connect_reason(error)})"


def connect_reason(error: OSError) -> str:
    """The system's reason a connection failed ("Connection refused"), or the error's own words."""
    import socket  # loaded by then: only a remote client calls this

    errno = error.errno
    if isinstance(error, socket.gaierror) or not errno or errno < 0:
        return error.strerror or str(error)
    return os.strerror(errno)


class FileBackend:
    """A SQLite/libSQL file through Python's sqlite3: read-only unless ``writable``."""

    def __init__(self, target: DatabaseTarget, timeout: float, writable: bool) -> None:
        path = target.file_path
        assert path is not None
        self.display = target.display
        self.timeout = timeout
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
            if is_lock_error(exc):  # the file is fine: someone else holds it (exit 3, like a timeout)
                raise locked(self.display, timeout) from None
            raise InputError(f"--db: {path} is not a readable SQLite database ({exc})") from None

    def query(self, sql: str, args: Sequence[Any]) -> list[Row]:
        try:
            return [tuple(r) for r in self._connection.execute(sql, tuple(args)).fetchall()]
        except sqlite3.Error as exc:
            if is_lock_error(exc):
                raise locked(self.display, self.timeout) from None
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

    def limit_wait(self, seconds: float) -> None:
        """Wait at most this long for another connection's lock from now on (SQLite's busy timeout)."""
        self.timeout = max(seconds, 0.0)
        self._connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")

    def close(self) -> None:
        self._connection.close()


# A fleet opens databases from many threads: the clients' first import (http.client, aiohttp, with their
# import cycles) happens in one thread at a time, as sqlglot's does (normalize.load_parser).
_CLIENT_IMPORT = threading.Lock()


class Database:
    """One open database, file or remote.  Use as a context manager."""

    def __init__(self, target: DatabaseTarget, *, timeout: float = 30.0, writable: bool = False) -> None:
        self.target = target
        self.timeout = timeout
        self._backend: Backend
        if target.file_path is not None:
            self._backend = FileBackend(target, timeout, writable)
        elif target.url.startswith(("http://", "https://")):  # libsql:// URLs arrive rewritten to these
            with _CLIENT_IMPORT:
                from driftgate.hrana_http import HttpBackend

            self._backend = HttpBackend(target, timeout)
        else:
            with _CLIENT_IMPORT:
                from driftgate.remote import RemoteBackend  # aiohttp and libsql-client only for ws:// and wss://

            self._backend = RemoteBackend(target, timeout)

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[Row]:
        return self._backend.query(sql, args)

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """Run statements atomically, all of them or none (one request for remote databases).

        Returns the number of rows each statement changed.
        """
        return self._backend.batch(statements)

    def limit_wait(self, seconds: float) -> None:
        """A file's busy timeout from now on (a remote request keeps its own --timeout)."""
        if isinstance(self._backend, FileBackend):
            self._backend.limit_wait(seconds)

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
