"""CHECK constraints, table options, views and triggers: compared by canonical text."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from driftgate.compare.context import Comparison
from driftgate.findings import Finding
from driftgate.identifiers import fold_name, quote, quote_if_needed
from driftgate.model import Trigger, View


def compare_checks(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        live_checks = {chk.expression for chk in live.checks}
        expected_checks = {chk.expression for chk in table.checks}
        for chk in table.checks:
            obj = f"{table.name}({chk.expression})"
            present = chk.expression in live_checks
            yield c.finding(
                "check",
                table.name,
                obj,
                "ok" if present else "missing",
                expected=f"CHECK ({chk.expression})",
                actual=f"CHECK ({chk.expression})" if present else None,
                message="check matches" if present else f"{table.name} lacks CHECK ({chk.expression})",
                fix=None if present else f"-- SQLite cannot add a CHECK in place: rebuild {table.name}",
                location=chk.location,
            )
        for chk in live.checks:
            if chk.expression not in expected_checks:
                yield c.finding(
                    "check",
                    table.name,
                    f"{table.name}({chk.expression})",
                    "unexpected",
                    actual=f"CHECK ({chk.expression})",
                    message=f"the database has a CHECK {c.source} does not declare",
                    fix=f"-- declare it with check(), or rebuild {table.name} without it",
                )


def compare_table_options(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        same = table.options == live.options
        yield c.finding(
            "table_option",
            table.name,
            table.name,
            "ok" if same else "different",
            expected=" ".join(table.options) or "(none)",
            actual=" ".join(live.options) or "(none)",
            message="table options match" if same else f"{table.name}: table options differ",
            fix=None if same else f"-- table options need a rebuild of {table.name}",
            location=table.location,
        )


def _compare_named(
    c: Comparison,
    kind: str,
    expected: Sequence[View | Trigger],
    actual: Sequence[View | Trigger],
    create: Callable[[View | Trigger], str],
) -> Iterator[Finding]:
    """Views and triggers: matched by name, compared by canonical definition."""

    def owner(item: View | Trigger) -> str:
        return item.table if isinstance(item, Trigger) else item.name

    drop = f"DROP {kind.upper()}"
    live = {fold_name(item.name): item for item in actual}
    for item in expected:
        found = live.get(fold_name(item.name))
        if found is None:
            yield c.finding(
                kind,
                owner(item),
                item.name,
                "missing",
                expected=item.definition,
                message=f"{kind} {item.name} is missing",
                fix=create(item),
                location=item.location,
            )
            continue
        same = found.definition == item.definition
        expected_text, actual_text = item.definition, found.definition
        message = f"{kind} {item.name} is defined differently"
        if same and isinstance(item, View) and isinstance(found, View) and _columns_differ(item, found):
            # `SELECT a+1` and `SELECT a + 1` name their column "a+1" and "a + 1": queries naming it break.
            same = False
            expected_text, actual_text = _with_columns(item), _with_columns(found)
            message = f"{kind} {item.name} names its columns differently"
        yield c.finding(
            kind,
            owner(item),
            item.name,
            "ok" if same else "different",
            expected=expected_text,
            actual=actual_text,
            message=f"{kind} matches" if same else message,
            fix=None if same else f"{drop} {quote_if_needed(item.name)};\n{create(item)}",
            location=item.location,
        )
    names = {fold_name(item.name) for item in expected}
    for item in actual:
        if fold_name(item.name) not in names:
            fix = f"-- {drop} {quote_if_needed(item.name)};"
            yield c.unexpected(kind, owner(item), item.name, f"{kind} {item.name}", item.definition, fix)


def _columns_differ(expected: View, actual: View) -> bool:
    """Whether both views' column names are known and differ.  A view SQLite cannot describe (over a
    dropped table) has none; every other has at least one, and its broken table is a finding of its own."""
    return bool(expected.columns and actual.columns) and expected.columns != actual.columns


def _with_columns(view: View) -> str:
    """A view's definition with the names SQLite gives its columns (shown only when those differ)."""
    return f"{view.definition} -- columns: {', '.join(quote(name) for name in view.columns)}"


def compare_views(c: Comparison) -> Iterator[Finding]:
    yield from _compare_named(
        c,
        "view",
        c.expected.views,
        c.actual.views,
        lambda v: f"CREATE VIEW {quote_if_needed(v.name)} AS {v.definition};",
    )


def compare_triggers(c: Comparison) -> Iterator[Finding]:
    yield from _compare_named(c, "trigger", c.expected.triggers, c.actual.triggers, lambda t: f"{t.definition};")
