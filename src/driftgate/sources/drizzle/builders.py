"""drizzle-orm's ``sqlite-core`` API as the reader models it: what each builder call or method does.

Mirrors drizzle-orm 0.45 (read in its source, checked against drizzle-kit 0.31.11 output):
builders mutate themselves and return ``this``; ``primaryKey()`` implies NOT NULL;
``$defaultFn``/``$onUpdate``/``$type`` have no database effect; sqlite-core index
columns have no ``.desc()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from driftgate.sources.drizzle.values import (
    UNDEFINED,
    BoundMethod,
    Builtin,
    Column,
    ColumnBuilder,
    ExtraBuilder,
    Function,
    Identifier,
    Namespace,
    Param,
    Reference,
    Sql,
    Table,
    TableCreator,
    Unknown,
    View,
    js_truthy,
)

if TYPE_CHECKING:
    from driftgate.model import Location
    from driftgate.sources.drizzle.evaluate import Program
    from driftgate.sources.drizzle.modules import Module

COLUMN_KINDS = {
    "text": "text",
    "integer": "integer",
    "int": "integer",
    "real": "real",
    "blob": "blob",
    "numeric": "numeric",
}
# Column methods with no effect on the database schema.
_NO_EFFECT = frozenset({"$defaultFn", "$default", "$onUpdate", "$onUpdateFn", "$type", "$returnType"})
_TIMESTAMP_MODES = ("timestamp", "timestamp_ms")
_EXTRAS = frozenset({"index", "uniqueIndex", "primaryKey", "foreignKey", "unique", "check"})
_SQL_PASSTHROUGH = frozenset({"as", "mapWith", "inlineParams", "append"})


# The argument of ``sqliteTable('t', (t) => ({ id: t.integer() }))``: its members are the column builders.
COLUMN_HELPERS = Builtin("columnHelpers")


def member(program: Program, owner: Any, name: str, node: Node, module: Module) -> Any:
    """``owner.name``."""
    if isinstance(owner, dict):
        return owner.get(name, UNDEFINED)
    if isinstance(owner, Namespace):
        return program.export_value(owner.module, name)
    if isinstance(owner, Table):
        builder = owner.columns.get(name)
        if builder is not None:
            return Column(builder, owner, name)
        return Unknown(f"table {owner.name} has no column property {name!r}", module.location(node))
    if isinstance(owner, Builtin) and owner.name in ("namespace", "columnHelpers"):
        return Builtin(name)
    if isinstance(owner, list) and name == "length":
        return len(owner)
    if isinstance(owner, Unknown):
        return owner
    if owner is UNDEFINED or owner is None:
        return Unknown(f"{module.text(node)}: property of undefined", module.location(node))
    return BoundMethod(owner, name)


def tagged_template(program: Program, tag: Any, parts: list[Any], node: Node, module: Module) -> Any:
    if isinstance(tag, Builtin) and tag.name == "sql":
        return _sql_from_parts(parts)
    if isinstance(tag, BoundMethod) and isinstance(tag.owner, Builtin) and tag.owner.name == "sql":
        return _sql_from_parts(parts)
    return Unknown(f"tagged template {module.text(node)[:40]!r}", module.location(node))


def _sql_from_parts(parts: list[Any]) -> Sql:
    chunks: list[Any] = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            chunks.append(part)
        else:
            chunks.append(_sql_chunk(part))
    return Sql(tuple(chunks))


def _sql_chunk(value: Any) -> Any:
    if isinstance(value, (Sql, Column, Table, Unknown, Identifier)):
        return value
    if isinstance(value, list):
        inner: list[Any] = ["("]
        for index, item in enumerate(value):
            inner.append(_sql_chunk(item))
            if index < len(value) - 1:
                inner.append(", ")
        inner.append(")")
        return Sql(tuple(inner))
    if value is UNDEFINED:
        return ""
    return Param(value)


def call(program: Program, function: Any, args: list[Any], node: Node, module: Module) -> Any:
    where = module.location(node)
    if isinstance(function, Builtin):
        return _call_builtin(program, function.name, args, node, module)
    if isinstance(function, TableCreator):
        name = program.call_function(function.prefix, args[:1]) if isinstance(function.prefix, Function) else None
        if not isinstance(name, str):
            return Unknown("sqliteTableCreator's function did not give a table name", where)
        return _sqlite_table(program, [name, *args[1:]], node, module)
    if isinstance(function, BoundMethod):
        return _call_method(program, function.owner, function.name, args, node, module)
    if isinstance(function, _CustomType):
        return _column(program, "custom", args, node, module, custom=function)
    return Unknown(f"{module.text(node)[:60]} is not a drizzle sqlite-core call driftgate knows", where)


# drizzle-orm's condition helpers (sql/expressions/conditions.ts): what each renders to.
_COMPARISONS = {
    "eq": " = ",
    "ne": " <> ",
    "gt": " > ",
    "gte": " >= ",
    "lt": " < ",
    "lte": " <= ",
    "like": " like ",
    "notLike": " not like ",
}
_OPERATORS = frozenset(
    {*_COMPARISONS, "and", "or", "not", "isNull", "isNotNull", "inArray", "notInArray", "between", "notBetween"}
)


def _operator(name: str, args: list[Any], where: Any) -> Any:
    if any(isinstance(a, Unknown) for a in args):
        return next(a for a in args if isinstance(a, Unknown))
    if name in _COMPARISONS and len(args) == 2:
        return Sql((_sql_chunk(args[0]), _COMPARISONS[name], _sql_chunk(args[1])))
    if name in ("and", "or"):
        conditions = [a for a in args if a is not UNDEFINED]
        if not conditions:
            return UNDEFINED
        if len(conditions) == 1:
            return Sql((_sql_chunk(conditions[0]),))
        chunks: list[Any] = ["("]
        for index, condition in enumerate(conditions):
            if index:
                chunks.append(f" {name} ")
            chunks.append(_sql_chunk(condition))
        return Sql((*chunks, ")"))
    if name == "not" and len(args) == 1:
        return Sql(("not ", _sql_chunk(args[0])))
    if name in ("isNull", "isNotNull") and len(args) == 1:
        return Sql((_sql_chunk(args[0]), " is null" if name == "isNull" else " is not null"))
    if name in ("inArray", "notInArray") and len(args) == 2 and isinstance(args[1], list):
        if not args[1]:
            return Sql(("false" if name == "inArray" else "true",))
        return Sql((_sql_chunk(args[0]), " in " if name == "inArray" else " not in ", _sql_chunk(args[1])))
    if name in ("between", "notBetween") and len(args) == 3:
        word = " between " if name == "between" else " not between "
        return Sql((_sql_chunk(args[0]), word, _sql_chunk(args[1]), " and ", _sql_chunk(args[2])))
    return Unknown(f"{name}(...) with arguments driftgate cannot read", where)


class _CustomType:
    """``customType({ dataType() {...} })``: a column factory whose SQL type comes from ``dataType``."""

    def __init__(self, options: Any) -> None:
        self.options = options


def _call_builtin(program: Program, name: str, args: list[Any], node: Node, module: Module) -> Any:
    where = module.location(node)
    if name == "sqliteTable":
        return _sqlite_table(program, args, node, module)
    if name == "sqliteTableCreator":
        return TableCreator(args[0] if args else None)
    if name in COLUMN_KINDS:
        return _column(program, name, args, node, module)
    if name == "customType":
        return _CustomType(args[0] if args else {})
    if name in _EXTRAS:
        return _extra(name, args, where)
    if name in ("desc", "asc"):
        return Sql((_sql_chunk(args[0]) if args else "", f" {name}"))
    if name in _OPERATORS:
        return _operator(name, args, where)
    if name == "sqliteView":
        view_name = args[0] if args and isinstance(args[0], str) else None
        if view_name is None:
            return Unknown("sqliteView without a literal name", where)
        return View(view_name, Unknown("sqliteView without .as(...)", where), where, has_columns=len(args) > 1)
    if name == "sql":
        return Unknown("sql used as a function", where)
    if name == "String" and len(args) == 1:
        from driftgate.sources.drizzle.evaluate import js_string

        text = js_string(args[0])
        return text if text is not None else Unknown("String() of a value driftgate cannot know", where)
    if name == "Number" and len(args) == 1 and isinstance(args[0], str):
        try:
            number = float(args[0])
        except ValueError:
            return Unknown("Number() of a value driftgate cannot know", where)
        return int(number) if number.is_integer() else number
    return Unknown(f"{name}(...) from drizzle-orm is not something driftgate reads into a schema", where)


def _unknown_option(what: str, value: Unknown, where: Location) -> Unknown:
    """An option whose value needs JavaScript: drizzle-kit's choice cannot be known, so its table is not compared."""
    return Unknown(f"{what} is computed in JavaScript ({value.reason}): drizzle-kit's value cannot be known", where)


