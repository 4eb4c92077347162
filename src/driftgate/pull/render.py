"""TypeScript and markdown text of a :class:`PullPlan` (no I/O)."""

from __future__ import annotations

from driftgate.pull.choose import PullPlan, TableCode, ViewCode
from driftgate.pull.names import ts_string, ts_template

HEADER = "// Written by `driftgate pull` from the live database. Regenerate rather than edit by hand.\n"
SQL_TYPE = (
    "// A column type drizzle has no builder for: dataType() is written verbatim as the SQL type.\n"
    "const sqlType = (dataType: string) => customType<{ data: unknown }>({ dataType: () => dataType });\n"
)


def _imports(core: set[str], orm: set[str]) -> str:
    lines = []
    if orm:
        lines.append(f'import {{ {", ".join(sorted(orm))} }} from "drizzle-orm";')
    if core:
        lines.append(f'import {{ {", ".join(sorted(core))} }} from "drizzle-orm/sqlite-core";')
    return "\n".join(lines) + "\n"


def table_source(table: TableCode) -> str:
    columns = "".join(f"    {line},\n" for line in table.columns)
    text = f"export const {table.variable} = sqliteTable(\n  {ts_string(table.name)},\n  {{\n{columns}  }}"
    if table.extras:
        extras = "".join(f"    {line},\n" for line in table.extras)
        text += f",\n  (t) => [\n{extras}  ]"
    return text + ",\n);\n"


def view_source(view: ViewCode) -> str:
    select = ts_template(view.select)
    columns = "".join(f"  {line},\n" for line in view.columns)
    shape = f"{{\n{columns}}}" if columns else "{}"
    return f"export const {view.variable} = sqliteView({ts_string(view.name)}, {shape}).as(sql`{select}`);\n"


def single_file(plan: PullPlan) -> str:
    core: set[str] = set()
    orm: set[str] = set()
    for table in plan.tables:
        core |= table.core
        orm |= table.orm
    for view in plan.views:
        core |= view.core
        orm.add("sql")
    body = [HEADER, _imports(core, orm)]
    if any(t.uses_sql_type for t in plan.tables) or any(v.uses_sql_type for v in plan.views):
        body.append("\n" + SQL_TYPE)
    body += ["\n" + table_source(t) for t in plan.tables]
    body += ["\n" + view_source(v) for v in plan.views]
    return "".join(body)


def files(plan: PullPlan) -> dict[str, str]:
    """One file per table and per view, and index.ts exporting them all."""
    variable_of = {t.name: t.variable for t in plan.tables}
    result: dict[str, str] = {}
    for table in plan.tables:
        text = [HEADER, _imports(table.core, table.orm)]
        for other in sorted(table.references):
            var = variable_of[other]
            text.append(f'import {{ {var} }} from "./{var}";\n')
        if table.uses_sql_type:
            text.append("\n" + SQL_TYPE)
        text.append("\n" + table_source(table))
        result[f"{table.variable}.ts"] = "".join(text)
    for view in plan.views:
        helper = "\n" + SQL_TYPE if view.uses_sql_type else ""
        result[f"{view.variable}.ts"] = HEADER + _imports(view.core, {"sql"}) + helper + "\n" + view_source(view)
    stems = [t.variable for t in plan.tables] + [v.variable for v in plan.views]
    result["index.ts"] = HEADER + "".join(f'export * from "./{stem}";\n' for stem in stems)
    return result
