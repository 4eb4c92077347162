"""Foreign keys, matched by table and from-columns; a changed target or action is one finding.

A key is the pairs it maps, child column to parent column, in any order: SQLite pairs the i-th child
column with the i-th parent column and finds the parent's unique index by the set of parent columns,
so ``FOREIGN KEY (a, b) REFERENCES p(x, y)`` is ``FOREIGN KEY (b, a) REFERENCES p(y, x)``, while
``FOREIGN KEY (a, b) REFERENCES p(y, x)`` (a to y, b to x) is another key.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from driftgate.compare.context import Comparison
from driftgate.findings import Finding
from driftgate.identifiers import fold_name
from driftgate.model import ForeignKey


def _key(fk: ForeignKey) -> tuple[str, ...]:
    """The child's columns, as a set (sorted): keys are matched by them."""
    return tuple(sorted(fold_name(c) for c in fk.columns))


def _mapping(fk: ForeignKey) -> tuple[tuple[str, str], ...]:
    return _pairs(fk.columns, fk.target_columns)


def _pairs(columns: Sequence[str], target_columns: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The (child column, parent column) pairs, in any order; in their order when the parent's columns are
    not known (an implicit target whose primary key could not be read, ``?``: the order is all there is)."""
    pairs = tuple((fold_name(c), fold_name(t)) for c, t in zip(columns, target_columns, strict=False))
    return pairs if "?" in target_columns else tuple(sorted(pairs))


def _object(fk: ForeignKey) -> str:
    return f"{fk.table}({','.join(fk.columns)})->{fk.target_table}({','.join(fk.target_columns)})"


def object_key(name: str) -> tuple[object, ...] | None:
    """The key a finding's object name (:func:`_object`) stands for, as the comparison matches keys: its table,
    its target and the pairs it maps, in any order (``t(a,b)->p(x,y)`` is ``t(b,a)->p(y,x)``; each source names
    a key in its own order).  None when the name cannot be read back unambiguously (a bracket, a comma or an
    arrow inside a name)."""
    if name.count(")->") != 1:
        return None
    left, right = name.split(")->")
    if left.count("(") != 1 or right.count("(") != 1 or right.count(")") != 1 or not right.endswith(")"):
        return None
    table, columns = left.split("(")
    target, targets = right[:-1].split("(")
    children, parents = columns.split(","), targets.split(",")
    if len(children) != len(parents):
        return None
    return fold_name(table), fold_name(target), _pairs(children, parents)


def _same(a: ForeignKey, b: ForeignKey) -> bool:
    return (
        fold_name(a.target_table) == fold_name(b.target_table)
        and (len(a.columns), len(a.target_columns)) == (len(b.columns), len(b.target_columns))
        and _mapping(a) == _mapping(b)
        and (a.on_update, a.on_delete, a.match, a.deferrable) == (b.on_update, b.on_delete, b.match, b.deferrable)
    )


def _pair(
    expected: tuple[ForeignKey, ...], actual: tuple[ForeignKey, ...]
) -> list[tuple[ForeignKey | None, ForeignKey | None]]:
    """Match by from-columns (as a set); where several keys share them, identical ones pair first, then in order."""
    remaining = list(actual)
    pairs: list[tuple[ForeignKey | None, ForeignKey | None]] = []
    unmatched: list[ForeignKey] = []
    for fk in expected:
        twin = next((a for a in remaining if _key(a) == _key(fk) and _same(fk, a)), None)
        if twin is None:
            unmatched.append(fk)
        else:
            remaining.remove(twin)
            pairs.append((fk, twin))
    for fk in unmatched:
        other = next((a for a in remaining if _key(a) == _key(fk)), None)
        if other is not None:
            remaining.remove(other)
        pairs.append((fk, other))
    pairs.extend((None, a) for a in remaining)
    return pairs


def compare_foreign_keys(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        # A table built from the same rows pairs every key with itself.
        keys = table.foreign_keys
        pairs = [(fk, fk) for fk in keys] if live is table else _pair(keys, live.foreign_keys)
        for fk, actual in pairs:
            if fk is None:
                assert actual is not None
                yield c.finding(
                    "foreign_key",
                    table.name,
                    _object(actual),
                    "unexpected",
                    actual=actual.render(),
                    message=f"the database has a foreign key {c.source} does not declare",
                    fix=f"-- declare it with .references(), or rebuild {table.name} without it",
                )
                continue
            if actual is None:
                status, message = "missing", f"{table.name}({', '.join(fk.columns)}) should reference {fk.target_table}"
            elif actual is fk or _same(fk, actual):
                status, message = "ok", "foreign key matches"
            else:
                status, message = "different", f"{table.name}({', '.join(fk.columns)}): foreign key differs"
            yield c.finding(
                "foreign_key",
                table.name,
                _object(fk),
                status,
                expected=fk.render(),
                actual=actual.render() if actual is not None else None,
                message=message,
                fix=f"-- SQLite cannot alter a foreign key: rebuild {table.name} with FOREIGN KEY {fk.render()}",
                location=fk.location,
            )
