"""CHECK constraints, table options, views and triggers: compared by canonical text."""

from __future__ import annotations

from collections.abc import Iterator

from driftgate.compare.context import Comparison, quote
from driftgate.findings import Finding


def compare_checks(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        live_checks = {chk.expression for chk in live.checks}
        expected_checks = {chk.expression for chk in table.checks}
        for chk in table.checks:
            obj = f"{table.name}({chk.expression})"
            present = chk.expression in live_checks
            yield c.finding(
                "check", table.name, obj, "ok" if present else "missing",
                expected=f"CHECK ({chk.expression})", actual=f"CHECK ({chk.expression})" if present else None,
                message="check matches" if present else f"{table.name} lacks CHECK ({chk.expression})",
                fix=None if present else f"-- SQLite cannot add a CHECK in place: rebuild {table.name}",
                location=chk.location,
            )
        for chk in live.checks:
            if chk.expression not in expected_checks:
                yield c.finding(
                    "check", table.name, f"{table.name}({chk.expression})", "unexpected",
                    actual=f"CHECK ({chk.expression})",
                    message=f"the database has a CHECK {c.source} does not declare",
                    fix=f"-- declare it with check(), or rebuild {table.name} without it",
                )


def compare_table_options(c: Comparison) -> Iterator[Finding]:
    for table, live in c.pairs:
        same = table.options == live.options
        yield c.finding(
            "table_option", table.name, table.name, "ok" if same else "different",
            expected=" ".join(table.options) or "(none)", actual=" ".join(live.options) or "(none)",
            message="table options match" if same else f"{table.name}: table options differ",
            fix=None if same else f"-- table options need a rebuild of {table.name}", location=table.location,
        )


def compare_views(c: Comparison) -> Iterator[Finding]:
    live_views = {v.name.casefold(): v for v in c.actual.views}
    for view in c.expected.views:
        actual = live_views.get(view.name.casefold())
        if actual is None:
            yield c.finding("view", view.name, view.name, "missing", expected=view.definition,
                            message=f"view {view.name} is missing",
                            fix=f"CREATE VIEW {quote(view.name)} AS {view.definition};", location=view.location)
        else:
            same = actual.definition == view.definition
            yield c.finding(
                "view", view.name, view.name, "ok" if same else "different",
                expected=view.definition, actual=actual.definition,
                message="view matches" if same else f"view {view.name} is defined differently",
                fix=None if same
                else f"DROP VIEW {quote(view.name)};\nCREATE VIEW {quote(view.name)} AS {view.definition};",
                location=view.location,
            )
    names = {v.name.casefold() for v in c.expected.views}
    for actual in c.actual.views:
        if actual.name.casefold() not in names:
            yield c.finding("view", actual.name, actual.name, "unexpected", actual=actual.definition,
                            message=f"the database has view {actual.name}, which {c.source} does not define",
                            fix=f"-- DROP VIEW {quote(actual.name)};")


def compare_triggers(c: Comparison) -> Iterator[Finding]:
    live_triggers = {t.name.casefold(): t for t in c.actual.triggers}
    for trigger in c.expected.triggers:
        actual = live_triggers.get(trigger.name.casefold())
        if actual is None:
            yield c.finding("trigger", trigger.table, trigger.name, "missing", expected=trigger.definition,
                            message=f"trigger {trigger.name} is missing", fix=trigger.definition + ";",
                            location=trigger.location)
        else:
            same = actual.definition == trigger.definition
            yield c.finding(
                "trigger", trigger.table, trigger.name, "ok" if same else "different",
                expected=trigger.definition, actual=actual.definition,
                message="trigger matches" if same else f"trigger {trigger.name} is defined differently",
                fix=None if same else f"DROP TRIGGER {quote(trigger.name)};\n{trigger.definition};",
                location=trigger.location,
            )
    names = {t.name.casefold() for t in c.expected.triggers}
    for actual in c.actual.triggers:
        if actual.name.casefold() not in names:
            yield c.finding("trigger", actual.table, actual.name, "unexpected", actual=actual.definition,
                            message=f"the database has trigger {actual.name}, which {c.source} does not define",
                            fix=f"-- DROP TRIGGER {quote(actual.name)};")
