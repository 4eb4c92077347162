"""Columns of matched tables: presence, then type, NOT NULL, default and collation, each its own finding.

Column order is not compared: SQLite reads and writes by name, and drizzle
never reorders an existing table.
"""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.compare.context import Comparison
from driftgate.findings import Finding
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
        for column in table.columns:
            obj = f"{table.name}.{column.name}"
            actual = live.column(column.name)
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
            yield from _column_details(c, table, column, actual)
        for actual in live.columns:
            if table.column(actual.name) is None:
                obj = f"{table.name}.{actual.name}"
                yield c.finding(
                    "column",
                    table.name,
                    obj,
                    "unexpected",
                    actual=column_definition(actual),
                    message=f"the database has column {obj}, which {c.source} does not define",
                    fix=f"-- add {actual.name} to the schema, or (destructive) "
                    f"ALTER TABLE {quote_if_needed(table.name)} DROP COLUMN {quote_if_needed(actual.name)};",
                )


def _column_details(c: Comparison, table: Table, column: Column, actual: Column) -> Iterator[Finding]:
    obj = f"{table.name}.{column.name}"
    at = column.location

    generated = (column.generated_kind, column.generated)
    live_generated = (actual.generated_kind, actual.generated)
    if generated != live_generated:
        yield c.finding(
            "column",
            table.name,
            obj,
            "different",
            expected=_generated_text(column),
            actual=_generated_text(actual),
            message=f"{obj}: generated column definition differs",
            fix=_rebuild(table, column, "change a generated column"),
            location=at,
        )
    else:
        yield c.finding(
            "column",
            table.name,
            obj,
            "ok",
            expected=column.name,
            actual=actual.name,
            message="column exists",
            location=at,
        )

    same_type = canonical_type(column.declared_type) == canonical_type(actual.declared_type)
    yield c.finding(
        "type",
        table.name,
        obj,
        "ok" if same_type else "different",
        expected=column.declared_type or "(none)",
        actual=actual.declared_type or "(none)",
        message="declared type matches" if same_type else f"{obj}: declared type differs",
        fix=None if same_type else _rebuild(table, column, "change a column type"),
        location=at,
    )

    same_null = column.not_null == actual.not_null
    message = "nullability matches"
    fix = None if same_null else _rebuild(table, column, "change NOT NULL")
    if not same_null and column.not_null and column.pk_position and actual.pk_position:
        # Measured with drizzle-kit 0.31.11: a single-column primaryKey({ columns: [t.col] }) in the
        # table's extra config generates `col text PRIMARY KEY` without NOT NULL, as legacy DDL has it.
        fix = (
            f"-- keep the database: in the drizzle schema replace {column.name}'s .primaryKey() with "
            f"primaryKey({{ columns: [table.<{column.name} property>] }}) in the table's extra config, "
            f"then regenerate\n{fix}"
        )
    if not same_null:
        message = (
            f"{obj}: {'NOT NULL' if column.not_null else 'nullable'} expected, the database has "
            f"{'NOT NULL' if actual.not_null else 'nullable'}"
        )
        if column.pk_position and actual.pk_position:  # either side may be the nullable legacy one
            message += (
                " (legacy quirk: SQLite allows NULL in a non-INTEGER PRIMARY KEY unless NOT NULL is declared;"
                " drizzle's .primaryKey() always adds NOT NULL)"
            )
    yield c.finding(
        "notnull",
        table.name,
        obj,
        "ok" if same_null else "different",
        expected="NOT NULL" if column.not_null else "NULL",
        actual="NOT NULL" if actual.not_null else "NULL",
        message=message,
        fix=fix,
        location=at,
    )

    same_default = column.default == actual.default
    yield c.finding(
        "default",
        table.name,
        obj,
        "ok" if same_default else "different",
        expected=column.default if column.default is not None else "(none)",
        actual=actual.default if actual.default is not None else "(none)",
        message="default matches" if same_default else f"{obj}: default differs",
        fix=None if same_default else _rebuild(table, column, "change a default"),
        location=at,
    )

    same_coll = column.collation.upper() == actual.collation.upper()
    yield c.finding(
        "collation",
        table.name,
        obj,
        "ok" if same_coll else "different",
        expected=column.collation.upper(),
        actual=actual.collation.upper(),
        message="collation matches" if same_coll else f"{obj}: collation differs",
        fix=None if same_coll else _rebuild(table, column, "change a collation"),
        location=at,
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
