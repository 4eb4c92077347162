"""Reading the live database: the schema in one round trip, and drizzle's ledger."""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from driftgate.connection import Database
from driftgate.errors import DatabaseError
from driftgate.identifiers import fold_name, quote
from driftgate.introspect import (
    TABLE_NAMES_SQL,
    build_schema,
    chunk_sql,
    merge_documents,
    parse_document,
    sized_introspection_sql,
)
from driftgate.model import Schema, Table, Trigger, View
from driftgate.request import DEFAULT_LEDGER_TABLE
from driftgate.sources.migrations import migrator_number

# Tables per query when one response would be too large: about 1.9 MB of answer for 1,000 plain tables
# (sqld caps one at 10 MB; a chunk still too large is halved). Measured on 4,000 tables: chunks of 500
# took sqld 2.3 s in all, of 1,000 1.3-1.5 s, 0.9 s once the table list was read once per query. Each
# request over HTTP also opens a stream, for which sqld parses the whole schema: 0.14-0.18 s at 4,000
# tables, even for SELECT 1.
CHUNK_TABLES = 1000
# Past this many entries of pragma_table_list the schema is read in chunks straight away: the whole
# document of 4,000 plain tables (6.5 MB) was refused by sqld, after 0.4-0.7 s spent building it, while
# 2,000 (3.3 MB) and 3,000 (4.9 MB) were one answer each.  A wider schema refused below this is still
# read in chunks, after the refusal.
ONE_QUERY_TABLES = 2000


@dataclass(frozen=True)
class LedgerRow:
    hash: str
    created_at: int | float | None  # as the migrator reads it: Number(created_at)


@dataclass(frozen=True)
class SchemaObject:
    """One row of the live ``sqlite_schema`` (what the pending-migration rehearsal rebuilds)."""

    type: str
    name: str
    table: str
    sql: str | None


@dataclass(frozen=True)
class LiveState:
    schema: Schema
    ledger: tuple[LedgerRow, ...] | None  # None: no ledger table yet
    objects: tuple[SchemaObject, ...] = ()  # sqlite_schema as read: what the rehearsal rebuilds


def read_document(db: Database) -> dict[str, list[Any]]:
    """The introspection document, in one query; past ONE_QUERY_TABLES tables, or when the answer is too
    large for the server, in chunks of CHUNK_TABLES tables (sqld caps a response at 10 MB)."""
    try:
        document = parse_document(db.query(sized_introspection_sql(ONE_QUERY_TABLES))[0][0])
    except DatabaseError as exc:
        if not _too_large(exc):
            raise
        names = [row[0] for row in db.query(TABLE_NAMES_SQL)]
    else:
        if "chunk_names" not in document:
            return document
        # TABLE_NAMES_SQL's order (BINARY: UTF-8 bytes, which is code point order, as sorted() has it)
        names = sorted(document["chunk_names"])
    return merge_documents(_read_chunks(db, names))


def _too_large(exc: DatabaseError) -> bool:
    # sqld caps a response (RESPONSE_TOO_LARGE); SQLite caps one string, so the one JSON document of
    # a few thousand tables can be SQLITE_TOOBIG ("string or blob too big") before that.
    text = str(exc)
    upper = text.upper()
    return "RESPONSE_TOO_LARGE" in upper or "SQLITE_TOOBIG" in upper or "too large" in text.lower()


def _read_chunks(db: Database, names: list[str]) -> Iterator[dict[str, list[Any]]]:
    """CHUNK_TABLES tables per query; a chunk whose answer is still too large is halved, down to one table."""
    pending = [names[i : i + CHUNK_TABLES] for i in range(0, len(names), CHUNK_TABLES)]
    while pending:
        chunk = pending.pop(0)
        try:
            yield parse_document(db.query(chunk_sql(chunk))[0][0])
        except DatabaseError as exc:
            if not _too_large(exc):
                raise
            if len(chunk) == 1:
                raise DatabaseError(
                    f"{exc} (table {chunk[0]!r} alone exceeds the server's response size limit)"
                ) from None
            half = len(chunk) // 2
            pending[:0] = [chunk[:half], chunk[half:]]


def has_table(document: dict[str, list[Any]], name: str) -> bool:
    return any(fold_name(row[0]) == fold_name(name) and row[1] == "table" for row in document.get("tables", []))


def ledger_exists(db: Database, table: str) -> bool:
    return bool(db.query("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? COLLATE NOCASE", (table,)))


def read_ledger(db: Database, table: str) -> tuple[LedgerRow, ...]:
    rows = db.query(f"SELECT hash, created_at FROM {quote(table)} ORDER BY created_at")
    # A fractional created_at (a fractional journal `when`, stored by the migrator) is kept, not truncated.
    return tuple(LedgerRow(str(r[0]), migrator_number(r[1])) for r in rows)


@dataclass(frozen=True)
class RawLive:
    """What one round of reading a database returns, before any model is built from it."""

    document: dict[str, list[Any]]
    ledger: tuple[LedgerRow, ...] | None  # None: no ledger table yet


def read_raw(db: Database, ledger_table: str = DEFAULT_LEDGER_TABLE) -> RawLive:
    """The introspection document and drizzle's ledger: all the I/O of a check."""
    document = read_document(db)
    return RawLive(document, read_ledger(db, ledger_table) if has_table(document, ledger_table) else None)


def live_state(
    raw: RawLive,
    *,
    ignore: Iterable[str] = (),
    ledger_table: str = DEFAULT_LEDGER_TABLE,
    known: Iterable[Schema] = (),
) -> LiveState:
    """The live schema, ledger and sqlite_schema rows (pure; no I/O).

    ``known``: the schemas already built for this check (the expected ones): a live table, view or
    trigger whose introspection rows equal one of theirs is that object, not built again
    (:func:`driftgate.introspect.build_schema`).
    """
    objects_by_key: dict[bytes, Table | View | Trigger] = {}
    for schema in known:
        objects_by_key.update(schema.objects_by_key())
    ignore = (*ignore, glob.escape(ledger_table))  # the ledger's name is matched exactly, not as a glob
    objects = tuple(SchemaObject(*row) for row in raw.document.get("objects", []))
    return LiveState(build_schema(raw.document, ignore=ignore, known=objects_by_key), raw.ledger, objects)


def read_live(db: Database, *, ignore: Iterable[str] = (), ledger_table: str = DEFAULT_LEDGER_TABLE) -> LiveState:
    return live_state(read_raw(db, ledger_table), ignore=ignore, ledger_table=ledger_table)
