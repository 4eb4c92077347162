"""Settings ([tool.driftgate], environment, flags, drizzle.config.ts) and the edges of the sources.

Every test runs the real ``driftgate`` command on file: databases built from real DDL.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import jsonschema
import pytest

from cli import Run, driftgate, failing
from conftest import (
    CORRECTED_MIGRATIONS,
    EXAMPLE,
    LEGACY_TS,
    PLAN_MIGRATIONS,
    PREPARE_SQL,
    SEQUENCE_MIGRATIONS,
    build_file_db,
    legacy_sql,
)
from driftgate.report.json_report import report_schema
from driftgate.sources.snapshot import snapshot_statements
from test_check_cli import PLAN_FINDINGS

PULLED_MIGRATIONS = EXAMPLE / "pulled" / "migrations"


def validated(document: dict) -> dict:
    jsonschema.validate(document, report_schema())
    return document


def write_pyproject(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    path.write_text('[project]\nname = "app"\n\n[tool.driftgate]\n' + body, encoding="utf-8")
    return path


def toml_list(values: list[str] | set[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in sorted(values)) + "]"


def plan_key(finding: tuple[str, str, str, str]) -> str:
    source, kind, obj, _ = finding
    return f"{source}:{kind}:{obj}"


def ledger_rows(db: Path, table: str) -> list[tuple[str, int]] | None:
    connection = sqlite3.connect(db)
    try:
        if not connection.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", (table,)).fetchall():
            return None
        rows = connection.execute(f'SELECT hash, created_at FROM "{table}" ORDER BY created_at').fetchall()
        return [(str(h), int(c)) for h, c in rows]
    finally:
        connection.close()


def assert_one_line_error(run: Run, code: int, *needles: str) -> None:
    assert run.code == code, (run.code, run.out, run.err)
    assert "Traceback" not in run.err + run.out
    assert "internal error" not in run.err, run.err
    assert 1 <= len(run.err.strip().splitlines()) <= 5, run.err
    for needle in needles:
        assert needle in run.err, (needle, run.err)


# --- 1. [tool.driftgate] in pyproject.toml ------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with its legacy code and the seed's plan in its own places."""
    root = tmp_path / "project"
    (root / "app" / "db").mkdir(parents=True)
    shutil.copy(LEGACY_TS, root / "app" / "db" / "turso-client.ts")
    shutil.copytree(PLAN_MIGRATIONS, root / "drizzle")
    (root / "services" / "api").mkdir(parents=True)
    return root


def project_config(legacy_db: Path, accept: set[str] | list[str] = ()) -> str:
    return (
        f'db_url = "file:{legacy_db}"\n'
        'legacy = ["app/db/turso-client.ts"]\n'
        'migrations = "drizzle"\n'
        'json = "reports/driftgate.json"\n'
        f"accept = {toml_list(set(accept))}\n"
    )


@pytest.mark.parametrize("where", [".", "services/api"], ids=["project-root", "subdirectory"])
def test_pyproject_paths_are_relative_to_the_pyproject(project: Path, legacy_db: Path, where: str) -> None:
    write_pyproject(project, project_config(legacy_db))
    run = driftgate("check", cwd=project / where)
    assert run.code == 1, run.err + run.out  # the plan as written is blocked
    report_path = project / "reports" / "driftgate.json"
    assert report_path.is_file(), f"json = 'reports/driftgate.json' was not written next to the pyproject: {run.err}"
    assert not (project / where / "reports").exists() or where == "."
    report = validated(json.loads(report_path.read_text()))
    assert report["database"] == f"file:{legacy_db}"
    files = {label: [Path(f).resolve() for f in s["files"]] for s in report["sources"] for label in [s["label"]]}
    assert files["legacy"] == [(project / "app" / "db" / "turso-client.ts").resolve()]
    assert files["baseline"] == [(project / "drizzle" / "0000_baseline.sql").resolve()]
    assert failing(report) == PLAN_FINDINGS  # the legacy source conforms; the baseline keeps its 12


