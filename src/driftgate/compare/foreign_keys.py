"""Foreign keys, matched by table and from-columns; a changed target or action is one finding."""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.compare.context import Comparison
from driftgate.findings import Finding
from driftgate.model import ForeignKey, fold_name


def _key(fk: ForeignKey) -> tuple[str, ...]:
    return tuple(fold_name(c) for c in fk.columns)


def _object(fk: ForeignKey) -> str:
    return f"{fk.table}({','.join(fk.columns)})->{fk.target_table}({','.join(fk.target_columns)})"


def _same(a: ForeignKey, b: ForeignKey) -> bool:
    return (
        fold_name(a.target_table) == fold_name(b.target_table)
        and tuple(fold_name(x) for x in a.target_columns) == tuple(fold_name(x) for x in b.target_columns)
        and (a.on_update, a.on_delete, a.match, a.deferrable) == (b.on_update, b.on_delete, b.match, b.deferrable)
    )


def compare_foreign_keys(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        live_fks = {_key(fk): fk for fk in live.foreign_keys}
        for fk in table.foreign_keys:
            actual = live_fks.get(_key(fk))
            rebuild = f"-- SQLite cannot alter a foreign key: rebuild {table.name} with FOREIGN KEY {fk.render()}"
            if actual is None:
                yield c.finding(
                    "foreign_key",
                    table.name,
                    _object(fk),
                    "missing",
                    expected=fk.render(),
                    message=f"{table.name}({', '.join(fk.columns)}) should reference {fk.target_table}",
                    fix=rebuild,
                    location=fk.location,
                )
            elif _same(fk, actual):
                yield c.finding(
                    "foreign_key",
                    table.name,
                    _object(fk),
                    "ok",
                    expected=fk.render(),
                    actual=actual.render(),
                    message="foreign key matches",
                    location=fk.location,
                )
            else:
                yield c.finding(
                    "foreign_key",
                    table.name,
                    _object(fk),
                    "different",
                    expected=fk.render(),
                    actual=actual.render(),
                    message=f"{table.name}({', '.join(fk.columns)}): foreign key differs",
                    fix=rebuild,
                    location=fk.location,
                )
        expected_keys = {_key(fk) for fk in table.foreign_keys}
        for actual in live.foreign_keys:
            if _key(actual) not in expected_keys:
                yield c.finding(
                    "foreign_key",
                    table.name,
                    _object(actual),
                    "unexpected",
                    actual=actual.render(),
                    message=f"the database has a foreign key {c.source} does not declare",
                    fix=f"-- declare it with .references(), or rebuild {table.name} without it",
                )
