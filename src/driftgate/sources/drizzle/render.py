"""Turn evaluated drizzle tables and views into the SQL drizzle-kit 0.31 ``generate`` writes.

The rules follow drizzle-kit's sqlite serializer and SQL generator: column clauses in the
order PRIMARY KEY, AUTOINCREMENT, DEFAULT, GENERATED, NOT NULL; composite primary key,
inline foreign keys and named CHECKs after the columns; every unique (column or
constraint) as ``CREATE UNIQUE INDEX``; each table followed by its indexes; views last.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from driftgate.errors import InputError
from driftgate.model import Location
from driftgate.sources.drizzle.evaluate import js_number
from driftgate.sources.drizzle.values import (
    UNDEFINED,
    BigInt,
    Column,
    ColumnBuilder,
    ExtraBuilder,
    Function,
    Identifier,
    JsDate,
    Param,
    Sql,
    Table,
    Unknown,
    View,
)
from driftgate.sources.statements import SqlStatement

if TYPE_CHECKING:
    from driftgate.sources.drizzle.evaluate import Program

_WORDS = re.compile(r"[\da-z]+|[A-Z]+(?![a-z])|[A-Z][\da-z]+")


def apply_casing(name: str, casing: str | None) -> str:
    """drizzle-orm's toSnakeCase / toCamelCase."""
    words = _WORDS.findall(name.replace("'", "").replace("\u2019", ""))
    if casing == "snake_case":
        return "_".join(w.lower() for w in words)
    if casing == "camelCase":
        return "".join(w.lower() if i == 0 else w[0].upper() + w[1:] for i, w in enumerate(words))
    return name


def column_name(builder: ColumnBuilder, casing: str | None) -> str:
    return apply_casing(builder.name, casing) if builder.key_as_name and casing else builder.name


class _CannotRender(Exception):
    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.reason)
        self.unknown = unknown


def sql_text(value: Sql, casing: str | None, mode: str) -> str:
    """drizzle's SQL.toQuery: mode "indexes" (bare column names), "query" (table-qualified), "default" (strict)."""
    out: list[str] = []
    for chunk in value.chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif isinstance(chunk, Sql):
            out.append(sql_text(chunk, casing, mode))
        elif isinstance(chunk, Unknown):
            raise _CannotRender(chunk)
        elif mode == "default":
            # drizzle-kit renders defaults with escapeName/escapeParam that throw
            raise _CannotRender(Unknown("a sql`` default may hold only text and sql.raw(): drizzle-kit rejects it"))
        elif isinstance(chunk, Column):
            name = f'"{column_name(chunk.builder, casing)}"'
            out.append(name if mode == "indexes" else f'"{chunk.table.name}".{name}')
        elif isinstance(chunk, (Table, Identifier)):
            out.append(f'"{chunk.name}"')
        elif isinstance(chunk, Param):
            # drizzle-kit writes a bound-parameter `?` for a JS value interpolated here, which SQLite rejects
            # in a CHECK, an index WHERE or a view: the migration would fail, so there is nothing to compare.
            raise _CannotRender(
                Unknown(
                    f"drizzle-kit writes `?` for the JavaScript value {chunk.value!r} inside sql`` (SQLite rejects "
                    "the statement); write the value into the sql`` text or use sql.raw()"
                )
            )
        else:
            raise _CannotRender(Unknown(f"sql`` chunk {chunk!r}"))
    return "".join(out)


def json_text(value: Any) -> str | None:
    """JSON.stringify(value) for plain values (numbers spelled as JavaScript spells them); None if not plain."""
    if isinstance(value, dict):
        parts = []
        for key, item in sorted(value.items(), key=_js_key_order):
            if item is UNDEFINED or isinstance(item, Function):
                continue  # JSON.stringify skips them in objects
            text = json_text(item)
            if text is None:
                return None
            parts.append(json.dumps(key, ensure_ascii=False) + ":" + text)
        return "{" + ",".join(parts) + "}"
    if isinstance(value, list):
        items = ["null" if item is UNDEFINED else json_text(item) for item in value]
        return None if None in items else "[" + ",".join(t for t in items if t is not None) + "]"
    if isinstance(value, JsDate):
        return f'"{value.iso}"'
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return js_number(value) if value == value and value not in (float("inf"), float("-inf")) else "null"
    return None


