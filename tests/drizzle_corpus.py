"""The Drizzle corpus: schema cases and the SQL the real drizzle-kit generates for each.

A case is a folder under ``fixtures/drizzle-corpus/`` holding ``schema.ts`` (one file) or
``schema/`` (several files), an optional ``drizzle.config.ts`` (when casing or the schema
entry point matters; its ``out`` must be ``./drizzle``), optional ``stubs/<package>/index.js``
(stand-ins for npm packages the schema imports: drizzle-kit executes the schema, so they must
resolve; the reader never needs them), and ``generated.sql``: exactly the migration
``drizzle-kit generate`` writes for it, byte for byte.

Regenerate (after adding or changing a case)::

    .venv/bin/python tests/drizzle_corpus.py            # every case
    .venv/bin/python tests/drizzle_corpus.py 07-text-json-mode ...
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "fixtures" / "drizzle-corpus"
NODE_MODULES = REPO / "tools" / "node_modules"
DRIZZLE_KIT = NODE_MODULES / "drizzle-kit" / "bin.cjs"
GENERATED = "generated.sql"
CONFIG = "drizzle.config.ts"
STUBS = "stubs"
_MIGRATION_NAME = "corpus"

# Columns whose default drizzle-kit computes in JavaScript while it runs (`new Date()`, `Date.now()`,
# a function call): the value differs on every run, so it is compared by shape, not by value.
GENERATE_TIME_DEFAULTS: dict[str, tuple[str, ...]] = {
    "21-default-generate-time": ("jobs.queued_at", "jobs.queued_at_ms", "jobs.queued_iso", "jobs.queued_epoch"),
}
# Items no reader can derive from the TypeScript alone, which it must report as not_compared (issue 9):
# generate-time defaults, a view built with the query builder (drizzle-orm renders it at run time), and
# a table that needs an import through a TypeScript path alias.
NOT_COMPARABLE: dict[str, tuple[str, ...]] = {
    **GENERATE_TIME_DEFAULTS,
    "52-view-query-builder": ("admins",),
    # Issue 9: TypeScript path aliases are left unresolved (with a warning); drizzle-kit resolves them.
    "54-tsconfig-path-alias": ("notes",),
}
# What such a value looks like in drizzle-kit's SQL: an ISO instant (Date, toISOString) or epoch milliseconds.
GENERATE_TIME_VALUE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z|(?<=DEFAULT )\d{13}\b")


def generate_time_values(sql: str) -> list[str]:
    return GENERATE_TIME_VALUE.findall(sql)


def mask_generate_time(sql: str) -> str:
    return GENERATE_TIME_VALUE.sub("<generate-time>", sql)


def case_dirs() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_dir())


def schema_path(case: Path) -> Path:
    """What the case's schema is: what its drizzle.config.ts names, else ``schema.ts`` or the ``schema/`` folder."""
    named = _config_value(case, "schema")
    if named is not None:
        # './schema/*' names the folder; './schema/index.ts' names one entry file.
        return (case / named.removesuffix("*")).resolve()
    single = case / "schema.ts"
    return single if single.is_file() else case / "schema"


def _config_value(case: Path, key: str) -> str | None:
    """A string setting of the case's drizzle.config.ts, read as text like the product reads configs."""
    config = case / CONFIG
    if not config.is_file():
        return None
    found = re.search(rf"""\b{key}\s*:\s*['"`]([^'"`]+)['"`]""", config.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def config_casing(case: Path) -> str | None:
    """The ``casing`` a case's drizzle.config.ts sets."""
    return _config_value(case, "casing")


def _link_node_modules(stubs: Path, node_modules: Path) -> None:
    """The tools' node_modules, plus the case's stub packages when it has any."""
    if not stubs.is_dir():
        node_modules.symlink_to(NODE_MODULES)
        return
    node_modules.mkdir()
    for installed in NODE_MODULES.iterdir():
        (node_modules / installed.name).symlink_to(installed)
    for stub in sorted(stubs.glob("*")):
        # A scoped package (@scope/name) is one folder deeper.
        for package in sorted(stub.iterdir()) if stub.name.startswith("@") else [stub]:
            target = node_modules / package.relative_to(stubs)
            if target.parent.is_symlink():  # the scope exists in tools/: never write into the shared tree
                raise RuntimeError(f"{package}: stub for a scope that tools/node_modules already has")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(package, target)


def generate_sql(case: Path, work: Path) -> str:
    """Run the real drizzle-kit on a copy of ``case`` inside ``work``; return the migration SQL it wrote."""
    if not DRIZZLE_KIT.is_file():
        raise RuntimeError(f"drizzle-kit missing at {DRIZZLE_KIT}: run `npm ci --ignore-scripts` in tools/")
    project = work / case.name
    shutil.copytree(case, project, ignore=shutil.ignore_patterns(GENERATED, STUBS))
    _link_node_modules(case / STUBS, project / "node_modules")
    if (project / CONFIG).is_file():
        options = ["--config", CONFIG]
    else:
        # No config in the case: the same settings a minimal drizzle.config.ts would hold.
        entry = f"./{schema_path(case).name}"
        options = ["--dialect", "sqlite", "--schema", entry, "--out", "./drizzle"]
    done = subprocess.run(
        ["node", str(DRIZZLE_KIT), "generate", *options, "--name", _MIGRATION_NAME],
        cwd=project,
        stdin=subprocess.DEVNULL,  # a question drizzle-kit might ask fails at once; never waits on the worker's pipe
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0:
        raise RuntimeError(f"drizzle-kit generate failed for {case.name}:\n{done.stdout}{done.stderr}")
    migration = project / "drizzle" / f"0000_{_MIGRATION_NAME}.sql"
    if not migration.is_file():
        raise RuntimeError(f"drizzle-kit wrote no {migration.name} for {case.name}:\n{done.stdout}{done.stderr}")
    return migration.read_text(encoding="utf-8")


def regenerate(names: list[str]) -> None:
    chosen = [CORPUS / n for n in names] if names else case_dirs()
    with tempfile.TemporaryDirectory(prefix="drizzle-corpus-") as scratch:
        for case in chosen:
            sql = generate_sql(case, Path(scratch))
            (case / GENERATED).write_text(sql, encoding="utf-8", newline="")
            print(f"{case.name}: {sql.count('CREATE ')} CREATE statements")


if __name__ == "__main__":
    regenerate(sys.argv[1:])
