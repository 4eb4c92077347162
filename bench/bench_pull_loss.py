"""What `drizzle-kit pull` loses against `driftgate pull`, counted by `driftgate check` on the same schemas.

For each live schema of the pull corpus (tests/data/pull_corpus/*.sql, plus the example's legacy DDL),
built into a file: SQLite database:

- drizzle-kit pull (0.31.11, dialect turso): its own baseline (the commented 0000 file, compared through
  its snapshot) is checked against the database; then drizzle-kit generate is run on the schema.ts it wrote
  (the seed's plan: generate a baseline from the pulled TypeScript) and that baseline is checked too.
- driftgate pull: drizzle-kit generate on its files, the printed database steps applied, then checked.

Printed: failing findings per route (a failed drizzle-kit run is shown as "fails"), and for driftgate the
number of objects it listed as not expressible (its failing findings are all on those objects).

Run: python bench/bench_pull_loss.py
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "tools" / "node_modules"
DRIZZLE_KIT = NODE_MODULES / ".bin" / "drizzle-kit"
CORPUS = REPO / "tests" / "data" / "pull_corpus"
LEGACY = REPO / "fixtures" / "mcp-devops" / "legacy" / "legacy.sql"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def project(root: Path, config: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "node_modules").exists():
        (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (root / "drizzle.config.ts").write_text(f"export default {config};\n", encoding="utf-8")
    return root


def failing(db: Path, migrations: Path, cwd: Path) -> int | str:
    """Failing findings of `driftgate check --migrations` against the database, or why it cannot run."""
    if not list(migrations.glob("*.sql")):
        return "nothing generated"
    report = cwd / "report.json"
    done = run(
        [
            sys.executable,
            "-m",
            "driftgate",
            "check",
            "--db",
            f"file:{db}",
            "--migrations",
            str(migrations),
            "--json",
            str(report),
        ],
        cwd,
    )
    if done.returncode not in (0, 1):
        return "invalid SQL" if "SQL error" in done.stderr else "check error"
    findings = json.loads(report.read_text(encoding="utf-8"))["findings"]
    return sum(1 for f in findings if f["status"] != "ok" and not f["accepted"])


def kit_pull(db: Path, root: Path) -> tuple[int | str, int | str]:
    project(root, f"{{ dialect: 'turso', out: './pulled', dbCredentials: {{ url: {json.dumps('file:' + str(db))} }} }}")
    if run([str(DRIZZLE_KIT), "pull"], root).returncode != 0 or not (root / "pulled" / "schema.ts").exists():
        return "pull writes nothing", "pull writes nothing"
    own = failing(db, root / "pulled", root)
    gen_root = project(root / "gen", "{ dialect: 'sqlite', schema: '../pulled/schema.ts', out: './out' }")
    generated = run([str(DRIZZLE_KIT), "generate", "--name", "baseline"], gen_root)
    regenerated = failing(db, gen_root / "out", gen_root) if generated.returncode == 0 else "generate fails"
    return own, regenerated


def driftgate_pull(db: Path, root: Path) -> tuple[int | str, int, int]:
    root.mkdir(parents=True)
    pulled = run([sys.executable, "-m", "driftgate", "pull", "--db", f"file:{db}", "-o", "schema"], root)
    if pulled.returncode != 0:
        return "pull fails", 0, 0
    lines = pulled.stdout.splitlines()
    listed = sum(1 for line in lines if line.startswith("not expressible:"))
    steps = []
    if any(line.startswith("apply to the database") for line in lines):
        start = next(i for i, line in enumerate(lines) if line.startswith("apply to the database"))
        steps = [
            ln.strip().split("  -- ")[0]
            for ln in lines[start + 1 :]
            if ln.startswith("  ") and not ln.startswith("  --")
        ]
    project(root, "{ dialect: 'sqlite', schema: './schema/index.ts', out: './out' }")
    if run([str(DRIZZLE_KIT), "generate", "--name", "baseline"], root).returncode != 0:
        return "generate fails", listed, len(steps)
    with sqlite3.connect(db) as connection:
        for step in steps:
            connection.execute(step)
    return failing(db, root / "out", root), listed, len(steps)


def show(value: int | str) -> str:
    return str(value)


def main() -> None:
    cases = [("mcp-devops legacy", LEGACY)] + [(p.stem, p) for p in sorted(CORPUS.glob("*.sql"))]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-pull-") as scratch:
        for name, script in cases:
            work = Path(scratch) / name.replace(" ", "_")
            work.mkdir()
            for route in ("kit", "driftgate"):
                db = work / f"{route}.db"
                with sqlite3.connect(db) as connection:
                    connection.executescript(script.read_text(encoding="utf-8"))
            own, regenerated = kit_pull(work / "kit.db", work / "kit")
            ours, listed, steps = driftgate_pull(work / "driftgate.db", work / "driftgate")
            rows.append((name, own, regenerated, ours, listed, steps))
            print(f"  {name}: done", file=sys.stderr)
    header = (
        "schema",
        "kit pull baseline",
        "kit pull -> generate",
        "driftgate pull -> generate",
        "not expressible",
        "db steps",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
    totals = [0, 0, 0, 0, 0]
    for name, own, regenerated, ours, listed, steps in rows:
        print(f"| {name} | {show(own)} | {show(regenerated)} | {show(ours)} | {listed} | {steps} |")
        for i, value in enumerate((own, regenerated, ours, listed, steps)):
            totals[i] += value if isinstance(value, int) else 0
    print(f"| **total** (numbers only) | {totals[0]} | {totals[1]} | {totals[2]} | {totals[3]} | {totals[4]} |")
    broken = sum(1 for row in rows for value in row[1:3] if isinstance(value, str))
    print(f"\ndrizzle-kit pull routes that give no checkable baseline at all: {broken} of {2 * len(rows)}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
