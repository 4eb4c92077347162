"""`pytest conformance` as users run it: ids, verdict, reports, xdist parity, exit codes, stamp gate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import LEGACY_SQL, LEGACY_TS, PLAN_MIGRATIONS, PREPARE_SQL, REPO, SEQUENCE_MIGRATIONS, build_file_db
from driftgate.report.json_report import report_schema


def pytest_in(cwd: Path, *args: str | Path) -> tuple[int, str]:
    """Run pytest in a subprocess as a user would, without any database settings from our environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


def run_suite(tmp_path: Path, *args: str | Path, name: str = "junit") -> tuple[int, str, dict[str, str]]:
    junit = tmp_path / f"{name}.xml"
    code, out = pytest_in(REPO, "conformance", f"--junitxml={junit}", *args)
    outcomes: dict[str, str] = {}
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            status = (
                "failed"
                if case.find("failure") is not None
                else "skipped"
                if case.find("skipped") is not None
                else "passed"
            )
            outcomes[case.get("name", "")] = status
    return code, out, outcomes


def test_default_run_is_the_blocked_example(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, out, outcomes = run_suite(tmp_path, "--driftgate-json", report, "--driftgate-html", tmp_path / "r.html")
    assert code == 1, out
    assert "driftgate verdict: baseline 0000_baseline is blocked by 12 findings" in out
    # Kinds the example has none of (views, triggers, ...) are deselected, never reported as skipped.
    assert "skipped" not in set(outcomes.values()), out
    assert "deselected" in out, out
    failed = {name for name, status in outcomes.items() if status == "failed"}
    assert "test_index[baseline:idx_sessions_machine]" in failed
    assert "test_notnull[baseline:users.id]" in failed
    # The plan's schema files (--drizzle, from the repo's config) say what its baseline says: the same
    # 12 items fail under both labels; drizzle findings are reported and never block the stamp.
    failed_baseline = {name for name in failed if "[baseline:" in name}
    assert len(failed_baseline) == 12
    assert {name.replace("[drizzle:", "[baseline:") for name in failed - failed_baseline} == failed_baseline
    assert outcomes["test_column[baseline:history_user.request_id]"] == "passed"
    assert outcomes["test_foreign_key[baseline:history_user(user_id)->users(id)]"] == "passed"
    document = json.loads(report.read_text())
    jsonschema.validate(document, report_schema())
    assert document["summary"]["failed"] == 24
    assert (tmp_path / "r.html").stat().st_size > 1000


def test_drifted_database_fails_exactly_the_drifted_items_serial_and_xdist(tmp_path: Path) -> None:
    text = LEGACY_SQL.read_text().replace("total_commands INTEGER default 0", "total_commands INTEGER default 5")
    db = build_file_db(tmp_path / "drift.db", text)
    args = (
        "--driftgate-db",
        f"file:{db}",
        "--driftgate-legacy",
        LEGACY_TS,
        "--driftgate-migrations",
        PLAN_MIGRATIONS,
        "--driftgate-json",
        tmp_path / "r.json",
    )
    code, out, serial = run_suite(tmp_path, *args, name="serial")
    assert code == 1, out
    failed = {n for n, s in serial.items() if s == "failed"}
    assert "test_default[legacy:machines.total_commands]" in failed
    assert "test_default[baseline:machines.total_commands]" in failed
    assert "test_default[drizzle:machines.total_commands]" in failed  # the repo's config adds --drizzle
    assert len(failed) == 27  # the plan's 12 under baseline and drizzle + the drifted default seen by all three
    code_x, out_x, parallel = run_suite(tmp_path, *args, "-n", "2", name="xdist")
    assert code_x == 1, out_x
    assert parallel == serial
    assert out_x.count("driftgate verdict:") == 1


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_unreachable_database_exits_3_with_one_line(tmp_path: Path, workers: tuple[str, ...]) -> None:
    from driftgate.testing import free_port

    code, out, _ = run_suite(tmp_path, "--driftgate-db", f"http://127.0.0.1:{free_port()}", *workers)
    assert code == 3, out
    assert out.count("driftgate: error: http://127.0.0.1") == 1
    assert "Traceback" not in out and "INTERNALERROR" not in out


def test_stamp_option_stamps_only_a_conforming_baseline(tmp_path: Path) -> None:
    import sqlite3

    blocked = build_file_db(tmp_path / "blocked.db", LEGACY_SQL.read_text())
    code, out, _ = run_suite(
        tmp_path,
        "--driftgate-db",
        f"file:{blocked}",
        "--driftgate-migrations",
        PLAN_MIGRATIONS,
        "--driftgate-stamp",
        name="blocked",
    )
    assert code == 1 and "driftgate stamp: refused" in out
    tables = sqlite3.connect(blocked).execute("SELECT name FROM sqlite_schema WHERE name = '__drizzle_migrations'")
    assert tables.fetchall() == []

    good = build_file_db(tmp_path / "good.db", LEGACY_SQL.read_text(), PREPARE_SQL.read_text())
    code, out, _ = run_suite(
        tmp_path,
        "--driftgate-db",
        f"file:{good}",
        "--driftgate-migrations",
        SEQUENCE_MIGRATIONS,
        "--driftgate-stamp",
        "-n",
        "2",
        name="good",
    )
    # The repo's config adds the legacy source, which does not know prepare.sql's two indexes:
    # those legacy findings fail the run but, by design, do not block the stamp.
    assert code == 1, out
    assert "2 failed" in out
    assert out.count("driftgate stamp: stamped 0000_baseline: 1 ledger row(s) written") == 1
    rows = sqlite3.connect(good).execute("SELECT hash, created_at FROM __drizzle_migrations").fetchall()
    assert len(rows) == 1


def test_runs_without_pytest_xdist(tmp_path: Path) -> None:
    # README command 1 installs driftgate alone: the plugin must not need xdist's hooks.
    code, out, outcomes = run_suite(tmp_path, "-p", "no:xdist", "--driftgate-json", tmp_path / "r.json")
    assert code == 1, out
    assert "driftgate verdict: baseline 0000_baseline is blocked by 12 findings" in out
    assert sum(1 for s in outcomes.values() if s == "failed") == 24  # 12 baseline + the same 12 drizzle


def test_suite_over_http_against_a_served_sqld(tmp_path: Path, sqld_binary_ok: None) -> None:
    report = tmp_path / "r.json"
    code, out, outcomes = run_suite(tmp_path, "--driftgate-sqld", "--driftgate-json", report)
    assert code == 1, out
    document = json.loads(report.read_text())
    assert document["database"].startswith("http://127.0.0.1:")
    assert sum(1 for s in outcomes.values() if s == "failed") == 24  # 12 baseline + the same 12 drizzle
    # Which server was used is always said: the container where a Docker engine is reachable
    # (testcontainers comes with CI's `driftgate[containers]`), else the local binary, by name.
    docker_host = os.environ.get("DOCKER_HOST") or Path("/var/run/docker.sock").exists()
    if docker_host:
        assert "libsql-server container (ghcr.io/tursodatabase/libsql-server:latest) at http://" in out, out
    else:
        assert "no Docker engine: using local sqld at http://127.0.0.1:" in out, out
    assert ", loaded with the legacy DDL" in out


def test_config_typo_does_not_break_unrelated_test_runs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\nmigration = "typo"\n')
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    code, out = pytest_in(tmp_path, "test_plain.py")
    assert code == 0, out
    shutil.copytree(REPO / "conformance", tmp_path / "conformance")
    code, out = pytest_in(tmp_path, "conformance")
    assert code == 2, out
    assert "unknown key [tool.driftgate] migration" in out and "INTERNALERROR" not in out


def test_stamp_without_migrations_is_refused_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\nsql = ["schema.sql"]\n')
    shutil.copy(LEGACY_SQL, tmp_path / "schema.sql")
    shutil.copytree(REPO / "conformance", tmp_path / "conformance")
    db = build_file_db(tmp_path / "db.sqlite", LEGACY_SQL.read_text())
    code, out = pytest_in(tmp_path, "conformance", "--driftgate-db", f"file:{db}", "--driftgate-stamp")
    assert code == 2, out  # every check passed, but the asked-for stamp could not happen
    assert "driftgate stamp: refused, no migrations folder configured" in out


def test_driftgate_drizzle_option_replaces_the_configured_schema_files(tmp_path: Path) -> None:
    corrected = REPO / "fixtures" / "mcp-devops" / "corrected" / "schema"
    report = tmp_path / "r.json"
    code, out, outcomes = run_suite(tmp_path, "--driftgate-drizzle", corrected, "--driftgate-json", report)
    assert code == 1, out  # the repo's config still checks the plan's baseline, which is blocked
    document = json.loads(report.read_text())
    [drizzle] = [s for s in document["sources"] if s["label"] == "drizzle"]
    assert drizzle["files"] and all(Path(f).resolve().is_relative_to(corrected) for f in drizzle["files"])
    assert "test_table[drizzle:users]" in outcomes


def test_plugin_that_owns_migrations_loads_alongside(tmp_path: Path) -> None:
    # pytest-django registers --migrations; pytest refuses to start when two plugins add one option.
    (tmp_path / "django_like_plugin.py").write_text(
        "def pytest_addoption(parser):\n"
        "    parser.addoption('--migrations', action='store_true')\n"
        "    parser.addoption('--db-url')\n"
        "    parser.addoption('--legacy')\n"
        "    parser.addoption('--sql')\n"
    )
    (tmp_path / "test_plain.py").write_text(
        "def test_plain(pytestconfig):\n    assert pytestconfig.getoption('migrations')\n"
    )
    env_path = f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "django_like_plugin", "--migrations", "test_plain.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": env_path},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def _project(folder: Path, sql: str, *, pytest_ini: bool = False) -> Path:
    folder.mkdir(parents=True)
    (folder / "schema.sql").write_text(sql)
    ini = "[tool.pytest.ini_options]\naddopts = ''\n" if pytest_ini else ""
    (folder / "pyproject.toml").write_text(f'{ini}[tool.driftgate]\nsql = ["schema.sql"]\njson = "r.json"\n')
    shutil.copytree(REPO / "conformance", folder / "conformance")
    return folder