def _column(
    program: Program, kind: str, args: list[Any], node: Node, module: Module, custom: _CustomType | None = None
) -> Any:
    from driftgate.sources.drizzle.evaluate import js_string

    where = module.location(node)
    name = ""
    config: dict[str, Any] = {}
    if args and isinstance(args[0], str):
        name = args[0]
        if len(args) > 1 and isinstance(args[1], dict):
            config = args[1]
        elif len(args) > 1 and isinstance(args[1], Unknown):
            return _unknown_option(f"the config of column {name!r}", args[1], where)
    elif args and isinstance(args[0], dict):
        config = args[0]
    elif args and args[0] is not UNDEFINED:
        return Unknown(f"column name of {module.text(node)[:60]} is computed in JavaScript", where)
    for option in ("length", "mode"):  # the options that change drizzle-kit's SQL (enum does not)
        if isinstance(config.get(option), Unknown):
            return _unknown_option(f"the {option} option of {module.text(node)[:60]}", config[option], where)
    builder = ColumnBuilder(kind=COLUMN_KINDS.get(kind, kind), name=name, config=config, location=where)
    if kind == "text":
        # drizzle-orm's getSQLType: `text${length ? `(${length})` : ''}`; the json mode is plain text
        length = config.get("length")
        length_text = js_string(length) if js_truthy(length) and config.get("mode") != "json" else ""
        if length_text is None:
            return Unknown(f"the length option of {module.text(node)[:60]} is not a number", where)
        builder.sql_type = f"text({length_text})" if length_text else "text"
    elif custom is not None:
        data_type = custom.options.get("dataType") if isinstance(custom.options, dict) else None
        sql_type = program.call_function(data_type, [config or UNDEFINED]) if isinstance(data_type, Function) else None
        if not isinstance(sql_type, str):
            return Unknown("customType whose dataType() driftgate cannot evaluate", where)
        builder.sql_type = sql_type
    else:
        builder.sql_type = COLUMN_KINDS[kind]
    return builder


