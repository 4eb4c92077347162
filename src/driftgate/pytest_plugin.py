"""The pytest plugin: one test per finding, a verdict line, reports and the optional stamp.

Registered as a ``pytest11`` entry point, so any project that installs driftgate
can run ``pytest conformance`` with its own ``[tool.driftgate]`` settings.  The
plugin does nothing unless a test asks for the ``driftgate_finding`` fixture:
the database is read when such tests are collected (once per process, so once
per xdist worker at most), and reports, verdict and stamp happen once, on the
controller.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from driftgate.config import FileConfig, load_config
from driftgate.errors import DriftgateError, InputError
from driftgate.findings import Finding, Report
from driftgate.urls import redact

if TYPE_CHECKING:  # the engine (sqlglot, libsql) is imported only when a conformance test is collected
    from driftgate.check import CheckResult
    from driftgate.request import CheckRequest
    from driftgate.sources.statements import SqlStatement
    from driftgate.testing import SqldServer

KIND_PREFIX = "test_"


def pytest_addoption(parser: pytest.Parser) -> None:
    # Every option starts with --driftgate-: the plugin is loaded in every pytest session of a
    # machine where driftgate is installed, and generic names clash (pytest-django owns --migrations).
    group = parser.getgroup("driftgate", "driftgate schema conformance")
    group.addoption(
        "--driftgate-db",
        dest="driftgate_db",
        action="append",
        metavar="URL",
        help="Database to check (libsql://, https://, wss://, http://, ws://, file:); repeat it for a fleet "
        "(ids then read <database>/<source>:<object>). "
        "Default: DRIFTGATE_DB_URL, TURSO_DATABASE_URL, then db_url in [tool.driftgate].",
    )
    group.addoption(
        "--driftgate-db-list",
        dest="driftgate_db_list",
        metavar="FILE",
        help="A fleet: one `URL` or `NAME URL` per line (# comments).",
    )
    group.addoption(
        "--driftgate-jobs",
        dest="driftgate_jobs",
        type=int,
        metavar="N",
        help="A fleet: databases checked at the same time in each process (default 8), as check --jobs.",
    )
    group.addoption(
        "--driftgate-legacy", dest="driftgate_legacy", action="append", metavar="PATH", help="Legacy application code."
    )
    group.addoption("--driftgate-sql", dest="driftgate_sql", action="append", metavar="PATH", help="Plain .sql files.")
    group.addoption(
        "--driftgate-migrations", dest="driftgate_migrations", metavar="DIR", help="drizzle-kit migrations folder."
    )
    group.addoption(
        "--driftgate-drizzle",
        dest="driftgate_drizzle",
        action="append",
        metavar="PATH",
        help="Drizzle sqlite-core schema files or folders (.ts), read without node.",
    )
    group.addoption("--driftgate-tag", dest="driftgate_tag", metavar="TAG", help="Baseline entry to compare and stamp.")
    group.addoption("--driftgate-json", dest="driftgate_json", metavar="FILE", help="Write the JSON report here.")
    group.addoption("--driftgate-html", dest="driftgate_html", metavar="FILE", help="Write the HTML report here.")
    group.addoption(
        "--driftgate-sqld",
        dest="driftgate_sqld",
        action="store_true",
        help="Start a local sqld loaded with the legacy DDL and check it over HTTP (the example, served).",
    )
    group.addoption(
        "--driftgate-stamp",
        dest="driftgate_stamp",
        action="store_true",
        help="Stamp the baseline at the end of the run if every baseline test passed.",
    )


_NOT_READ = object()  # _State.listed before the option/config lists are read


@dataclass
class _State:
    """Per-process plugin state (kept on the pytest config, never global)."""

    root: Path
    loaded_config: FileConfig | None = None
    result: CheckResult | None = None
    report_doc: dict[str, Any] | None = None  # what a worker hands the controller
    embedded: str | None = None
    served_url: str | None = None
    served: str | None = None  # which server --driftgate-sqld used, e.g. "no Docker engine: using local sqld at URL"
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (source, outcome)
    used: bool = False
    error: DriftgateError | None = None
    stamp_line: str | None = None
    worker_error: tuple[str, int] | None = None  # (message, exit code) an xdist worker reported
    fleet: list[FleetEntry] | None = None  # set when several databases are checked (DESIGN 4, fleets)
    fleet_outcomes: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (database, source, outcome)
    listed: Any = _NOT_READ  # the databases the options/config list, read once (see _listed)

    @property
    def config_file(self) -> FileConfig:
        """[tool.driftgate], read on first use: a typo there must not break unrelated test runs."""
        if self.loaded_config is None:
            self.loaded_config = load_config(self.root)
        return self.loaded_config


class _Unavailable(Exception):
    """The check could not run; the reason is in _State.error."""


_STATE = pytest.StashKey[_State]()


def pytest_configure(config: pytest.Config) -> None:
    # [tool.driftgate] is found from where pytest was started, like the CLI finds it from the
    # working directory; never through pytest's rootdir, which follows the test paths given.
    config.stash[_STATE] = _State(_invocation_dir(config))
    config.pluginmanager.register(DriftgateSession(config), "driftgate-session")
    config.addinivalue_line("markers", "driftgate: a generated schema conformance check")
    # pytest-xdist registers it too when installed; fleet tests carry it so --dist loadgroup keeps databases whole.
    config.addinivalue_line("markers", "xdist_group(name): run these tests in the same xdist worker")


def _option(config: pytest.Config, name: str) -> Any:
    return config.getoption(f"driftgate_{name}")


def _invocation_dir(config: pytest.Config) -> Path:
    return Path(config.invocation_params.dir)


def _request(config: pytest.Config, state: _State, db_url: str | None) -> CheckRequest:
    from driftgate.config import build_request

    return build_request(
        state.config_file,
        db=db_url,
        legacy=tuple(_option(config, "legacy") or ()),
        sql=tuple(_option(config, "sql") or ()),
        migrations=_option(config, "migrations"),
        tag=_option(config, "tag"),
        timeout=None,
        drizzle=tuple(_option(config, "drizzle") or ()),
        invocation_dir=_invocation_dir(config),
    )


def _database_configured(config: pytest.Config, state: _State) -> str | None:
    """The one database URL from the options, the environment or [tool.driftgate] (precedence in urls.py).

    Several databases (a fleet) are handled by ``state.fleet``; then this is the single-database fallback.
    """
    from driftgate.urls import chosen_url

    listed = _listed(config, state)
    one_listed = listed[0].url if listed is not None and len(listed) == 1 else None  # one database: not a fleet
    return chosen_url(one_listed, state.config_file.db_url())


def _run_once(config: pytest.Config) -> CheckResult:
    state = config.stash[_STATE]
    if state.result is not None:
        return state.result
    if state.error is not None or state.fleet is not None:
        raise _Unavailable  # a fleet's tests come from state.fleet (see pytest_generate_tests)
    state.used = True
    from driftgate.check import run_check

    try:
        if _fleet_listed(config, state) is not None:
            _run_fleet(config, state)
            raise _Unavailable  # the fleet's tests are generated from state.fleet
        db_url = _database_configured(config, state)
        request = _request(config, state, db_url)
        if _option(config, "sqld"):
            # A throwaway real libSQL server loaded with the legacy DDL: the suite then runs
            # over HTTP, as a user's CI runs it against Turso.
            server, state.served = _example_server(request, _scratch_folder(config, "driftgate-sqld-"), state.root)
            config.add_cleanup(server.stop)
            state.served_url = server.http_url
            request = replace(request, db_url=server.http_url)
        elif db_url is None:
            # Nothing configured: the bundled example runs against an embedded database
            # built from the legacy DDL, so the main job needs no server.
            state.embedded = _embedded_database(request, _scratch_folder(config, "driftgate-example-"))
            request = replace(request, db_url=f"file:{state.embedded}")
        state.result = run_check(request)
    except DriftgateError as error:
        # pytest.exit() here would become a mere collection error (exit 2); end the
        # session with our exit code once collection is finished instead.
        state.error = error
        raise _Unavailable from None
    if hasattr(config, "workeroutput"):  # xdist worker: the controller writes reports and stamps
        from driftgate.report.json_report import report_document

        config.workeroutput["driftgate_report"] = json.dumps(report_document(state.result.report))
    return state.result


def _example_statements(request: CheckRequest) -> tuple[SqlStatement, ...]:
    from driftgate.check import load_sources

    sources, _ = load_sources(request)
    legacy = next((s for s in sources if s.label in ("legacy", "sql")), None)
    if legacy is None:
        raise InputError("--driftgate-db: no database configured and no legacy/sql source to build an example from")
    return legacy.statements


def _scratch_folder(config: pytest.Config, prefix: str) -> Path:
    """A temporary folder removed when the run ends (after the reports and the stamp)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    return folder


