"""Columns of matched tables: presence, then type, NOT NULL, default and collation, each its own finding.

Each attribute has its own entry (:data:`COLUMN_ATTRIBUTES`: how it is shown, when two are the same,
the finding of a difference), as Alembic's autogenerate compares type, nullable and server default
separately; the canonical forms they compare come from :mod:`driftgate.normalize`.  Column order is
not compared: SQLite reads and writes by name, and drizzle never reorders an existing table.
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
        parts.append(_notnull_shown(column))
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
    source = c.source
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
            location = where(column.location)
            if actual is column:  # one object on both sides: every attribute matches, each shown once
                for kind, shown, _same, ok_message, _differs in COLUMN_ATTRIBUTES:
                    text = shown(column)
                    yield ok_finding(source, kind, table.name, obj, text, text, ok_message, location)
                continue
            for kind, shown, same, ok_message, differs in COLUMN_ATTRIBUTES:
                if same(column, actual):
                    yield ok_finding(source, kind, table.name, obj, shown(column), shown(actual), ok_message, location)
                else:
                    yield differs(c, ColumnPair(table, column, actual, obj, location))
        for actual in () if same_table else live.columns:
            if table.column(actual.name) is None:
                obj = f"{table.name}.{actual.name}"
                drop = f"ALTER TABLE {quote_if_needed(table.name)} DROP COLUMN {quote_if_needed(actual.name)}"
                fix = f"-- add {actual.name} to the schema, or (destructive) {drop};"
                yield c.unexpected("column", table.name, obj, f"column {obj}", column_definition(actual), fix)


class ColumnPair(NamedTuple):
    """One expected column and its live counterpart that differ in an attribute, with what its finding names."""

    table: Table
    expected: Column
    actual: Column
    obj: str  # "<table>.<column>", as every finding of the pair names it
    where: str | None  # the expected column's location

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


Differs = Callable[[Comparison, ColumnPair], Finding]


class ColumnAttribute(NamedTuple):
    """One attribute compared for every column present on both sides, each its own finding.

    ``same`` decides; ``shown`` is how a finding of a match shows each side; ``differs`` builds the
    finding of a difference (its message and fix are built only then: most columns match, and the
    rebuild text is costly).  ``same`` is reflexive, so a column compared with itself is a match.
    """

    kind: str
    shown: Callable[[Column], str]
    same: Callable[[Column, Column], bool]
    ok_message: str
    differs: Differs


def _differs(kind: str, shown: Callable[[Column], str], what: str, change: str) -> Differs:
    """The finding of a difference in ``kind``: both sides ``shown``, "<what> differs", a table rebuild to fix."""

    def differs(c: Comparison, pair: ColumnPair) -> Finding:
        return pair.different(
            c,
            kind,
            shown(pair.expected),
            shown(pair.actual),
            f"{pair.obj}: {what} differs",
            _rebuild(pair.table, pair.expected, change),
        )

    return differs


def _generated_text(column: Column) -> str:
    if column.generated_kind is None:
        return "(not generated)"
    return f"GENERATED ALWAYS AS ({column.generated}) {column.generated_kind}"


def _type_shown(column: Column) -> str:
    return column.declared_type or "(none)"


def _notnull_shown(column: Column) -> str:
    if not column.not_null:
        return "NULL"
    return f"NOT NULL ON CONFLICT {column.not_null_conflict}" if column.not_null_conflict else "NOT NULL"


def _notnull_same(a: Column, b: Column) -> bool:
    return a.not_null == b.not_null and a.not_null_conflict == b.not_null_conflict


def _notnull_differs(c: Comparison, pair: ColumnPair) -> Finding:
    column, actual = pair.expected, pair.actual
    if column.not_null == actual.not_null:  # the same constraint, another conflict resolution
        expected, found = _notnull_shown(column), _notnull_shown(actual)
        differs = f"{pair.obj}: {expected} expected, the database has {found}"
        fix = _rebuild(pair.table, column, "change an ON CONFLICT clause")
        return pair.different(c, "notnull", expected, found, differs, fix)
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
    return pair.different(c, "notnull", _notnull_shown(column), _notnull_shown(actual), differs, fix)


def _default_shown(column: Column) -> str:
    return column.default if column.default is not None else "(none)"


def _collation_shown(column: Column) -> str:
    return column.collation.upper()


# Run in this order for every column present on both sides (as Alembic's autogenerate compares type,
# nullable and server default separately).  The "column" finding says the column exists; a generated
# column's definition must match too.
COLUMN_ATTRIBUTES: tuple[ColumnAttribute, ...] = (
    ColumnAttribute(
        "column",
        lambda column: column.name,
        lambda a, b: a.generated_kind == b.generated_kind and a.generated == b.generated,
        "column exists",
        _differs("column", _generated_text, "generated column definition", "change a generated column"),
    ),
    ColumnAttribute(
        "type",
        _type_shown,
        lambda a, b: canonical_type(a.declared_type) == canonical_type(b.declared_type),
        "declared type matches",
        _differs("type", _type_shown, "declared type", "change a column type"),
    ),
    ColumnAttribute("notnull", _notnull_shown, _notnull_same, "nullability matches", _notnull_differs),
    ColumnAttribute(
        "default",
        _default_shown,
        lambda a, b: a.default == b.default,
        "default matches",
        _differs("default", _default_shown, "default", "change a default"),
    ),
    ColumnAttribute(
        "collation",
        _collation_shown,
        lambda a, b: a.collation.upper() == b.collation.upper(),
        "collation matches",
        _differs("collation", _collation_shown, "collation", "change a collation"),
    ),
)


def _pk_index(table: Table) -> Index | None:
    return next((i for i in table.indexes if i.origin == "pk"), None)


def _pk_parts(index: Index) -> list[tuple[str, bool, str]]:
    """Key order, DESC and collation of the primary key (PRIMARY KEY (a DESC, b COLLATE NOCASE))."""
    return [(fold_name(p.column) if p.column else "", p.descending, p.collation.upper()) for p in index.parts]


def _pk_text(index: Index) -> str:
    return f"PRIMARY KEY ({', '.join(p.render() for p in index.parts)})"


def compare_primary_keys(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        key_columns = table.primary_key_columns
        expected, actual = tuple(k.name for k in key_columns), live.primary_key
        # Where the expected primary key is defined: its first column, else the table.
        location = key_columns[0].location if key_columns else table.location
        if not expected and not actual:
            continue
        obj = f"{table.name}.{','.join(expected or actual)}"
        expected_text = f"PRIMARY KEY ({', '.join(expected)})" if expected else "(none)"
        if live is table:  # one object on both sides (a live table built from the same rows)
            yield c.finding(
                "primary_key",
                table.name,
                obj,
                "ok",
                expected=expected_text,
                actual=expected_text,
                message="primary key matches",
                location=location,
            )
            continue
        same = tuple(fold_name(n) for n in expected) == tuple(fold_name(n) for n in actual)
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
        if same and table.primary_key_conflict != live.primary_key_conflict:
            # PRIMARY KEY ... ON CONFLICT REPLACE: a clashing insert deletes the row it clashes with.
            same = False
            message = f"{table.name}: the primary key resolves conflicts otherwise"
        if table.primary_key_conflict and expected:
            expected_text += f" ON CONFLICT {table.primary_key_conflict}"
        if live.primary_key_conflict and actual:
            actual_text += f" ON CONFLICT {live.primary_key_conflict}"
        status = "ok" if same else ("missing" if not actual else "unexpected" if not expected else "different")
        yield c.finding(
            "primary_key",
            table.name,
            obj,
            status,
            expected=expected_text,
            actual=actual_text,
            message="primary key matches" if same else message,
            fix=None if same else f"-- SQLite cannot change a primary key in place: rebuild {table.name}",
            location=location,
        )
