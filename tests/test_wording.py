"""Help texts and messages as a new user reads them (issue 13's wording list), each checked both ways."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cli import driftgate
from conftest import LEGACY_SQL, PLAN_MIGRATIONS
from driftgate.findings import Finding, Report
from driftgate.sources.legacy import extract_legacy_statements
from driftgate.testing import free_port


@pytest.mark.parametrize("command", ["check", "stamp"])
def test_help_names_exit_codes_token_variables_and_the_baseline_rule(tmp_path: Path, command: str) -> None:
    run = driftgate(command, "--help", cwd=tmp_path)
    assert run.code == 0
    text = " ".join(run.out.split())
    for needle in (
        "Exit codes:",
        "0 ",
        "1 ",
        "2 bad input or usage",
        "3 the database is unreachable or refused the credentials",
        "DRIFTGATE_DB_URL",
        "TURSO_DATABASE_URL",
        "DRIFTGATE_AUTH_TOKEN",
        "TURSO_AUTH_TOKEN",
        "--tag if given; else the newest migration the database's ledger (__drizzle_migrations) records; "
        "else, not stamped yet, the first migration",
    ):
        assert needle in text, needle


def _finding(status: str, source: str = "baseline") -> Finding:
    return Finding(source=source, kind="index", table="t", object=f"idx_{status}", status=status)


def test_verdict_counts_in_the_right_number() -> None:
    one = Report("file:x", (), (_finding("missing"), _finding("ok")), gate_tag="0000_b")
    assert one.verdict() == "baseline 0000_b is blocked by 1 finding (1 failing in all)"
    two = Report("file:x", (), (_finding("missing"), _finding("different")), gate_tag="0000_b")
    assert two.verdict() == "baseline 0000_b is blocked by 2 findings (2 failing in all)"
    other = Report("file:x", (), (_finding("missing", "legacy"), _finding("ok")), gate_tag="0000_b")
    assert other.verdict() == "baseline 0000_b may be stamped; 1 finding of other sources fail"
    assert Report("file:x", (), (_finding("ok"),)).verdict() == "conforms: 1 check, 0 failed"


def test_terminal_lines_name_only_the_sides_that_exist(tmp_path: Path) -> None:
    (tmp_path / "expected.sql").write_text("CREATE TABLE t (a INTEGER);\nCREATE INDEX t_a ON t (a);\n")
    db = tmp_path / "live.db"
    sqlite3.connect(db).executescript("CREATE TABLE t (a INTEGER); CREATE INDEX t_b ON t (a DESC);")
    run = driftgate("check", "--db", db, "--sql", "expected.sql", cwd=tmp_path)
    assert run.code == 1
    missing = next(line for line in run.out.splitlines() if "sql:index:t_a" in line)
    unexpected = next(line for line in run.out.splitlines() if "sql:index:t_b" in line)
    assert "expected (a)" in missing and "actual" not in missing
    assert unexpected.endswith("sql:index:t_b  actual (a DESC)")
    assert "None" not in run.out


@pytest.mark.parametrize("scheme", ["http", "ws"])
def test_a_refused_plain_connection_does_not_talk_about_ssl(tmp_path: Path, scheme: str) -> None:
    port = free_port()
    run = driftgate("check", "--db", f"{scheme}://127.0.0.1:{port}", "--sql", LEGACY_SQL, cwd=tmp_path)
    assert run.code == 3
    assert (
        run.err
        == f"driftgate: error: {scheme}://127.0.0.1:{port}: cannot connect to 127.0.0.1:{port} (Connection refused)\n"
    )


@pytest.mark.parametrize("form", ["{}", "file:{}"])
def test_a_directory_given_as_db_is_called_a_directory(tmp_path: Path, form: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    run = driftgate("check", "--db", form.format(folder), "--sql", LEGACY_SQL, cwd=tmp_path)
    assert run.code == 2
    assert run.err == f"driftgate: error: --db: {folder} is a directory, not a database file\n"
    absent = driftgate("check", "--db", form.format(tmp_path / "nope.db"), "--sql", LEGACY_SQL, cwd=tmp_path)
    assert absent.code == 2 and "does not exist" in absent.err


def test_unresolved_name_is_the_placeholder_not_a_dollar(tmp_path: Path) -> None:
    (tmp_path / "db.ts").write_text(
        "export async function make(db, name: string) {\n"
        "  await db.execute(`CREATE TABLE IF NOT EXISTS ${name}_log (id INTEGER PRIMARY KEY)`);\n"
        "  await db.execute(`CREATE INDEX idx_${name} ON ${name}_log (id)`);\n"
        "  await db.execute(`CREATE TABLE fixed (id INTEGER PRIMARY KEY)`);\n"
        "}\n"
    )
    db = tmp_path / "live.db"
    sqlite3.connect(db).executescript("CREATE TABLE fixed (id INTEGER PRIMARY KEY);")
    run = driftgate("check", "--db", db, "--legacy", "db.ts", "--json", "r.json", cwd=tmp_path)
    assert run.code == 1
    findings = json.loads((tmp_path / "r.json").read_text())["findings"]
    not_compared = {(f["kind"], f["object"], f["message"]) for f in findings if f["status"] == "not_compared"}
    assert not_compared == {
        ("table", "${name}_log", "not compared: the SQL depends on ${name}"),
        ("index", "idx_${name}", "not compared: the SQL depends on ${name}"),
    }
    assert {f["object"] for f in findings if f["kind"] == "table" and f["status"] == "ok"} == {"fixed"}


def test_string_raw_template_is_read_with_its_backslashes(tmp_path: Path) -> None:
    (tmp_path / "db.ts").write_text(
        "const suffix = 'v2';\n"
        "await db.execute(String.raw`CREATE TABLE r_${suffix} (p TEXT CHECK (p NOT GLOB '*\\d*'))`);\n"
        "await db.execute(`CREATE TABLE plain (p TEXT CHECK (p NOT GLOB '*\\d*'))`);\n"
    )
    statements = {s.sql for s in extract_legacy_statements([tmp_path / "db.ts"])}
    # String.raw keeps \d as two characters; an ordinary template turns \d into d, as JavaScript does.
    assert statements == {
        "CREATE TABLE r_v2 (p TEXT CHECK (p NOT GLOB '*\\d*'))",
        "CREATE TABLE plain (p TEXT CHECK (p NOT GLOB '*d*'))",
    }


def test_not_a_string_raw_tag_is_not_sql(tmp_path: Path) -> None:
    # A tag other than String.raw makes its own text: never read as SQL, but never silence either.
    (tmp_path / "db.ts").write_text("await db.execute(sql`CREATE TABLE tagged (id INTEGER)`);\n")
    [statement] = extract_legacy_statements([tmp_path / "db.ts"])
    assert statement.unresolved and statement.reason == "driftgate cannot tell how this SQL reaches the database"


def test_example_still_blocked_with_plural_wording(tmp_path: Path) -> None:
    db = tmp_path / "ex.db"
    sqlite3.connect(db).executescript(LEGACY_SQL.read_text())
    run = driftgate("check", "--db", db, "--migrations", PLAN_MIGRATIONS, "--quiet", cwd=tmp_path)
    assert run.out == "driftgate verdict: baseline 0000_baseline is blocked by 12 findings (12 failing in all)\n"