def test_accepted_findings_stay_in_the_report_and_do_not_fail(project: Path, legacy_db: Path) -> None:
    accepted = {"baseline:index:idx_sessions_machine", "baseline:notnull:users.id"}
    write_pyproject(project, project_config(legacy_db, accepted))
    run = driftgate("check", cwd=project)
    assert run.code == 1
    report = validated(json.loads((project / "reports" / "driftgate.json").read_text()))
    marked = {f"{f['source']}:{f['kind']}:{f['object']}": f for f in report["findings"] if f["accepted"]}
    assert set(marked) == accepted
    assert marked["baseline:index:idx_sessions_machine"]["status"] == "missing"  # kept as it is, only accepted
    assert marked["baseline:notnull:users.id"]["status"] == "different"
    assert failing(report) == {f for f in PLAN_FINDINGS if plan_key(f) not in accepted}
    assert report["summary"]["failed"] == len(PLAN_FINDINGS) - 2
    assert report["summary"]["accepted"] == 2
    assert not any(reason.startswith(tuple(accepted)) for reason in report["gate"]["reasons"])
    assert report["gate"]["pass"] is False


def test_accepting_every_plan_finding_passes_the_gate(project: Path, legacy_db: Path) -> None:
    write_pyproject(project, project_config(legacy_db, {plan_key(f) for f in PLAN_FINDINGS}))
    run = driftgate("check", cwd=project / "services")
    assert run.code == 0, run.err + run.out
    report = validated(json.loads((project / "reports" / "driftgate.json").read_text()))
    assert report["gate"]["pass"] is True and report["gate"]["reasons"] == []
    assert report["summary"]["failed"] == 0 and report["summary"]["accepted"] == len(PLAN_FINDINGS)
    assert {(f["source"], f["kind"], f["object"], f["status"]) for f in report["findings"] if f["accepted"]} == (
        PLAN_FINDINGS
    )


def test_an_ok_finding_is_never_marked_accepted(project: Path, legacy_db: Path) -> None:
    write_pyproject(project, project_config(legacy_db, {"baseline:table:users", "legacy:table:users"}))
    run = driftgate("check", cwd=project)
    report = validated(json.loads((project / "reports" / "driftgate.json").read_text()))
    users = [f for f in report["findings"] if f["kind"] == "table" and f["object"] == "users"]
    assert len(users) == 2 and all(f["status"] == "ok" and f["accepted"] is False for f in users)
    assert run.code == 1


def test_accept_given_as_one_string_is_one_key(project: Path, legacy_db: Path) -> None:
    """TOML allows a bare string; it must mean one key, not a set of characters."""
    keys = sorted(plan_key(f) for f in PLAN_FINDINGS)
    body = project_config(legacy_db).replace("accept = []\n", f"accept = {json.dumps(keys[0])}\n")
    write_pyproject(project, body)
    run = driftgate("check", cwd=project)
    assert run.code == 1, run.err
    report = validated(json.loads((project / "reports" / "driftgate.json").read_text()))
    assert {f"{f['source']}:{f['kind']}:{f['object']}" for f in report["findings"] if f["accepted"]} == {keys[0]}


@pytest.mark.parametrize("where", [".", "services/api"], ids=["project-root", "subdirectory"])
def test_unknown_key_names_the_key_and_the_file(project: Path, legacy_db: Path, where: str) -> None:
    path = write_pyproject(project, project_config(legacy_db) + 'migration_folder = "drizzle"\n')
    run = driftgate("check", cwd=project / where)
    assert_one_line_error(run, 2, "migration_folder", str(path))
    assert not (project / "reports").exists()


def test_list_key_with_a_non_string_item_is_bad_input(project: Path, legacy_db: Path) -> None:
    path = write_pyproject(project, f'db_url = "file:{legacy_db}"\nlegacy = ["app/db/turso-client.ts", 3]\n')
    run = driftgate("check", cwd=project)
    assert_one_line_error(run, 2, "legacy", str(path))