def test_config_comes_from_the_invocation_directory_not_the_rootdir(tmp_path: Path) -> None:
    here = _project(tmp_path / "here", "CREATE TABLE a (id INTEGER PRIMARY KEY);")
    # The other project has its own pytest settings, so pytest's rootdir follows the test path there.
    other = _project(tmp_path / "other", "CREATE TABLE b (id INTEGER PRIMARY KEY);", pytest_ini=True)
    db = build_file_db(tmp_path / "a.db", "CREATE TABLE a (id INTEGER PRIMARY KEY);")
    code, out = pytest_in(here, other / "conformance", "--driftgate-db", f"file:{db}", "-v")  # -q -v: the header
    assert f"rootdir: {other}" in out
    assert code == 0, out
    assert "driftgate verdict: conforms" in out  # with other's config, table a would be unexpected, b missing
    assert json.loads((here / "r.json").read_text())["summary"]["failed"] == 0
    assert not (other / "r.json").exists()


def test_a_missing_database_of_a_fleet_is_bad_input_naming_the_option(tmp_path: Path) -> None:
    code, out, _ = run_suite(tmp_path, "--driftgate-db", "file:a.db", "--driftgate-db", "file:b.db")
    assert code == 2, out
    assert "driftgate: error: --driftgate-db: database file a.db does not exist" in out
    assert "Traceback" not in out


def test_embedded_example_leaves_no_temporary_folder(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "conformance"],
        cwd=REPO,
        env={**env, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "driftgate verdict:" in done.stdout, done.stdout + done.stderr
    assert [p.name for p in scratch.iterdir() if p.name.startswith("driftgate-")] == []
