"""Read a whole schema in one round trip and turn it into the model.

The same code reads the live database and the private shadow database the
expected DDL was executed in, so both sides are normalised identically
(DESIGN 2, "Shadow database").
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from driftgate.details import NO_DETAILS as _NO_DETAILS
from driftgate.details import NO_INDEX_DETAILS as _NO_INDEX_DETAILS
from driftgate.details import IndexDetails, TableDetails
from driftgate.identifiers import canonical_identifier, fold_name
from driftgate.model import (
    Check,
    Column,
    ForeignKey,
    Index,
    IndexPart,
    Location,
    Schema,
    Table,
    Trigger,
    View,
)
from driftgate.normalize import (
    canonical_action,
    canonical_default,
    canonical_trigger,
    canonical_view,
)

# Tables that belong to SQLite, libSQL, drizzle's ledger or replication tools: never drift.
INTERNAL_TABLES = ("sqlite_*", "__drizzle_migrations", "_litestream*", "libsql_*", "_cf_*")

# One statement returning one JSON document: the whole schema in a single round trip.  The table list
# and the index list are each read once (MATERIALIZED: every pragma_table_list call walks all tables,
# and the index list serves the indexes and their keys).  ``{where}`` restricts the tables (chunks).
_TABLE_LISTS = """
WITH tl AS MATERIALIZED (SELECT name, type, wr, strict, ncol FROM pragma_table_list WHERE schema = 'main'{where}),
 il AS MATERIALIZED (SELECT tl.name AS tbl, il.seq, il.name, il."unique", il.origin, il.partial
    FROM tl JOIN pragma_index_list(tl.name) il WHERE tl.type = 'table'),
 vl AS MATERIALIZED (SELECT name FROM tl WHERE type = 'view' AND ncol > 0)