def test_relative_file_url_in_config_is_relative_to_the_pyproject(project: Path) -> None:
    (project / "data").mkdir()
    build_file_db(project / "data" / "app.db", legacy_sql())
    write_pyproject(project, 'db_url = "file:data/app.db"\nlegacy = ["app/db/turso-client.ts"]\n')
    out = project / "r.json"
    run = driftgate("check", "--json", out, cwd=project / "services" / "api")
    assert run.code == 0, run.err + run.out
    assert validated(json.loads(out.read_text()))["database"] == f"file:{(project / 'data' / 'app.db').resolve()}"
    assert not (project / "services" / "api" / "data").exists()  # never created next to the cwd


# --- 2. precedence: flag > environment > config --------------------------------------------------------------


@pytest.fixture
def three_dbs(tmp_path: Path) -> dict[str, Path]:
    base = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    (tmp_path / "schema.sql").write_text(base + "\n")
    return {
        name: build_file_db(tmp_path / f"{name}.db", base, f"CREATE TABLE only_{name} (x TEXT);")
        for name in ("a", "b", "c")
    }


@pytest.mark.parametrize(
    ("env", "flag", "expected"),
    [
        ({}, None, "a"),
        ({"DRIFTGATE_DB_URL": "b"}, None, "b"),
        ({"DRIFTGATE_DB_URL": "b"}, "c", "c"),
        ({"TURSO_DATABASE_URL": "b"}, None, "b"),
        ({"TURSO_URL": "c"}, None, "c"),
        ({"TURSO_DATABASE_URL": "b", "TURSO_URL": "c"}, None, "b"),
        ({"DRIFTGATE_DB_URL": "c", "TURSO_DATABASE_URL": "b", "TURSO_URL": "b"}, None, "c"),
        ({"DRIFTGATE_DB_URL": "", "TURSO_DATABASE_URL": "b"}, None, "b"),  # empty means unset
        ({"TURSO_DATABASE_URL": "b"}, "c", "c"),
    ],
    ids=[
        "config",
        "env-over-config",
        "flag-over-env",
        "turso-database-url",
        "turso-url",
        "turso-database-url-over-turso-url",
        "driftgate-over-turso",
        "empty-env-is-unset",
        "flag-over-turso",
    ],
)
def test_database_url_precedence(
    tmp_path: Path, three_dbs: dict[str, Path], env: dict[str, str], flag: str | None, expected: str
) -> None:
    write_pyproject(tmp_path, f'db_url = "file:{three_dbs["a"]}"\nsql = ["schema.sql"]\n')
    out = tmp_path / "r.json"
    environ = {k: (f"file:{three_dbs[v]}" if v else "") for k, v in env.items()}
    args = ("--db", f"file:{three_dbs[flag]}") if flag else ()
    run = driftgate("check", *args, "--json", out, cwd=tmp_path, env=environ)
    assert run.code == 1, run.err + run.out  # the only_<name> table is unexpected
    report = validated(json.loads(out.read_text()))
    assert report["database"] == f"file:{three_dbs[expected]}"
    assert failing(report) == {("sql", "table", f"only_{expected}", "unexpected")}


# --- 3. ignore_tables ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("setting", ['["audit_*"]', '"audit_*"'], ids=["list", "string"])
def test_ignore_tables_globs(tmp_path: Path, setting: str) -> None:
    db = build_file_db(
        tmp_path / "db.sqlite",
        legacy_sql(),
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, what TEXT);"
        "CREATE TABLE audit_trail (id INTEGER PRIMARY KEY);"
        "CREATE TABLE auditors (id INTEGER PRIMARY KEY);",
    )
    out = tmp_path / "r.json"
    args = ("check", "--db", db, "--legacy", LEGACY_TS, "--json", out)

    before = driftgate(*args, cwd=tmp_path)
    assert before.code == 1
    assert failing(json.loads(out.read_text())) == {
        ("legacy", "table", name, "unexpected") for name in ("audit_log", "audit_trail", "auditors")
    }

    write_pyproject(tmp_path, f"ignore_tables = {setting}\n")
    after = driftgate(*args, cwd=tmp_path)
    assert after.code == 1
    report = validated(json.loads(out.read_text()))
    assert failing(report) == {("legacy", "table", "auditors", "unexpected")}  # no match: still reported
    assert not [f for f in report["findings"] if (f["table"] or "").startswith("audit_")]
    assert report["summary"]["by_kind"]["table"] == 9  # the 8 legacy tables + auditors


