"""Read a whole schema in one round trip and turn it into the model.

The same code reads the live database and the private shadow database the
expected DDL was executed in, so both sides are normalised identically
(DESIGN 2, "Shadow database").
"""

from __future__ import annotations

import fnmatch
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from driftgate.ddl import index_details, table_details
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

# One statement returning one JSON document: the whole schema in a single round trip.
# ``{where}`` restricts the tables when a schema is too large for one response.
_INTROSPECTION_TEMPLATE = """
WITH tl AS (SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'{where})
SELECT json_object(
 'tables', (SELECT json_group_array(json_array(tl.name, tl.type, tl.wr, tl.strict)) FROM tl),
 'columns', (SELECT json_group_array(json_array(tl.name, c.cid, c.name, c.type, c."notnull",
      c.dflt_value, c.pk, c.hidden))
    FROM tl JOIN pragma_table_xinfo(tl.name) c WHERE tl.type IN ('table', 'virtual')),
 'indexes', (SELECT json_group_array(json_array(tl.name, il.seq, il.name, il."unique", il.origin, il.partial))
    FROM tl JOIN pragma_index_list(tl.name) il WHERE tl.type = 'table'),
 'index_parts', (SELECT json_group_array(json_array(il.name, ix.seqno, ix.cid, ix.name, ix."desc", ix.coll))
    FROM tl JOIN pragma_index_list(tl.name) il JOIN pragma_index_xinfo(il.name) ix
    WHERE tl.type = 'table' AND ix.key = 1),
 'foreign_keys', (SELECT json_group_array(json_array(tl.name, fk.id, fk.seq, fk."table", fk."from", fk."to",
      fk.on_update, fk.on_delete, fk."match"))
    FROM tl JOIN pragma_foreign_key_list(tl.name) fk WHERE tl.type = 'table'),
 'objects', (SELECT json_group_array(json_array(s.type, s.name, s.tbl_name, s.sql)) FROM sqlite_schema s{objects_where})
)
"""

INTROSPECTION_SQL = _INTROSPECTION_TEMPLATE.format(where="", objects_where="")
TABLE_NAMES_SQL = "SELECT name FROM pragma_table_list WHERE schema = 'main' ORDER BY name"


def chunk_sql(names: Iterable[str]) -> str:
    """The introspection query restricted to some tables (for schemas too large for one response)."""
    quoted = ", ".join("'" + n.replace("'", "''") + "'" for n in names)
    return _INTROSPECTION_TEMPLATE.format(
        # NOCASE: a trigger keeps its table's name as written (`ON USERS` for table `users`).
        where=f" AND name IN ({quoted})",
        objects_where=f" WHERE s.tbl_name COLLATE NOCASE IN ({quoted})",
    )


def merge_documents(documents: Iterable[Mapping[str, list[Any]]]) -> dict[str, list[Any]]:
    merged: dict[str, list[Any]] = defaultdict(list)
    for document in documents:
        for key, rows in document.items():
            merged[key].extend(rows)
    return dict(merged)


def parse_document(text: str) -> dict[str, list[Any]]:
    raw = json.loads(text)
    return {key: (json.loads(value) if isinstance(value, str) else value) or [] for key, value in raw.items()}


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
    document: Mapping[str, list[Any]], ignore: tuple[str, ...], locate: LocationLookup
) -> tuple[tuple[View, ...], tuple[Trigger, ...]]:
    views: list[View] = []
    triggers: list[Trigger] = []
    for obj_type, name, tbl_name, sql in document.get("objects", []):
        if obj_type == "view" and not is_internal(name, ignore):
            views.append(View(name, canonical_view(sql or ""), locate("view", name, None)))
        elif obj_type == "trigger" and not is_internal(tbl_name, ignore):
            triggers.append(Trigger(name, tbl_name, canonical_trigger(sql or ""), locate("trigger", name, None)))
    return tuple(views), tuple(triggers)


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


def _table(name: str, rows: _Grouped, primary_keys: Mapping[str, tuple[str, ...]], locate: LocationLookup) -> Table:
    table_sql = rows.sql_of.get(("table", name))
    details = table_details(table_sql, name)
    wr, strict = rows.options[name]
    # A rowid table's PRIMARY KEY without a "pk" autoindex is the rowid alias (INTEGER PRIMARY KEY):
    # it can never hold NULL, whether or not NOT NULL is spelled out (drizzle always spells it).
    rowid_alias = rows.kinds[name] == "table" and not wr and not any(r[4] == "pk" for r in rows.indexes[name])
    columns = rows.columns[name]
    return Table(
        name=name,
        columns=_columns(name, columns, details.collations, details.generated, locate, rowid_alias),
        indexes=_indexes(name, rows.indexes[name], rows.parts, rows.sql_of, columns, locate),
        foreign_keys=_foreign_keys(name, rows.fks[name], details.deferrable, primary_keys, locate),
        checks=tuple(Check(name, expr, locate("check", name, None)) for _cname, expr in details.checks),
        kind=rows.kinds[name],
        without_rowid=wr,
        strict=strict,
        autoincrement=details.autoincrement,
        virtual_module=details.virtual_module,
        definition=table_sql,
        location=locate("table", name, None),
    )


def build_schema(
    document: Mapping[str, list[Any]],
    *,
    ignore: Iterable[str] = (),
    locate: LocationLookup = _no_location,
) -> Schema:
    """Turn the introspection document into a :class:`Schema` (pure; no I/O)."""
    ignore = tuple(ignore)
    rows = _Grouped.of(document)
    views, triggers = _views_and_triggers(document, ignore, locate)
    primary_keys = rows.primary_keys()
    tables = tuple(_table(name, rows, primary_keys, locate) for name in _compared_tables(document, rows.kinds, ignore))
    return Schema(tables=tables, views=views, triggers=triggers)


def _columns(
    table: str,
    rows: list[list[Any]],
    collations: Mapping[str, str],
    generated: Mapping[str, str],
    locate: LocationLookup,
    rowid_alias: bool = False,
) -> tuple[Column, ...]:
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
            )
        )
    return tuple(result)


def _indexes(
    table: str,
    rows: list[list[Any]],
    parts: Mapping[str, list[list[Any]]],
    sql_of: Mapping[tuple[str, str], str | None],
    column_rows: list[list[Any]],
    locate: LocationLookup,
) -> tuple[Index, ...]:
    result = []
    for _t, _seq, name, unique, origin, partial in rows:
        sql = sql_of.get(("index", name))
        details = index_details(sql, table)
        key_parts = []
        for i, (_n, _seqno, cid, col, desc, coll) in enumerate(sorted(parts[name], key=lambda r: r[1])):
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
            )
        )
    return tuple(sorted(result, key=lambda i: fold_name(i.name)))


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
