"""Statements whose failure the application ignores (``SqlStatement.tolerated``): replayed as the code runs them.

``try { ALTER TABLE users ADD COLUMN name TEXT } catch {}`` lets an app start on old and new databases; on a
fresh one SQLite refuses the ALTER (the CREATE TABLE already has the column) and the app goes on.  The
replay does the same: a tolerated statement is applied where SQLite accepts it and skipped where SQLite
refuses it (a refused statement changes nothing).
"""

from __future__ import annotations

import dataclasses

from driftgate.model import Location, Schema
from driftgate.shadow import shadow_schema
from driftgate.sources.statements import SqlStatement, split_sql_script


def _tolerate(statements: list[SqlStatement], *indexes: int) -> list[SqlStatement]:
    return [
        dataclasses.replace(s, tolerated="s.sql:1 catches its error") if i in indexes else s
        for i, s in enumerate(statements)
    ]


def _column_line(model: Schema, table: str, column: str) -> int | None:
    found = next(t for t in model.tables if t.name == table)
    location = next(c.location for c in found.columns if c.name == column)
    assert location is not None
    return location.line


def test_locations_follow_what_was_applied() -> None:
    script = split_sql_script(
        "CREATE TABLE t (a integer, b text);\n"  # 1
        "ALTER TABLE t ADD COLUMN b text;\n"  # 2: tolerated, refused
        "ALTER TABLE t DROP COLUMN b;\n"  # 3
        "ALTER TABLE t ADD COLUMN b text;\n"  # 4: tolerated, applied
        "ALTER TABLE t ADD COLUMN b text;\n"  # 5: tolerated, refused
        "CREATE TABLE t (a integer, b text, c text);\n"  # 6: tolerated, refused (t exists)
        "CREATE TABLE u (x integer);\n"  # 7
        "ALTER TABLE u ADD COLUMN y text;\n"  # 8: tolerated, applied
        "ALTER TABLE u ADD COLUMN y text;\n",  # 9: tolerated, refused
        Location("s.sql", 1),
    )
    model = shadow_schema(_tolerate(script, 1, 3, 4, 5, 7, 8))
    table = next(t for t in model.tables if t.name == "t")
    assert [c.name for c in table.columns] == ["a", "b"] and table.location == Location("s.sql", 1)
    assert _column_line(model, "t", "a") == 1 and _column_line(model, "t", "b") == 4
    assert _column_line(model, "u", "y") == 8
    assert model == shadow_schema(_tolerate(script, 1, 3, 4, 5, 7, 8), bin_size=None)