# --- 4. drizzle.config.ts -------------------------------------------------------------------------------------

DRIZZLE_CONFIG = """import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'turso',
  schema: './schema/*',
  out: './migrations',
  migrations: {
    table: 'my_ledger',
  },
  dbCredentials: { url: process.env.TURSO_DATABASE_URL!, authToken: process.env.TURSO_AUTH_TOKEN },
});
"""


def test_drizzle_config_gives_folder_and_ledger_table(tmp_path: Path) -> None:
    shutil.copytree(CORRECTED_MIGRATIONS, tmp_path / "migrations")
    (tmp_path / "drizzle.config.ts").write_text(DRIZZLE_CONFIG)
    db = build_file_db(tmp_path / "db.sqlite", legacy_sql(), PREPARE_SQL.read_text())
    out = tmp_path / "r.json"

    check = driftgate("check", "--db", db, "--json", out, cwd=tmp_path)
    assert check.code == 0, check.err + check.out
    report = validated(json.loads(out.read_text()))
    baseline = next(s for s in report["sources"] if s["label"] == "baseline")
    assert [Path(f).resolve() for f in baseline["files"]] == [(tmp_path / "migrations" / "0000_baseline.sql").resolve()]
    assert report["gate"]["baseline"] == "0000_baseline"

    stamp = driftgate("stamp", "--db", db, "--yes", "--no-backup", cwd=tmp_path)
    assert stamp.code == 0, stamp.err + stamp.out
    assert "stamped 0000_baseline: 1 ledger row(s) written" in stamp.out
    entry_text = (tmp_path / "migrations" / "0000_baseline.sql").read_bytes()
    when = json.loads((tmp_path / "migrations" / "meta" / "_journal.json").read_text())["entries"][0]["when"]
    assert ledger_rows(db, "my_ledger") == [(hashlib.sha256(entry_text).hexdigest(), when)]
    assert ledger_rows(db, "__drizzle_migrations") is None

    again = driftgate("stamp", "--db", db, "--yes", "--no-backup", cwd=tmp_path)
    assert again.code == 0 and "already stamped" in again.out, again.err + again.out
    assert len(ledger_rows(db, "my_ledger") or []) == 1

    after = driftgate("check", "--db", db, "--json", out, cwd=tmp_path)
    assert after.code == 0, after.out  # my_ledger is the ledger, not an unexpected table
    report = validated(json.loads(out.read_text()))
    ledger = [f for f in report["findings"] if f["kind"] == "ledger"]
    assert [(f["object"], f["status"]) for f in ledger] == [("0000_baseline", "ok")]
    assert "pending" not in ledger[0]["message"]
    assert not [f for f in report["findings"] if f["object"] == "my_ledger"]


def test_migrations_flag_wins_over_drizzle_config(tmp_path: Path, legacy_db: Path) -> None:
    shutil.copytree(CORRECTED_MIGRATIONS, tmp_path / "migrations")
    (tmp_path / "drizzle.config.ts").write_text(DRIZZLE_CONFIG)
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", legacy_db, "--migrations", PLAN_MIGRATIONS, "--json", out, cwd=tmp_path)
    assert run.code == 1
    report = validated(json.loads(out.read_text()))
    assert failing(report) == PLAN_FINDINGS
    assert Path(next(s for s in report["sources"] if s["label"] == "baseline")["files"][0]).parent == PLAN_MIGRATIONS


# --- 5. drizzle-orm 1.0 layout ----------------------------------------------------------------------------------


