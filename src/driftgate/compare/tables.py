"""Tables present on one side only; a missing or unexpected table is one finding."""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.compare.context import Comparison
from driftgate.compare.indexes import create_index_sql
from driftgate.findings import Finding, plural
from driftgate.identifiers import quote_if_needed
from driftgate.model import Table


def _create_table_sql(table: Table) -> str:
    """The table and its named indexes: a missing table is one finding, so its fix carries both."""
    statements = [(table.definition or f"CREATE TABLE {quote_if_needed(table.name)} (...)").rstrip().rstrip(";") + ";"]
    statements += [create_index_sql(index) for index in table.indexes if not index.is_auto]
    return "\n".join(statements)


def compare_tables(c: Comparison) -> Iterator[Finding]:
    for table in c.expected.tables:
        live = c.actual.table(table.name)
        if live is None:
            yield c.finding(
                "table",
                table.name,
                table.name,
                "missing",
                expected=plural(len(table.columns), "column"),
                message=f"table {table.name} is expected but the database has no such table",
                fix=_create_table_sql(table),
                location=table.location,
            )
        elif live.kind != table.kind:
            yield c.finding(
                "table",
                table.name,
                table.name,
                "different",
                expected=table.kind,
                actual=live.kind,
                message=f"{table.name} is a {live.kind} table in the database, a {table.kind} table in {c.source}",
                fix=f"-- rebuild {table.name} as a {table.kind} table",
                location=table.location,
            )
        else:
            yield c.finding(
                "table",
                table.name,
                table.name,
                "ok",
                expected=plural(len(table.columns), "column"),
                actual=plural(len(live.columns), "column"),
                message="table exists",
                location=table.location,
            )
    for live in c.actual.tables:
        if c.expected.table(live.name) is None:
            drop = f"DROP TABLE {quote_if_needed(live.name)}"
            fix = f"-- add {live.name} to the schema, or (destructive) {drop};"
            columns = plural(len(live.columns), "column")
            yield c.unexpected("table", live.name, live.name, f"table {live.name}", columns, fix)