"""
# vl: the views SQLite can describe.  A broken view (over a dropped table) has ncol 0 in pragma_table_list,
# and pragma_table_xinfo on it would fail the whole query.
_DOCUMENT = """json_object(
 'tables', (SELECT json_group_array(json_array(tl.name, tl.type, tl.wr, tl.strict)) FROM tl),
 'columns', (SELECT json_group_array(json_array(tl.name, c.cid, c.name, c.type, c."notnull",
      c.dflt_value, c.pk, c.hidden))
    FROM tl JOIN pragma_table_xinfo(tl.name) c WHERE tl.type IN ('table', 'virtual')),
 'indexes', (SELECT json_group_array(json_array(il.tbl, il.seq, il.name, il."unique", il.origin, il.partial))
    FROM il),
 'index_parts', (SELECT json_group_array(json_array(il.name, ix.seqno, ix.cid, ix.name, ix."desc", ix.coll))
    FROM il JOIN pragma_index_xinfo(il.name) ix WHERE ix.key = 1),
 'foreign_keys', (SELECT json_group_array(json_array(tl.name, fk.id, fk.seq, fk."table", fk."from", fk."to",
      fk.on_update, fk.on_delete, fk."match"))
    FROM tl JOIN pragma_foreign_key_list(tl.name) fk WHERE tl.type = 'table'),
 'objects', (SELECT json_group_array(json_array(s.type, s.name, s.tbl_name, s.sql))
    FROM sqlite_schema s{objects_where}),
 'view_columns', (SELECT json_group_array(json_array(vl.name, c.cid, c.name))
    FROM vl JOIN pragma_table_xinfo(vl.name) c)
)"""

INTROSPECTION_SQL = _TABLE_LISTS.format(where="") + "SELECT " + _DOCUMENT.format(objects_where="")
TABLE_NAMES_SQL = "SELECT name FROM pragma_table_list WHERE schema = 'main' ORDER BY name"


def sized_introspection_sql(most_tables: int) -> str:
    """:data:`INTROSPECTION_SQL`, unless the schema has more than ``most_tables`` tables: then only their
    names, as ``{"chunk_names": [...]}``, so that a large schema is read in chunks without first building
    a document the server would refuse (each refused attempt cost 0.4-0.7 s at 4,000 tables)."""
    return (
        _TABLE_LISTS.format(where="")
        + f"SELECT CASE WHEN (SELECT count(*) FROM tl) > {int(most_tables)} "
        + "THEN json_object('chunk_names', (SELECT json_group_array(name) FROM tl)) ELSE "
        + _DOCUMENT.format(objects_where="")
        + " END"
    )


def chunk_sql(names: Iterable[str]) -> str:
    """The introspection query restricted to some tables (for schemas too large for one response)."""
    quoted = ", ".join("'" + n.replace("'", "''") + "'" for n in names)
    # NOCASE: a trigger keeps its table's name as written (`ON USERS` for table `users`).
    return (
        _TABLE_LISTS.format(where=f" AND name IN ({quoted})")
        + "SELECT "
        + _DOCUMENT.format(objects_where=f" WHERE s.tbl_name COLLATE NOCASE IN ({quoted})")
    )


def merge_documents(documents: Iterable[Mapping[str, list[Any]]]) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = defaultdict(list)
    for document in documents:
        for key, rows in document.items():
            merged[key].extend(rows)
    return dict(merged)


def parse_document(text: str) -> dict[str, list[Any]]:
    # orjson: 3-5x the standard library's speed on a 1,000-table document.
    raw = orjson.loads(text)
    return {key: (orjson.loads(value) if isinstance(value, str) else value) or [] for key, value in raw.items()}


def is_internal(name: str, ignore: Iterable[str] = ()) -> bool:
    folded = fold_name(name)
    return any(fnmatch.fnmatchcase(folded, fold_name(pattern)) for pattern in (*INTERNAL_TABLES, *ignore))


LocationLookup = Callable[[str, str, str | None], Location | None]
"""(kind, object name, column or None) -> where the expected source defined it."""


def _no_location(kind: str, name: str, column: str | None) -> Location | None:
    return None


def _group_by_first(rows: Iterable[list[Any]]) -> defaultdict[str, list[list[Any]]]:
    """Rows keyed by their first value (the owning table or index name)."""
    grouped: defaultdict[str, list[list[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


@dataclass(frozen=True)
class _Grouped:
    """The introspection document's rows, grouped by the table (or index) they belong to."""

    kinds: dict[str, str]  # table name -> "table" | "virtual" | "view" | "shadow"
    options: dict[str, tuple[bool, bool]]  # table name -> (WITHOUT ROWID, STRICT)
    sql_of: dict[tuple[str, str], str | None]  # (object type, name) -> stored CREATE text
    columns: defaultdict[str, list[list[Any]]]
    indexes: defaultdict[str, list[list[Any]]]
    parts: defaultdict[str, list[list[Any]]]  # keyed by index name
    fks: defaultdict[str, list[list[Any]]]

    @classmethod
    def of(cls, document: Mapping[str, list[Any]]) -> _Grouped:
        tables = document.get("tables", [])
        return cls(
            kinds={name: kind for name, kind, _wr, _strict in tables},
            options={name: (bool(wr), bool(strict)) for name, _kind, wr, strict in tables},
            sql_of={(obj_type, name): sql for obj_type, name, _tbl, sql in document.get("objects", [])},
            columns=_group_by_first(document.get("columns", [])),
            indexes=_group_by_first(document.get("indexes", [])),
            parts=_group_by_first(document.get("index_parts", [])),
            fks=_group_by_first(document.get("foreign_keys", [])),
        )

    def primary_keys(self) -> dict[str, tuple[str, ...]]:
        """Every table's primary key columns in key order (folded name -> names): implicit FK targets."""
        return {
            fold_name(name): tuple(r[2] for r in sorted(self.columns[name], key=lambda r: r[6]) if r[6])
            for name in self.kinds
        }