def test_drizzle_1_0_layout_is_refused_clearly(tmp_path: Path, legacy_db: Path) -> None:
    folder = tmp_path / "drizzle"
    for name, sql in (("20250101120000_init", "CREATE TABLE a (id integer);"), ("20250102090000_more", "SELECT 1;")):
        (folder / name).mkdir(parents=True)
        (folder / name / "migration.sql").write_text(sql)
        (folder / name / "snapshot.json").write_text('{"version": "7", "dialect": "sqlite"}')
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", legacy_db, "--migrations", folder, "--json", out, cwd=tmp_path)
    assert_one_line_error(run, 2, str(folder))
    assert re.search(r"1\.0 layout.*not support", run.err), run.err
    assert not out.exists()
    stamp = driftgate("stamp", "--db", legacy_db, "--migrations", folder, "--yes", cwd=tmp_path)
    assert_one_line_error(stamp, 2, "1.0 layout")
    assert ledger_rows(legacy_db, "__drizzle_migrations") is None


# --- 6. legacy DDL with an unresolved ${...} -------------------------------------------------------------------


def test_unresolved_legacy_ddl_is_not_compared_with_its_location(tmp_path: Path, legacy_db: Path) -> None:
    code = tmp_path / "client.ts"
    extra = (
        "\nexport async function createShard(db: Client, table: string) {\n"
        "  await db.execute(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY, body TEXT)`);\n"
        "  await db.execute(`INSERT INTO ${table} (body) VALUES ('x')`);\n"
        "}\n"
    )
    original = LEGACY_TS.read_text()
    code.write_text(original + extra)
    line = original.count("\n") + 3
    out, html = tmp_path / "r.json", tmp_path / "r.html"
    run = driftgate("check", "--db", legacy_db, "--legacy", code, "--json", out, "--html", html, cwd=tmp_path)
    assert run.code == 1, run.err + run.out
    report = validated(json.loads(out.read_text()))
    not_compared = [f for f in report["findings"] if f["status"] == "not_compared"]
    assert len(not_compared) == 1  # the INSERT is not DDL: ignored, not a finding
    finding = not_compared[0]
    assert finding["source"] == "legacy" and finding["kind"] == "table" and finding["accepted"] is False
    assert finding["location"] == f"{code}:{line}"
    assert "${table}" in finding["message"] and "${table}" in finding["expected"]
    assert finding["actual"] is None and finding["fix"] is None
    assert {(f["source"], f["kind"], f["object"], f["status"]) for f in report["findings"] if f["status"] != "ok"} == {
        ("legacy", "table", finding["object"], "not_compared")
    }
    assert report["gate"]["pass"] is False and report["summary"]["by_status"]["not_compared"] == 1
    page = html.read_text()
    assert page.startswith("<!DOCTYPE html>") or page.lower().startswith("<!doctype html>")
    assert page.rstrip().endswith("</html>")
    assert "${table}" in page and f"client.ts:{line}" in page


# --- 7. pull-style baseline stamping ----------------------------------------------------------------------------


