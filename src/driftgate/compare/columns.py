"""Columns of matched tables: presence, then type, NOT NULL, default and collation, each its own finding.

Each attribute has its own function (:data:`COLUMN_ATTRIBUTES`), as Alembic's autogenerate compares
type, nullable and server default separately; the canonical forms they compare come from
:mod:`driftgate.normalize`.  Column order is not compared: SQLite reads and writes by name, and drizzle
never reorders an existing table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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
            pair = ColumnPair(table, column, actual)
            yield from (attribute(c, pair) for attribute in COLUMN_ATTRIBUTES)
        for actual in live.columns:
            if table.column(actual.name) is None:
                obj = f"{table.name}.{actual.name}"
                drop = f"ALTER TABLE {quote_if_needed(table.name)} DROP COLUMN {quote_if_needed(actual.name)}"
                fix = f"-- add {actual.name} to the schema, or (destructive) {drop};"
                yield c.unexpected("column", table.name, obj, f"column {obj}", column_definition(actual), fix)


@dataclass(frozen=True)
class ColumnPair:
    """One expected column and its live counterpart, with what every attribute finding names."""

    table: Table
    expected: Column
    actual: Column

    @property
    def obj(self) -> str:
        return f"{self.table.name}.{self.expected.name}"


def _attribute_finding(
    c: Comparison,
    pair: ColumnPair,
    kind: str,
    same: bool,
    expected: str,
    actual: str,
    *,
    matches: str,
    differs: str,
    fix: Callable[[], str] | None = None,
) -> Finding:
    """The finding of one column attribute: ok, or different with the message and the fix.

    ``fix`` is built only for a difference: most columns match, and the rebuild text is costly.
    """
    return c.finding(
        kind,
        pair.table.name,
        pair.obj,
        "ok" if same else "different",
        expected=expected,
        actual=actual,
        message=matches if same else differs,
        fix=None if same or fix is None else fix(),
        location=pair.expected.location,
    )


def compare_generated(c: Comparison, pair: ColumnPair) -> Finding:
    """The ``column`` finding of a column present on both sides: it exists; generated ones must match."""
    column, actual = pair.expected, pair.actual
    same = (column.generated_kind, column.generated) == (actual.generated_kind, actual.generated)
    return _attribute_finding(
        c,
        pair,
        "column",
        same,
        column.name if same else _generated_text(column),
        actual.name if same else _generated_text(actual),
        matches="column exists",
        differs=f"{pair.obj}: generated column definition differs",
        fix=lambda: _rebuild(pair.table, column, "change a generated column"),
    )


def compare_type(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    return _attribute_finding(
        c,
        pair,
        "type",
        canonical_type(column.declared_type) == canonical_type(actual.declared_type),
        column.declared_type or "(none)",
        actual.declared_type or "(none)",
        matches="declared type matches",
        differs=f"{pair.obj}: declared type differs",
        fix=lambda: _rebuild(pair.table, column, "change a column type"),
    )


def compare_notnull(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    both_keys = bool(column.pk_position and actual.pk_position)

    def fix() -> str:
        rebuild = _rebuild(pair.table, column, "change NOT NULL")
        if column.not_null and both_keys:
            # Measured with drizzle-kit 0.31.11: a single-column primaryKey({ columns: [t.col] }) in the
            # table's extra config generates `col text PRIMARY KEY` without NOT NULL, as legacy DDL has it.
            return (
                f"-- keep the database: in the drizzle schema replace {column.name}'s .primaryKey() with "
                f"primaryKey({{ columns: [table.<{column.name} property>] }}) in the table's extra config, "
                f"then regenerate\n{rebuild}"
            )
        return rebuild

    differs = (
        f"{pair.obj}: {'NOT NULL' if column.not_null else 'nullable'} expected, the database has "
        f"{'NOT NULL' if actual.not_null else 'nullable'}"
    )
    if both_keys:  # either side may be the nullable legacy one
        differs += (
            " (legacy quirk: SQLite allows NULL in a non-INTEGER PRIMARY KEY unless NOT NULL is declared;"
            " drizzle's .primaryKey() always adds NOT NULL)"
        )
    return _attribute_finding(
        c,
        pair,
        "notnull",
        column.not_null == actual.not_null,
        "NOT NULL" if column.not_null else "NULL",
        "NOT NULL" if actual.not_null else "NULL",
        matches="nullability matches",
        differs=differs,
        fix=fix,
    )


def compare_default(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    return _attribute_finding(
        c,
        pair,
        "default",
        column.default == actual.default,
        column.default if column.default is not None else "(none)",
        actual.default if actual.default is not None else "(none)",
        matches="default matches",
        differs=f"{pair.obj}: default differs",
        fix=lambda: _rebuild(pair.table, column, "change a default"),
    )


def compare_collation(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    expected, found = column.collation.upper(), actual.collation.upper()
    return _attribute_finding(
        c,
        pair,
        "collation",
        expected == found,
        expected,
        found,
        matches="collation matches",
        differs=f"{pair.obj}: collation differs",
        fix=lambda: _rebuild(pair.table, column, "change a collation"),
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
