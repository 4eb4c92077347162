"""Pending-migration rehearsal (DESIGN 4, kind ``migration``): will ``drizzle-kit migrate`` succeed here?

The live schema is rebuilt in a scratch in-memory libSQL database from the live ``sqlite_schema``
SQL, then every journal entry after the expected baseline is applied in order, split as drizzle's
migrator splits a file (on ``--> statement-breakpoint``).  The first entry that fails is
``different`` with the SQLite error and file:line; the ones after it are ``not_compared``.  No data
is copied, so a failure that depends on the rows (a UNIQUE index over duplicates, a NOT NULL column
without a default on a table that has rows) cannot be seen: every message says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import libsql

from driftgate.findings import Finding
from driftgate.live import SchemaObject
from driftgate.model import Location
from driftgate.sources.migrations import MigrationEntry
from driftgate.sources.statements import SqlStatement, is_transaction_control, split_sql_script

BREAKPOINT = "--> statement-breakpoint"  # drizzle-orm's readMigrationFiles splits on exactly this
DATA_CAVEAT = "data is not copied: a failure that depends on the rows cannot be seen"
# Build order: what views, indexes and triggers refer to must exist first.
_BUILD_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}


class RehearsalError(Exception):
    """An entry failed: the SQLite error and where."""

    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.location = location


def _exists(connection: libsql.Connection, name: str) -> bool:
    found = connection.execute("SELECT 1 FROM sqlite_schema WHERE name = ? COLLATE NOCASE", (name,)).fetchall()
    return bool(found)


def rebuild(connection: libsql.Connection, objects: Sequence[SchemaObject]) -> None:
    """The live schema, object by object; SQLite's own and derived objects (FTS5 shadows) come by themselves."""
    connection.execute("PRAGMA foreign_keys = OFF")  # as drizzle's migrator runs
    ordered = sorted(
        (o for o in objects if o.sql and not o.name.lower().startswith("sqlite_")),
        key=lambda o: _BUILD_ORDER.get(o.type, 4),
    )
    for item in ordered:
        if item.type == "table" and _exists(connection, item.name):
            continue  # created by a virtual table or a vector index before it: not for us to create
        assert item.sql is not None
        connection.execute(item.sql)


def migrator_chunks(entry: MigrationEntry) -> list[tuple[str, int]]:
    """The file split as drizzle's migrator splits it, each piece with the line it starts on."""
    pieces = []
    line = 1
    for piece in entry.text.split(BREAKPOINT):
        pieces.append((piece, line))
        line += piece.count("\n")
    return pieces


def _statement(entry: MigrationEntry, chunk: str, line: int) -> SqlStatement:
    """The one statement of a chunk.

    The migrator sends each chunk as one statement.  Measured with drizzle-orm 0.45.4 and
    @libsql/client: over Hrana (sqld, Turso) a chunk of two statements fails with
    SQL_MANY_STATEMENTS; on a local file only the first runs and the rest are silently skipped.
    A chunk with no statement at all (empty, space, comments or a lone ';': drizzle-kit's
    ``generate --custom`` file, a trailing breakpoint, a pull-style file) fails too, on a file with
    SQLITE_UNKNOWN_0 "not an error" and over Hrana with SQL_NO_STATEMENT, rolling everything back.
    """
    statements = split_sql_script(chunk, Location(str(entry.path), line))
    if len(statements) > 1:
        raise RehearsalError(
            f"this chunk holds {len(statements)} statements without `{BREAKPOINT}` between them: the migrator "
            "sends a chunk as one statement (Turso/sqld reject it with SQL_MANY_STATEMENTS; a local file runs "
            "only the first and skips the rest)",
            statements[1].location,
        )
    if not statements:
        raise RehearsalError(
            "this chunk holds no SQL statement (only space or comments): the migrator still sends it, and "
            "SQLite rejects an empty statement (a local file: SQLITE_UNKNOWN_0 'not an error'; Turso/sqld: "
            f"SQL_NO_STATEMENT); put a statement in it or remove it (and a trailing `{BREAKPOINT}`)",
            Location(str(entry.path), line),
        )
    return statements[0]


def apply_entry(connection: libsql.Connection, entry: MigrationEntry) -> None:
    """Run one entry chunk by chunk; the migrator's own transaction makes BEGIN/COMMIT in a file moot."""
    # A pull-style entry (its whole DDL inside a comment) is no exception: its chunk holds no statement.
    for chunk, line in migrator_chunks(entry):
        statement = _statement(entry, chunk, line)
        if is_transaction_control(statement.sql):
            continue
        try:
            connection.execute(statement.sql)
        except Exception as exc:  # libsql raises its own ValueError subclasses
            raise RehearsalError(f"SQLite error: {exc}", statement.location) from None


def _finding(entry: MigrationEntry, status: str, message: str, **values: str | None) -> Finding:
    return Finding(
        source="baseline",
        kind="migration",
        table=None,
        object=entry.tag,
        status=status,
        message=message,
        expected=values.get("expected"),
        actual=values.get("actual"),
        fix=values.get("fix"),
        location=values.get("location", str(entry.path)),
    )


def rehearsal_findings(objects: Sequence[SchemaObject], pending: Sequence[MigrationEntry]) -> list[Finding]:
    """One finding per pending entry: ok until the first failure, then different, then not_compared."""
    if not pending:
        return []
    connection = libsql.connect(":memory:")
    try:
        try:
            rebuild(connection, objects)
        except Exception as exc:
            reason = f"the live schema could not be rebuilt in a scratch database ({exc}); not rehearsed"
            return [_finding(e, "not_compared", reason) for e in pending]
        return _apply_all(connection, pending)
    finally:
        connection.close()


def _apply_all(connection: libsql.Connection, pending: Sequence[MigrationEntry]) -> list[Finding]:
    findings: list[Finding] = []
    failed: MigrationEntry | None = None
    for entry in pending:
        if failed is not None:
            reason = f"not rehearsed: {failed.tag} fails before it, and the migrator stops there"
            findings.append(_finding(entry, "not_compared", reason))
            continue
        try:
            apply_entry(connection, entry)
        except RehearsalError as error:
            failed = entry
            findings.append(
                _finding(
                    entry,
                    "different",
                    f"{entry.tag} fails on a copy of the live schema: drizzle-kit migrate would stop here "
                    f"and roll back every pending migration ({DATA_CAVEAT})",
                    expected="applies",
                    actual=str(error),
                    fix=f"-- {entry.tag} fails at {error.location}: {error}; "
                    "change the migration (or the database) so it applies, then check again",
                    location=str(error.location),
                )
            )
            continue
        message = f"{entry.tag} applies to a copy of the live schema ({DATA_CAVEAT})"
        findings.append(_finding(entry, "ok", message, expected="applies", actual="applies"))
    return findings