def test_pull_style_baseline_stamp(tmp_path: Path, legacy_db: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(PULLED_MIGRATIONS, folder)
    entry = json.loads((folder / "meta" / "_journal.json").read_text())["entries"][0]
    sql_file = folder / f"{entry['tag']}.sql"

    refused = driftgate("stamp", "--db", legacy_db, "--migrations", folder, "--dry-run", cwd=tmp_path)
    assert refused.code == 1, refused.err + refused.out
    assert f"refusing to stamp {entry['tag']}" in refused.err
    assert "INSERT INTO" not in refused.out
    assert ledger_rows(legacy_db, "__drizzle_migrations") is None

    pulled_db = tmp_path / "pulled.db"
    connection = sqlite3.connect(pulled_db)
    for statement in snapshot_statements(folder / "meta" / "0000_snapshot.json"):
        connection.execute(statement.sql)
    connection.commit()
    connection.close()

    dry = driftgate("stamp", "--db", pulled_db, "--migrations", folder, "--dry-run", cwd=tmp_path)
    assert dry.code == 0, dry.err + dry.out
    digest = hashlib.sha256(sql_file.read_bytes()).hexdigest()
    assert digest in dry.out and str(entry["when"]) in dry.out
    assert ledger_rows(pulled_db, "__drizzle_migrations") is None

    stamp = driftgate("stamp", "--db", pulled_db, "--migrations", folder, "--yes", cwd=tmp_path)
    assert stamp.code == 0, stamp.err + stamp.out
    assert f"stamped {entry['tag']}: 1 ledger row(s) written" in stamp.out
    assert ledger_rows(pulled_db, "__drizzle_migrations") == [(digest, entry["when"])]
    backups = list(tmp_path.glob("pulled.db.driftgate-backup-*"))
    assert len(backups) == 1 and ledger_rows(backups[0], "__drizzle_migrations") is None


def test_stamped_hash_is_of_the_file_bytes_even_with_crlf(tmp_path: Path) -> None:
    """drizzle's migrator hashes readFileSync(...).toString(): CRLF line ends are part of the hash."""
    folder = tmp_path / "migrations"
    shutil.copytree(CORRECTED_MIGRATIONS, folder)
    sql_file = folder / "0000_baseline.sql"
    sql_file.write_bytes(sql_file.read_bytes().replace(b"\n", b"\r\n"))
    db = build_file_db(tmp_path / "db.sqlite", legacy_sql(), PREPARE_SQL.read_text())
    run = driftgate("stamp", "--db", db, "--migrations", folder, "--yes", "--no-backup", cwd=tmp_path)
    assert run.code == 0, run.err + run.out
    when = json.loads((folder / "meta" / "_journal.json").read_text())["entries"][0]["when"]
    assert ledger_rows(db, "__drizzle_migrations") == [(hashlib.sha256(sql_file.read_bytes()).hexdigest(), when)]
    out = tmp_path / "r.json"
    check = driftgate("check", "--db", db, "--migrations", folder, "--json", out, cwd=tmp_path)
    assert check.code == 0, check.out
    ledger = [f for f in validated(json.loads(out.read_text()))["findings"] if f["kind"] == "ledger"]
    assert [(f["object"], f["status"]) for f in ledger] == [("0000_baseline", "ok")]


# --- 8. which entry is the expected schema ----------------------------------------------------------------------


def test_tag_selection_follows_the_newest_recorded_entry(tmp_path: Path) -> None:
    db = build_file_db(tmp_path / "db.sqlite", legacy_sql(), PREPARE_SQL.read_text())
    out = tmp_path / "r.json"
    args = ("check", "--db", db, "--migrations", SEQUENCE_MIGRATIONS, "--json", out)
    later_indexes = {
        ("baseline", "index", name, "unexpected") for name in ("idx_command_cache_lookup", "idx_sessions_machine")
    }

    first = driftgate(*args, cwd=tmp_path)
    assert first.code == 0, first.out  # not stamped: the first entry is the baseline
    report = validated(json.loads(out.read_text()))
    assert report["gate"]["baseline"] == "0000_baseline"
    assert [(f["object"], f["status"]) for f in report["findings"] if f["kind"] == "ledger"] == [
        ("0000_baseline", "ok"),
        ("0001_add_lookup_indexes", "ok"),
    ]

    build_file_db(db, (SEQUENCE_MIGRATIONS / "0001_add_lookup_indexes.sql").read_text())
    unstamped = driftgate(*args, cwd=tmp_path)
    assert unstamped.code == 1  # still compared with 0000: the new indexes are unexpected
    # ... and the rehearsal sees that 0001, still pending, would now fail: its indexes exist already.
    rehearsal = ("baseline", "migration", "0001_add_lookup_indexes", "different")
    assert failing(json.loads(out.read_text())) == later_indexes | {rehearsal}

    explicit = driftgate(*args, "--tag", "0001_add_lookup_indexes", cwd=tmp_path)
    assert explicit.code == 0, explicit.out
    assert json.loads(out.read_text())["gate"]["baseline"] == "0001_add_lookup_indexes"

    stamp = driftgate(
        "stamp", "--db", db, "--migrations", SEQUENCE_MIGRATIONS, "--tag", "0001_add_lookup_indexes", "--yes",
        "--no-backup", cwd=tmp_path,
    )  # fmt: skip
    assert stamp.code == 0, stamp.err + stamp.out
    assert "stamped 0001_add_lookup_indexes: 2 ledger row(s) written" in stamp.out
    journal = json.loads((SEQUENCE_MIGRATIONS / "meta" / "_journal.json").read_text())["entries"]
    assert ledger_rows(db, "__drizzle_migrations") == [
        (hashlib.sha256((SEQUENCE_MIGRATIONS / f"{e['tag']}.sql").read_bytes()).hexdigest(), e["when"]) for e in journal
    ]

    newest = driftgate(*args, cwd=tmp_path)
    assert newest.code == 0, newest.out
    report = validated(json.loads(out.read_text()))
    assert report["gate"]["baseline"] == "0001_add_lookup_indexes"
    assert {f["object"] for f in report["findings"] if f["kind"] == "index" and f["status"] == "ok"} >= {
        "idx_command_cache_lookup",
        "idx_sessions_machine",
    }

    pinned = driftgate(*args, "--tag", "0000_baseline", cwd=tmp_path)
    assert pinned.code == 1  # --tag wins over the ledger
    report = json.loads(out.read_text())
    assert report["gate"]["baseline"] == "0000_baseline" and failing(report) == later_indexes


def test_newest_recorded_is_the_baseline_when_later_entries_are_pending(tmp_path: Path) -> None:
    db = build_file_db(tmp_path / "db.sqlite", legacy_sql(), PREPARE_SQL.read_text())
    stamp = driftgate("stamp", "--db", db, "--migrations", SEQUENCE_MIGRATIONS, "--yes", "--no-backup", cwd=tmp_path)
    assert stamp.code == 0 and "stamped 0000_baseline: 1 ledger row(s)" in stamp.out, stamp.err + stamp.out
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", db, "--migrations", SEQUENCE_MIGRATIONS, "--json", out, cwd=tmp_path)
    assert run.code == 0, run.out
    report = validated(json.loads(out.read_text()))
    assert report["gate"]["baseline"] == "0000_baseline"
    pending = next(f for f in report["findings"] if f["kind"] == "ledger" and f["object"] == "0001_add_lookup_indexes")
    assert pending["status"] == "ok" and "pending" in pending["message"]


# --- 9. --html ----------------------------------------------------------------------------------------------------


def test_html_report_is_self_contained_and_carries_the_verdict(tmp_path: Path, legacy_db: Path) -> None:
    html, out = tmp_path / "out" / "report.html", tmp_path / "r.json"
    run = driftgate(
        "check", "--db", legacy_db, "--migrations", PLAN_MIGRATIONS, "--html", html, "--json", out, cwd=tmp_path
    )
    assert run.code == 1
    verdict = json.loads(out.read_text())["gate"]["verdict"]
    assert "blocked by 12 findings" in verdict
    page = html.read_text(encoding="utf-8")
    assert verdict in page
    assert page.rstrip().endswith("</html>")
    assert not re.search(r"""<(script|img|iframe)[^>]*\ssrc\s*=""", page, re.I)
    assert not re.search(r"""<link[^>]*\shref\s*=\s*["']?(https?:)?//""", page, re.I)
    assert not re.search(r"""@import|url\(\s*["']?(https?:)?//""", page, re.I)
    assert "idx_sessions_machine" in page


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda t: ("--legacy", t / "missing.ts"), id="missing-legacy-file"),
        pytest.param(lambda t: ("--sql", t / "bad.sql"), id="sql-error-found-after-reading-the-db"),
        pytest.param(lambda t: ("--migrations", PLAN_MIGRATIONS, "--tag", "9999_nope"), id="unknown-tag"),
        pytest.param(lambda t: ("--db", f"file:{t / 'nope.db'}", "--sql", t / "ok.sql"), id="missing-db"),
    ],
)
def test_bad_input_writes_no_report(tmp_path: Path, legacy_db: Path, bad) -> None:
    (tmp_path / "bad.sql").write_text("CREATE TABLE users (id TEXT PRIMARY KEY);\nCREATE TABLE b (id INTEGER,, x);\n")
    (tmp_path / "ok.sql").write_text("CREATE TABLE users (id TEXT PRIMARY KEY);\n")
    html, out = tmp_path / "report.html", tmp_path / "report.json"
    args = bad(tmp_path)
    db = () if "--db" in args else ("--db", legacy_db)
    run = driftgate("check", *db, *args, "--html", html, "--json", out, cwd=tmp_path)
    assert_one_line_error(run, 2)
    assert not html.exists() and not out.exists()
    assert not list(tmp_path.glob("report*.sql")) and not list(tmp_path.glob(".report*"))