def _js_key_order(entry: tuple[str, Any]) -> tuple[int, int]:
    """A JS object's own keys: array-index keys ("0", "404") first in numeric order, then the rest as inserted."""
    key = entry[0]
    if key.isdigit() and key.isascii() and (key == "0" or not key.startswith("0")) and int(key) < 2**32 - 1:
        return (0, int(key))
    return (1, 0)  # sorted() is stable: the other keys keep their insertion order


def default_text(value: Any, casing: str | None) -> str:
    if isinstance(value, Unknown):
        raise _CannotRender(value)
    if isinstance(value, Sql):
        return sql_text(value, casing, "default")
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, JsDate):
        return f"'\"{value.iso}\"'"  # typeof Date is 'object': drizzle-kit writes '${JSON.stringify(value)}'
    if isinstance(value, BigInt):
        raise _CannotRender(Unknown("drizzle-kit 0.31 cannot serialize a BigInt default (generate fails)"))
    if value is None or isinstance(value, (dict, list)):
        text = json_text(value)
        if text is not None and "'" in text:
            raise _CannotRender(
                Unknown("drizzle-kit 0.31 writes this JSON default with its ' unescaped, which is invalid SQL")
            )
        if text is not None:
            return f"'{text}'"
    raise _CannotRender(Unknown("a default value driftgate cannot know"))


