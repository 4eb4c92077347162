"""Per model item, the Drizzle construct that drizzle-kit generate turns back into the same item.

Measured with drizzle-kit 0.31.11 (DESIGN 3): sql`` defaults, CHECK bodies, generated expressions,
index keys and WHERE clauses are copied verbatim; a customType's dataType() is written as the
column's type, so clauses Drizzle has no builder for (COLLATE, inline UNIQUE, DEFERRABLE
REFERENCES) ride there; a one-column primaryKey() in the table's third argument keeps the column
nullable.  With ``idiomatic`` the usual builders are used instead and each structural difference
is listed with the statement that makes the database match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from driftgate.compare.columns import column_definition
from driftgate.identifiers import fold_name
from driftgate.model import Column, ForeignKey, IndexPart, Schema, Table
from driftgate.pull.names import member, property_key, ts_string, ts_template, unique_keys, variable_names
from driftgate.pull.raw import RawTable, raw_index, raw_table, raw_view

_BUILDERS = {"INTEGER": "integer", "TEXT": "text", "REAL": "real", "BLOB": "blob", "NUMERIC": "numeric"}
_STRING = re.compile(r"^'(?:[^']|'')*'$", re.S)
_DOUBLE_QUOTED = re.compile(r'^"(?:[^"]|"")*"$', re.S)  # in a DEFAULT, SQLite reads "abc" as a string
_INTEGER = re.compile(r"^[+-]?\d+$")
_ACTIONS = {"CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT"}


def kit_safe_name(name: str) -> bool:
    """drizzle-kit 0.31 writes names in backticks unescaped and packs lists with ',' and ';' (measured)."""
    return not any(ch in name for ch in "`,;")


def _kit_safe_text(text: str, *, part: bool = False) -> bool:
    """Index keys are split at ',' and index/check fields at ';' by drizzle-kit's snapshot packing."""
    return ";" not in text and not (part and "," in text)