def _views_and_triggers(
    document: Mapping[str, list[Any]],
    ignore: tuple[str, ...],
    locate: LocationLookup,
    known: Mapping[bytes, Table | View | Trigger] | None,
) -> tuple[tuple[View, ...], tuple[Trigger, ...], tuple[bytes, ...]]:
    """The views and triggers, and their keys (views first): one whose sqlite_schema row has a key in
    ``known`` is taken from there (its canonical text is a pure function of that row, so nothing is
    parsed again; a taken one keeps the other document's location, which comparison never reads)."""
    views: list[View] = []
    triggers: list[Trigger] = []
    view_keys: list[bytes] = []
    trigger_keys: list[bytes] = []
    view_columns: defaultdict[str, list[tuple[int, str]]] = defaultdict(list)
    for view_name, cid, column in document.get("view_columns", []):
        view_columns[view_name].append((cid, column))
    for obj_type, name, tbl_name, sql in document.get("objects", []):
        if obj_type == "view" and not is_internal(name, ignore):
            # The names SQLite gives the view's columns (`SELECT a+1` names one "a+1"): queries use them.
            columns = tuple(fold_name(column) for _cid, column in sorted(view_columns.get(name, ())))
            key = object_input_key(obj_type, name, tbl_name, sql, columns)
            views.append(
                _known(known, key, View)
                or View(name, canonical_view(sql or ""), locate("view", name, None), columns=columns)
            )
            view_keys.append(key)
        elif obj_type == "trigger" and not is_internal(tbl_name, ignore):
            key = object_input_key(obj_type, name, tbl_name, sql)
            triggers.append(
                _known(known, key, Trigger)
                or Trigger(name, tbl_name, canonical_trigger(sql or ""), locate("trigger", name, None))
            )
            trigger_keys.append(key)
    return tuple(views), tuple(triggers), (*view_keys, *trigger_keys)


_T = TypeVar("_T", Table, View, Trigger)


def _known(known: Mapping[bytes, Table | View | Trigger] | None, key: bytes, kind: type[_T]) -> _T | None:
    """The object of this kind another document built from the same rows, if any (see build_schema)."""
    found = known.get(key) if known else None
    return found if isinstance(found, kind) else None


