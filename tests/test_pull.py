"""`driftgate pull` round-trips every corpus schema through the real drizzle-kit generate.

For each live schema: pull, generate with drizzle-kit 0.31.11, apply the database steps the pull
printed, and check the generated baseline against the database.  Whatever fails must be an object the
pull listed as not expressible; everything else conforms.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from tests.cli import driftgate
from tests.conftest import LEGACY_SQL, build_file_db, load_remote
from tests.pull_helpers import CORPUS, REPO, drizzle_kit, drizzle_project, round_trip

from driftgate.identifiers import fold_name
from driftgate.pull import read_plan
from driftgate.pull.choose import PullPlan
from driftgate.report.safe import is_printable, needs_escaping, printable
from driftgate.urls import parse_database_url

CASES = sorted(p.stem for p in CORPUS.glob("*.sql"))


def _file_db(tmp_path: Path, script: str) -> Path:
    return build_file_db(tmp_path / "live.db", script)


def _apply_to_file(path: Path):
    def apply(steps: list[str]) -> None:
        connection = sqlite3.connect(path)
        for step in steps:
            connection.execute(step.split("  -- ")[0])
        connection.commit()
        connection.close()

    return apply


def _listed(plan: PullPlan) -> tuple[set[str], set[tuple[str, str]]]:
    """Objects the pull said it cannot express: by name, and (table, kind) for parts of a table."""
    names = {fold_name(item.name) for item in plan.not_expressible}
    parts = set()
    for item in plan.not_expressible:
        if item.table is not None:
            kind = {
                "table option": "table_option",
                "foreign key": "foreign_key",
                "primary key": "primary_key",
                "not null": "notnull",
            }.get(item.kind, item.kind)
            parts.add((fold_name(item.table), kind))
    return names, parts


def _assert_only_listed_fail(failing: list[dict], plan: PullPlan) -> None:
    names, parts = _listed(plan)
    unlisted = [
        f
        for f in failing
        if fold_name(f["object"]) not in names and (fold_name(f["table"] or ""), f["kind"]) not in parts
    ]
    assert not unlisted, "\n".join(f"{f['kind']} {f['object']}: {f['message']}" for f in unlisted)
    # Nothing is listed for nothing: every listed object really is absent from what drizzle generates.
    failing_names = {fold_name(f["object"]) for f in failing} | {fold_name(f["table"] or "") for f in failing}
    for item in plan.not_expressible:
        assert fold_name(item.name) in failing_names or fold_name(item.table or "") in failing_names, item


@pytest.mark.parametrize("case", CASES)
def test_corpus_round_trips_through_drizzle_kit(case: str, tmp_path: Path) -> None:
    script = (CORPUS / f"{case}.sql").read_text(encoding="utf-8")
    db = _file_db(tmp_path, script)
    url = f"file:{db}"
    plan = read_plan(parse_database_url(url), casing="camelCase", idiomatic=False, timeout=30)
    flags = ("--single-file",) if case in ("defaults", "odd_identifiers") else ()
    result = round_trip(url, tmp_path, *flags, apply_steps=_apply_to_file(db))
    _assert_only_listed_fail(result.failing(), plan)
    shown = (tmp_path / "schema" / "NOT_EXPRESSIBLE.md").read_text(encoding="utf-8")
    exact = (tmp_path / "schema" / "NOT_EXPRESSIBLE.sql").read_text(encoding="utf-8") if plan.not_expressible else ""
    for item in plan.not_expressible:
        assert repr(item.name) in result.pull.out
        assert item.sql.strip() in exact
        assert (printable(item.sql) if needs_escaping(item.sql) else item.sql.strip()) in shown


def test_legacy_schema_round_trips_over_real_sqld(sqld, tmp_path: Path) -> None:
    load_remote(sqld.http_url, LEGACY_SQL.read_text(encoding="utf-8"))

    def apply(steps: list[str]) -> None:
        load_remote(sqld.http_url, "\n".join(s.split("  -- ")[0] for s in steps))

    result = round_trip(sqld.ws_url, tmp_path, "--casing", "snake_case", apply_steps=apply)
    assert result.check.code == 0, result.check.out
    assert not result.failing()
    assert 'user_id: text("user_id")' in (tmp_path / "schema" / "history_user.ts").read_text(encoding="utf-8")


def test_example_workflow_pull_generate_check_stamp_migrate(tmp_path: Path) -> None:
    """fixtures/mcp-devops/README.md, step by step, with no edit to the pulled TypeScript."""
    db = _file_db(tmp_path, LEGACY_SQL.read_text(encoding="utf-8"))
    url = f"file:{db}"
    result = round_trip(url, tmp_path, apply_steps=_apply_to_file(db))
    assert result.pull.out.count("CREATE UNIQUE INDEX") == 1  # the one composite UNIQUE of the legacy schema
    assert result.check.code == 0, result.check.out
    stamp = driftgate("stamp", "--db", url, "--migrations", tmp_path / "drizzle", "--yes", "--no-backup", cwd=tmp_path)
    assert stamp.code == 0, stamp.err
    # A later change, generated next to the untouched pulled files, is the only migration the migrator runs.
    (tmp_path / "later.ts").write_text(
        'import { sqliteTable, integer } from "drizzle-orm/sqlite-core";\n'
        'export const later = sqliteTable("later", { id: integer("id").primaryKey() });\n',
        encoding="utf-8",
    )
    drizzle_project(tmp_path, "./schema/index.ts").joinpath("drizzle.config.ts").write_text(
        "export default { dialect: 'sqlite', schema: ['./schema/index.ts', './later.ts'], out: 'drizzle' };\n",
        encoding="utf-8",
    )
    second = drizzle_kit(tmp_path, "generate", "--name", "later")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "CREATE TABLE `later`" in next((tmp_path / "drizzle").glob("0001_*.sql")).read_text(encoding="utf-8")
    migrated = subprocess.run(
        ["node", str(REPO / "tools" / "migrate.mjs"), url, str(tmp_path / "drizzle")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr
    assert len(json.loads(migrated.stdout)) == 2  # the stamped baseline (skipped) and the new migration
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert "later" in tables


def test_pull_refuses_non_empty_dir_and_writes_nothing(tmp_path: Path) -> None:
    db = _file_db(tmp_path, "CREATE TABLE t (id INTEGER PRIMARY KEY);")
    out = tmp_path / "schema"
    out.mkdir()
    (out / "mine.ts").write_text("// user file\n", encoding="utf-8")
    refused = driftgate("pull", "--db", f"file:{db}", "-o", out, cwd=tmp_path)
    assert refused.code == 2 and "-o" in refused.err and "Traceback" not in refused.err
    assert sorted(p.name for p in out.iterdir()) == ["mine.ts"]
    forced = driftgate("pull", "--db", f"file:{db}", "-o", out, "--force", "--single-file", cwd=tmp_path)
    assert forced.code == 0, forced.err
    assert sorted(p.name for p in out.iterdir()) == ["NOT_EXPRESSIBLE.md", "mine.ts", "schema.ts"]
    missing = driftgate("pull", "--db", f"file:{tmp_path / 'nope.db'}", "-o", tmp_path / "x", cwd=tmp_path)
    assert missing.code in (2, 3) and not (tmp_path / "x").exists()


HOSTILE_OBJECTS = """
CREATE TABLE plain (id integer PRIMARY KEY, name text);
CREATE TRIGGER plain_seen AFTER INSERT ON plain BEGIN SELECT 1; END;
CREATE TRIGGER "tr\x1b[2Jx" AFTER INSERT ON plain BEGIN SELECT 2; END;
CREATE TABLE "k\u202eey" (a text, b text, UNIQUE (a COLLATE NOCASE, b) ON CONFLICT REPLACE);
"""


def _objects(connection: sqlite3.Connection, names: set[str]) -> set[tuple[str, str]]:
    rows = connection.execute("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL").fetchall()
    return {row for row in rows if row[0] in names}


def test_not_expressible_sql_is_escaped_for_reading_and_exact_in_its_sql_file(tmp_path: Path) -> None:
    db = _file_db(tmp_path, HOSTILE_OBJECTS)
    out = tmp_path / "schema"
    pulled = driftgate("pull", "--db", f"file:{db}", "-o", out, cwd=tmp_path)
    assert pulled.code == 0, pulled.err
    shown = (out / "NOT_EXPRESSIBLE.md").read_text(encoding="utf-8")
    exact = (out / "NOT_EXPRESSIBLE.sql").read_text(encoding="utf-8")
    # Nothing a terminal or viewer acts on in the Markdown; a plain statement is shown as it is.
    assert is_printable(shown.replace("\n", "")), [c for c in shown if not is_printable(c) and c != "\n"]
    assert "CREATE TRIGGER plain_seen AFTER INSERT ON plain BEGIN SELECT 1; END;" in shown
    assert 'CREATE TRIGGER "tr\\x1b[2Jx" AFTER INSERT ON plain BEGIN SELECT 2; END;' in shown
    assert shown.count("The exact statement is in `NOT_EXPRESSIBLE.sql`") == 2
    # Comments only in the SQL file's comments, escaped; the statements are the database's own: run on
    # an empty database (with the trigger's table), they make the very same objects.
    comments = [line for line in exact.splitlines() if line.startswith("--")]
    assert comments and all(is_printable(line) for line in comments)
    names = {"plain_seen", "tr\x1b[2Jx", "k\u202eey"}
    fresh = sqlite3.connect(tmp_path / "fresh.db")
    fresh.execute("CREATE TABLE plain (id integer PRIMARY KEY, name text)")
    fresh.executescript(exact)
    assert _objects(fresh, names) == _objects(sqlite3.connect(db), names) and len(_objects(fresh, names)) == 3
    # A later pull --force of a database with nothing to list removes the SQL file it no longer writes.
    sqlite3.connect(db).executescript('DROP TRIGGER plain_seen; DROP TRIGGER "tr\x1b[2Jx"; DROP TABLE "k\u202eey";')
    again = driftgate("pull", "--db", f"file:{db}", "-o", out, "--force", cwd=tmp_path)
    assert again.code == 0, again.err
    assert not (out / "NOT_EXPRESSIBLE.sql").exists()
    assert "Nothing: every object" in (out / "NOT_EXPRESSIBLE.md").read_text(encoding="utf-8")


def test_pull_prints_names_escaped_and_writes_the_exact_steps(tmp_path: Path) -> None:
    # A table-level UNIQUE (a, b) becomes a step that names its table; STRICT is listed.  click drops
    # "\x1b[31m" from what it prints to a pipe, so a raw name read "ered" there: a step for another table.
    db = _file_db(
        tmp_path,
        'CREATE TABLE "e\x1b[31mred" (a text, b text, UNIQUE (a, b));\n'
        'CREATE TABLE "w\u202ex" (a text COLLATE NOCASE, b text) STRICT;\n',
    )
    out = tmp_path / "schema"
    pulled = driftgate("pull", "--db", f"file:{db}", "-o", out, "--idiomatic", cwd=tmp_path)
    assert pulled.code == 0, pulled.err
    assert all(is_printable(line) for line in pulled.out.splitlines()), pulled.out
    assert 'CREATE UNIQUE INDEX "e\\x1b[31mred_a_b_unique" ON "e\\x1b[31mred" ("a", "b");' in pulled.out
    assert "-- w\\u202ex.a: COLLATE NOCASE is not declared" in pulled.out
    exact = (out / "NOT_EXPRESSIBLE.sql").read_text(encoding="utf-8")
    assert 'CREATE UNIQUE INDEX "e\x1b[31mred_a_b_unique" ON "e\x1b[31mred" ("a", "b");' in exact


def test_pull_never_writes_to_the_database(tmp_path: Path) -> None:
    db = _file_db(tmp_path, LEGACY_SQL.read_text(encoding="utf-8"))
    before = db.read_bytes()
    assert driftgate("pull", "--db", f"file:{db}", "-o", tmp_path / "s", cwd=tmp_path).code == 0
    assert db.read_bytes() == before


def test_idiomatic_form_lists_each_difference_and_its_statement_makes_the_database_match(tmp_path: Path) -> None:
    script = (CORPUS / "checks_collate.sql").read_text(encoding="utf-8") + LEGACY_SQL.read_text(encoding="utf-8")
    db = _file_db(tmp_path, script)
    url = f"file:{db}"
    exact = read_plan(parse_database_url(url), casing="camelCase", idiomatic=False, timeout=30)
    idiomatic = read_plan(parse_database_url(url), casing="camelCase", idiomatic=True, timeout=30)
    assert len(idiomatic.steps) > len(exact.steps)  # unique constraints, nullable keys, collations
    # Without the steps the idiomatic schema truly differs; the listed differences are exactly what fails.
    result = round_trip(url, tmp_path, "--idiomatic", "--single-file")
    assert result.check.code == 1
    schema = (tmp_path / "schema" / "schema.ts").read_text(encoding="utf-8")
    assert "sqlType(" not in schema and 'text("id").primaryKey()' in schema
    failing_tables = {fold_name(f["table"] or "") for f in result.failing()}
    assert failing_tables <= {fold_name(s.table) for s in idiomatic.steps}


def test_unreachable_database_is_exit_3_and_writes_nothing(tmp_path: Path) -> None:
    from driftgate.testing.sqld import free_port

    out = tmp_path / "schema"
    run = driftgate("pull", "--db", f"http://127.0.0.1:{free_port()}", "-o", out, "--timeout", "5", cwd=tmp_path)
    assert run.code == 3 and "Traceback" not in run.err
    assert not out.exists()


def test_a_later_table_rebuild_by_drizzle_kit_keeps_the_exact_clauses(tmp_path: Path) -> None:
    """The customType clauses live in drizzle's snapshot as the column type, so a rebuild re-creates them."""
    db = _file_db(tmp_path, (CORPUS / "checks_collate.sql").read_text(encoding="utf-8"))
    assert driftgate("pull", "--db", f"file:{db}", "-o", tmp_path / "schema", cwd=tmp_path).code == 0
    drizzle_project(tmp_path, "./schema/index.ts")
    assert drizzle_kit(tmp_path, "generate", "--name", "baseline").returncode == 0
    accounts = tmp_path / "schema" / "accounts.ts"
    text = accounts.read_text(encoding="utf-8")
    assert 'sqlType("TEXT COLLATE NOCASE UNIQUE")("email").notNull()' in text
    accounts.write_text(text.replace('("email").notNull()', '("email")'), encoding="utf-8")  # a later change
    assert drizzle_kit(tmp_path, "generate", "--name", "rebuild").returncode == 0
    rebuild = next((tmp_path / "drizzle").glob("0001_*.sql")).read_text(encoding="utf-8")
    assert "CREATE TABLE `__new_accounts`" in rebuild
    assert "`email` TEXT COLLATE NOCASE UNIQUE," in rebuild
    assert "`handle` TEXT COLLATE RTRIM," in rebuild


def test_idiomatic_steps_applied_on_real_sqld_make_the_database_conform(sqld, tmp_path: Path) -> None:
    """Each printed statement (libSQL ALTER COLUMN, CREATE UNIQUE INDEX) is the migration that makes it match."""
    script = (CORPUS / "checks_collate.sql").read_text(encoding="utf-8") + LEGACY_SQL.read_text(encoding="utf-8")
    load_remote(sqld.http_url, script)

    def apply(steps: list[str]) -> None:
        assert any("ALTER COLUMN" in s for s in steps) and any("CREATE UNIQUE INDEX" in s for s in steps)
        load_remote(sqld.http_url, "\n".join(s.split("  -- ")[0] for s in steps))

    result = round_trip(sqld.ws_url, tmp_path, "--idiomatic", apply_steps=apply)
    assert result.check.code == 0, "\n".join(f"{f['kind']} {f['object']}: {f['message']}" for f in result.failing())