def _sqlite_table(program: Program, args: list[Any], node: Node, module: Module) -> Any:
    where = module.location(node)
    if not args or not isinstance(args[0], str):
        if isinstance(args[0] if args else None, Unknown):  # a name computed in JavaScript says how
            return Unknown(f"the table name is computed in JavaScript: {args[0].reason}", where)
        return Unknown("sqliteTable without a literal table name", where)
    columns = args[1] if len(args) > 1 else {}
    if isinstance(columns, Function):
        columns = program.call_function(columns, [COLUMN_HELPERS])
    table = Table(args[0], {}, args[2] if len(args) > 2 else None, where)
    if not isinstance(columns, dict):
        table.problems.append(Unknown("the columns of sqliteTable are not an object literal", where))
        return table
    for key, builder in columns.items():
        if isinstance(builder, Unknown):
            table.problems.append(builder)
            continue
        if not isinstance(builder, ColumnBuilder):
            table.problems.append(Unknown(f"column {key!r} is not a sqlite-core column builder", where))
            continue
        if not builder.name:
            builder.name = key
            builder.key_as_name = True
        table.columns[key] = builder
    return table


def _extra(kind: str, args: list[Any], where: Any) -> Any:
    builder = ExtraBuilder(kind, where)
    if kind in ("index", "uniqueIndex"):
        builder.name = args[0] if args and isinstance(args[0], str) else None
        builder.unique = kind == "uniqueIndex"
        if builder.name is None:
            return Unknown(f"{kind} without a literal name", where)
    elif kind == "unique":
        if args and isinstance(args[0], Unknown):
            return _unknown_option("the name of unique(...)", args[0], where)
        builder.name = args[0] if args and isinstance(args[0], str) else None
    elif kind == "check":
        builder.name = args[0] if args and isinstance(args[0], str) else None
        builder.value = args[1] if len(args) > 1 else None
        if builder.name is None or not isinstance(builder.value, Sql):
            return Unknown("check(name, sql`...`) with a name or condition driftgate cannot read", where)
    elif kind in ("primaryKey", "foreignKey"):
        config = args[0] if args and isinstance(args[0], dict) else {}
        if args and isinstance(args[0], Unknown):
            return _unknown_option(f"the config of {kind}(...)", args[0], where)
        for option in ("columns", "foreignColumns", "name"):
            value = config.get(option)
            if isinstance(value, Unknown) or (option != "name" and value and not isinstance(value, list)):
                unknown = value if isinstance(value, Unknown) else Unknown(f"{option} is not an array")
                return _unknown_option(f"the {option} of {kind}(...)", unknown, where)
        from_config = kind == "foreignKey" or (args and isinstance(args[0], dict))  # else primaryKey(t.a, t.b)
        builder.columns = list(config.get("columns") or []) if from_config else list(args)
        builder.foreign_columns = list(config.get("foreignColumns") or [])
        name = config.get("name")
        builder.name = name if isinstance(name, str) else None
    return builder