def object_input_key(obj_type: str, name: str, tbl_name: str, sql: str | None, columns: tuple[str, ...] = ()) -> bytes:
    """A digest of a view's or trigger's sqlite_schema row, and a view's column names (``SELECT *`` takes
    them from other tables): everything its model is made from.

    Tagged so that it can never be a :func:`table_input_key`."""
    text = repr(("sqlite_schema row", obj_type, name, tbl_name, sql, columns)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


def _compared_tables(document: Mapping[str, list[Any]], kinds: Mapping[str, str], ignore: tuple[str, ...]) -> list[str]:
    """Real and virtual tables, without internal ones and libSQL vector-index storage, in folded-name order."""
    # libSQL vector indexes keep their data in a table named <index>_shadow: storage, not schema.
    vector_shadows = {
        fold_name(f"{name}_shadow")
        for obj_type, name, _tbl, sql in document.get("objects", [])
        if obj_type == "index" and sql and "libsql_vector_idx" in fold_name(sql)
    }
    wanted = [
        n
        for n, k in kinds.items()
        if k in ("table", "virtual") and not is_internal(n, ignore) and fold_name(n) not in vector_shadows
    ]
    return sorted(wanted, key=fold_name)


# What PRAGMAs do not tell (collations, CHECKs, DEFERRABLE ... INITIALLY DEFERRED, AUTOINCREMENT, virtual
# modules, ON CONFLICT clauses) can only be there if its keyword is in the CREATE text: SQL keywords
# cannot be spelled any other way.  A text without any of them has nothing for the tokenizer to find
# (generated columns are known from table_xinfo's hidden flag), so most tables are never tokenised.
_DETAIL_WORDS = ("collate", "check", "deferred", "autoincrement", "virtual", "conflict")


def _needs_details(sql: str | None, columns: list[list[Any]]) -> bool:
    if not sql:
        return False
    lowered = sql.lower()
    return any(word in lowered for word in _DETAIL_WORDS) or any(r[7] in (2, 3) for r in columns)


def _table_details(sql: str | None, name: str, columns: list[list[Any]]) -> TableDetails:
    if not _needs_details(sql, columns):
        return _NO_DETAILS
    from driftgate.normalize import load_parser

    load_parser()  # sqlglot, imported only when a text needs reading
    from driftgate.ddl import table_details

    return table_details(sql, name)


def _table(name: str, rows: _Grouped, primary_keys: Mapping[str, tuple[str, ...]], locate: LocationLookup) -> Table:
    table_sql = rows.sql_of.get(("table", name))
    columns = rows.columns[name]
    details = _table_details(table_sql, name, columns)
    wr, strict = rows.options[name]
    # A rowid table's PRIMARY KEY without a "pk" autoindex is the rowid alias (INTEGER PRIMARY KEY):
    # it can never hold NULL, whether or not NOT NULL is spelled out (drizzle always spells it).
    rowid_alias = rows.kinds[name] == "table" and not wr and not any(r[4] == "pk" for r in rows.indexes[name])
    return Table(
        name=name,
        columns=_columns(name, columns, details, locate, rowid_alias),
        indexes=_indexes(name, rows.indexes[name], rows.parts, rows.sql_of, details.unique_conflicts, locate),
        foreign_keys=_foreign_keys(name, rows.fks[name], details.deferrable, primary_keys, locate),
        checks=tuple(Check(name, expr, locate("check", name, None)) for _cname, expr in details.checks),
        kind=rows.kinds[name],
        without_rowid=wr,
        strict=strict,
        autoincrement=details.autoincrement,
        virtual_module=details.virtual_module,
        definition=table_sql,
        location=locate("table", name, None),
        primary_key_conflict=details.primary_key_conflict,
    )


def table_input_key(name: str, rows: _Grouped, primary_keys: Mapping[str, tuple[str, ...]]) -> bytes:
    """A digest of every row :func:`_table` reads for table ``name`` (its locations aside).

    ``_table`` is a pure function of these rows, so two documents giving one table the same key give
    it equal models: the stored CREATE texts, the PRAGMA rows of its columns, indexes, index keys and
    foreign keys, and the parent primary keys its ``REFERENCES parent`` (no column list) resolves to.
    """
    indexes = rows.indexes[name]
    fks = rows.fks[name]
    inputs = (
        name,
        rows.kinds[name],
        rows.options[name],
        rows.sql_of.get(("table", name)),
        rows.columns[name],
        indexes,
        [(rows.parts[r[2]], rows.sql_of.get(("index", r[2]))) for r in indexes],
        fks,
        [primary_keys.get(fold_name(r[3])) for r in fks if r[5] is None],
    )
    try:
        text = orjson.dumps(inputs)  # a tenth of repr's time on 1,000 tables
    except TypeError:  # a string orjson refuses (a lone surrogate): repr is as exact
        text = repr(inputs).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


def build_schema(
    document: Mapping[str, list[Any]],
    *,
    ignore: Iterable[str] = (),
    locate: LocationLookup = _no_location,
    known: Mapping[bytes, Table | View | Trigger] | None = None,
) -> Schema:
    """Turn the introspection document into a :class:`Schema` (pure; no I/O).

    ``known``: tables already built from other documents, by :func:`table_input_key` (and views and
    triggers, by :func:`object_input_key`).  A table whose rows are the same is taken from there
    instead of being built again: the usual live database stores the very rows the expected schema's
    replay did, and most of a large check is then read once.  A taken table keeps the other document's
    locations; comparison reads locations from the expected side only, never from the live one.
    """
    ignore = tuple(ignore)
    rows = _Grouped.of(document)
    views, triggers, object_keys = _views_and_triggers(document, ignore, locate, known)
    primary_keys = rows.primary_keys()
    tables: list[Table] = []
    keys: list[bytes] = []
    for name in _compared_tables(document, rows.kinds, ignore):
        key = table_input_key(name, rows, primary_keys)
        tables.append(_known(known, key, Table) or _table(name, rows, primary_keys, locate))
        keys.append(key)
    return Schema(tables=tuple(tables), views=views, triggers=triggers, table_keys=tuple(keys), object_keys=object_keys)


def _columns(
    table: str, rows: list[list[Any]], details: TableDetails, locate: LocationLookup, rowid_alias: bool = False
) -> tuple[Column, ...]:
    collations, generated, conflicts = details.collations, details.generated, details.not_null_conflicts
    result = []
    for _t, _cid, name, decl_type, notnull, dflt, pk, hidden in sorted(rows, key=lambda r: r[1]):
        if hidden == 1:  # virtual-table hidden columns (fts5's rank, the table-named column)
            continue
        key = canonical_identifier(name)
        result.append(
            Column(
                name=name,
                declared_type=decl_type or "",
                not_null=bool(notnull) or (rowid_alias and bool(pk)),
                default=canonical_default(dflt),
                pk_position=pk,
                collation=collations.get(key, "BINARY"),
                generated=generated.get(key) if hidden in (2, 3) else None,
                generated_kind={2: "VIRTUAL", 3: "STORED"}.get(hidden),
                location=locate("column", table, name),
                not_null_conflict=conflicts.get(key) if notnull else None,
            )
        )
    return tuple(result)


def _indexes(
    table: str,
    rows: list[list[Any]],
    parts: Mapping[str, list[list[Any]]],
    sql_of: Mapping[tuple[str, str], str | None],
    unique_conflicts: Mapping[tuple[str, ...], str],
    locate: LocationLookup,
) -> tuple[Index, ...]:
    result = []
    for _t, _seq, name, unique, origin, partial in rows:
        sql = sql_of.get(("index", name))
        index_parts = sorted(parts[name], key=lambda r: r[1])
        # The CREATE INDEX text is read only for what index_xinfo lacks: expression keys and WHERE.
        details = _index_details(sql, table) if partial or any(r[2] == -2 for r in index_parts) else _NO_INDEX_DETAILS
        key_parts = []
        for i, (_n, _seqno, cid, col, desc, coll) in enumerate(index_parts):
            expression = None
            if cid == -2:  # an expression key: the text only exists in the CREATE INDEX
                expression = details.part_expressions[i] if i < len(details.part_expressions) else "?"
                col = None
            elif cid == -1:
                col = "rowid"
            key_parts.append(IndexPart(col, expression, bool(desc), (coll or "BINARY").upper()))
        result.append(
            Index(
                name=name,
                table=table,
                parts=tuple(key_parts),
                unique=bool(unique),
                origin=origin,
                where=details.where if partial else None,
                definition=sql,
                location=None if origin != "c" else locate("index", name, None),
                # A UNIQUE constraint's autoindex, by its key columns: the constraint's ON CONFLICT clause.
                on_conflict=(
                    unique_conflicts.get(tuple(canonical_identifier(p.column or "") for p in key_parts))
                    if origin == "u" and unique_conflicts
                    else None
                ),
            )
        )
    return tuple(sorted(result, key=lambda i: fold_name(i.name)))


def _index_details(sql: str | None, table: str) -> IndexDetails:
    from driftgate.normalize import load_parser

    load_parser()
    from driftgate.ddl import index_details

    return index_details(sql, table)


def _foreign_keys(
    table: str,
    rows: list[list[Any]],
    deferrable: Mapping[tuple[str, ...], str],
    primary_keys: Mapping[str, tuple[str, ...]],
    locate: LocationLookup,
) -> tuple[ForeignKey, ...]:
    grouped: dict[int, list[list[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[1]].append(row)
    result = []
    for _id, members in sorted(grouped.items()):
        members.sort(key=lambda r: r[2])
        first = members[0]
        target = first[3]
        from_columns = tuple(r[4] for r in members)
        to_columns = tuple(r[5] for r in members)
        if any(c is None for c in to_columns):
            # `REFERENCES users` means the parent's primary key.
            to_columns = primary_keys.get(fold_name(target), ()) or tuple("?" for _ in members)
        result.append(
            ForeignKey(
                table=table,
                columns=from_columns,
                target_table=target,
                target_columns=to_columns,
                on_update=canonical_action(first[6]),
                on_delete=canonical_action(first[7]),
                match=(first[8] or "NONE").upper(),
                deferrable=deferrable.get(tuple(canonical_identifier(c) for c in from_columns), "NOT DEFERRABLE"),
                location=locate("foreign_key", table, from_columns[0]),
            )
        )
    return tuple(result)