def _embedded_database(request: CheckRequest, folder: Path) -> str:
    from driftgate.embedded import build_database

    return str(build_database(_example_statements(request), folder / "example.db"))


def _example_server(request: CheckRequest, folder: Path, root: Path) -> tuple[SqldServer, str]:
    from driftgate.testing import serve_database

    return serve_database(_example_statements(request), folder, root=root)


def _test_id(finding: Finding, seen: Counter[str]) -> str:
    base = finding.test_id
    seen[base] += 1
    return base if seen[base] == 1 else f"{base}#{seen[base]}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "driftgate_finding" not in metafunc.fixturenames:
        return
    kind = metafunc.function.__name__.removeprefix(KIND_PREFIX)
    try:
        result = _run_once(metafunc.config)
    except _Unavailable:
        fleet = metafunc.config.stash[_STATE].fleet
        metafunc.parametrize("driftgate_finding", _fleet_params(fleet, kind) if fleet is not None else [])
        return
    findings = [f for f in result.report.findings if f.kind == kind]
    seen: Counter[str] = Counter()
    ids = [_test_id(f, seen) for f in findings]
    metafunc.parametrize("driftgate_finding", findings, ids=ids)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A kind with no finding in this run (no view, say) has nothing to test: deselect pytest's
    empty-parameter placeholder instead of reporting it as skipped (a skip would read as a check not run)."""
    placeholders = [item for item in items if _is_empty_kind(item)]
    if placeholders:
        config.hook.pytest_deselected(items=placeholders)
        items[:] = [item for item in items if not _is_empty_kind(item)]


def _is_empty_kind(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None or "driftgate_finding" not in callspec.params:
        return False
    return not isinstance(callspec.params["driftgate_finding"], Finding)


def assert_conforms(finding: Finding) -> None:
    """Fail with expected vs actual, the fix and the location, without a traceback."""
    if not finding.failed:
        return
    from driftgate.report.safe import printable, shown_fix

    lines = [f"{finding.status}: {printable(finding.message)}"]
    if finding.expected is not None:
        lines.append(f"  expected: {printable(finding.expected)}")
    if finding.actual is not None:
        lines.append(f"  actual:   {printable(finding.actual)}")
    if finding.fix:
        lines.append("  fix:      " + shown_fix(finding.fix).replace("\n", "\n            "))
    if finding.location:
        lines.append(f"  defined:  {printable(finding.location)}")
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def driftgate_report(request: pytest.FixtureRequest) -> Report:
    """The whole report of this run (for custom checks in a user's own conformance tests); its
    ``findings`` are a tuple, whatever the cache held."""
    report = _run_once(request.config).report
    if isinstance(report.findings, tuple):
        return report
    return dataclasses.replace(report, findings=tuple(report.findings))


class DriftgateSession:
    """Hooks that need this run's config: registered per run in pytest_configure (as xdist does)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @property
    def state(self) -> _State:
        return self.config.stash[_STATE]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # Runs on the controller under xdist too: the stamp gate counts real test outcomes.
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            source = _source_of(report.nodeid)
            if source is not None and "/" in source:  # a fleet id: <database>/<source>:<object>
                database, _, source = source.rpartition("/")
                self.state.fleet_outcomes[(database, source, report.outcome)] += 1
            elif source is not None:
                self.state.outcomes[(source, report.outcome)] += 1

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        error = self.state.error
        if error is None:
            return
        from driftgate.report.safe import printable

        message = f"driftgate: error: {printable(redact(str(error)))}"
        if hasattr(self.config, "workeroutput"):
            # An xdist worker that exits takes the controller down with a wall of INTERNALERRORs:
            # hand the error over instead; the controller ends the run with its exit code.
            self.config.workeroutput["driftgate_error"] = json.dumps([message, error.exit_code])
            return
        pytest.exit(message, returncode=error.exit_code)

    @pytest.hookimpl(optionalhook=True)  # an xdist hook: pytest-xdist may not be installed
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """xdist controller: take the report a worker computed (all workers read the same database)."""
        output = getattr(node, "workeroutput", {})
        document = output.get("driftgate_report")
        if document and self.state.report_doc is None:
            self.state.report_doc = json.loads(document)
            self.state.used = True
        fleet = output.get("driftgate_fleet")
        if fleet and self.state.fleet is None:
            self.state.fleet = _fleet_from_json(fleet)
            self.state.used = True
        if output.get("driftgate_error") and self.state.worker_error is None:
            message, code = json.loads(output["driftgate_error"])
            self.state.worker_error = (message, int(code))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Reports and the stamp happen here (before the terminal summary) so they can set the exit code."""
        state = self.state
        if state.worker_error is not None:
            session.exitstatus = state.worker_error[1]
        if hasattr(self.config, "workeroutput"):
            return
        if state.used and state.fleet is not None:
            _fleet_finish(self.config, session, state)
            return
        if not _has_report(state):
            return
        report = _report_from_state(state)
        _write_reports(self.config, state, report)
        if _option(self.config, "stamp"):
            line, code = _stamp(self.config, state, report)
            state.stamp_line = line
            if code:
                session.exitstatus = max(int(session.exitstatus), code)

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
        state = self.state
        if state.worker_error is not None:
            terminalreporter.write_line(state.worker_error[0])
        if hasattr(config, "workeroutput"):
            return
        if state.used and state.fleet is not None:
            _fleet_summary(terminalreporter, state)
            return
        if not _has_report(state):
            return
        _print_summary(config, terminalreporter, _report_from_state(state), state)
        if state.stamp_line:
            terminalreporter.write_line(state.stamp_line)


def _has_report(state: _State) -> bool:
    return state.used and (state.result is not None or state.report_doc is not None)


def _source_of(nodeid: str) -> str | None:
    test = nodeid.rsplit("::", 1)[-1]
    if not test.startswith(KIND_PREFIX) or "[" not in test or ":" not in test.split("[", 1)[1]:
        return None
    return test.split("[", 1)[1].split(":", 1)[0]


def _report_from_state(state: _State) -> Report:
    if state.result is not None:
        return state.result.report
    from driftgate.report.json_report import report_from_document

    assert state.report_doc is not None
    return report_from_document(state.report_doc)


def _write_reports(config: pytest.Config, state: _State, report: Report) -> None:
    from driftgate.report.json_report import write_json

    json_path = _report_path(config, state, "json")
    html_path = _report_path(config, state, "html")
    if json_path:
        write_json(report, json_path)
    if html_path:
        from driftgate.report.html import write_html

        write_html(report, html_path)


def _report_path(config: pytest.Config, state: _State, name: str) -> Path | None:
    """An option is relative to where pytest was started, a [tool.driftgate] path to its pyproject.toml."""
    option = _option(config, name)
    if option:
        return _invocation_dir(config) / option
    return state.config_file.path_value(name)


def _print_summary(config: pytest.Config, terminalreporter: Any, report: Report, state: _State) -> None:
    from driftgate.report.terminal import print_summary, summary_console

    buffer = io.StringIO()
    # Whole lines in CI logs: only a real terminal limits the width (pytest says 80 otherwise).
    writer = config.get_terminal_writer()
    console = summary_console(buffer, is_terminal=sys.stdout.isatty(), width=writer.fullwidth, color=writer.hasmarkup)
    terminalreporter.section("driftgate")
    if state.embedded:
        terminalreporter.write_line("no database configured: using an embedded database built from the legacy DDL")
    if state.served:
        terminalreporter.write_line(f"{state.served}, loaded with the legacy DDL")
    print_summary(report, console)
    terminalreporter.write(buffer.getvalue())


def _stamp(config: pytest.Config, state: _State, report: Report) -> tuple[str, int]:
    """The stamp gate: the CLI's flow; returns the line to print and its exit code (0 stamped or already)."""
    from driftgate.errors import StampRefused
    from driftgate.report.safe import printable
    from driftgate.stamp import stamp_after_check

    failed_baseline = sum(
        n for (source, outcome), n in state.outcomes.items() if source == "baseline" and outcome != "passed"
    )
    # Test outcomes count too: a user's own baseline tests may fail where the report does not.
    extra = [f"{failed_baseline} baseline tests failed"] if failed_baseline and not report.blocking else []
    db_url = state.served_url or (f"file:{state.embedded}" if state.embedded else _database_configured(config, state))
    try:
        outcome = stamp_after_check(_request(config, state, db_url), report, extra_blocking=extra)
    except (StampRefused, InputError) as error:
        return f"driftgate stamp: refused, {printable(redact(str(error)))}; nothing written", error.exit_code
    except DriftgateError as error:
        return f"driftgate stamp: error: {printable(redact(str(error)))}", error.exit_code
    return f"driftgate stamp: {printable(outcome)}", 0


# ------------------------------------------------------------------------------------------ fleets


@dataclass(frozen=True)
class FleetEntry:
    """One database of a fleet as the plugin keeps it (a worker hands these to the controller as JSON)."""

    name: str
    database: str
    error: str | None
    report: Report | None


def _listed(config: pytest.Config, state: _State) -> list[Any] | None:
    """The databases the options or [tool.driftgate] list (None: the single-database rules apply).

    Read once per process: the --driftgate-db-list file is not re-read by later hooks."""
    if state.listed is _NOT_READ:
        from driftgate.db_list import listed_databases

        dbs = tuple(_option(config, "db") or ())
        state.listed = listed_databases(
            state.config_file, dbs, _option(config, "db_list"), os.environ, "--driftgate-db"
        )
    return state.listed


def _fleet_listed(config: pytest.Config, state: _State) -> list[Any] | None:
    """Several databases asked for (options, else [tool.driftgate] db_urls/db_list); None for one."""
    from driftgate.db_list import single_url

    listed = _listed(config, state)
    one, _ = single_url(listed)
    return None if one else listed


def _run_fleet(config: pytest.Config, state: _State) -> None:
    """Check every database once (one read per database in this process), keep the reports."""
    from driftgate.check import load_expected
    from driftgate.fleet import check_fleet, fleet_jobs, fleet_members

    listed = _fleet_listed(config, state)
    assert listed is not None
    members = fleet_members(listed, os.environ)
    expected = load_expected(_request(config, state, None))
    found: dict[int, FleetEntry] = {}

    def keep(outcome: Any) -> None:
        report = outcome.result.report if outcome.result is not None else None
        found[outcome.index] = FleetEntry(outcome.member.name, outcome.member.target.display, outcome.error, report)

    check_fleet(expected, members, keep, jobs=fleet_jobs(config.getoption("driftgate_jobs"), "--driftgate-jobs"))
    state.fleet = [found[i] for i in sorted(found)]
    if hasattr(config, "workeroutput"):  # xdist worker: the controller writes reports and stamps
        config.workeroutput["driftgate_fleet"] = _fleet_to_json(state.fleet)


def _fleet_to_json(fleet: list[FleetEntry]) -> str:
    from driftgate.report.json_report import report_document

    return json.dumps(
        [
            {"name": e.name, "database": e.database, "error": e.error, "report": e.report and report_document(e.report)}
            for e in fleet
        ]
    )


def _fleet_from_json(text: str) -> list[FleetEntry]:
    from driftgate.report.json_report import report_from_document

    return [
        FleetEntry(e["name"], e["database"], e["error"], report_from_document(e["report"]) if e["report"] else None)
        for e in json.loads(text)
    ]


def _fleet_params(fleet: list[FleetEntry], kind: str) -> list[Any]:
    """Ids ``<database>/<source>:<object>``; each database is one xdist group (--dist loadgroup)."""
    params = []
    for entry in fleet:
        if entry.report is None:
            continue
        from driftgate.report.safe import printable

        seen: Counter[str] = Counter()
        mark = pytest.mark.xdist_group(entry.name)
        for finding in entry.report.findings:
            if finding.kind == kind:
                params.append(
                    pytest.param(finding, id=f"{printable(entry.name)}/{_test_id(finding, seen)}", marks=mark)
                )
    return params


def _fleet_counts(fleet: list[FleetEntry]) -> dict[str, int]:
    verdicts = ["unreachable" if e.report is None else "conforms" if e.report.gate_pass else "drift" for e in fleet]
    return {
        "databases": len(verdicts),
        "conforming": verdicts.count("conforms"),
        "drifted": verdicts.count("drift"),
        "unreachable": verdicts.count("unreachable"),
    }


def _fleet_finish(config: pytest.Config, session: pytest.Session, state: _State) -> None:
    """Controller: fleet reports, the exit code (3 if any database was unreachable), the stamps."""
    from driftgate.fleet import now
    from driftgate.report.fleet import FleetReport

    assert state.fleet is not None
    fleet_report = FleetReport(
        len(state.fleet),
        json_path=_report_path(config, state, "json"),
        html_path=_report_path(config, state, "html"),
        started_at=now(),
    )
    for index, entry in enumerate(state.fleet):
        fleet_report.add_report(index, entry.name, entry.database, entry.error, entry.report)
    try:
        fleet_report.write()
    except DriftgateError as error:
        state.stamp_line = f"driftgate: error: {redact(str(error))}"
        session.exitstatus = error.exit_code
        return
    if _fleet_counts(state.fleet)["unreachable"]:
        session.exitstatus = 3
    if _option(config, "stamp"):
        lines, code = _fleet_stamp(config, state)
        state.stamp_line = "\n".join(lines)
        if code:
            session.exitstatus = max(int(session.exitstatus), code)


def _fleet_stamp(config: pytest.Config, state: _State) -> tuple[list[str], int]:
    """Each database through the one stamp flow (stamp_after_check), gated by its own tests too."""
    from driftgate.errors import StampRefused
    from driftgate.fleet import fleet_members
    from driftgate.report.safe import printable
    from driftgate.stamp import stamp_after_check

    assert state.fleet is not None
    listed = _listed(config, state) or []
    urls = {m.name: entry.url for m, entry in zip(fleet_members(listed, os.environ), listed, strict=True)}
    request = _request(config, state, None)
    lines, code = [], 0
    for entry in state.fleet:
        name = printable(entry.name)
        if entry.report is None:
            lines.append(f"driftgate stamp: {name}: unreachable, nothing written")
            code = max(code, 3)
            continue
        failed = sum(
            n for (db, source, outcome), n in state.fleet_outcomes.items()
            if db == entry.name and source == "baseline" and outcome != "passed"
        )  # fmt: skip
        extra = [f"{failed} baseline tests failed"] if failed and not entry.report.blocking else []
        try:
            outcome = stamp_after_check(replace(request, db_url=urls[entry.name]), entry.report, extra_blocking=extra)
        except (StampRefused, InputError) as error:
            lines.append(f"driftgate stamp: {name}: refused, {printable(redact(str(error)))}; nothing written")
            code = max(code, error.exit_code)
            continue
        except DriftgateError as error:
            lines.append(f"driftgate stamp: {name}: error: {printable(redact(str(error)))}")
            code = max(code, error.exit_code)
            continue
        lines.append(f"driftgate stamp: {name}: {printable(outcome)}")
    return lines, code


def _fleet_summary(terminalreporter: Any, state: _State) -> None:
    from driftgate.report.safe import printable

    assert state.fleet is not None
    terminalreporter.section("driftgate")
    for entry in state.fleet:
        name = printable(entry.name)
        if entry.report is None:
            terminalreporter.write_line(f"unreachable  {name}  {printable(entry.error or '')}")
        elif entry.report.gate_pass:
            terminalreporter.write_line(f"conforms     {name}  {len(entry.report.findings)} checks conform")
        else:
            failed = len(entry.report.failed)
            terminalreporter.write_line(f"drift        {name}  {failed} of {len(entry.report.findings)} checks failed")
    c = _fleet_counts(state.fleet)
    terminalreporter.write_line(
        f"driftgate verdict: fleet: {c['conforming']} of {c['databases']} databases conform; "
        f"{c['drifted']} drifted, {c['unreachable']} unreachable"
    )
    if state.stamp_line:
        terminalreporter.write_line(state.stamp_line)
