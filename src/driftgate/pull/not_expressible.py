"""NOT_EXPRESSIBLE.md: what the TypeScript does not say, each with the SQL for a custom migration;
and NOT_EXPRESSIBLE.sql, the same statements exactly, ready for one.

The Markdown is for reading, so its SQL is shown as :func:`driftgate.report.safe.needs_escaping` allows:
a statement whose names hold characters a terminal or viewer acts on (an escape sequence, a bidi
override) or a line break inside quotes is shown on one line with those characters escaped, and the
reader is sent to the SQL file, whose text is the database's own, byte for byte.
"""

from __future__ import annotations

from driftgate.pull.choose import PullPlan
from driftgate.pull.names import md_code_block
from driftgate.report.safe import comment_only, markdown_text, needs_escaping, printable

MD_NAME, SQL_NAME = "NOT_EXPRESSIBLE.md", "NOT_EXPRESSIBLE.sql"


def not_expressible_md(plan: PullPlan) -> str:
    lines = [
        "# What the Drizzle schema does not say",
        "",
        "Written by `driftgate pull`. Drizzle cannot declare the objects below; keep each in a custom",
        "migration (`drizzle-kit generate --custom`) with the SQL shown, or accept it in driftgate.",
        "",
    ]
    if not plan.not_expressible:
        lines += ["Nothing: every object of the database is declared in the TypeScript.", ""]
    if plan.not_expressible or plan.steps:
        lines += [f"Every statement below is also in `{SQL_NAME}`, exactly as the database has it.", ""]
    for item in plan.not_expressible:
        where = f" (table {markdown_text(item.table)})" if item.table and item.table != item.name else ""
        heading = f"## {markdown_text(item.kind)} {markdown_text(item.name)}{where}"
        lines += [heading, "", markdown_text(item.reason) + ".", ""]
        lines += [*_sql_block(item.sql), ""]
    if plan.steps:
        lines += [
            "# Database steps",
            "",
            "The schema uses a form whose structure differs from the database; run each statement once on",
            "the database so that `driftgate check` finds it conforming.",
            "",
        ]
        for step in plan.steps:
            lines += [f"- {markdown_text(step.what)}", "", *_sql_block(step.sql), ""]
    return "\n".join(lines)


def _sql_block(sql: str) -> list[str]:
    if not needs_escaping(sql):
        return [md_code_block(sql)]
    return [
        md_code_block(printable(sql)),
        "",
        f"Shown escaped on one line: a name holds characters a terminal or viewer would act on, or a line "
        f"break. The exact statement is in `{SQL_NAME}`.",
    ]


def not_expressible_sql(plan: PullPlan) -> str | None:
    """The statements of :func:`not_expressible_md` exactly, each after a comment naming what it is for
    (names in comments escaped: a comment never ends early); None when there are none."""
    if not plan.not_expressible and not plan.steps:
        return None
    lines = [f"-- Written by driftgate pull: the statements of {MD_NAME} exactly, as the database has them.", ""]
    if plan.not_expressible:
        lines += ["-- What the Drizzle schema does not say: keep it in a custom migration (generate --custom).", ""]
    for item in plan.not_expressible:
        lines += [comment_only(f"-- {item.kind} {item.name}: {item.reason}"), item.sql.rstrip(), ""]
    if plan.steps:
        lines += ["-- Database steps: run each once on the database, so that driftgate check finds it conforming.", ""]
    for step in plan.steps:
        lines += [comment_only(f"-- {step.what}"), step.sql.rstrip(), ""]
    return "\n".join(lines)
