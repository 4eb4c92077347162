"""The values a Drizzle schema file evaluates to, as far as the reader models them.

Only what reaches drizzle-kit's SQL is modelled: tables, column builders, ``sql``
templates, extra-config builders.  Everything else is a plain Python value (str,
int, float, bool, None, list, dict) or :class:`Unknown`, which carries why and where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from driftgate.model import Location


@dataclass(frozen=True)
class Unknown:
    """A value the reader cannot know without running JavaScript."""

    reason: str
    location: Location | None = None


@dataclass(frozen=True)
class Undefined:
    """JavaScript ``undefined`` (distinct from ``null``, which is None)."""


UNDEFINED = Undefined()


@dataclass(frozen=True)
class JsDate:
    """``new Date(<fixed value>)``: JSON.stringify gives its ISO form, which drizzle-kit writes as a default."""

    iso: str  # Date.prototype.toISOString(): YYYY-MM-DDTHH:MM:SS.mmmZ


@dataclass(frozen=True)
class BigInt:
    """A ``123n`` literal: kept apart from numbers because drizzle-kit cannot serialize it as a default."""

    value: int


@dataclass(frozen=True)
class Builtin:
    """A function or object imported from drizzle-orm (``sqliteTable``, ``text``, ``sql``...)."""

    name: str


@dataclass
class Function:
    """A JavaScript function or arrow function, called by evaluating its body."""

    node: Node
    module: Any  # drizzle.modules.Module
    scope: dict[str, Any]


@dataclass(frozen=True)
class BoundMethod:
    """``owner.name``, called later: a builder method, ``sql.raw`` and the like."""

    owner: Any
    name: str


@dataclass(frozen=True)
class Namespace:
    """``import * as schema from './x'``: the exports of one module."""

    module: Any


def js_truthy(value: Any) -> bool | None:
    """Boolean(value) in JavaScript; None when the value is not known."""
    if isinstance(value, Unknown):
        return None
    if value is None or value is UNDEFINED:
        return False
    if isinstance(value, (bool, str)):
        return bool(value)
    if isinstance(value, (int, float)):
        return value == value and value != 0  # NaN, 0 and -0 are falsy
    if isinstance(value, BigInt):
        return value.value != 0
    return True  # objects, arrays, functions, drizzle builders


# --- sql templates -----------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A JavaScript value interpolated into ``sql``: drizzle binds it as a parameter."""

    value: Any


@dataclass(frozen=True)
class Identifier:
    """``sql.identifier(name)``: a double-quoted name."""

    name: str


@dataclass(frozen=True)
class Sql:
    """A ``sql`` template: raw text pieces and interpolated chunks, in order."""

    chunks: tuple[Any, ...]  # str (raw text) | ColumnBuilder | Table | Sql | Param | Identifier | Unknown

    def unknowns(self) -> list[Unknown]:
        found: list[Unknown] = []
        for chunk in self.chunks:
            if isinstance(chunk, Unknown):
                found.append(chunk)
            elif isinstance(chunk, Sql):
                found.extend(chunk.unknowns())
        return found


# --- columns and tables ------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """``.references(() => t.c, { onDelete, onUpdate })``: resolved only when the schema is rendered."""

    target: Any  # a Function returning a column, or a column
    on_delete: str | None
    on_update: str | None
    location: Location


@dataclass
class ColumnBuilder:
    """A column as drizzle builds it; methods return a copy with the change (builders chain)."""

    kind: str  # text, integer, real, blob, numeric, custom
    name: str  # "" until the table gives it its key
    config: dict[str, Any]
    location: Location
    sql_type: str = ""
    not_null: bool = False
    primary_key: bool = False
    autoincrement: bool = False
    default: Any = UNDEFINED
    default_location: Location | None = None
    unique_name: str | None = None
    is_unique: bool = False
    generated: tuple[Any, str] | None = None  # (expression, mode)
    references: list[Reference] = field(default_factory=list)
    key_as_name: bool = False


@dataclass(frozen=True, eq=False)
class Column:
    """A column of a built table: what ``users.id`` or the extra-config parameter's ``t.id`` is."""

    builder: ColumnBuilder
    table: Table
    key: str


@dataclass
class TableCreator:
    """``sqliteTableCreator((name) => `prefix_${name}`)``: a sqliteTable whose names pass through a function."""

    prefix: Any  # Function


@dataclass
class ExtraBuilder:
    """An entry of a table's third argument: index, uniqueIndex, primaryKey, foreignKey, unique, check."""

    kind: str
    location: Location
    name: str | None = None
    columns: list[Any] = field(default_factory=list)
    foreign_columns: list[Any] = field(default_factory=list)
    where: Any = None
    value: Any = None  # check's sql
    on_delete: str | None = None
    on_update: str | None = None
    unique: bool = False


@dataclass
class Table:
    name: str
    columns: dict[str, ColumnBuilder]  # by property key, in declaration order
    extra: Any  # Function | None: the third argument, called once columns exist
    location: Location
    problems: list[Unknown] = field(default_factory=list)


@dataclass
class View:
    name: str
    query: Any  # Sql | Unknown
    location: Location
    existing: bool = False
    has_columns: bool = False  # sqliteView(name, columns): only this form takes .as(sql`...`)
