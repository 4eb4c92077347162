"""A drizzle-kit SQLite snapshot (``meta/NNNN_snapshot.json``) rendered as DDL.

A pull-style baseline has no executable SQL; its snapshot is what drizzle-kit
diffs against later, so that is the truth about the baseline (DESIGN 4).  The
DDL is rendered the way drizzle-kit's generate writes it, then executed in the
shadow database like any other source.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from driftgate.errors import InputError
from driftgate.identifiers import quote_backtick as _q
from driftgate.model import Location
from driftgate.sources.statements import SqlStatement


def _column_sql(column: dict[str, Any], inline_pk: bool) -> str:
    text = f"{_q(column['name'])} {column.get('type', '')}".rstrip()
    if inline_pk and column.get("primaryKey"):
        text += " PRIMARY KEY"
        if column.get("autoincrement"):
            text += " AUTOINCREMENT"
    if column.get("notNull"):
        text += " NOT NULL"
    if "default" in column and column["default"] is not None:
        default = column["default"]
        if isinstance(default, bool):
            default = int(default)
        text += f" DEFAULT {default}"
    generated = column.get("generated")
    if isinstance(generated, dict) and generated.get("as"):
        text += f" GENERATED ALWAYS AS {generated['as']} {str(generated.get('type', 'virtual')).upper()}"
    return text


def _table_statements(table: dict[str, Any], location: Location) -> list[SqlStatement]:
    name = table["name"]
    columns = list(table.get("columns", {}).values())
    composite = list(table.get("compositePrimaryKeys", {}).values())
    lines = [_column_sql(c, inline_pk=not composite) for c in columns]
    for pk in composite:
        lines.append(f"PRIMARY KEY({', '.join(_q(c) for c in pk['columns'])})")
    for fk in table.get("foreignKeys", {}).values():
        lines.append(
            f"FOREIGN KEY ({', '.join(_q(c) for c in fk['columnsFrom'])}) REFERENCES {_q(fk['tableTo'])}"
            f"({', '.join(_q(c) for c in fk['columnsTo'])}) ON UPDATE {fk.get('onUpdate') or 'no action'} "
            f"ON DELETE {fk.get('onDelete') or 'no action'}"
        )
    for check in table.get("checkConstraints", {}).values():
        lines.append(f"CONSTRAINT {_q(check['name'])} CHECK({check['value']})")
    body = ",\n\t".join(lines)
    statements = [SqlStatement(f"CREATE TABLE {_q(name)} (\n\t{body}\n);", location)]
    for unique in table.get("uniqueConstraints", {}).values():
        cols = ", ".join(_q(c) for c in unique["columns"])
        statements.append(SqlStatement(f"CREATE UNIQUE INDEX {_q(unique['name'])} ON {_q(name)} ({cols});", location))
    for index in table.get("indexes", {}).values():
        cols = ", ".join(c if not c.replace("_", "").isalnum() else _q(c) for c in index["columns"])
        where = f" WHERE {index['where']}" if index.get("where") else ""
        unique = "UNIQUE " if index.get("isUnique") else ""
        statements.append(
            SqlStatement(f"CREATE {unique}INDEX {_q(index['name'])} ON {_q(name)} ({cols}){where};", location)
        )
    return statements


def snapshot_statements(path: Path) -> list[SqlStatement]:
    try:
        snapshot = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise InputError(
            f"{path}: snapshot not found (a pull-style baseline is compared through its snapshot)"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(snapshot, dict) or snapshot.get("dialect") not in ("sqlite", "turso"):
        raise InputError(f"{path}: not a drizzle SQLite snapshot")
    location = Location(str(path), 1)
    statements: list[SqlStatement] = []
    for table in snapshot.get("tables", {}).values():
        statements.extend(_table_statements(table, location))
    for view in snapshot.get("views", {}).values():
        if view.get("definition"):
            statements.append(SqlStatement(f"CREATE VIEW {_q(view['name'])} AS {view['definition']};", location))
    return statements
