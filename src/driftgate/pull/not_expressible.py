"""NOT_EXPRESSIBLE.md: what the TypeScript does not say, each with the SQL for a custom migration."""

from __future__ import annotations

from driftgate.pull.choose import PullPlan
from driftgate.pull.names import md_code_block
from driftgate.report.safe import markdown_text


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
    for item in plan.not_expressible:
        where = f" (table {markdown_text(item.table)})" if item.table and item.table != item.name else ""
        heading = f"## {markdown_text(item.kind)} {markdown_text(item.name)}{where}"
        lines += [heading, "", markdown_text(item.reason) + ".", ""]
        lines += [md_code_block(item.sql), ""]
    if plan.steps:
        lines += [
            "# Database steps",
            "",
            "The schema uses a form whose structure differs from the database; run each statement once on",
            "the database so that `driftgate check` finds it conforming.",
            "",
        ]
        for step in plan.steps:
            lines += [f"- {markdown_text(step.what)}", "", md_code_block(step.sql), ""]
    return "\n".join(lines)