def quote_sql(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class NotExpressible:
    """Something Drizzle cannot declare: kept out of (or incomplete in) the TypeScript, with its SQL."""

    kind: str  # "trigger" | "virtual table" | "table option" | "foreign key" | "view" | ...
    name: str
    table: str | None
    reason: str
    sql: str  # a custom-migration snippet (drizzle-kit generate --custom)


@dataclass(frozen=True)
class DatabaseStep:
    """A structural difference of the chosen form, and the one statement that makes the database match."""

    table: str
    what: str
    sql: str


@dataclass
class TableCode:
    name: str
    variable: str
    columns: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    core: set[str] = field(default_factory=set)  # imports from drizzle-orm/sqlite-core
    orm: set[str] = field(default_factory=set)  # imports from drizzle-orm
    references: set[str] = field(default_factory=set)  # other tables' variables
    uses_sql_type: bool = False


@dataclass
class ViewCode:
    name: str
    variable: str
    select: str
    columns: list[str] = field(default_factory=list)  # "key: builder(...)" for typed queries
    core: set[str] = field(default_factory=set)
    uses_sql_type: bool = False


@dataclass
class PullPlan:
    tables: list[TableCode]
    views: list[ViewCode]
    not_expressible: list[NotExpressible]
    steps: list[DatabaseStep]


@dataclass
class _Context:
    schema: Schema
    variables: dict[str, str]  # folded table name -> variable
    keys: dict[str, dict[str, str]]  # folded table name -> column name -> property key
    idiomatic: bool
    not_expressible: list[NotExpressible]
    steps: list[DatabaseStep]
    index_names: set[str]  # folded, to keep new unique index names distinct


def _table_sql(table: Table) -> str:
    return (table.definition or f"-- CREATE TABLE {table.name} (definition not stored)").rstrip().rstrip(";") + ";"


def plan_pull(
    schema: Schema,
    raw_defaults: dict[tuple[str, str], str | None],
    object_sql: dict[tuple[str, str], str | None],
    *,
    casing: str,
    idiomatic: bool,
    view_columns: dict[str, list[tuple[str, str]]] | None = None,
) -> PullPlan:
    """raw_defaults: (folded table, folded column) -> dflt_value as stored; object_sql: (type, name) -> sql."""
    ordinary = []
    unsafe: list[NotExpressible] = []
    for t in schema.tables:
        if t.kind != "table":
            continue
        if all(kit_safe_name(n) for n in (t.name, *(c.name for c in t.columns))):
            ordinary.append(t)
            continue
        statements = [_table_sql(t)] + [f"{i.definition};" for i in t.indexes if i.definition]
        unsafe.append(
            NotExpressible(
                "table",
                t.name,
                t.name,
                "drizzle-kit writes a table or column name with a backtick, comma or semicolon into broken SQL",
                "\n".join(statements),
            )
        )
    view_names = [v.name for v in schema.views]
    variables = variable_names([t.name for t in ordinary] + view_names, casing)
    ctx = _Context(
        schema,
        {fold_name(t.name): variables[t.name] for t in ordinary},
        {fold_name(t.name): unique_keys([c.name for c in t.columns], casing) for t in ordinary},
        idiomatic,
        unsafe,
        [],
        {fold_name(i.name) for i in schema.indexes},
    )
    tables = [_table_code(ctx, t, raw_defaults) for t in ordinary]
    for table in schema.tables:
        if table.kind != "table":
            ctx.not_expressible.append(
                NotExpressible(
                    "virtual table",
                    table.name,
                    table.name,
                    "Drizzle has no virtual tables (FTS5, R*Tree, vector modules)",
                    _table_sql(table),
                )
            )
    views = []
    for view in schema.views:
        sql = object_sql.get(("view", view.name))
        raw = raw_view(sql)
        if raw is None or raw.has_column_list:
            ctx.not_expressible.append(
                NotExpressible(
                    "view",
                    view.name,
                    None,
                    "sqliteView() cannot declare a view's column list",
                    (sql or "").rstrip().rstrip(";") + ";",
                )
            )
            continue
        views.append(
            _view_code(view.name, variables[view.name], raw.select, (view_columns or {}).get(view.name, []), casing)
        )
    for trigger in schema.triggers:
        sql = object_sql.get(("trigger", trigger.name)) or ""
        ctx.not_expressible.append(
            NotExpressible("trigger", trigger.name, trigger.table, "Drizzle has no triggers", sql.rstrip() + ";")
        )
    return PullPlan(tables, views, ctx.not_expressible, ctx.steps)


def _view_code(name: str, variable: str, select: str, columns: list[tuple[str, str]], casing: str) -> ViewCode:
    """Columns only type the view for queries: drizzle-kit writes CREATE VIEW ... AS <select> alone."""
    code = ViewCode(name, variable, select)
    code.core.add("sqliteView")
    keys = unique_keys([c for c, _ in columns], casing)
    for column, declared in columns:
        builder = _builder(code, declared)
        code.columns.append(f"{property_key(keys[column])}: {builder}({ts_string(column)})")
    return code


def _builder(code: TableCode | ViewCode, data_type: str) -> str:
    builder = _BUILDERS.get(data_type.upper())
    if builder is not None:
        code.core.add(builder)
        return builder
    code.uses_sql_type = True
    code.core.add("customType")
    return f"sqlType({ts_string(data_type)})"


def _default(code: TableCode, builder: str, raw: str | None) -> str:
    if raw is None or raw.strip().upper() == "NULL":  # DEFAULT NULL stores what no default stores
        return ""
    text = raw.strip()
    string = None
    if _STRING.match(text):
        string = text[1:-1].replace("''", "'")
    elif _DOUBLE_QUOTED.match(text):
        string = text[1:-1].replace('""', '"')
    if string is not None:
        if builder == "text" or builder.startswith("sqlType"):
            return f".default({ts_string(string)})"
        code.orm.add("sql")
        return ".default(sql`'" + ts_template(string.replace("'", "''")) + "'`)"
    if _INTEGER.match(text) and builder in ("integer", "real") and abs(int(text)) < 2**53:
        return f".default({int(text)})"
    code.orm.add("sql")
    # drizzle-kit writes an sql`` default verbatim after DEFAULT: parentheses make any expression legal there.
    return f".default(sql`({ts_template(text)})`)"


def _unique_name(ctx: _Context, table: Table, columns: tuple[str, ...]) -> str:
    """drizzle's own naming (<table>_<columns>_unique), made distinct from every index in the database."""
    base = f"{table.name}_{'_'.join(columns)}_unique"
    name, n = base, 2
    while fold_name(name) in ctx.index_names:
        name, n = f"{base}_{n}", n + 1
    ctx.index_names.add(fold_name(name))
    return name


def _table_code(ctx: _Context, table: Table, raw_defaults: dict[tuple[str, str], str | None]) -> TableCode:
    folded = fold_name(table.name)
    code = TableCode(table.name, ctx.variables[folded])
    code.core.add("sqliteTable")
    keys = ctx.keys[folded]
    col = {fold_name(c.name): keys[c.name] for c in table.columns}
    raw = raw_table(table.definition)
    clauses: dict[str, list[str]] = {fold_name(c.name): [] for c in table.columns}

    if table.without_rowid or table.strict:
        options = " ".join(o for o in table.options if o in ("WITHOUT ROWID", "STRICT"))
        ctx.not_expressible.append(
            NotExpressible(
                "table option",
                table.name,
                table.name,
                f"sqliteTable() cannot declare {options}: drizzle-kit creates an ordinary rowid table",
                _table_sql(table),
            )
        )

    inline_pk = _primary_key(ctx, table, code, col, clauses, raw)

    # Collations ride in the type (exact) or are a listed difference (idiomatic).
    for column in table.columns:
        if column.collation.upper() != "BINARY":
            if ctx.idiomatic:
                ctx.steps.append(
                    DatabaseStep(
                        table.name,
                        f"{table.name}.{column.name}: COLLATE {column.collation} is not declared",
                        f"ALTER TABLE {quote_sql(table.name)} ALTER COLUMN {_spelled(raw, column)} TO "
                        f"{_written(raw, column, uncollated=True)};  -- libSQL; on plain SQLite rebuild the table",
                    )
                )
            else:
                clauses[fold_name(column.name)].append(f"COLLATE {column.collation}")

    _unique_constraints(ctx, table, code, col, clauses)
    _foreign_keys(ctx, table, code, col, clauses)
    for column in table.columns:
        if column.not_null_conflict:
            ctx.not_expressible.append(
                NotExpressible(
                    "not null",
                    f"{table.name}.{column.name}",
                    table.name,
                    f"NOT NULL ON CONFLICT {column.not_null_conflict}: .notNull() declares NOT NULL without it",
                    _table_sql(table),
                )
            )

    for column in table.columns:
        code.columns.append(_column_code(ctx, table, code, column, clauses, col, raw, raw_defaults, inline_pk))

    _indexes(ctx, table, code, col)
    names: set[str] = set()
    for n, (name, body) in enumerate(raw.checks, start=1):
        if not _kit_safe_text(body):
            ctx.not_expressible.append(
                NotExpressible(
                    "check", f"CHECK ({body})", table.name, "drizzle-kit cuts a CHECK at ';'", _table_sql(table)
                )
            )
            continue
        check_name = (name or f"{table.name}_check_{n}").replace(";", "_")
        while fold_name(check_name) in names:  # drizzle-kit refuses two checks of one name
            check_name += "_"
        names.add(fold_name(check_name))
        code.core.add("check")
        code.orm.add("sql")
        code.extras.append(f"check({ts_string(check_name)}, sql`{ts_template(body)}`)")
    return code


def _written(raw: RawTable, column: Column, *, uncollated: bool = False) -> str:
    """The column's clause as the database has it (inline CHECK, REFERENCES... kept), for ALTER COLUMN."""
    key = fold_name(column.name)
    text = (raw.uncollated if uncollated else raw.definitions).get(key)
    if text is not None:
        return text
    return column_definition(replace(column, collation="BINARY") if uncollated else column)


def _spelled(raw: RawTable, column: Column) -> str:
    """libSQL's ALTER COLUMN wants the name spelled as in the new definition (measured on sqld 0.24)."""
    return raw.spelled.get(fold_name(column.name), quote_sql(column.name))


def _primary_key(
    ctx: _Context, table: Table, code: TableCode, col: dict[str, str], clauses: dict[str, list[str]], raw: RawTable
) -> str | None:
    """The key's form; returns the column that takes an inline .primaryKey(), if any.

    Drizzle names a key's columns, nothing more: a key part with a collation of its own, or (in a key of
    several columns) DESC, is listed as not expressible, with the closest form declared."""
    pk = table.primary_key
    pk_index = next((i for i in table.indexes if i.origin == "pk"), None)
    parts = pk_index.parts if pk_index is not None else ()
    lost = [
        what
        for what, found in (
            ("DESC", len(parts) > 1 and any(p.descending for p in parts)),  # one column: PRIMARY KEY DESC
            ("a COLLATE of its own", any(_own_collation(table, p) for p in parts)),
            (f"ON CONFLICT {table.primary_key_conflict}", table.primary_key_conflict is not None),
        )
        if found
    ]
    if lost:
        ctx.not_expressible.append(
            NotExpressible(
                "primary key",
                pk_index.name if pk_index is not None else f"{table.name} primary key",  # a rowid alias has none
                table.name,
                f"a PRIMARY KEY with {' and '.join(lost)}: primaryKey() declares the key without it",
                _table_sql(table),
            )
        )
    inline_pk: str | None = None
    if len(pk) == 1:
        column = table.column(pk[0])
        assert column is not None
        descending = pk_index is not None and pk_index.parts and pk_index.parts[0].descending
        if descending:
            clauses[fold_name(column.name)].append("PRIMARY KEY DESC")
        elif column.not_null or ctx.idiomatic:
            inline_pk = column.name
            if not column.not_null:
                ctx.steps.append(
                    DatabaseStep(
                        table.name,
                        f"{table.name}.{column.name}: .primaryKey() makes the key NOT NULL (the database allows NULL)",
                        f"ALTER TABLE {quote_sql(table.name)} ALTER COLUMN {_spelled(raw, column)} TO "
                        f"{_written(raw, column)} NOT NULL;  -- libSQL; on plain SQLite rebuild the table",
                    )
                )
        else:
            code.core.add("primaryKey")
            code.extras.append(f"primaryKey({{ columns: [{member('t', col[fold_name(column.name)])}] }})")
    elif len(pk) > 1:
        code.core.add("primaryKey")
        members = ", ".join(member("t", col[fold_name(name)]) for name in pk)
        code.extras.append(f"primaryKey({{ columns: [{members}] }})")
    return inline_pk


def _column_code(
    ctx: _Context,
    table: Table,
    code: TableCode,
    column: Column,
    clauses: dict[str, list[str]],
    col: dict[str, str],
    raw: RawTable,
    raw_defaults: dict[tuple[str, str], str | None],
    inline_pk: str | None,
) -> str:
    extra = clauses[fold_name(column.name)]
    data_type = " ".join([column.declared_type, *extra]).strip() if extra else column.declared_type
    builder = _builder(code, data_type)
    text = f"{builder}({ts_string(column.name)})"
    if inline_pk is not None and fold_name(inline_pk) == fold_name(column.name):
        text += ".primaryKey({ autoIncrement: true })" if table.autoincrement else ".primaryKey()"
    elif column.not_null:
        text += ".notNull()"
    if column.generated_kind is not None:
        expression = raw.generated.get(fold_name(column.name), column.generated or "")
        code.orm.add("sql")
        mode = "stored" if column.generated_kind == "STORED" else "virtual"
        text += f".generatedAlwaysAs(sql`{ts_template(expression)}`, {{ mode: {ts_string(mode)} }})"
    else:
        text += _default(code, builder, raw_defaults.get((fold_name(table.name), fold_name(column.name))))
    return f"{property_key(col[fold_name(column.name)])}: {text}"


def _own_collation(table: Table, part: IndexPart) -> bool:
    """Whether a column key part has a collation other than its column's (``UNIQUE (email COLLATE NOCASE)``
    on a BINARY column): naming the column, all drizzle can do, would give the column's."""
    column = table.column(part.column) if part.column is not None else None
    return column is not None and part.collation.upper() != column.collation.upper()


def _unique_constraints(
    ctx: _Context, table: Table, code: TableCode, col: dict[str, str], clauses: dict[str, list[str]]
) -> None:
    for index in table.indexes:
        if index.origin != "u":
            continue
        columns = tuple(p.column or "" for p in index.parts)
        lost = [
            what
            for what, found in (
                (f"ON CONFLICT {index.on_conflict}", index.on_conflict is not None),
                ("an expression key", any(not p.column for p in index.parts)),
                ("DESC", any(p.descending for p in index.parts)),
                ("a key part with a COLLATE of its own", any(_own_collation(table, p) for p in index.parts)),
            )
            if found
        ]
        plain = not lost
        if len(columns) == 1 and plain and not ctx.idiomatic:
            clauses[fold_name(columns[0])].append("UNIQUE")
            continue
        if not plain:
            ctx.not_expressible.append(
                NotExpressible(
                    "unique",
                    index.name,
                    table.name,
                    f"a UNIQUE constraint with {' and '.join(lost)}",
                    _table_sql(table),
                )
            )
            continue
        name = _unique_name(ctx, table, columns)
        code.core.add("uniqueIndex")
        code.extras.append(
            f"uniqueIndex({ts_string(name)}).on({', '.join(member('t', col[fold_name(c)]) for c in columns)})"
        )
        ctx.steps.append(
            DatabaseStep(
                table.name,
                f"UNIQUE ({', '.join(columns)}) on {table.name} becomes the unique index {name}",
                f"CREATE UNIQUE INDEX {quote_sql(name)} ON {quote_sql(table.name)} "
                f"({', '.join(quote_sql(c) for c in columns)});",
            )
        )


def _action(value: str) -> str | None:
    upper = value.upper()
    return upper.lower() if upper in _ACTIONS else None


def _foreign_keys(
    ctx: _Context, table: Table, code: TableCode, col: dict[str, str], clauses: dict[str, list[str]]
) -> None:
    for fk in table.foreign_keys:
        target = ctx.schema.table(fk.target_table)
        target_keys = ctx.keys.get(fold_name(fk.target_table))
        resolvable = (
            fold_name(fk.target_table) in ctx.variables
            and target is not None
            and target.kind == "table"
            and target_keys is not None
            and all(target.column(c) is not None for c in fk.target_columns)
        )
        deferred = fk.deferrable != "NOT DEFERRABLE"
        # A REFERENCES clause in the column's type keeps what foreignKey() cannot say: DEFERRABLE, or a
        # target drizzle has no table object for (SQLite allows a key to a table that does not exist).
        if (deferred or not resolvable) and len(fk.columns) == 1 and not ctx.idiomatic:
            clauses[fold_name(fk.columns[0])].append(_references_clause(fk))
            continue
        if not resolvable or deferred:
            reason = (
                "a DEFERRABLE foreign key over several columns"
                if resolvable
                else f"its target {fk.target_table}({', '.join(fk.target_columns)}) is not a declared table/column"
            )
            if deferred and ctx.idiomatic and resolvable:
                reason = "foreignKey() has no DEFERRABLE"
            ctx.not_expressible.append(
                NotExpressible(
                    "foreign key", f"{table.name}({', '.join(fk.columns)})", table.name, reason, _table_sql(table)
                )
            )
            if not resolvable:
                continue
        assert target is not None and target_keys is not None
        target_var = "t" if fold_name(target.name) == fold_name(table.name) else ctx.variables[fold_name(target.name)]
        if target_var != "t":
            code.references.add(target.name)
        target_col = {fold_name(c.name): target_keys[c.name] for c in target.columns}
        columns = ", ".join(member("t", col[fold_name(c)]) for c in fk.columns)
        foreign = ", ".join(member(target_var, target_col[fold_name(c)]) for c in fk.target_columns)
        text = f"foreignKey({{ columns: [{columns}], foreignColumns: [{foreign}] }})"
        for method, value in (("onUpdate", fk.on_update), ("onDelete", fk.on_delete)):
            action = _action(value)
            if action:
                text += f".{method}({ts_string(action)})"
        code.core.add("foreignKey")
        code.extras.append(text)


def _references_clause(fk: ForeignKey) -> str:
    # An implicit target on a missing table is unresolved ("?"): keep it implicit.
    targets = "" if "?" in fk.target_columns else f"({', '.join(quote_sql(c) for c in fk.target_columns)})"
    clause = f"REFERENCES {quote_sql(fk.target_table)}{targets}"
    for word, action in (("ON UPDATE", fk.on_update), ("ON DELETE", fk.on_delete)):
        if action.upper() != "NO ACTION":
            clause += f" {word} {action}"
    return clause if fk.deferrable == "NOT DEFERRABLE" else f"{clause} {fk.deferrable}"


def _indexes(ctx: _Context, table: Table, code: TableCode, col: dict[str, str]) -> None:
    for index in table.indexes:
        if index.origin != "c":
            continue
        raw = raw_index(index.definition)
        reason = None
        if raw is None or len(raw.parts) != len(index.parts):
            reason = "its definition could not be read"
        elif not kit_safe_name(index.name) or not all(_kit_safe_text(p, part=True) for p in raw.parts):
            reason = "drizzle-kit splits index keys at ',' and ';' and writes names in backticks unescaped"
        elif raw.where is not None and not _kit_safe_text(raw.where):
            reason = "drizzle-kit cuts an index's WHERE at ';'"
        if reason is not None or raw is None:
            ctx.not_expressible.append(
                NotExpressible("index", index.name, table.name, reason or "", f"{index.definition or ''};")
            )
            continue
        parts = [_index_part(code, col, part, text) for part, text in zip(index.parts, raw.parts, strict=True)]
        builder = "uniqueIndex" if index.unique else "index"
        code.core.add(builder)
        text = f"{builder}({ts_string(index.name)}).on({', '.join(parts)})"
        if raw.where is not None:
            code.orm.add("sql")
            text += f".where(sql`{ts_template(raw.where)}`)"
        code.extras.append(text)


def _index_part(code: TableCode, col: dict[str, str], part: IndexPart, text: str) -> str:
    """A plain column key as t.col / desc(t.col); anything else (expression, COLLATE) as its stored text."""
    if part.column is not None and fold_name(part.column) in col and part.collation.upper() == "BINARY":
        ref = member("t", col[fold_name(part.column)])
        if part.descending:
            code.orm.add("desc")
            return f"desc({ref})"
        return ref
    code.orm.add("sql")
    return f"sql`{ts_template(text)}`"
