"""Bad input: exit 2 or 3, one short line naming the culprit, no traceback, no partial report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import driftgate
from conftest import LEGACY_TS, PLAN_MIGRATIONS


def assert_clean_error(run, code: int, *needles: str) -> None:
    assert run.code == code, (run.code, run.out, run.err)
    assert "Traceback" not in run.err and "Traceback" not in run.out
    lines = run.err.strip().splitlines()
    assert 1 <= len(lines) <= 5, run.err
    for needle in needles:
        assert needle in run.err, (needle, run.err)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "report.json"


def test_missing_legacy_file(tmp_path: Path, legacy_db: Path, out: Path) -> None:
    run = driftgate("check", "--db", legacy_db, "--legacy", tmp_path / "nope.ts", "--json", out, cwd=tmp_path)
    assert_clean_error(run, 2, "nope.ts")
    assert not out.exists()


def test_directory_without_sources(tmp_path: Path, legacy_db: Path, out: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = driftgate("check", "--db", legacy_db, "--legacy", tmp_path / "empty", "--json", out, cwd=tmp_path)
    assert_clean_error(run, 2, "empty")
    assert not out.exists()


def test_typescript_syntax_error_names_file_and_line(tmp_path: Path, legacy_db: Path, out: Path) -> None:
    bad = tmp_path / "bad.ts"
    bad.write_text("const a = 1;\nawait db.execute(`CREATE TABLE t (a)`;\nfunction (\n")
    run = driftgate("check", "--db", legacy_db, "--legacy", bad, "--json", out, cwd=tmp_path)
    assert_clean_error(run, 2, "bad.ts:")
    assert not out.exists()


def test_sql_syntax_error_names_file_and_line(tmp_path: Path, legacy_db: Path, out: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE a (id INTEGER);\n\nCREATE TABLE b (id INTEGER,, x);\n")
    run = driftgate("check", "--db", legacy_db, "--sql", bad, "--json", out, cwd=tmp_path)
    assert_clean_error(run, 2, "bad.sql:3")
    assert not out.exists()


def test_journal_pointing_at_missing_file(tmp_path: Path, legacy_db: Path, out: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(PLAN_MIGRATIONS, folder)
    journal = json.loads((folder / "meta" / "_journal.json").read_text())
    tag = journal["entries"][0]["tag"]
    (folder / f"{tag}.sql").unlink()
    run = driftgate("check", "--db", legacy_db, "--migrations", folder, "--json", out, cwd=tmp_path)
    assert_clean_error(run, 2, "_journal.json", tag)
    assert not out.exists()


def test_missing_database_file_is_not_created(tmp_path: Path, out: Path) -> None:
    run = driftgate(
        "check", "--db", f"file:{tmp_path / 'absent.db'}", "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path
    )
    assert_clean_error(run, 2, "absent.db")
    assert not (tmp_path / "absent.db").exists()
    assert not out.exists()


def test_unreachable_database(tmp_path: Path, out: Path) -> None:
    from driftgate.testing import free_port

    run = driftgate(
        "check",
        "--db",
        f"http://127.0.0.1:{free_port()}",
        "--legacy",
        LEGACY_TS,
        "--json",
        out,
        "--timeout",
        "5",
        cwd=tmp_path,
    )
    assert_clean_error(run, 3, "127.0.0.1")
    assert not out.exists()


def test_unknown_tag(tmp_path: Path, legacy_db: Path, out: Path) -> None:
    run = driftgate("check", "--db", legacy_db, "--migrations", PLAN_MIGRATIONS, "--tag", "9999_x", cwd=tmp_path)
    assert_clean_error(run, 2, "--tag", "9999_x")


def test_nothing_to_compare(tmp_path: Path, legacy_db: Path) -> None:
    run = driftgate("check", "--db", legacy_db, cwd=tmp_path)
    assert_clean_error(run, 2, "--legacy")


def test_database_path_with_uri_characters_is_read_not_created(tmp_path: Path, legacy_db: Path) -> None:
    odd = tmp_path / "c?d#e%41.db"
    shutil.copy(legacy_db, odd)
    run = driftgate("check", "--db", odd, "--legacy", LEGACY_TS, cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["c?d#e%41.db", "legacy.db"])


def test_bad_sql_is_exit_2_even_when_the_database_is_down(tmp_path: Path, out: Path) -> None:
    from driftgate.testing import free_port

    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE a (id INTEGER,, x);\n")
    run = driftgate("check", "--db", f"http://127.0.0.1:{free_port()}", "--sql", bad, "--json", out, cwd=tmp_path)
    assert_clean_error(run, 2, "bad.sql:1")
    assert not out.exists()


def test_report_path_that_is_a_directory_is_named(tmp_path: Path, legacy_db: Path) -> None:
    (tmp_path / "adir").mkdir()
    run = driftgate("check", "--db", legacy_db, "--legacy", LEGACY_TS, "--json", tmp_path / "adir", cwd=tmp_path)
    assert_clean_error(run, 2, "--json", "adir")


@pytest.mark.parametrize("url", ["http://h:abc", "http://[::1", "ftp://h/x"])
def test_malformed_database_url_is_exit_2(tmp_path: Path, url: str) -> None:
    run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, cwd=tmp_path)
    assert_clean_error(run, 2, "--db")


def test_declining_the_stamp_prompt_writes_nothing(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import PREPARE_SQL, SEQUENCE_MIGRATIONS, build_file_db, legacy_sql

    db = build_file_db(tmp_path / "db.sqlite", legacy_sql(), PREPARE_SQL.read_text())
    # A pseudo-terminal makes stdin a tty, so the prompt is shown; answer "n".
    script = (
        "import pty, os, sys\n"
        "pid, fd = pty.fork()\n"
        "if pid == 0:\n"
        f"    os.execv(sys.executable, [sys.executable, '-m', 'driftgate', 'stamp', '--db', {str(db)!r},"
        f" '--migrations', {str(SEQUENCE_MIGRATIONS)!r}, '--no-backup'])\n"
        "out = b''\n"
        "while b'[y/N]' not in out:\n"
        "    out += os.read(fd, 1024)\n"
        "os.write(fd, b'n\\n')\n"
        "try:\n"
        "    while chunk := os.read(fd, 1024):\n"
        "        out += chunk\n"
        "except OSError:\n"
        "    pass\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(out.decode(errors='replace'))\n"
        "sys.exit(os.waitstatus_to_exitcode(status))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "declined; nothing written" in done.stdout and "internal error" not in done.stdout
    import sqlite3

    tables = sqlite3.connect(db).execute("SELECT name FROM sqlite_schema WHERE name = '__drizzle_migrations'")
    assert tables.fetchall() == []
