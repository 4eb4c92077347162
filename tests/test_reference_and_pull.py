"""reference_sql/legacy.sql stays in step with the legacy code; a pull-style baseline is judged by its snapshot."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from cli import driftgate, failing
from conftest import EXAMPLE, LEGACY_TS, REPO

REFERENCE = REPO / "reference_sql" / "legacy.sql"
LEGACY_REL = LEGACY_TS.relative_to(REPO)


def test_reference_sql_is_not_stale() -> None:
    run = driftgate("extract", "--legacy", LEGACY_REL, "-o", REFERENCE, "--check", cwd=REPO)
    assert run.code == 0, f"{REFERENCE} is stale: run `driftgate extract --legacy {LEGACY_REL}` ({run.err})"


def test_extract_check_detects_a_changed_source(tmp_path: Path) -> None:
    code_dir = tmp_path / "fixtures" / "mcp-devops" / "legacy"
    shutil.copytree(LEGACY_TS.parent, code_dir)
    target = tmp_path / "legacy.sql"
    assert driftgate("extract", "--legacy", LEGACY_REL, "-o", target, cwd=tmp_path).code == 0
    assert driftgate("extract", "--legacy", LEGACY_REL, "-o", target, "--check", cwd=tmp_path).code == 0
    source = tmp_path / LEGACY_REL
    source.write_text(
        source.read_text().replace("total_commands INTEGER default 0", "total_commands INTEGER default 1")
    )
    stale = driftgate("extract", "--legacy", LEGACY_REL, "-o", target, "--check", cwd=tmp_path)
    assert stale.code == 1 and "stale" in stale.err


def test_extract_of_no_ddl_is_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    # As check says it: an empty reference would keep `extract --check` green once every statement is gone.
    (tmp_path / "app.ts").write_text("export const greeting = 'hello';\n")
    target = tmp_path / "legacy.sql"
    for extra in ((), ("--check",)):
        run = driftgate("extract", "--legacy", "app.ts", "-o", target, *extra, cwd=tmp_path)
        assert run.code == 2 and run.err.strip() == "driftgate: error: --legacy: no DDL found in app.ts", run.err
    assert not target.exists()


def test_extract_says_why_a_statement_is_not_compared(tmp_path: Path) -> None:
    (tmp_path / "app.ts").write_text(
        "import { T } from './names';\n"
        "export async function init(db) { await db.execute(`CREATE TABLE ${T} (id INTEGER)`);\n"
        "  await db.execute('CREATE TABLE a (id INTEGER PRIMARY KEY)'); }\n"
        "export async function reset(db) { await db.execute('DROP TABLE IF EXISTS a'); }\n"
    )
    (tmp_path / "names.ts").write_text("export const T = process.env.T;\n")
    assert driftgate("extract", "--legacy", "app.ts", "-o", "legacy.sql", cwd=tmp_path).code == 0
    text = (tmp_path / "legacy.sql").read_text()
    assert "-- app.ts:2 (not compared: unresolved T)\nCREATE TABLE ${T} (id INTEGER);" in text
    assert "-- app.ts:3\nCREATE TABLE a (id INTEGER PRIMARY KEY);" in text
    assert "-- app.ts:4 (not compared: driftgate cannot tell whether this DROP runs" in text


def test_extract_keeps_a_hostile_path_inside_its_comments(tmp_path: Path) -> None:
    """A folder name is data: a line break, a bidi override or an escape sequence in it stays inside the
    header's and each statement's comment, shown escaped; the reference still replays."""
    folder = tmp_path / "src\nDROP TABLE a; --\u202e\x1b[2J"
    folder.mkdir()
    (folder / "app.ts").write_text(
        "export async function init(db) { await db.execute('CREATE TABLE a (id INTEGER)'); }\n"
    )
    assert driftgate("extract", "--legacy", folder, "-o", "legacy.sql", cwd=tmp_path).code == 0
    text = (tmp_path / "legacy.sql").read_text()
    for line in text.splitlines():
        assert not line or line.startswith("--") or line == "CREATE TABLE a (id INTEGER);", line
    assert "\x1b" not in text and "\u202e" not in text and "\\n" in text
    with sqlite3.connect(tmp_path / "live.db") as connection:
        connection.execute("CREATE TABLE a (id INTEGER)")
    run = driftgate("check", "--db", "live.db", "--sql", "legacy.sql", cwd=tmp_path)
    assert run.code == 0, run.err + run.out  # the reference replays, to what the database holds


def test_pull_style_baseline_shows_what_pull_lost(tmp_path: Path, legacy_db: Path) -> None:
    out = tmp_path / "r.json"
    run = driftgate(
        "check", "--db", legacy_db, "--migrations", EXAMPLE / "pulled" / "migrations", "--json", out, cwd=tmp_path
    )
    assert run.code == 1
    found = failing(json.loads(out.read_text()))
    desc_lost = {f for f in found if f[1] == "index"}
    assert len(desc_lost) == 7 and all(status == "different" for *_, status in desc_lost)
    assert ("baseline", "unique", "users(username)", "unexpected") in found
    assert ("baseline", "unique", "conversation_summaries(user_id,machine_id)", "unexpected") in found
    assert len(found) == 9
    assert "pull-style" in json.loads(out.read_text())["sources"][0]["detail"]


PROPOSED = REPO / "reference_sql" / "proposed.sql"
PLAN_SCHEMA_REL = (EXAMPLE / "plan" / "schema").relative_to(REPO)


def test_proposed_sql_is_not_stale() -> None:
    run = driftgate("extract", "--drizzle", PLAN_SCHEMA_REL, "-o", PROPOSED, "--check", cwd=REPO)
    assert run.code == 0, f"{PROPOSED} is stale: run `driftgate extract --drizzle {PLAN_SCHEMA_REL}` ({run.err})"


def test_extract_drizzle_check_detects_a_changed_schema(tmp_path: Path) -> None:
    schema = tmp_path / "schema"
    shutil.copytree(EXAMPLE / "plan" / "schema", schema)
    target = tmp_path / "proposed.sql"
    assert driftgate("extract", "--drizzle", "schema", "-o", target, cwd=tmp_path).code == 0
    assert driftgate("extract", "--drizzle", "schema", "-o", target, "--check", cwd=tmp_path).code == 0
    machines = schema / "machines.ts"
    machines.write_text(machines.read_text().replace(".default(0)", ".default(1)"))
    stale = driftgate("extract", "--drizzle", "schema", "-o", target, "--check", cwd=tmp_path)
    assert stale.code == 1 and "stale" in stale.err
