"""Fleets: one expected schema against file databases and real sqld servers in one run (issue 12)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from cli import Run, driftgate
from conftest import LEGACY_SQL, PREPARE_SQL, REPO, SEQUENCE_MIGRATIONS, build_file_db, load_remote, server_query_count
from driftgate.report.fleet import fleet_schema
from driftgate.report.json_report import report_schema
from driftgate.testing import SqldServer, find_sqld, free_port

TOKEN = "s3cr3t-fleet-token-value"  # a token in a listed URL: must never be printed or written
DROP_STATUS_INDEX = "DROP INDEX idx_history_user_status;"
EXTRA_TABLE = "CREATE TABLE tenant_notes (id INTEGER PRIMARY KEY, body TEXT);"
SHARED_GROUP = ("baseline", "index", "idx_history_user_status", "missing")


def conforming_sql() -> tuple[str, str]:
    return LEGACY_SQL.read_text(), PREPARE_SQL.read_text()


def validate_fleet(document: dict) -> None:
    """The shipped fleet schema, resolved against the shipped single-database schema it refers to."""
    single = report_schema()
    registry = Registry().with_resource(single["$id"], Resource.from_contents(single))
    jsonschema.Draft202012Validator(fleet_schema(), registry=registry).validate(document)


@dataclass
class Fleet:
    folder: Path
    list_file: Path
    servers: dict[str, SqldServer]
    names: dict[str, str]  # name -> expected verdict


def make_fleet(tmp: Path, servers: list[SqldServer]) -> Fleet:
    """Two conforming and two drifted file databases, one conforming and one drifted sqld, one unreachable."""
    files = {
        "file-ok-1": (),
        "file-ok-2": (),
        "file-no-index": (DROP_STATUS_INDEX,),
        "file-extra": (EXTRA_TABLE,),
    }
    for name, extra in files.items():
        build_file_db(tmp / f"{name}.db", *conforming_sql(), *extra)
    ok_server, drift_server = servers
    load_remote(ok_server.http_url, *conforming_sql())
    load_remote(drift_server.http_url, *conforming_sql(), DROP_STATUS_INDEX)
    dead_port = free_port()  # nothing listens there
    lines = [
        "# the tenants of one product",
        "",
        *(f"{name} {name}.db" for name in files),
        f"sqld-ok {ok_server.http_url}?authToken={TOKEN}",
        f"sqld-no-index {drift_server.ws_url}",
        f"gone http://127.0.0.1:{dead_port}?authToken={TOKEN}",
    ]
    list_file = tmp / "tenants.txt"
    list_file.write_text("\n".join(lines) + "\n")
    verdicts = {
        "file-ok-1": "conforms",
        "file-ok-2": "conforms",
        "file-no-index": "drift",
        "file-extra": "drift",
        "sqld-ok": "conforms",
        "sqld-no-index": "drift",
        "gone": "unreachable",
    }
    return Fleet(tmp, list_file, {"sqld-ok": ok_server, "sqld-no-index": drift_server}, verdicts)


@pytest.fixture
def two_servers(tmp_path: Path, sqld_binary_ok: None) -> Iterator[list[SqldServer]]:
    admin = [free_port(), free_port()]
    servers = [
        SqldServer(
            tmp_path / f"sqld-{i}", extra_args=("--admin-listen-addr", f"127.0.0.1:{admin[i]}"), binary=find_sqld(REPO)
        )
        for i in range(2)
    ]
    for i, server in enumerate(servers):
        server.admin_url = f"http://127.0.0.1:{admin[i]}"  # type: ignore[attr-defined]
        server.start()
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def fleet(tmp_path: Path, two_servers: list[SqldServer]) -> Fleet:
    return make_fleet(tmp_path, two_servers)


def no_token(run: Run, *paths: Path) -> None:
    assert TOKEN not in run.out + run.err
    for path in paths:
        assert TOKEN not in path.read_text()


def test_fleet_check_verdicts_groups_and_reports(fleet: Fleet) -> None:
    json_path, html_path = fleet.folder / "r" / "fleet.json", fleet.folder / "r" / "fleet.html"
    run = driftgate(
        "check", "--db-list", fleet.list_file, "--migrations", SEQUENCE_MIGRATIONS,
        "--json", json_path, "--html", html_path, "--jobs", "3", cwd=fleet.folder,
    )  # fmt: skip
    assert run.code == 3, run.err + run.out  # one unreachable: 3, although others drifted
    document = json.loads(json_path.read_text())
    validate_fleet(document)
    assert document["kind"] == "fleet"
    assert [d["name"] for d in document["databases"]] == list(fleet.names)  # listed order, not finish order
    assert {d["name"]: d["verdict"] for d in document["databases"]} == fleet.names
    assert document["summary"] == {"databases": 7, "conforming": 3, "drifted": 3, "unreachable": 1}
    gone = next(d for d in document["databases"] if d["name"] == "gone")
    assert gone["error"] and "127.0.0.1" in gone["error"] and gone["findings"] == []
    groups = {(g["source"], g["kind"], g["object"], g["status"]): g["databases"] for g in document["groups"]}
    assert groups == {
        SHARED_GROUP: ["file-no-index", "sqld-no-index"],
        ("baseline", "table", "tenant_notes", "unexpected"): ["file-extra"],
    }
    assert document["groups"][0]["databases"] == ["file-no-index", "sqld-no-index"]  # largest first
    for entry in document["databases"]:  # each part is the single-database report of that database
        if entry["verdict"] == "drift":
            assert not entry["gate"]["pass"] and entry["summary"]["failed"] >= 1
        if entry["verdict"] == "conforms":
            assert entry["gate"]["pass"] and entry["summary"]["failed"] == 0
    # terminal: one line per database and the shared item
    for name, verdict in fleet.names.items():
        assert any(line.split()[:2] == [verdict, name] for line in run.out.splitlines()), (name, run.out)
    assert "baseline index idx_history_user_status missing in 2 of 7: file-no-index, sqld-no-index" in run.out
    assert "driftgate verdict: fleet: 3 of 7 databases conform; 3 drifted, 1 unreachable" in run.out
    # HTML: one row per database linking to its section, the group line, fix scripts beside it
    html = html_path.read_text()
    assert html.count('<tr><td><a href="#db-') == 7
    assert "missing in 2 of 7: file-no-index, sqld-no-index" in html
    fixes = fleet.folder / "r" / "fleet.fixes"
    assert sorted(p.name for p in fixes.iterdir()) == [
        "file-extra.sql", "file-no-index.sql", "shared.sql", "sqld-no-index.sql",
    ]  # fmt: skip
    shared = (fixes / "shared.sql").read_text()
    assert "idx_history_user_status" in shared and "in 2 databases: file-no-index, sqld-no-index" in shared
    assert "tenant_notes" not in shared  # only one database needs that fix
    assert "CREATE INDEX" in (fixes / "sqld-no-index.sql").read_text()
    no_token(run, json_path, html_path, *fixes.iterdir())


def test_fleet_without_unreachable_is_1_and_all_conforming_is_0(tmp_path: Path) -> None:
    for name, extra in (("a", ()), ("b", ()), ("c", (DROP_STATUS_INDEX,))):
        build_file_db(tmp_path / f"{name}.db", *conforming_sql(), *extra)
    args = ("check", "--migrations", SEQUENCE_MIGRATIONS)
    drifted = driftgate(*args, "--db", "a.db", "--db", "file:b.db", "--db", "c.db", cwd=tmp_path)
    assert drifted.code == 1, drifted.err + drifted.out
    assert "driftgate verdict: fleet: 2 of 3 databases conform; 1 drifted, 0 unreachable" in drifted.out
    assert "\x1b" not in drifted.out + drifted.err and "checking databases" not in drifted.out  # no bar off a tty
    clean = driftgate(*args, "--db", "a.db", "--db", "b.db", "--json", "r.json", cwd=tmp_path)
    assert clean.code == 0, clean.err + clean.out
    document = json.loads((tmp_path / "r.json").read_text())
    validate_fleet(document)
    assert [d["name"] for d in document["databases"]] == ["a", "b"] and document["groups"] == []


def test_fleet_markdown_summary_and_step_summary(tmp_path: Path) -> None:
    """--markdown for a fleet: verdict, counts, the databases that do not conform, the commonest failures."""
    for name, extra in (("a", ()), ("b", (DROP_STATUS_INDEX,)), ("c", (DROP_STATUS_INDEX, EXTRA_TABLE))):
        build_file_db(tmp_path / f"{name}.db", *conforming_sql(), *extra)
    (tmp_path / "tenants.txt").write_text("a a.db\nb b.db\nc c.db\n")
    step = tmp_path / "step.md"
    step.write_text("earlier step\n")
    run = driftgate(
        "check", "--db-list", "tenants.txt", "--migrations", SEQUENCE_MIGRATIONS, "--markdown", "r/fleet.md",
        cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(step)},
    )  # fmt: skip
    assert run.code == 1, run.err + run.out
    text = (tmp_path / "r" / "fleet.md").read_text()
    assert text.startswith("### driftgate fails\n")
    assert "**driftgate verdict:** fleet\\: 1 of 3 databases conform; 2 drifted, 0 unreachable" in text
    assert "| 3 | 1 | 2 | 0 |" in text
    assert "| `b` | drift | 1 of " in text and "| `c` | drift | 2 of " in text
    assert "| `a` |" not in text  # a conforming database is only counted
    assert "| missing | baseline | index | `idx_history_user_status` | 2 |" in text
    assert "| unexpected | baseline | table | `tenant_notes` | 1 |" in text
    assert step.read_text() == "earlier step\n" + text  # appended, as for one database


def test_fleet_quiet_prints_the_verdict_only(tmp_path: Path) -> None:
    for name, extra in (("a", ()), ("b", (DROP_STATUS_INDEX,))):
        build_file_db(tmp_path / f"{name}.db", *conforming_sql(), *extra)
    args = ("check", "--migrations", SEQUENCE_MIGRATIONS, "--db", "a.db", "--db", "b.db")
    loud, quiet = driftgate(*args, cwd=tmp_path), driftgate(*args, "--quiet", cwd=tmp_path)
    assert loud.code == quiet.code == 1, quiet.err + quiet.out
    verdict = "driftgate verdict: fleet: 1 of 2 databases conform; 1 drifted, 0 unreachable"
    assert len(loud.out.splitlines()) > 1 and loud.out.splitlines()[-1] == verdict
    assert quiet.out.splitlines() == [verdict]


def test_an_unwritable_fleet_markdown_is_exit_2_naming_the_option(tmp_path: Path) -> None:
    build_file_db(tmp_path / "a.db", *conforming_sql())
    build_file_db(tmp_path / "b.db", *conforming_sql())
    (tmp_path / "blocker").write_text("a file, not a folder")
    run = driftgate(
        "check", "--migrations", SEQUENCE_MIGRATIONS, "--db", "a.db", "--db", "b.db",
        "--markdown", "blocker/fleet.md", cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 2 and run.err.startswith("driftgate: error: --markdown: cannot write"), run.err
    assert len(run.err.strip().splitlines()) == 1


def test_one_database_keeps_the_single_database_form(tmp_path: Path) -> None:
    build_file_db(tmp_path / "only.db", *conforming_sql())
    (tmp_path / "one.txt").write_text("# just one\nonly only.db\n")
    run = driftgate(
        "check", "--db-list", "one.txt", "--migrations", SEQUENCE_MIGRATIONS, "--json", "r.json", cwd=tmp_path
    )
    assert run.code == 0, run.err + run.out
    document = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(document, report_schema())
    assert "kind" not in document and document["database"].endswith("only.db")
    assert "fleet" not in run.out


def test_names_default_to_file_stem_and_host_label_made_unique(tmp_path: Path) -> None:
    from driftgate.db_list import Listed, fleet_members

    (tmp_path / "sub").mkdir()
    for path in (tmp_path / "t.db", tmp_path / "sub" / "t.db", tmp_path / "named.db"):
        build_file_db(path, "CREATE TABLE x (a)")
    listed = [
        Listed(None, str(tmp_path / "t.db"), "l:1"),
        Listed(None, f"file:{tmp_path / 'sub' / 't.db'}", "l:2"),
        Listed("t", str(tmp_path / "named.db"), "l:3"),
        Listed(None, "libsql://tenant-17-acme.turso.io", "l:4"),
        Listed(None, "https://tenant-17-acme.eu.turso.io", "l:5"),
    ]
    names = [m.name for m in fleet_members(listed, {})]
    # A given name is kept; derived names step around it and each other.
    assert names == ["t#2", "t#3", "t", "tenant-17-acme", "tenant-17-acme#2"]


BAD_LINES = [
    ("a a.db\na b.db\n", ":2: duplicate name 'a'"),
    ("a a.db\nftp://host/db\n", ":2: unsupported URL scheme 'ftp'"),
    ("a a.db\nb http://host:notaport\n", ":2: invalid port"),
    ("a a.db\nb missing.db\n", ":2: database file"),
    ("a a.db\nb a.db\n", ":2: file:"),  # the same database twice
    ("a a.db\nb c d\n", ":2: expected `URL` or `NAME URL`, found 3 fields"),
    ("a a.db\nb/../x a.db\n", ":2: invalid name"),
]


@pytest.mark.parametrize(("text", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_malformed_list_line_is_exit_2_naming_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    build_file_db(tmp_path / "a.db", "CREATE TABLE x (a)")
    build_file_db(tmp_path / "b.db", "CREATE TABLE x (a)")
    (tmp_path / "list.txt").write_text(text)
    run = driftgate("check", "--db-list", "list.txt", "--sql", LEGACY_SQL, cwd=tmp_path)
    assert run.code == 2, run.err + run.out
    assert run.err.startswith("driftgate: error: list.txt:") and message in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err and run.out == ""


JWT = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJhIjoicnciLCJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.mark.parametrize(
    "line",
    [f"{JWT} libsql://tenant-1.turso.io", f"libsql://tenant-1.turso.io {JWT}", JWT],
    ids=["token-as-name", "token-after-url", "token-alone"],
)
def test_token_pasted_into_the_list_is_refused_without_echo(tmp_path: Path, sqld, line: str) -> None:
    (tmp_path / "list.txt").write_text(f"# tenants\nfirst {sqld.http_url}\n{line}\n")
    before = server_query_count(sqld)
    run = driftgate("check", "--db-list", "list.txt", "--sql", LEGACY_SQL, cwd=tmp_path)
    assert run.code == 2 and "list.txt:3: " in run.err and "auth token" in run.err, run.err
    assert JWT not in run.err + run.out and JWT[:20] not in run.err + run.out
    assert server_query_count(sqld) == before  # refused before any database was contacted


def test_empty_list_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "list.txt").write_text("# nobody yet\n\n")
    run = driftgate("check", "--db-list", "list.txt", "--sql", LEGACY_SQL, cwd=tmp_path)
    assert run.code == 2 and "list.txt lists no database" in run.err, run.err
    missing = driftgate("check", "--db-list", "nope.txt", "--sql", LEGACY_SQL, cwd=tmp_path)
    assert missing.code == 2 and "--db-list: cannot read nope.txt" in missing.err, missing.err


def test_fleet_from_config_keys(tmp_path: Path) -> None:
    (tmp_path / "dbs").mkdir()
    for name in ("x", "y", "z"):
        build_file_db(tmp_path / "dbs" / f"{name}.db", *conforming_sql())
    (tmp_path / "dbs" / "more.txt").write_text("zed z.db\n")  # relative to the list file
    (tmp_path / "pyproject.toml").write_text(
        "[tool.driftgate]\n"
        f'migrations = "{SEQUENCE_MIGRATIONS}"\n'
        'db_urls = ["dbs/x.db", "file:dbs/y.db"]\n'
        'db_list = "dbs/more.txt"\n'
    )
    run = driftgate("check", cwd=tmp_path)
    assert run.code == 0, run.err + run.out
    assert "fleet: 3 of 3 databases conform" in run.out
    assert {line.split()[1] for line in run.out.splitlines() if line.startswith("conforms")} == {"x", "y", "zed"}


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    build_file_db(tmp_path / "a.db", "CREATE TABLE x (a)")
    build_file_db(tmp_path / "b.db", "CREATE TABLE x (a)")
    run = driftgate("check", "--db", "a.db", "--db", "b.db", "--jobs", "0", "--sql", LEGACY_SQL, cwd=tmp_path)
    assert run.code == 2 and "--jobs: must be at least 1" in run.err, run.err


def file_ledger(path: Path) -> list[tuple[str, int]] | None:
    import sqlite3

    with sqlite3.connect(path) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_schema WHERE name = '__drizzle_migrations'").fetchall():
            return None
        rows = connection.execute("SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at")
        return [(str(h), int(c)) for h, c in rows]


def test_fleet_stamp_then_real_migrator_on_every_stamped_tenant(tmp_path: Path, two_servers: list[SqldServer]) -> None:
    from test_stamp import BASELINE, NEXT, ledger, real_migrator

    for server in two_servers:
        load_remote(server.http_url, *conforming_sql())
    build_file_db(tmp_path / "a.db", *conforming_sql())
    build_file_db(tmp_path / "drifted.db", *conforming_sql(), DROP_STATUS_INDEX)
    build_file_db(tmp_path / "early.db", *conforming_sql())
    first = driftgate("stamp", "--db", "early.db", "--migrations", SEQUENCE_MIGRATIONS, "--yes", cwd=tmp_path)
    assert first.code == 0, first.err + first.out
    (tmp_path / "tenants.txt").write_text(
        "a a.db\ndrifted drifted.db\nearly early.db\n"
        f"r1 {two_servers[0].http_url}?authToken={TOKEN}\nr2 {two_servers[1].ws_url}\n"
    )
    args = ("stamp", "--db-list", "tenants.txt", "--migrations", SEQUENCE_MIGRATIONS)

    plan = driftgate(*args, "--dry-run", cwd=tmp_path)
    assert plan.code == 1, plan.err + plan.out  # one database is refused
    assert {name for name in ("a", "r1", "r2") if f"would stamp  {name}" in plan.out} == {"a", "r1", "r2"}
    assert "refused      drifted  refusing to stamp 0000_baseline" in plan.out, plan.out
    assert "already      early  0000_baseline is already stamped" in plan.out
    assert "-- dry run: in one transaction per database, for a, r1, r2:" in plan.out
    assert f"SELECT '{BASELINE.hash}', {BASELINE.when} WHERE" in plan.out
    assert file_ledger(tmp_path / "a.db") is None and ledger(two_servers[0].http_url) is None  # nothing written

    run = driftgate(*args, "--yes", cwd=tmp_path)
    assert run.code == 1, run.err + run.out
    for name in ("a", "r1", "r2"):
        assert f"stamped      {name}  stamped 0000_baseline: 1 ledger row(s) written" in run.out, run.out
    assert "driftgate stamp: fleet of 5: 1 already, 1 refused, 3 stamped" in run.out
    assert file_ledger(tmp_path / "drifted.db") is None  # refused: untouched
    no_token(run)

    stamped = [f"file:{tmp_path / 'a.db'}", two_servers[0].http_url, two_servers[1].http_url]
    for url in stamped:
        assert real_migrator(url, SEQUENCE_MIGRATIONS) == [(BASELINE.hash, BASELINE.when), (NEXT.hash, NEXT.when)]
    again = driftgate(*args, "--yes", cwd=tmp_path)
    assert again.code == 1 and "driftgate stamp: fleet of 5: 4 already, 1 refused" in again.out, again.out


def test_fleet_stamp_with_every_tenant_conforming_is_0(tmp_path: Path) -> None:
    for name in ("x", "y"):
        build_file_db(tmp_path / f"{name}.db", *conforming_sql())
    run = driftgate(
        "stamp", "--db", "x.db", "--db", "y.db", "--migrations", SEQUENCE_MIGRATIONS, "--no-backup", cwd=tmp_path
    )  # stdin is not a terminal: no prompt
    assert run.code == 0, run.err + run.out
    assert "driftgate stamp: fleet of 2: 2 stamped" in run.out
    assert not list(tmp_path.glob("*.driftgate-backup-*"))


def pytest_fleet(project: Path, *args: str | Path) -> tuple[int, str, dict[str, str]]:
    """`pytest conformance` in a user's project; outcomes by test name (xdist's @group suffix dropped)."""
    import xml.etree.ElementTree as ET

    from test_conformance_suite import pytest_in

    junit = project / f"junit{len(list(project.glob('junit*.xml')))}.xml"
    code, out = pytest_in(project, "conformance", f"--junitxml={junit}", *args)
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        status = "failed" if case.find("failure") is not None else "passed"
        outcomes[case.get("name", "").split("@", 1)[0]] = status
    return code, out, outcomes


def test_pytest_fleet_serial_and_xdist_agree(tmp_path: Path, sqld) -> None:
    import shutil

    project = tmp_path / "project"
    (project / "conformance").mkdir(parents=True)
    shutil.copy(REPO / "conformance" / "test_conformance.py", project / "conformance")
    (project / "pyproject.toml").write_text(f'[tool.driftgate]\nmigrations = "{SEQUENCE_MIGRATIONS}"\n')
    for name, extra in (("ok-1", ()), ("ok-2", ()), ("extra", (EXTRA_TABLE,))):
        build_file_db(project / f"{name}.db", *conforming_sql(), *extra)
    load_remote(sqld.http_url, *conforming_sql(), DROP_STATUS_INDEX)
    (project / "tenants.txt").write_text(
        f"ok-1 ok-1.db\nok-2 ok-2.db\nextra extra.db\nremote {sqld.http_url}?authToken={TOKEN}\n"
        f"gone http://127.0.0.1:{free_port()}\n"
    )
    args = ("--driftgate-db-list", "tenants.txt", "--driftgate-json", "r.json")
    before = server_query_count(sqld)
    serial_code, serial_out, serial = pytest_fleet(project, *args)
    one_read = server_query_count(sqld) - before
    parallel_code, parallel_out, parallel = pytest_fleet(project, *args, "-n", "2", "--dist", "loadgroup")
    assert server_query_count(sqld) - before - one_read <= 2 * one_read  # one read per worker at most
    assert serial_code == parallel_code == 3, serial_out + parallel_out  # one database unreachable
    assert serial == parallel
    one_at_a_time = pytest_fleet(project, *args, "--driftgate-jobs", "1")
    assert one_at_a_time[0] == 3 and one_at_a_time[2] == serial
    failed = sorted(name for name, status in serial.items() if status == "failed")
    assert failed == ["test_index[remote/baseline:idx_history_user_status]", "test_table[extra/baseline:tenant_notes]"]
    assert "test_index[ok-2/baseline:idx_history_user_status]" in serial
    for out in (serial_out, parallel_out):
        assert "driftgate verdict: fleet: 2 of 5 databases conform; 2 drifted, 1 unreachable" in out
        assert "unreachable  gone" in out and TOKEN not in out
    document = json.loads((project / "r.json").read_text())
    validate_fleet(document)
    assert [g["databases"] for g in document["groups"]] == [["remote"], ["extra"]]  # equal size: by key


def test_many_file_databases_in_worker_processes_match_one_thread(tmp_path: Path) -> None:
    """Enough file databases for the process pool (2 cores): the same report as --jobs 1 (one thread)."""
    from driftgate.fleet import MIN_FILES_FOR_PROCESSES

    count = MIN_FILES_FOR_PROCESSES + 2
    template = build_file_db(tmp_path / "template.db", *conforming_sql())
    lines = []
    for i in range(count):
        path = tmp_path / f"t{i:02d}.db"
        path.write_bytes(template.read_bytes())
        if i % 5 == 2:
            build_file_db(path, DROP_STATUS_INDEX)
        lines.append(f"t{i:02d}.db")
    (tmp_path / "list.txt").write_text("\n".join(lines) + "\n")
    reports = []
    for jobs in ("1", "8"):
        out = tmp_path / f"r{jobs}.json"
        run = driftgate(
            "check", "--db-list", "list.txt", "--migrations", SEQUENCE_MIGRATIONS, "--jobs", jobs, "--json", out,
            cwd=tmp_path,
        )  # fmt: skip
        assert run.code == 1, run.err + run.out
        document = json.loads(out.read_text())
        validate_fleet(document)
        for entry in document["databases"]:
            entry.pop("started_at")
        document.pop("started_at")
        reports.append(document)
    assert reports[0] == reports[1]
    drifted = [f"t{i:02d}" for i in range(count) if i % 5 == 2]
    assert reports[0]["groups"] == [
        dict(zip(("source", "kind", "object", "status"), SHARED_GROUP, strict=True), databases=drifted)
    ]


def test_pytest_fleet_stamp_stamps_each_passing_database(tmp_path: Path) -> None:
    import shutil

    from test_stamp import BASELINE, NEXT, real_migrator

    (tmp_path / "conformance").mkdir()
    shutil.copy(REPO / "conformance" / "test_conformance.py", tmp_path / "conformance")
    (tmp_path / "pyproject.toml").write_text(f'[tool.driftgate]\nmigrations = "{SEQUENCE_MIGRATIONS}"\n')
    for name, extra in (("a", ()), ("b", ()), ("c", (DROP_STATUS_INDEX,))):
        build_file_db(tmp_path / f"{name}.db", *conforming_sql(), *extra)
    code, out, _ = pytest_fleet(tmp_path, "--driftgate-db", "a.db", "--driftgate-db", "b.db", "--driftgate-db",
                                "c.db", "--driftgate-stamp", "-n", "2", "--dist", "loadgroup")  # fmt: skip
    assert code == 1, out
    assert "driftgate stamp: a: stamped 0000_baseline: 1 ledger row(s) written" in out
    assert "driftgate stamp: b: stamped 0000_baseline" in out
    assert "driftgate stamp: c: refused, refusing to stamp 0000_baseline: 1 blocking findings" in out
    assert file_ledger(tmp_path / "c.db") is None
    for name in ("a", "b"):
        after = real_migrator(f"file:{tmp_path / f'{name}.db'}", SEQUENCE_MIGRATIONS)
        assert after == [(BASELINE.hash, BASELINE.when), (NEXT.hash, NEXT.when)]


def test_hostile_database_names_are_escaped_in_html_and_fix_file_names(tmp_path: Path) -> None:
    hostile = '<img src=x onerror=alert(1)>"'
    build_file_db(tmp_path / f"{hostile}.db", *conforming_sql(), DROP_STATUS_INDEX)
    build_file_db(tmp_path / "..hidden.db", *conforming_sql(), DROP_STATUS_INDEX)
    run = driftgate(
        "check", "--db", f"{hostile}.db", "--db", "..hidden.db", "--migrations", SEQUENCE_MIGRATIONS,
        "--html", "r/fleet.html", cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 1, run.err + run.out
    html = (tmp_path / "r" / "fleet.html").read_text()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    fixes = sorted(p.name for p in (tmp_path / "r" / "fleet.fixes").iterdir())
    assert fixes == ["_img_src_x_onerror_alert_1___.sql", "hidden.sql", "shared.sql"]  # no hidden or odd files


def test_long_paths_are_not_mistaken_for_tokens(tmp_path: Path) -> None:
    from driftgate.db_list import looks_like_token

    folder = tmp_path / "databases" / "region-eu-west-with-a-long-name"
    folder.mkdir(parents=True)
    random_name = "Tenant0001AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"  # no extension, random-looking, exists
    (folder / random_name).write_bytes(b"")
    assert not looks_like_token("databases/region-eu-west-with-a-long-name/tenant-0001.db", tmp_path)
    assert not looks_like_token(f"databases/region-eu-west-with-a-long-name/{random_name}", tmp_path)
    assert looks_like_token("Tq9XbV3kLmN8pR2sW7yZ4aC6dE1fG5hJ0uK3iO9eY2tU", tmp_path)  # no such file
    assert looks_like_token(JWT, tmp_path)
    assert not looks_like_token("tenant-17-acme", tmp_path) and not looks_like_token("libsql://a.turso.io", tmp_path)


def test_progress_bar_only_on_a_terminal() -> None:
    import io

    from rich.console import Console

    from driftgate.report.fleet import FleetConsole

    plain = FleetConsole(3, Console(file=io.StringIO(), force_terminal=False))
    assert plain.progress is None
    terminal = FleetConsole(3, Console(file=io.StringIO(), force_terminal=True))
    assert terminal.progress is not None
    with terminal:
        terminal.line("tenant-1", "conforms", "10 checks conform")
    assert terminal.progress.tasks[0].completed == 1


def test_pytest_fleet_jobs_below_one_is_bad_input(tmp_path: Path) -> None:
    import shutil

    from test_conformance_suite import pytest_in

    project = tmp_path / "project"
    (project / "conformance").mkdir(parents=True)
    shutil.copy(REPO / "conformance" / "test_conformance.py", project / "conformance")
    (project / "pyproject.toml").write_text(f'[tool.driftgate]\nmigrations = "{SEQUENCE_MIGRATIONS}"\n')
    for name in ("a", "b"):
        build_file_db(project / f"{name}.db", *conforming_sql())
    code, out = pytest_in(
        project, "conformance", "--driftgate-db", "a.db", "--driftgate-db", "b.db", "--driftgate-jobs", "0"
    )
    assert code == 2, out
    assert "--driftgate-jobs: must be at least 1" in out


def test_names_in_the_fleet_summary_are_printed_as_they_are_not_as_emoji(tmp_path: Path) -> None:
    """rich reads `:a:` and `:ok:` as emoji codes; a name is data, printed as it is."""
    (tmp_path / "expected.sql").write_text('CREATE TABLE "team:ok:go" (id INTEGER PRIMARY KEY);\n')
    for name in ("a", "b"):
        build_file_db(tmp_path / f"{name}.db", 'CREATE TABLE "shard:a:1" (id INTEGER PRIMARY KEY);')
    run = driftgate("check", "--db", "a.db", "--db", "b.db", "--sql", "expected.sql", cwd=tmp_path)
    assert run.code == 1, run.err + run.out
    assert "team:ok:go" in run.out and "shard:a:1" in run.out, run.out  # the commonest failures, by name
    assert "\U0001f170" not in run.out and "\U0001f197" not in run.out  # 🅰, 🆗