# --- 10. a broken journal ---------------------------------------------------------------------------------------


def test_journal_with_invalid_json_names_file_and_line(tmp_path: Path, legacy_db: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(PLAN_MIGRATIONS, folder)
    journal = folder / "meta" / "_journal.json"
    lines = journal.read_text().splitlines()
    broken_at = next(i for i, line in enumerate(lines) if '"tag"' in line)
    lines[broken_at] = lines[broken_at].replace('"tag":', '"tag"')  # a missing colon
    journal.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r.json"
    for command in ("check", "stamp"):
        run = driftgate(command, "--db", legacy_db, "--migrations", folder, "--json", out, cwd=tmp_path)
        assert_one_line_error(run, 2, f"_journal.json:{broken_at + 1}")
        assert not out.exists()


def test_nothing_compared_is_an_error_not_a_pass(tmp_path: Path, legacy_db: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\nignore_tables = ["*"]\n')
    run = driftgate("check", "--db", legacy_db, "--legacy", LEGACY_TS, cwd=tmp_path)
    assert run.code == 2 and "nothing was compared" in run.err


def test_unused_accept_entry_is_warned_about(tmp_path: Path, legacy_db: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\naccept = ["legacy:index:no_such_index"]\n')
    run = driftgate("check", "--db", legacy_db, "--legacy", LEGACY_TS, cwd=tmp_path)
    assert run.code == 0
    assert "accept entry 'legacy:index:no_such_index' matches no failing finding" in run.err


def test_custom_ledger_name_with_glob_characters_is_matched_exactly(tmp_path: Path) -> None:
    db = build_file_db(tmp_path / "db.sqlite", legacy_sql(), PREPARE_SQL.read_text())
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\nledger_table = "mig[v1]"\n')
    args = ("--db", db, "--migrations", SEQUENCE_MIGRATIONS)
    assert driftgate("stamp", *args, "--yes", cwd=tmp_path).code == 0
    out = tmp_path / "r.json"
    run = driftgate("check", *args, "--json", out, cwd=tmp_path)
    assert run.code == 0, run.out
    assert not any(f["object"] == "mig[v1]" for f in json.loads(out.read_text())["findings"])


def test_drizzle_globs_in_config_are_expanded_on_every_run_like_drizzle_kit(tmp_path: Path) -> None:
    from driftgate.config import load_config
    from driftgate.errors import InputError

    schema = tmp_path / "schema"
    (schema / "deep").mkdir(parents=True)
    for name in ("b.ts", "A.ts", "deep/c.ts"):
        (schema / name).write_text("export const x = 1;\n")
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\ndrizzle = ["schema/*.ts", "schema/**/c.ts", "x.ts"]\n')
    config = load_config(path=tmp_path / "pyproject.toml")
    assert config.drizzle_paths() == [schema / "A.ts", schema / "b.ts", schema / "deep" / "c.ts", tmp_path / "x.ts"]
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\ndrizzle = ["nothing/*.ts"]\n')
    with pytest.raises(InputError, match=r"drizzle: nothing/\*\.ts matches no file"):
        load_config(path=tmp_path / "pyproject.toml").drizzle_paths()
