"""``--drizzle``: read Drizzle ``sqlite-core`` TypeScript schema files without node (issue 9).

The files are parsed with tree-sitter and evaluated just far enough to build
drizzle's tables (:mod:`.evaluate`, :mod:`.builders`); :mod:`.render` then writes
the SQL drizzle-kit 0.31 ``generate`` would write for them, each statement located
at the TypeScript line that defines it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from driftgate.errors import InputError
from driftgate.sources.drizzle.evaluate import Program
from driftgate.sources.drizzle.modules import schema_files
from driftgate.sources.drizzle.render import render_table, render_view
from driftgate.sources.drizzle.unresolved import commonjs_file, unresolved_export
from driftgate.sources.drizzle.values import Table, Unknown, View
from driftgate.sources.statements import SqlStatement

__all__ = ["drizzle_source", "read_drizzle_schema", "render_drizzle_sql", "schema_files"]

CASINGS = ("snake_case", "camelCase")


@dataclass
class DrizzleSchema:
    files: list[Path]
    statements: list[SqlStatement]
    warnings: list[str] = field(default_factory=list)


def read_drizzle_schema(paths: Sequence[Path], casing: str | None = None) -> DrizzleSchema:
    """Tables and views the files export, as drizzle-kit collects them, rendered to SQL."""
    if casing is not None and casing not in CASINGS:
        raise InputError(f"drizzle casing {casing!r}: expected one of {', '.join(CASINGS)}")
    files = schema_files(paths)
    try:
        return _read(files, casing)
    except RecursionError:  # names or calls nested beyond Python's stack: bad input, not a crash
        raise InputError(f"--drizzle: {', '.join(map(str, paths))}: definitions nest too deep to read") from None


def _read(files: list[Path], casing: str | None) -> DrizzleSchema:
    program = Program()
    tables: list[Table] = []
    views: list[View] = []
    # exports whose value is unknown but may be a table: not compared, never dropped (keyed by file:line)
    unresolved: dict[str, SqlStatement] = {}
    for file in files:
        module = program.module(file)
        for name, value in program.exports(module):
            if isinstance(value, Table) and not any(value is t for t in tables):
                tables.append(value)
            elif isinstance(value, View) and not any(value is v for v in views):
                views.append(value)
            elif isinstance(value, Unknown) and (found := unresolved_export(program, module, name, value)):
                unresolved.setdefault(str(found.location), found)
        if (cjs := commonjs_file(module)) is not None:
            unresolved.setdefault(str(cjs.location), cjs)
    statements: list[SqlStatement] = []
    for table in _unique_names(tables):
        statements.extend(render_table(program, table, casing))
    seen_sql: set[str] = set()
    for view in views:
        statement = render_view(view, casing)
        if statement is not None and statement.sql not in seen_sql:
            seen_sql.add(statement.sql)
            statements.append(statement)
    statements.extend(unresolved.values())
    return DrizzleSchema(files, statements, program.warnings)


def _unique_names(tables: list[Table]) -> list[Table]:
    """drizzle-kit keys its snapshot by table name: a later table of the same name replaces the earlier one."""
    by_name: dict[str, Table] = {}
    for table in tables:
        by_name[table.name] = table
    return list(by_name.values())


def drizzle_source(paths: Sequence[Path], casing: str | None = None):  # -> ExpectedSource
    from driftgate.sources import ExpectedSource

    schema = read_drizzle_schema(paths, casing)
    if not schema.statements:
        raise InputError(f"--drizzle: no sqliteTable or sqliteView exported by {', '.join(map(str, paths))}")
    detail = f"{len(schema.statements)} statements from {len(schema.files)} schema files"
    if schema.warnings:
        detail += "; " + "; ".join(schema.warnings)
    return ExpectedSource("drizzle", tuple(map(str, schema.files)), tuple(schema.statements), detail)


def render_drizzle_sql(paths: Sequence[Path], casing: str | None = None) -> str:
    """The SQL text drizzle-kit ``generate`` would write (statements joined by ``--> statement-breakpoint``).

    A statement the reader could not read is a ``-- driftgate: not compared: ...`` comment in its place.
    """
    schema = read_drizzle_schema(paths, casing)
    return "--> statement-breakpoint\n".join(_text(s) for s in schema.statements)


def _text(statement: SqlStatement) -> str:
    if not statement.unresolved:
        return statement.sql
    reason = " ".join((statement.reason or "; ".join(statement.unresolved)).split())
    return f"-- driftgate: not compared ({statement.location}): {reason}\n"