def _call_method(program: Program, owner: Any, name: str, args: list[Any], node: Node, module: Module) -> Any:
    where = module.location(node)
    if isinstance(owner, ColumnBuilder):
        return _column_method(program, owner, name, args, node, module)
    if isinstance(owner, Column):
        if name in ("desc", "asc"):
            return Unknown(
                f"{module.text(node)}: drizzle-orm/sqlite-core columns have no .{name}() (drizzle rejects it); "
                f"write {name}(table.col) from 'drizzle-orm' or sql`${{table.col}} {name}`",
                where,
            )
        return Unknown(f"column method .{name}() is not something driftgate reads", where)
    if isinstance(owner, ExtraBuilder):
        return _extra_method(owner, name, args, where)
    if isinstance(owner, Sql) and name in _SQL_PASSTHROUGH:
        return owner
    if isinstance(owner, Builtin) and owner.name == "sql":
        return _sql_static(name, args, where)
    if isinstance(owner, View):
        if name == "as":
            query = args[0] if args else None
            if isinstance(query, Sql) and not owner.has_columns:
                # drizzle-orm's ViewBuilder.as(sql) needs a query builder: drizzle-kit fails on this file
                owner.query = Unknown(
                    f"sqliteView('{owner.name}').as(sql`...`) needs its columns: "
                    f"sqliteView('{owner.name}', {{ ... }}).as(sql`...`)",
                    where,
                )
            elif isinstance(query, Sql):
                owner.query = query
            else:
                owner.query = Unknown(
                    "a query-builder view (sqliteView(...).as((qb) => ...)) needs drizzle's query builder to render",
                    where,
                )
            return owner
        if name == "existing":
            owner.existing = True
            return owner
    if isinstance(owner, Builtin) and owner.name == "JSON" and name == "stringify" and args:
        import json

        try:
            return json.dumps(args[0], separators=(",", ":"), ensure_ascii=False)
        except TypeError:
            return Unknown("JSON.stringify of a value driftgate cannot know", where)
    if isinstance(owner, str) and name in ("toLowerCase", "toUpperCase", "trim"):
        return {"toLowerCase": owner.lower(), "toUpperCase": owner.upper(), "trim": owner.strip()}[name]
    if isinstance(owner, Unknown):
        return owner
    return Unknown(f"{module.text(node)[:60]} is computed in JavaScript", where)


