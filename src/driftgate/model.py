"""The one immutable schema model every source produces (DESIGN 2).

Legacy DDL, plain SQL files, drizzle migrations and the live database all end
up as a :class:`Schema`; comparison only ever sees two of these.  Names keep
their original spelling; lookups are case-insensitive because SQLite's are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from driftgate.identifiers import fold_name  # also imported from here by older code; its home is identifiers


@dataclass(frozen=True)
class Location:
    """Where an item was defined: a file and, when known, a 1-based line."""

    file: str
    line: int | None = None
    # "file:line" as findings show it: formatted once here, not once per finding (80,000 in a large check).
    text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", f"{self.file}:{self.line}" if self.line else self.file)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    name: str
    declared_type: str  # exactly as declared (never sqlglot's rewrite)
    not_null: bool
    default: str | None  # canonical default expression; None = no default
    pk_position: int  # 0 = not in the primary key, else 1-based position
    collation: str = "BINARY"
    generated: str | None = None  # canonical expression of a generated column
    generated_kind: str | None = None  # "VIRTUAL" | "STORED"
    location: Location | None = None
    not_null_conflict: str | None = None  # NOT NULL ON CONFLICT <this>; None: the default, ABORT


@dataclass(frozen=True)
class IndexPart:
    """One key part: a column or an expression, with its order and collation."""

    column: str | None
    expression: str | None
    descending: bool = False
    collation: str = "BINARY"

    def render(self) -> str:
        text = self.column if self.column is not None else f"({self.expression})"
        if self.collation.upper() != "BINARY":
            text += f" COLLATE {self.collation}"
        if self.descending:
            text += " DESC"
        return text


@dataclass(frozen=True)
class Index:
    name: str
    table: str
    parts: tuple[IndexPart, ...]
    unique: bool
    origin: str  # "c" CREATE INDEX, "u" UNIQUE constraint, "pk" PRIMARY KEY
    where: str | None = None  # canonical partial-index predicate
    definition: str | None = None  # the CREATE INDEX text as stored (None for autoindexes)
    location: Location | None = None
    on_conflict: str | None = None  # a UNIQUE constraint's ON CONFLICT <this>; None: the default, ABORT

    @property
    def is_auto(self) -> bool:
        """Indexes SQLite made for a UNIQUE/PRIMARY KEY constraint (sqlite_autoindex_*)."""
        return self.origin in ("u", "pk")

    def render(self) -> str:
        text = f"{'UNIQUE ' if self.unique else ''}({', '.join(p.render() for p in self.parts)})"
        if self.where:
            text += f" WHERE {self.where}"
        if self.on_conflict:
            text += f" ON CONFLICT {self.on_conflict}"
        return text


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    target_table: str
    target_columns: tuple[str, ...]  # implicit targets resolved to the parent's primary key
    on_update: str = "NO ACTION"
    on_delete: str = "NO ACTION"
    match: str = "NONE"
    deferrable: str = "NOT DEFERRABLE"  # or "DEFERRABLE INITIALLY DEFERRED" / "... IMMEDIATE"
    location: Location | None = None

    def render(self) -> str:
        text = f"({', '.join(self.columns)}) REFERENCES {self.target_table}({', '.join(self.target_columns)})"
        text += f" ON UPDATE {self.on_update} ON DELETE {self.on_delete}"
        if self.deferrable != "NOT DEFERRABLE":
            text += f" {self.deferrable}"
        return text


@dataclass(frozen=True)
class Check:
    table: str
    expression: str  # canonical
    location: Location | None = None


@dataclass(frozen=True)
class View:
    name: str
    definition: str  # canonical SELECT
    location: Location | None = None
    columns: tuple[str, ...] = ()  # the column names SQLite reports (pragma_table_info), folded


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    definition: str  # canonical CREATE TRIGGER text
    location: Location | None = None


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    kind: str = "table"  # "table" | "virtual"
    without_rowid: bool = False
    strict: bool = False
    autoincrement: bool = False
    virtual_module: str | None = None  # "fts5(...)" for virtual tables
    definition: str | None = None  # the CREATE TABLE text as stored
    location: Location | None = None
    primary_key_conflict: str | None = None  # PRIMARY KEY ... ON CONFLICT <this>; None: the default, ABORT

    @cached_property
    def _columns_by_name(self) -> dict[str, Column]:
        return {fold_name(c.name): c for c in self.columns}

    def column(self, name: str) -> Column | None:
        return self._columns_by_name.get(fold_name(name))

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.primary_key_columns)

    @property
    def primary_key_columns(self) -> tuple[Column, ...]:
        """The columns of the primary key, in key order."""
        return tuple(sorted((c for c in self.columns if c.pk_position), key=lambda c: c.pk_position))

    @cached_property
    def unique_column_sets(self) -> dict[frozenset[str], tuple[Index, ...]]:
        """Column sets that are enforced unique (constraints and plain unique indexes)."""
        found: dict[frozenset[str], list[Index]] = {}
        for index in self.indexes:
            if not index.unique or index.origin == "pk" or index.where is not None:
                continue
            if any(p.column is None for p in index.parts):
                continue
            key = frozenset(fold_name(p.column) for p in index.parts if p.column)
            found.setdefault(key, []).append(index)
        return {k: tuple(v) for k, v in found.items()}

    @property
    def options(self) -> tuple[str, ...]:
        opts = []
        if self.without_rowid:
            opts.append("WITHOUT ROWID")
        if self.strict:
            opts.append("STRICT")
        if self.autoincrement:
            opts.append("AUTOINCREMENT")
        if self.virtual_module:
            opts.append(f"USING {self.virtual_module}")
        return tuple(opts)


@dataclass(frozen=True)
class Schema:
    """A whole database schema, as one source sees it."""

    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    # Statements the source could not turn into schema (e.g. DDL with an unresolved ${...}).
    not_compared: tuple[tuple[str, str, Location | None], ...] = field(default=())
    # Parts of executed statements that cannot be compared: (kind, object, reason, location), e.g. a
    # drizzle default computed in JavaScript; their findings become not_compared.
    items_not_compared: tuple[tuple[str, str, str, Location | None], ...] = field(default=())
    # One digest per table of ``tables``, of the introspection rows it was built from (see
    # introspect.table_input_key): another database whose rows give the same digest has this very table.
    table_keys: tuple[bytes, ...] = field(default=(), compare=False, repr=False)
    # One digest per view, then per trigger, of its sqlite_schema row (introspect.object_input_key): the
    # same row in another database is this very view or trigger.
    object_keys: tuple[bytes, ...] = field(default=(), compare=False, repr=False)

    def tables_by_key(self) -> dict[bytes, Table]:
        return dict(zip(self.table_keys, self.tables, strict=True)) if self.table_keys else {}

    def objects_by_key(self) -> dict[bytes, Table | View | Trigger]:
        """:meth:`tables_by_key`, with the views and triggers by their keys too."""
        found: dict[bytes, Table | View | Trigger] = dict(self.tables_by_key())
        if self.object_keys:
            found.update(zip(self.object_keys, (*self.views, *self.triggers), strict=True))
        return found

    @cached_property
    def _tables_by_name(self) -> dict[str, Table]:
        return {fold_name(t.name): t for t in self.tables}

    def table(self, name: str) -> Table | None:
        return self._tables_by_name.get(fold_name(name))

    @property
    def indexes(self) -> tuple[Index, ...]:
        return tuple(i for t in self.tables for i in t.indexes)
