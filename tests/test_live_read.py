"""When the live read takes the schema in chunks of tables, and that chunks give the same schema."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from driftgate.errors import DatabaseError
from driftgate.live import _too_large


@pytest.mark.parametrize(
    "message",
    [
        "http://127.0.0.1:8080: RESPONSE_TOO_LARGE: Response is too large",
        # What a stock sqld answered for the one-shot query over 4,000 tables (15 columns, 3 indexes each).
        "http://127.0.0.1:8080: SQLITE_TOOBIG: SQLite error: string or blob too big",
    ],
)
def test_a_too_large_answer_is_read_in_chunks(message: str) -> None:
    assert _too_large(DatabaseError(message))


@pytest.mark.parametrize(
    "message",
    ["http://127.0.0.1:8080: SQLITE_ERROR: no such table: x", "http://127.0.0.1:8080: connection refused"],
)
def test_other_errors_are_not_retried_in_chunks(message: str) -> None:
    assert not _too_large(DatabaseError(message))


def _many_tables(path: Path, tables: int) -> Path:

    statements = ["BEGIN;"]
    for t in range(tables):
        parent = f", p integer REFERENCES t{t - 1:04d}(id) ON DELETE CASCADE" if t else ""
        statements.append(f"CREATE TABLE t{t:04d} (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'x'{parent});")
        statements.append(f"CREATE INDEX t{t:04d}_name ON t{t:04d} (name DESC);")
    statements += [
        "CREATE VIEW v_first AS SELECT id FROM t0000;",
        f"CREATE TRIGGER tr_last AFTER INSERT ON T{tables - 1:04d} BEGIN SELECT 1; END;",  # the name as written
        "COMMIT;",
    ]
    connection = sqlite3.connect(path)
    connection.executescript("\n".join(statements))
    connection.close()
    return path


def test_a_schema_past_one_query_is_read_in_chunks_without_a_refused_attempt(tmp_path: Path) -> None:
    """More tables than ONE_QUERY_TABLES: one query answers with the names, then chunks; same schema."""
    from driftgate import live
    from driftgate.connection import Database
    from driftgate.introspect import INTROSPECTION_SQL, TABLE_NAMES_SQL, build_schema, parse_document
    from driftgate.urls import resolve_database

    path = _many_tables(tmp_path / "many.db", live.ONE_QUERY_TABLES + 50)
    with Database(resolve_database(f"file:{path}", None, {}), timeout=60) as db:
        asked: list[str] = []
        real_query = db.query

        def spying(sql: str, *args: Any) -> list[tuple[Any, ...]]:
            asked.append(sql)
            return real_query(sql, *args)

        db.query = spying  # type: ignore[method-assign]
        chunked = live.read_document(db)
        whole = parse_document(real_query(INTROSPECTION_SQL)[0][0])
    assert len(asked) == 1 + 3  # the sized query answered with names; 2,053 entries make three chunks
    assert TABLE_NAMES_SQL not in asked and INTROSPECTION_SQL not in asked
    assert "chunk_names" not in chunked
    assert build_schema(chunked) == build_schema(whole)  # tables, columns, indexes, keys, views, triggers
    assert sorted(map(tuple, chunked["objects"])) == sorted(map(tuple, whole["objects"]))


def test_a_schema_within_one_query_is_read_in_one(tmp_path: Path) -> None:
    from driftgate import live
    from driftgate.connection import Database
    from driftgate.introspect import INTROSPECTION_SQL, parse_document
    from driftgate.urls import resolve_database

    path = _many_tables(tmp_path / "some.db", 1000)  # the bench's size: never chunked
    with Database(resolve_database(f"file:{path}", None, {}), timeout=60) as db:
        assert live.read_document(db) == parse_document(db.query(INTROSPECTION_SQL)[0][0])
