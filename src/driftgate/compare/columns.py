"""Columns of matched tables: presence, then type, NOT NULL, default and collation, each its own finding.

Each attribute has its own function (:data:`COLUMN_ATTRIBUTES`), as Alembic's autogenerate compares
type, nullable and server default separately; the canonical forms they compare come from
:mod:`driftgate.normalize`.  Column order is not compared: SQLite reads and writes by name, and drizzle
never reorders an existing table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from driftgate.compare.context import Comparison
from driftgate.findings import Finding, new_finding, ok_finding, where
from driftgate.identifiers import fold_name, quote_if_needed
from driftgate.model import Column, Index, Table
from driftgate.normalize import canonical_type


def column_definition(column: Column) -> str:
    parts = [quote_if_needed(column.name)]
    if column.declared_type:
        parts.append(column.declared_type)
    if column.not_null:
        parts.append("NOT NULL")
    if column.default is not None:
        parts.append(f"DEFAULT ({column.default})" if not _is_literal(column.default) else f"DEFAULT {column.default}")
    if column.collation.upper() != "BINARY":
        parts.append(f"COLLATE {column.collation}")
    return " ".join(parts)


def _is_literal(text: str) -> bool:
    return (
        text.startswith("'")
        or text.lstrip("-").replace(".", "", 1).isdigit()
        or text.upper()
        in (
            "NULL",
            "CURRENT_TIMESTAMP",
            "CURRENT_DATE",
            "CURRENT_TIME",
        )
    )


def _rebuild(table: Table, column: Column, what: str) -> str:
    return (
        f"-- SQLite cannot {what} in place: rebuild {table.name} (CREATE TABLE {table.name}_new with "
        f"{column_definition(column)}, INSERT INTO {table.name}_new SELECT ..., DROP TABLE {table.name}, "
        f"ALTER TABLE {table.name}_new RENAME TO {table.name}); on libSQL: "
        f"ALTER TABLE {quote_if_needed(table.name)} ALTER COLUMN {quote_if_needed(column.name)} "
        f"TO {column_definition(column)};"
    )


def compare_columns(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        same_table = live is table  # built from the same rows (introspect.build_schema's known tables)
        for column in table.columns:
            obj = f"{table.name}.{column.name}"
            actual = column if same_table else live.column(column.name)
            if actual is None:
                yield c.finding(
                    "column",
                    table.name,
                    obj,
                    "missing",
                    expected=column_definition(column),
                    message=f"column {obj} is expected but the database table has no such column",
                    fix=f"ALTER TABLE {quote_if_needed(table.name)} ADD COLUMN {column_definition(column)};",
                    location=column.location,
                )
                continue
            pair = ColumnPair(table, column, actual, obj, where(column.location))
            for attribute in COLUMN_ATTRIBUTES:
                yield attribute(c, pair)
        for actual in () if same_table else live.columns:
            if table.column(actual.name) is None:
                obj = f"{table.name}.{actual.name}"
                drop = f"ALTER TABLE {quote_if_needed(table.name)} DROP COLUMN {quote_if_needed(actual.name)}"
                fix = f"-- add {actual.name} to the schema, or (destructive) {drop};"
                yield c.unexpected("column", table.name, obj, f"column {obj}", column_definition(actual), fix)


class ColumnPair(NamedTuple):
    """One expected column and its live counterpart, with what every attribute finding names.

    Each attribute function answers with :meth:`ok` or :meth:`different`; the message and fix of a
    difference are built only then (most columns match, and the rebuild text is costly).
    """

    table: Table
    expected: Column
    actual: Column
    obj: str  # "<table>.<column>", as every finding of the pair names it
    where: str | None  # the expected column's location

    def ok(self, c: Comparison, kind: str, expected: str, actual: str, message: str) -> Finding:
        return ok_finding(c.source, kind, self.table.name, self.obj, expected, actual, message, self.where)

    def different(self, c: Comparison, kind: str, expected: str, actual: str, message: str, fix: str) -> Finding:
        return new_finding(
            c.source,
            kind,
            self.table.name,
            self.obj,
            "different",
            message,
            expected=expected,
            actual=actual,
            fix=fix,
            location=self.where,
        )


def compare_generated(c: Comparison, pair: ColumnPair) -> Finding:
    """The ``column`` finding of a column present on both sides: it exists; generated ones must match."""
    column, actual = pair.expected, pair.actual
    if column.generated_kind == actual.generated_kind and column.generated == actual.generated:
        return pair.ok(c, "column", column.name, actual.name, "column exists")
    return pair.different(
        c,
        "column",
        _generated_text(column),
        _generated_text(actual),
        f"{pair.obj}: generated column definition differs",
        _rebuild(pair.table, column, "change a generated column"),
    )


def compare_type(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    expected, found = column.declared_type or "(none)", actual.declared_type or "(none)"
    if canonical_type(column.declared_type) == canonical_type(actual.declared_type):
        return pair.ok(c, "type", expected, found, "declared type matches")
    return pair.different(
        c,
        "type",
        expected,
        found,
        f"{pair.obj}: declared type differs",
        _rebuild(pair.table, column, "change a column type"),
    )


def compare_notnull(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    expected, found = "NOT NULL" if column.not_null else "NULL", "NOT NULL" if actual.not_null else "NULL"
    if column.not_null == actual.not_null:
        return pair.ok(c, "notnull", expected, found, "nullability matches")
    both_keys = bool(column.pk_position and actual.pk_position)
    differs = (
        f"{pair.obj}: {'NOT NULL' if column.not_null else 'nullable'} expected, the database has "
        f"{'NOT NULL' if actual.not_null else 'nullable'}"
    )
    fix = _rebuild(pair.table, column, "change NOT NULL")
    if both_keys:  # either side may be the nullable legacy one
        differs += (
            " (legacy quirk: SQLite allows NULL in a non-INTEGER PRIMARY KEY unless NOT NULL is declared;"
            " drizzle's .primaryKey() always adds NOT NULL)"
        )
        if column.not_null:
            # Measured with drizzle-kit 0.31.11: a single-column primaryKey({ columns: [t.col] }) in the
            # table's extra config generates `col text PRIMARY KEY` without NOT NULL, as legacy DDL has it.
            fix = (
                f"-- keep the database: in the drizzle schema replace {column.name}'s .primaryKey() with "
                f"primaryKey({{ columns: [table.<{column.name} property>] }}) in the table's extra config, "
                f"then regenerate\n{fix}"
            )
    return pair.different(c, "notnull", expected, found, differs, fix)


def compare_default(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    expected = column.default if column.default is not None else "(none)"
    found = actual.default if actual.default is not None else "(none)"
    if column.default == actual.default:
        return pair.ok(c, "default", expected, found, "default matches")
    return pair.different(
        c, "default", expected, found, f"{pair.obj}: default differs", _rebuild(pair.table, column, "change a default")
    )


def compare_collation(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    expected, found = column.collation.upper(), actual.collation.upper()
    if expected == found:
        return pair.ok(c, "collation", expected, found, "collation matches")
    return pair.different(
        c,
        "collation",
        expected,
        found,
        f"{pair.obj}: collation differs",
        _rebuild(pair.table, column, "change a collation"),
    )


# One function per attribute, run in this order for every column present on both sides (as Alembic's
# autogenerate compares type, nullable and server default separately).
COLUMN_ATTRIBUTES: tuple[Callable[[Comparison, ColumnPair], Finding], ...] = (
    compare_generated,
    compare_type,
    compare_notnull,
    compare_default,
    compare_collation,
)


def _generated_text(column: Column) -> str:
    if column.generated_kind is None:
        return "(not generated)"
    return f"GENERATED ALWAYS AS ({column.generated}) {column.generated_kind}"


def _pk_index(table: Table) -> Index | None:
    return next((i for i in table.indexes if i.origin == "pk"), None)


def _pk_parts(index: Index) -> list[tuple[str, bool, str]]:
    """Key order, DESC and collation of the primary key (PRIMARY KEY (a DESC, b COLLATE NOCASE))."""
    return [(fold_name(p.column) if p.column else "", p.descending, p.collation.upper()) for p in index.parts]


def _pk_text(index: Index) -> str:
    return f"PRIMARY KEY ({', '.join(p.render() for p in index.parts)})"


def compare_primary_keys(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        expected, actual = table.primary_key, live.primary_key
        if not expected and not actual:
            continue
        obj = f"{table.name}.{','.join(expected or actual)}"
        same = tuple(fold_name(n) for n in expected) == tuple(fold_name(n) for n in actual)
        expected_text = f"PRIMARY KEY ({', '.join(expected)})" if expected else "(none)"
        actual_text = f"PRIMARY KEY ({', '.join(actual)})" if actual else "(none)"
        # PRIMARY KEY (a COLLATE NOCASE) shows only in its autoindex (a rowid alias has none).
        pk_index, live_pk_index = _pk_index(table), _pk_index(live)
        message = f"{table.name}: primary key differs"
        if same and (pk_index is None) != (live_pk_index is None):
            # A rowid alias (INTEGER PRIMARY KEY) has no pk autoindex; INTEGER PRIMARY KEY DESC or
            # INT PRIMARY KEY does: they behave differently (an insert without the key fails).
            same = False
            message = f"{table.name}: the primary key is a rowid alias on one side only"
            expected_text += " (rowid alias)" if pk_index is None else ""
            actual_text += " (rowid alias)" if live_pk_index is None else ""
        elif same and pk_index is not None and live_pk_index is not None:
            same = _pk_parts(pk_index) == _pk_parts(live_pk_index)
            if not same:
                expected_text, actual_text = _pk_text(pk_index), _pk_text(live_pk_index)
        status = "ok" if same else ("missing" if not actual else "unexpected" if not expected else "different")
        first = table.column(expected[0]) if expected else None
        yield c.finding(
            "primary_key",
            table.name,
            obj,
            status,
            expected=expected_text,
            actual=actual_text,
            message="primary key matches" if same else message,
            fix=None if same else f"-- SQLite cannot change a primary key in place: rebuild {table.name}",
            location=first.location if first else table.location,
        )
