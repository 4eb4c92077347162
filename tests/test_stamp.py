"""`driftgate stamp` against a real sqld, proved with drizzle-orm's real migrator."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import libsql_client
import pytest

from cli import driftgate
from conftest import LEGACY_SQL, PREPARE_SQL, REPO, SEQUENCE_MIGRATIONS, load_remote
from driftgate.sources.migrations import load_migrations

SEQUENCE = load_migrations(SEQUENCE_MIGRATIONS)
BASELINE, NEXT = SEQUENCE.entries


def ledger(url: str) -> list[tuple[str, int]] | None:
    with libsql_client.create_client_sync(url) as client:
        exists = client.execute("SELECT 1 FROM sqlite_schema WHERE name = '__drizzle_migrations'").rows
        if not exists:
            return None
        rows = client.execute("SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at").rows
        return [(str(r[0]), int(r[1])) for r in rows]


def real_migrator(url: str, folder: Path) -> list[tuple[str, int]]:
    done = subprocess.run(
        ["node", str(REPO / "tools" / "migrate.mjs"), url, str(folder)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [tuple(r) for r in json.loads(done.stdout.strip().splitlines()[-1])]


@pytest.fixture
def conforming(sqld) -> str:
    load_remote(sqld.http_url, LEGACY_SQL.read_text(), PREPARE_SQL.read_text())
    return sqld.http_url


def test_stamp_then_real_migrator_applies_only_later_migrations(tmp_path: Path, conforming: str) -> None:
    run = driftgate("stamp", "--db", conforming, "--migrations", SEQUENCE_MIGRATIONS, "--yes", cwd=tmp_path)
    assert run.code == 0, run.err + run.out
    assert "stamped 0000_baseline: 1 ledger row(s) written" in run.out
    assert ledger(conforming) == [(BASELINE.hash, BASELINE.when)]

    after = real_migrator(conforming, SEQUENCE_MIGRATIONS)
    assert after == [(BASELINE.hash, BASELINE.when), (NEXT.hash, NEXT.when)]
    with libsql_client.create_client_sync(conforming) as client:
        names = {r[0] for r in client.execute("SELECT name FROM sqlite_schema WHERE type = 'index'").rows}
    assert {"idx_command_cache_lookup", "idx_sessions_machine"} <= names  # 0001 ran, the baseline did not

    assert real_migrator(conforming, SEQUENCE_MIGRATIONS) == after  # a second migrate is a no-op
    again = driftgate(
        "stamp",
        "--db",
        conforming,
        "--migrations",
        SEQUENCE_MIGRATIONS,
        "--tag",
        "0000_baseline",
        "--yes",
        cwd=tmp_path,
    )
    assert again.code == 0 and "already stamped" in again.out
    check = driftgate("check", "--db", conforming, "--migrations", SEQUENCE_MIGRATIONS, cwd=tmp_path)
    assert check.code == 0, check.out  # the newest recorded entry (0001) is now the expected schema


def test_stamp_refused_on_drift_writes_nothing(tmp_path: Path, sqld) -> None:
    load_remote(sqld.http_url, LEGACY_SQL.read_text())  # without prepare.sql: named unique indexes missing
    run = driftgate("stamp", "--db", sqld.http_url, "--migrations", SEQUENCE_MIGRATIONS, "--yes", cwd=tmp_path)
    assert run.code == 1
    assert "refusing to stamp 0000_baseline" in run.err
    assert ledger(sqld.http_url) is None


def test_dry_run_prints_statements_and_writes_nothing(tmp_path: Path, conforming: str) -> None:
    run = driftgate("stamp", "--db", conforming, "--migrations", SEQUENCE_MIGRATIONS, "--dry-run", cwd=tmp_path)
    assert run.code == 0, run.err
    assert 'CREATE TABLE IF NOT EXISTS "__drizzle_migrations"' in run.out
    assert BASELINE.hash in run.out and str(BASELINE.when) in run.out
    assert ledger(conforming) is None


def test_undo_removes_exactly_the_stamp_and_refuses_after_later_migrations(tmp_path: Path, conforming: str) -> None:
    args = ("--db", conforming, "--migrations", SEQUENCE_MIGRATIONS, "--yes")
    assert driftgate("stamp", *args, cwd=tmp_path).code == 0
    undo = driftgate("stamp", *args, "--undo", cwd=tmp_path)
    assert undo.code == 0 and "removed 1" in undo.out
    assert ledger(conforming) == []
    assert driftgate("stamp", *args, cwd=tmp_path).code == 0
    real_migrator(conforming, SEQUENCE_MIGRATIONS)
    refused = driftgate("stamp", *args, "--undo", "--tag", "0000_baseline", cwd=tmp_path)
    assert refused.code == 1 and "later migration" in refused.err
    assert len(ledger(conforming) or []) == 2


def test_concurrent_stampers_write_one_row(tmp_path: Path, conforming: str) -> None:
    barrier = tmp_path / "go"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(REPO / "tests" / "stamp_at_barrier.py"),
                str(barrier),
                "stamp",
                "--db",
                conforming,
                "--migrations",
                str(SEQUENCE_MIGRATIONS),
                "--yes",
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(20)
    ]
    barrier.touch()
    results = [p.communicate(timeout=180) + (p.returncode,) for p in procs]
    assert [code for _, _, code in results] == [0] * 20, [err for _, err, _ in results if err]
    written = [out for out, _, _ in results if "ledger row(s) written" in out]
    assert len(written) == 1
    assert ledger(conforming) == [(BASELINE.hash, BASELINE.when)]


def _ledger_case(url: str, rows: list[tuple[str, int]]) -> None:
    with libsql_client.create_client_sync(url) as client:
        client.batch(
            [
                'CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)',
                *[
                    libsql_client.Statement("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)", [h, w])
                    for h, w in rows
                ],
            ]
        )


@pytest.mark.parametrize(
    "case, rows, expected",
    [
        (
            "recorded",
            lambda: [(BASELINE.hash, BASELINE.when)],
            {"0000_baseline": "ok", "0001_add_lookup_indexes": "ok"},
        ),
        ("edited after apply", lambda: [("0" * 64, BASELINE.when)], {"0000_baseline": "different"}),
        ("unknown row", lambda: [(BASELINE.hash, BASELINE.when), ("f" * 64, 42)], {"42": "unexpected"}),
        (
            "silent skip",
            lambda: [(BASELINE.hash, BASELINE.when), ("e" * 64, NEXT.when + 1)],
            {"0001_add_lookup_indexes": "different", str(NEXT.when + 1): "unexpected"},
        ),
    ],
)
def test_ledger_findings(tmp_path: Path, conforming: str, case: str, rows, expected: dict[str, str]) -> None:
    _ledger_case(conforming, rows())
    out = tmp_path / "r.json"
    driftgate(
        "check",
        "--db",
        conforming,
        "--migrations",
        SEQUENCE_MIGRATIONS,
        "--tag",
        "0000_baseline",
        "--json",
        out,
        cwd=tmp_path,
    )
    findings = {f["object"]: f["status"] for f in json.loads(out.read_text())["findings"] if f["kind"] == "ledger"}
    for obj, status in expected.items():
        assert findings[obj] == status, (case, findings)


def test_stamp_refuses_a_ledger_with_unknown_rows(tmp_path: Path, conforming: str) -> None:
    _ledger_case(conforming, [("f" * 64, 42)])
    run = driftgate("stamp", "--db", conforming, "--migrations", SEQUENCE_MIGRATIONS, "--yes", cwd=tmp_path)
    assert run.code == 1 and "does not know" in run.err
    assert ledger(conforming) == [("f" * 64, 42)]


def test_file_database_gets_a_backup(tmp_path: Path) -> None:
    from conftest import build_file_db

    db = build_file_db(tmp_path / "prod.db", LEGACY_SQL.read_text(), PREPARE_SQL.read_text())
    run = driftgate("stamp", "--db", db, "--migrations", SEQUENCE_MIGRATIONS, "--yes", cwd=tmp_path)
    assert run.code == 0, run.err
    backups = list(tmp_path.glob("prod.db.driftgate-backup-*"))
    assert len(backups) == 1 and backups[0].stat().st_size > 0
    assert shutil.which("node")


def test_insert_guard_rechecks_the_ledger_inside_the_transaction(tmp_path: Path) -> None:
    """A plan made on an empty ledger must not write once a later migration appears before the write."""
    import sqlite3

    from driftgate.connection import Database
    from driftgate.stamp import create_ledger_sql, plan_stamp
    from driftgate.urls import parse_database_url

    db = tmp_path / "ledger.db"
    sqlite3.connect(db).close()
    plan = plan_stamp(SEQUENCE, BASELINE.tag, None, "__drizzle_migrations")
    with Database(parse_database_url(f"file:{db}"), writable=True) as conn:
        conn.batch(
            [
                (create_ledger_sql("__drizzle_migrations"), ()),
                ("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)", (NEXT.hash, NEXT.when)),
            ]
        )
        assert conn.batch(plan.statements)[1:] == [0]
        rows = conn.query("SELECT hash, created_at FROM __drizzle_migrations")
    assert rows == [(NEXT.hash, NEXT.when)]


def test_a_cold_stamp_of_the_bundled_proposal_leaves_the_parser_to_its_helper(tmp_path: Path) -> None:
    """`stamp` forks the helper that reads ahead, as `check` does: the corrected proposal against the legacy
    database (DDL texts that are not drizzle's) is replayed and read there, and the command itself never
    imports the parser; its dry run prints what one core prints."""
    project = tmp_path / "corrected"
    shutil.copytree(REPO / "fixtures" / "mcp-devops" / "corrected", project)
    db = tmp_path / "example.db"
    for script in (LEGACY_SQL, PREPARE_SQL):
        sqlite3.connect(db).executescript(script.read_text())
    program = (
        "import sys\n"
        f"sys.argv = ['driftgate', 'stamp', '--db', {str(db)!r}, '--dry-run']\n"
        "try:\n    from driftgate.cli import main\n    main()\n"  # the command (driftgate's run() leaves at once)
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('exit', code, 'sqlglot' in sys.modules)\n"
    )
    runs = {}
    for label, extra in (("helped", {}), ("alone", {"DRIFTGATE_FORK": "0"})):
        env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "DRIFTGATE_CACHE_DIR": str(tmp_path / label), **extra}
        done = subprocess.run([sys.executable, "-c", program], cwd=project, env=env, capture_output=True, text=True)
        runs[label] = done.stdout.splitlines()
    assert runs["helped"][-1] == "exit 0 False", runs["helped"]
    assert runs["alone"][-1] == "exit 0 True", runs["alone"]
    assert runs["helped"][:-1] == runs["alone"][:-1] and any("may be stamped" in line for line in runs["helped"])