@dataclass
class Rendered:
    """The statements of one schema and what could not be compared in them."""

    statements: list[SqlStatement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Index:
    name: str
    columns: list[tuple[str, bool]]  # (text, is expression)
    unique: bool
    where: str | None
    location: Location


def _reason(unknown: Unknown) -> str:
    where = f" ({unknown.location})" if unknown.location else ""
    return f"{unknown.reason}{where}"


def render_table(program: Program, table: Table, casing: str | None) -> list[SqlStatement]:
    """CREATE TABLE and its CREATE INDEX statements, or one not-compared statement."""
    try:
        return _render_table(program, table, casing)
    except _CannotRender as problem:
        return [_not_compared_table(table, problem.unknown)]


def _not_compared_table(table: Table, unknown: Unknown) -> SqlStatement:
    return SqlStatement(
        f"CREATE TABLE `{table.name}` (...)",
        unknown.location or table.location,
        unresolved=(unknown.reason,),
        reason=f"the drizzle schema of table {table.name} holds something driftgate cannot read: {_reason(unknown)}",
    )


def _column_of(value: Any, table: Table) -> Column:
    if isinstance(value, Column):
        return value
    if isinstance(value, Unknown):
        raise _CannotRender(value)
    raise _CannotRender(Unknown(f"{value!r} is not a column", table.location))


@dataclass
class _Clause:
    """One column of a CREATE TABLE as drizzle-kit writes it."""

    builder: ColumnBuilder
    name: str
    primary_key: bool
    default: str | None = None
    generated: str | None = None

    def sql(self) -> str:
        clause = f"`{self.name}` {self.builder.sql_type}"
        clause += " PRIMARY KEY" if self.primary_key else ""
        clause += " AUTOINCREMENT" if self.builder.autoincrement else ""
        clause += f" DEFAULT {self.default}" if self.default is not None else ""
        clause += f" GENERATED ALWAYS AS {self.generated}" if self.generated is not None else ""
        return clause + (" NOT NULL" if self.builder.not_null else "")


def _render_table(program: Program, table: Table, casing: str | None) -> list[SqlStatement]:
    if table.problems:
        raise _CannotRender(table.problems[0])
    extras = _extras(program, table)
    items: list[tuple[str, str, str, Location]] = []
    columns = [_clause(program, table, builder, casing, items) for builder in table.columns.values()]
    indexes = _column_uniques(table, columns)
    composite = _primary_keys(table, extras, columns, casing)
    foreign_keys = _foreign_keys(program, table, extras, casing)
    unreadable = _extra_indexes(table, extras, casing, indexes)
    _unique_constraints(table, extras, casing, indexes)
    checks = _checks(table, extras, casing)
    create, line_map = _create_table(table, columns, composite, foreign_keys, checks)
    statements = [SqlStatement(create, table.location, not_compared_items=tuple(items), line_map=line_map)]
    statements.extend(_index_statement(table, index) for index in indexes.values())
    return statements + unreadable


def _clause(
    program: Program,
    table: Table,
    builder: ColumnBuilder,
    casing: str | None,
    items: list[tuple[str, str, str, Location]],
) -> _Clause:
    """A column's clause; a default that cannot be known is left out and reported in ``items``."""
    clause = _Clause(builder, column_name(builder, casing), builder.primary_key)
    if builder.default is not UNDEFINED:
        try:
            clause.default = default_text(builder.default, casing)
        except _CannotRender as problem:
            reason = problem.unknown.reason
            if isinstance(builder.default, Unknown):
                reason = f"{reason}: it has no fixed value (drizzle-kit writes the value of the moment it runs)"
            items.append(
                ("default", f"{table.name}.{clause.name}", reason, builder.default_location or builder.location)
            )
    if builder.generated is not None:
        expression, mode = builder.generated
        if isinstance(expression, Function):
            expression = program.call_function(expression, [])
        if isinstance(expression, Sql):
            text = f"({sql_text(expression, casing, 'indexes')})"
        elif isinstance(expression, str):
            text = f"({expression})"
        else:
            raise _CannotRender(Unknown(f"generatedAlwaysAs of {clause.name}", builder.location))
        clause.generated = f"{text} {mode.upper()}"
    return clause


def _column_uniques(table: Table, columns: list[_Clause]) -> dict[str, _Index]:
    """``.unique()`` columns come first among the indexes, named after the key (not the cased name)."""
    indexes: dict[str, _Index] = {}
    for clause in columns:
        if clause.builder.is_unique:
            name = clause.builder.unique_name or f"{table.name}_{clause.builder.name}_unique"
            if name in indexes:
                raise InputError(f"{clause.builder.location}: duplicate unique constraint name {name} in {table.name}")
            indexes[name] = _Index(name, [(clause.name, False)], True, None, clause.builder.location)
    return indexes


def _primary_keys(
    table: Table, extras: list[ExtraBuilder], columns: list[_Clause], casing: str | None
) -> list[list[str]]:
    """Composite keys; a one-column primaryKey({ columns }) marks its column (without NOT NULL)."""
    composite: list[list[str]] = []
    for extra in (e for e in extras if e.kind == "primaryKey"):
        pk_columns = [_column_of(c, table) for c in extra.columns]
        if len(pk_columns) > 1:
            composite.append([column_name(c.builder, casing) for c in pk_columns])
        elif pk_columns:
            for clause in columns:
                if clause.builder is pk_columns[0].builder:
                    clause.primary_key = True
    return composite


def _extra_indexes(
    table: Table, extras: list[ExtraBuilder], casing: str | None, indexes: dict[str, _Index]
) -> list[SqlStatement]:
    """Add the third argument's indexes; return the ones that cannot be read as not-compared statements."""
    unreadable: list[SqlStatement] = []
    for extra in (e for e in extras if e.kind in ("index", "uniqueIndex")):
        assert extra.name is not None
        try:
            index = _index_of(extra, table, casing)
        except _CannotRender as problem:
            indexes.pop(extra.name, None)
            unreadable.append(
                SqlStatement(
                    f"CREATE INDEX `{extra.name}` ON `{table.name}` (...)",
                    extra.location,
                    unresolved=(problem.unknown.reason,),
                    reason=f"index {extra.name} of table {table.name}: {_reason(problem.unknown)}",
                )
            )
            continue
        _put(indexes, index)
    return unreadable


def _unique_constraints(
    table: Table, extras: list[ExtraBuilder], casing: str | None, indexes: dict[str, _Index]
) -> None:
    for extra in (e for e in extras if e.kind == "unique"):
        unique_columns = [_column_of(c, table) for c in extra.columns]
        name = extra.name or f"{table.name}_{'_'.join(c.builder.name for c in unique_columns)}_unique"
        if name in indexes:
            raise InputError(f"{extra.location}: duplicate unique constraint name {name} in {table.name}")
        keys = [(column_name(c.builder, casing), False) for c in unique_columns]
        indexes[name] = _Index(name, keys, True, None, extra.location)


def _checks(table: Table, extras: list[ExtraBuilder], casing: str | None) -> list[tuple[str, str]]:
    checks: list[tuple[str, str]] = []
    for extra in (e for e in extras if e.kind == "check"):
        if any(name == extra.name for name, _ in checks):
            raise InputError(f"{extra.location}: duplicate check constraint name {extra.name} in {table.name}")
        checks.append((str(extra.name), sql_text(extra.value, casing, "query")))
    return checks


def _create_table(
    table: Table,
    columns: list[_Clause],
    composite: list[list[str]],
    foreign_keys: dict[str, Any],
    checks: list[tuple[str, str]],
) -> tuple[str, tuple[int, ...]]:
    """drizzle-kit's CREATE TABLE text, and the TypeScript line of each of its lines."""
    table_line = table.location.line or 1
    lines = ["\t" + clause.sql() for clause in columns]
    line_map = [table_line, *(clause.builder.location.line or table_line for clause in columns)]
    lines.extend("\tPRIMARY KEY(" + ", ".join(f"`{c}`" for c in pk) + ")" for pk in composite)
    for fk in foreign_keys.values():
        lines.append(
            f"\tFOREIGN KEY ({','.join(f'`{c}`' for c in fk['from'])}) REFERENCES `{fk['table']}`"
            f"({','.join(f'`{c}`' for c in fk['to'])}) ON UPDATE {fk['on_update']} ON DELETE {fk['on_delete']}"
        )
    lines.extend(f'\tCONSTRAINT "{name}" CHECK({value})' for name, value in checks)
    create = f"CREATE TABLE `{table.name}` (\n" + ",\n".join(lines) + "\n);\n"
    line_map += [table_line] * (create.count("\n") + 1 - len(line_map))  # keys and checks: the table's line
    return create, tuple(line_map)


def _index_statement(table: Table, index: _Index) -> SqlStatement:
    keys_sql = ",".join(text if expression else f"`{text}`" for text, expression in index.columns)
    where_sql = f" WHERE {index.where}" if index.where else ""
    kind = "UNIQUE INDEX" if index.unique else "INDEX"
    return SqlStatement(f"CREATE {kind} `{index.name}` ON `{table.name}` ({keys_sql}){where_sql};", index.location)


def _index_of(extra: ExtraBuilder, table: Table, casing: str | None) -> _Index:
    keys: list[tuple[str, bool]] = []
    for part in extra.columns:
        if isinstance(part, Sql):
            text = sql_text(part, casing, "indexes")
            if "," in text:
                # drizzle-kit joins an index's keys with ',' and splits them again: the expression falls apart
                raise _CannotRender(
                    Unknown(f"drizzle-kit 0.31 splits the index expression {text} at its commas (invalid index)")
                )
            keys.append((text, True))
        else:
            keys.append((column_name(_column_of(part, table).builder, casing), False))
    where = None
    if isinstance(extra.where, Sql):
        where = sql_text(extra.where, casing, "query")
    elif extra.where is not None and extra.where is not UNDEFINED:
        raise _CannotRender(
            extra.where
            if isinstance(extra.where, Unknown)
            else Unknown("an index where() that is not sql``", extra.location)
        )
    assert extra.name is not None
    return _Index(extra.name, keys, extra.unique, where, extra.location)


def _put(indexes: dict[str, _Index], index: _Index) -> None:
    indexes[index.name] = index  # a JS object keeps the first key's position and the last value


def _extras(program: Program, table: Table) -> list[ExtraBuilder]:
    if table.extra is None or table.extra is UNDEFINED:
        return []
    columns = {key: Column(builder, table, key) for key, builder in table.columns.items()}
    config = program.call_function(table.extra, [columns]) if isinstance(table.extra, Function) else table.extra
    if isinstance(config, list):
        values: list[Any] = []
        for item in config:  # drizzle flattens one level
            values.extend(item if isinstance(item, list) else [item])
    elif isinstance(config, dict):
        values = list(config.values())
    elif isinstance(config, Unknown):
        raise _CannotRender(config)
    else:
        raise _CannotRender(Unknown("the third argument of sqliteTable is not an object or array", table.location))
    extras: list[ExtraBuilder] = []
    for value in values:
        if isinstance(value, ExtraBuilder):
            extras.append(value)
        elif isinstance(value, Unknown):
            raise _CannotRender(value)
        else:
            raise _CannotRender(
                Unknown(f"an entry of {table.name}'s third argument is not an index or constraint", table.location)
            )
    return extras


def _target_column(program: Program, reference_target: Any, location: Location) -> Column:
    target = reference_target
    if isinstance(target, Function):
        target = program.call_function(target, [])
    if isinstance(target, Column):
        return target
    if isinstance(target, Unknown):
        raise _CannotRender(target)
    raise _CannotRender(Unknown("references() does not point at a column", location))


def _foreign_keys(program: Program, table: Table, extras: list[ExtraBuilder], casing: str | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for builder in table.columns.values():
        for reference in builder.references:
            target = _target_column(program, reference.target, reference.location)
            _add_fk(
                found,
                table,
                [builder],
                target.table,
                [target.builder],
                None,
                reference.on_delete,
                reference.on_update,
                casing,
            )
    for extra in (e for e in extras if e.kind == "foreignKey"):
        local = [_column_of(c, table).builder for c in extra.columns]
        foreign = [_column_of(c, table) for c in extra.foreign_columns]
        if not local or not foreign:
            raise _CannotRender(Unknown("foreignKey without columns", extra.location))
        _add_fk(
            found,
            table,
            local,
            foreign[0].table,
            [c.builder for c in foreign],
            extra.name,
            extra.on_delete,
            extra.on_update,
            casing,
        )
    return found


def _add_fk(
    found: dict[str, Any],
    table: Table,
    local: list[ColumnBuilder],
    target: Table,
    foreign: list[ColumnBuilder],
    name: str | None,
    on_delete: str | None,
    on_update: str | None,
    casing: str | None,
) -> None:
    columns_from = [column_name(c, casing) for c in local]
    columns_to = [column_name(c, casing) for c in foreign]
    if name is None:
        name = "_".join([table.name, *(c.name for c in local), target.name, *(c.name for c in foreign)]) + "_fk"
        if casing is not None:
            for original, cased in zip([c.name for c in local], columns_from, strict=True):
                name = name.replace(original, cased, 1)
            for original, cased in zip([c.name for c in foreign], columns_to, strict=True):
                name = name.replace(original, cased, 1)
    found[name] = {
        "from": columns_from,
        "table": target.name,
        "to": columns_to,
        "on_delete": on_delete or "no action",
        "on_update": on_update or "no action",
    }


def render_view(view: View, casing: str | None) -> SqlStatement | None:
    if view.existing:
        return None
    if isinstance(view.query, Sql):
        try:
            return SqlStatement(f"CREATE VIEW `{view.name}` AS {sql_text(view.query, casing, 'query')};", view.location)
        except _CannotRender as problem:
            unknown = problem.unknown
        else:  # pragma: no cover
            unknown = Unknown("view")
    else:
        unknown = view.query if isinstance(view.query, Unknown) else Unknown("view query")
    return SqlStatement(
        f"CREATE VIEW `{view.name}` AS ...",
        view.location,
        unresolved=(unknown.reason,),
        reason=f"view {view.name}: {_reason(unknown)}",
    )
