"""The pull round trip with the real tools: driftgate pull -> drizzle-kit generate -> driftgate check."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cli import Run, driftgate

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "tools" / "node_modules"
DRIZZLE_KIT = NODE_MODULES / ".bin" / "drizzle-kit"
CORPUS = Path(__file__).parent / "data" / "pull_corpus"


def drizzle_project(root: Path, schema: str, out: str = "drizzle") -> Path:
    """A scratch drizzle project: node resolves drizzle-orm from tools/node_modules through a symlink."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "node_modules").exists():
        (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    (root / "drizzle.config.ts").write_text(
        f"export default {{ dialect: 'sqlite', schema: {json.dumps(schema)}, out: {json.dumps(out)} }};\n",
        encoding="utf-8",
    )
    return root


def drizzle_kit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    return subprocess.run(
        [str(DRIZZLE_KIT), *args], cwd=root, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def printed_steps(out: str) -> list[str]:
    """The database statements `driftgate pull` printed (each on its own indented line)."""
    lines = out.splitlines()
    if not any(line.startswith("apply to the database") for line in lines):
        return []
    start = next(i for i, line in enumerate(lines) if line.startswith("apply to the database"))
    return [line.strip() for line in lines[start + 1 :] if line.startswith("  ") and not line.startswith("  --")]


@dataclass
class RoundTrip:
    pull: Run
    generated_sql: str
    check: Run
    report: dict[str, Any]

    def failing(self) -> list[dict[str, Any]]:
        return [f for f in self.report["findings"] if f["status"] != "ok" and not f["accepted"]]


def round_trip(db_url: str, root: Path, *pull_flags: str, apply_steps: Any = None) -> RoundTrip:
    """Pull, generate with the real drizzle-kit, apply the printed steps, check the baseline against the db."""
    schema_dir = root / "schema"
    pull = driftgate("pull", "--db", db_url, "-o", schema_dir, *pull_flags, cwd=root)
    assert pull.code == 0, pull.err
    schema = "./schema/schema.ts" if "--single-file" in pull_flags else "./schema/index.ts"
    drizzle_project(root, schema)
    generated = drizzle_kit(root, "generate", "--name", "baseline")
    sql_files = sorted((root / "drizzle").glob("*.sql"))
    assert generated.returncode == 0 and sql_files, generated.stdout + generated.stderr
    steps = printed_steps(pull.out)
    if steps and apply_steps is not None:
        apply_steps(steps)
    check = driftgate("check", "--db", db_url, "--migrations", root / "drizzle", "--json", root / "r.json", cwd=root)
    assert check.code in (0, 1), check.err
    report = json.loads((root / "r.json").read_text(encoding="utf-8"))
    return RoundTrip(pull, sql_files[0].read_text(encoding="utf-8"), check, report)