def _sql_static(name: str, args: list[Any], where: Any) -> Any:
    if name == "raw" and args and isinstance(args[0], str):
        return Sql((args[0],))
    if name == "identifier" and args and isinstance(args[0], str):
        return Sql((Identifier(args[0]),))
    if name == "join" and args and isinstance(args[0], list):
        separator = args[1] if len(args) > 1 else ""
        chunks: list[Any] = []
        for index, item in enumerate(args[0]):
            if index:
                chunks.append(separator if isinstance(separator, (str, Sql)) else "")
            chunks.append(_sql_chunk(item))
        return Sql(tuple(chunks))
    if name == "empty":
        return Sql(())
    return Unknown(f"sql.{name}(...) with arguments driftgate cannot read", where)


def _column_method(
    program: Program, builder: ColumnBuilder, name: str, args: list[Any], node: Node, module: Module
) -> Any:
    where = module.location(node)
    first = args[0] if args else UNDEFINED
    options = {"primaryKey": ("autoIncrement",), "references": ("onDelete", "onUpdate"), "generatedAlwaysAs": ("mode",)}
    config = args[1] if name != "primaryKey" and len(args) > 1 else first
    if name in options and isinstance(config, Unknown):
        return _unknown_option(f"the config of .{name}()", config, where)
    for option in options.get(name, ()):
        if isinstance(config, dict) and isinstance(config.get(option), Unknown):
            return _unknown_option(f"the {option} option of .{name}()", config[option], where)
    if name == "unique" and isinstance(first, Unknown):
        return _unknown_option("the name given to .unique()", first, where)
    if name == "notNull":
        builder.not_null = True
    elif name == "primaryKey":
        builder.primary_key = True
        builder.not_null = True
        # drizzle-orm's integer primaryKey(config): `if (config?.autoIncrement)`, a truthiness test
        if builder.kind == "integer" and isinstance(first, dict) and js_truthy(first.get("autoIncrement")):
            builder.autoincrement = True
    elif name == "default":
        builder.default = first
        builder.default_location = where
    elif name == "unique":
        builder.is_unique = True
        builder.unique_name = first if isinstance(first, str) else None
    elif name == "references":
        actions = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        on_delete, on_update = actions.get("onDelete"), actions.get("onUpdate")
        builder.references.append(
            Reference(
                first,
                on_delete if isinstance(on_delete, str) else None,
                on_update if isinstance(on_update, str) else None,
                where,
            )
        )
    elif name == "generatedAlwaysAs":
        config = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
        mode = config.get("mode") if isinstance(config.get("mode"), str) else "virtual"
        builder.generated = (first, mode)
    elif name == "defaultNow" and builder.kind == "integer" and builder.config.get("mode") in _TIMESTAMP_MODES:
        # drizzle-orm's SQLiteTimestampBuilder.defaultNow(): the epoch in milliseconds, whatever the mode
        builder.default = Sql(("(cast((julianday('now') - 2440587.5)*86400000 as integer))",))
        builder.default_location = where
    elif name in _NO_EFFECT:
        pass
    else:
        return Unknown(f"column method .{name}() is not part of drizzle-orm/sqlite-core as driftgate knows it", where)
    return builder


def _extra_method(builder: ExtraBuilder, name: str, args: list[Any], where: Any) -> Any:
    if name == "on" and builder.kind in ("index", "uniqueIndex", "unique"):
        builder.columns = list(args)
    elif name == "where" and builder.kind in ("index", "uniqueIndex"):
        builder.where = args[0] if args else None
    elif name in ("onDelete", "onUpdate") and builder.kind == "foreignKey":
        if args and isinstance(args[0], Unknown):
            return _unknown_option(f"the action given to foreignKey(...).{name}()", args[0], where)
        action = args[0] if args and isinstance(args[0], str) else None
        if name == "onDelete":
            builder.on_delete = action
        else:
            builder.on_update = action
    else:
        return Unknown(f"{builder.kind}(...).{name}() is not something driftgate reads", where)
    return builder
