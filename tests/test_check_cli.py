"""`driftgate check` end to end on the bundled example: file: databases and a real sqld."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from cli import driftgate, failing
from conftest import (
    CORRECTED_MIGRATIONS,
    LEGACY_TS,
    PLAN_MIGRATIONS,
    PREPARE_SQL,
    build_file_db,
    legacy_sql,
    load_remote,
    server_query_count,
)
from driftgate.report.json_report import report_schema

PLAN_FINDINGS = {
    *(
        ("baseline", "notnull", col, "different")
        for col in (
            "users.id",
            "machines.machine_id",
            "history_global.id",
            "history_user.id",
            "history_machine.id",
            "command_cache.command_hash",
            "sessions.id",
            "conversation_summaries.id",
        )
    ),
    ("baseline", "index", "idx_command_cache_lookup", "missing"),
    ("baseline", "index", "idx_sessions_machine", "missing"),
    ("baseline", "index", "users_username_unique", "missing"),
    ("baseline", "index", "conversation_summaries_user_id_machine_id_unique", "missing"),
}


def validated(run_json: dict) -> dict:
    jsonschema.validate(run_json, report_schema())
    return run_json


def test_legacy_code_conforms_to_its_own_database(tmp_path: Path, legacy_db: Path) -> None:
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", f"file:{legacy_db}", "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path)
    assert run.code == 0, run.err + run.out
    report = validated(run.json(out))
    assert report["summary"]["failed"] == 0
    assert report["summary"]["by_kind"]["table"] == 8
    assert report["summary"]["by_kind"]["column"] == 75
    assert report["summary"]["by_kind"]["foreign_key"] == 8
    assert "driftgate verdict: conforms" in run.out


def test_plan_as_written_is_blocked_by_its_real_findings(tmp_path: Path, legacy_db: Path) -> None:
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", legacy_db, "--migrations", PLAN_MIGRATIONS, "--json", out, cwd=tmp_path)
    assert run.code == 1
    report = validated(run.json(out))
    assert failing(report) == PLAN_FINDINGS
    assert report["gate"]["pass"] is False and report["gate"]["stamp_allowed"] is False
    username = next(f for f in report["findings"] if f["object"] == "users_username_unique")
    assert "holds" in username["message"] and username["fix"].startswith("CREATE UNIQUE INDEX")
    unique = next(f for f in report["findings"] if f["kind"] == "unique" and f["object"] == "users(username)")
    assert unique["status"] == "ok"
    pk = next(f for f in report["findings"] if f["kind"] == "notnull" and f["object"] == "users.id")
    assert "legacy quirk" in pk["message"]
    assert "blocked by 12 findings" in run.out


def test_corrected_proposal_conforms_after_prepare(tmp_path: Path) -> None:
    db = build_file_db(tmp_path / "db.sqlite", legacy_sql(), PREPARE_SQL.read_text())
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", db, "--migrations", CORRECTED_MIGRATIONS, "--json", out, cwd=tmp_path)
    assert run.code == 0, run.out
    report = validated(run.json(out))
    assert report["gate"]["stamp_allowed"] is True
    assert "may be stamped" in run.out
    # The legacy code does not know prepare.sql's named indexes: reported, but not blocking the stamp.
    run = driftgate(
        "check", "--db", db, "--migrations", CORRECTED_MIGRATIONS, "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path
    )
    report = validated(run.json(out))
    assert run.code == 1
    assert failing(report) == {
        ("legacy", "index", "users_username_unique", "unexpected"),
        ("legacy", "index", "conversation_summaries_user_id_machine_id_unique", "unexpected"),
    }
    assert report["gate"]["stamp_allowed"] is True


MUTATIONS = {
    "drop an index": (
        "create index if not exists idx_history_global_request on history_global(request_id);",
        "",
        {("legacy", "index", "idx_history_global_request", "missing")},
    ),
    "change a default": (
        "total_commands INTEGER default 0",
        "total_commands INTEGER default 1",
        {("legacy", "default", "machines.total_commands", "different")},
    ),
    "flip NOT NULL": (
        "  hostname TEXT not null,",
        "  hostname TEXT,",
        {("legacy", "notnull", "machines.hostname", "different")},
    ),
    "remove DESC": (
        "ON history_global(timestamp DESC)",
        "ON history_global(timestamp)",
        {("legacy", "index", "idx_history_global_timestamp", "different")},
    ),
    "add ON DELETE CASCADE": (
        "user_id TEXT NOT NULL REFERENCES users(id)",
        "user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE",
        {("legacy", "foreign_key", "history_user(user_id)->users(id)", "different")},
    ),
    "add a column": (
        "  message_count INTEGER,",
        "  message_count INTEGER,\n  extra TEXT,",
        {("legacy", "column", "conversation_summaries.extra", "unexpected")},
    ),
}


def mutated(old: str, new: str) -> str:
    text = legacy_sql()
    assert old in text, f"mutation anchor not found: {old!r}"
    return text.replace(old, new, 1)


@pytest.mark.parametrize("name", MUTATIONS)
def test_each_single_mutation_gives_exactly_that_finding(tmp_path: Path, name: str) -> None:
    old, new, expected = MUTATIONS[name]
    db = build_file_db(tmp_path / "db.sqlite", mutated(old, new))
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", f"file:{db}", "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path)
    assert run.code == 1, run.out
    assert failing(validated(run.json(out))) == expected


@pytest.mark.parametrize("scheme", ["http", "ws"])
def test_check_over_sqld(tmp_path: Path, sqld, scheme: str) -> None:
    load_remote(sqld.http_url, mutated(*MUTATIONS["remove DESC"][:2]))
    out = tmp_path / "r.json"
    url = sqld.http_url if scheme == "http" else sqld.ws_url
    run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path)
    assert run.code == 1, run.err
    assert failing(validated(run.json(out))) == MUTATIONS["remove DESC"][2]


def test_introspection_is_one_statement_at_the_server(tmp_path: Path, sqld) -> None:
    load_remote(sqld.http_url, legacy_sql())
    before = server_query_count(sqld)
    run = driftgate("check", "--db", sqld.http_url, "--legacy", LEGACY_TS, cwd=tmp_path)
    assert run.code == 0, run.err
    assert server_query_count(sqld) - before == 1


def test_token_never_appears_in_output(tmp_path: Path, sqld) -> None:
    load_remote(sqld.http_url, legacy_sql())
    secret = "s3cr3t-token-value"
    out = tmp_path / "r.json"
    run = driftgate(
        "check",
        "--db",
        f"{sqld.http_url}?authToken={secret}",
        "--legacy",
        LEGACY_TS,
        "--json",
        out,
        cwd=tmp_path,
        env={"TURSO_AUTH_TOKEN": "other-" + secret},
    )
    assert run.code == 0, run.err
    for text in (run.out, run.err, out.read_text()):
        assert secret not in text


def test_corrected_project_config_as_the_readme_uses_it(tmp_path: Path) -> None:
    db = build_file_db(tmp_path / "example.db", legacy_sql(), PREPARE_SQL.read_text())
    project = CORRECTED_MIGRATIONS.parent
    reports = [project / "../../../reports/corrected.json", project / "../../../reports/corrected.html"]
    run = driftgate("check", "--db", db, cwd=project)
    assert run.code == 0, run.out + run.err
    assert "may be stamped" in run.out
    assert all(path.resolve().is_file() for path in reports)


def test_help_imports_the_cli_alone(tmp_path: Path) -> None:
    """`driftgate --help` (issue 11: at most 0.15 s) loads click and the CLI's module, nothing of the engine:
    no parser, no libSQL, no report renderer, no forking machinery, and no TOML or temporary-file module."""
    import subprocess
    import sys

    engine = ("sqlglot", "libsql", "rich", "jinja2", "driftgate.check", "driftgate.forked", "tomllib", "tempfile")
    program = (
        "import sys\n"
        "sys.argv = ['driftgate', '--help']\n"
        "from driftgate.cli import main\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted(m for m in {engine!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and done.stdout.splitlines()[-1] == "[]", done.stdout


def test_a_sql_check_never_loads_the_typescript_reader(tmp_path: Path) -> None:
    """A check of plain SQL looks for a drizzle.config.ts (none here) and does not import the Drizzle reader or
    tree-sitter for that (issue 11: the lookup once lived in the reader's package and cost 40 ms of every start);
    with a drizzle.config.ts beside it, the reader is loaded and reads it (its ``out`` is the migrations folder,
    which does not exist here: exit 2)."""
    import subprocess
    import sys

    db = tmp_path / "db.sqlite"
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    program = (
        "import sys\n"
        f"sys.argv = ['driftgate', 'check', '--db', {str(db)!r}, '--sql', 'schema.sql']\n"
        "from driftgate.cli import main\n"
        "try:\n    main()\n"
        "except SystemExit as exit:\n    print('exit', exit.code)\n"
        "print(sorted(m for m in ('tree_sitter', 'driftgate.sources.drizzle') if m in sys.modules))\n"
    )

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    lines = run()
    assert lines[-2:] == ["exit 0", "[]"], lines
    (tmp_path / "drizzle.config.ts").write_text('export default { dialect: "turso", out: "./drizzle" };\n')
    lines = run()
    assert lines[-2:] == ["exit 2", "['driftgate.sources.drizzle', 'tree_sitter']"], lines
