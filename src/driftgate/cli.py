"""The ``driftgate`` command: check, stamp, extract (DESIGN 4, "CLI")."""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from driftgate.config import FileConfig, build_request, load_config
from driftgate.errors import DriftgateError, InputError
from driftgate.gcpause import collector_paused
from driftgate.report.safe import printable, shown_fix
from driftgate.urls import redact

# Imports only where used: `driftgate --help` must not load sqlglot, libsql-client, rich or jinja2.
if TYPE_CHECKING:
    from driftgate.check import CheckResult
    from driftgate.db_list import Listed
    from driftgate.findings import Report
    from driftgate.forked import Child, ThreadWork
    from driftgate.replay_helper import ReplayHelper
    from driftgate.request import CheckRequest

F = TypeVar("F", bound=Callable[..., Any])


def fail(error: DriftgateError) -> None:
    """One line on stderr, no traceback, the documented exit code."""
    click.echo(f"driftgate: error: {printable(redact(str(error)))}", err=True)
    sys.exit(error.exit_code)


def handles_errors(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DriftgateError as error:
            fail(error)
        except click.exceptions.Abort:  # "no" (or end of input) at a confirmation prompt
            click.echo("driftgate: declined; nothing written", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("driftgate: interrupted", err=True)
            sys.exit(130)
        except Exception as error:  # a bug: still one line, never a traceback (unless asked for)
            if os.environ.get("DRIFTGATE_DEBUG"):
                raise
            click.echo(
                f"driftgate: internal error: {type(error).__name__}: {printable(redact(str(error)))} "
                "(set DRIFTGATE_DEBUG=1 for the traceback)",
                err=True,
            )
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def run() -> None:
    """The ``driftgate`` command (and ``python -m driftgate``): :func:`main` in a process that ends as soon as
    the command has.

    The cyclic collector stays off: a command builds what it keeps until it ends, in no cycle that matters
    (the check's own phases already pause it, :mod:`driftgate.gcpause`), and the start-up imports alone made
    40,000 objects it walked again and again (4% of their instructions).  And once the command has closed
    what it opened (its helper, its database, its files) and its output is flushed, the process leaves
    through ``os._exit``: the interpreter's teardown frees every object one by one (15 ms after a 40-table
    check, 45 ms after a 1,000-table one) for nothing.  Where the output cannot be flushed (a closed pipe),
    the ordinary exit says so as it always did.
    """
    gc.disable()
    try:
        main()
        code: object = 0
    except SystemExit as leaving:
        code = leaving.code
    if code is not None and not isinstance(code, int):  # sys.exit("text"): Python's own handling of it
        raise SystemExit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise SystemExit(code) from None
    os._exit(code or 0)


# Shown under `check --help` and `stamp --help` (\b keeps click from rewrapping the lines).
DATABASE_HELP = """\b
Database: --db, else DRIFTGATE_DB_URL, else TURSO_DATABASE_URL (or TURSO_URL), else db_url in
[tool.driftgate]. Auth token: ?authToken= in the URL, else DRIFTGATE_AUTH_TOKEN, else
TURSO_AUTH_TOKEN (or TURSO_TOKEN). A token is never printed or written to a report."""

BASELINE_HELP = """\b
Baseline (with --migrations): --tag if given; else the newest migration the database's ledger
(__drizzle_migrations) records; else, not stamped yet, the first migration."""


def _exit_help(*codes: str) -> str:
    return "\b\nExit codes:\n" + "\n".join(f"  {code}" for code in codes)


CHECK_EPILOG = "\n\n".join(
    (
        DATABASE_HELP,
        BASELINE_HELP,
        _exit_help(
            "0  the database conforms",
            "1  drift: at least one finding fails (not accepted in [tool.driftgate])",
            "2  bad input or usage: a missing file, unparsable SQL/TS, a bad option (one line names it)",
            "3  the database is unreachable or refused the credentials",
        ),
    )
)
STAMP_EPILOG = "\n\n".join(
    (
        DATABASE_HELP,
        BASELINE_HELP.replace("Baseline (with --migrations)", "Baseline to stamp"),
        _exit_help(
            "0  stamped, or already stamped (nothing written)",
            "1  refused: a baseline finding fails or the ledger does not allow it; nothing written",
            "2  bad input or usage (one line names the file, line or option)",
            "3  the database is unreachable or refused the credentials",
        ),
    )
)


fleet_options = [
    click.option("--db-list", metavar="FILE", help="A fleet: one `URL` or `NAME URL` per line (# comments)."),
    click.option("--jobs", type=int, metavar="N", help="Databases checked at the same time (default 8)."),
]


def source_options(command: F) -> F:
    options = [
        click.option(
            "--db",
            "db",
            multiple=True,
            metavar="URL",
            help="Database URL (libsql://, https://, wss://, http://, ws://, file:); repeat it for a fleet.",
        ),
        *fleet_options,
        click.option(
            "--legacy", multiple=True, metavar="PATH", help="Application code holding the legacy DDL (.ts/.js)."
        ),
        click.option("--sql", multiple=True, metavar="PATH", help="Plain .sql files with the expected schema."),
        click.option(
            "--drizzle", multiple=True, metavar="PATH", help="Drizzle sqlite-core schema files or folders (.ts)."
        ),
        click.option("--migrations", metavar="DIR", help="A drizzle-kit migrations folder (meta/_journal.json)."),
        click.option(
            "--tag", metavar="TAG", help="Compare the migrations up to this entry (e.g. 0000_baseline; see Baseline)."
        ),
        click.option("--timeout", type=float, metavar="SECONDS", help="Connect and query timeout (default 30)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="driftgate")
def main() -> None:
    """Prove a live libSQL/SQLite database matches the schema you adopt, then stamp the baseline."""


@main.command(epilog=CHECK_EPILOG)
@source_options
@click.option("--json", "json_path", metavar="FILE", help="Write the JSON report (version 1) here.")
@click.option("--html", "html_path", metavar="FILE", help="Write the HTML drift report here.")
@click.option("--no-cache", is_flag=True, help="Replay the expected schema even if the cache has its model.")
@click.option(
    "--markdown",
    "markdown_path",
    metavar="FILE",
    help="Write a short Markdown summary (verdict, counts, failing findings) for CI pages and pull requests; "
    "also appended to $GITHUB_STEP_SUMMARY when that is set.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the verdict line.")
@handles_errors
def check(
    db: tuple[str, ...],
    db_list: str | None,
    jobs: int | None,
    legacy: tuple[str, ...],
    sql: tuple[str, ...],
    drizzle: tuple[str, ...],
    migrations: str | None,
    tag: str | None,
    timeout: float | None,
    json_path: str | None,
    html_path: str | None,
    no_cache: bool,
    markdown_path: str | None,
    quiet: bool,
) -> None:
    """Compare every item of the expected schema(s) with the live database. Exit 0 conforms, 1 drift."""
    with check_begun() as (helper, config, listed, one, request):
        from driftgate.check import run_check

        if helper is not None:  # rich (40 ms), for the summary: imported while the helper replays
            helper.meanwhile(functools.partial(importlib.import_module, "driftgate.report.terminal"))
        json_file = Path(json_path) if json_path else config.path_value("json")
        html_file = Path(html_path) if html_path else config.path_value("html")
        markdown_file = Path(markdown_path) if markdown_path else config.path_value("markdown")
        if not one:
            from driftgate.fleet import fleet_check, fleet_jobs  # the fleet machinery, only for several databases

            assert listed is not None
            code = fleet_check(
                request,
                listed,
                jobs=fleet_jobs(jobs),
                json_path=json_file,
                html_path=html_file,
                markdown_path=markdown_file,
                quiet=quiet,
                environ=os.environ,
            )
            sys.exit(code)
        from driftgate.report.markdown import write_markdown

        # A forked child writes a new model, and threads its records, while the reports are made.
        cache_writers: list[Child | ThreadWork] = []
        try:
            result = run_check(request, cache_writers=cache_writers, helper=helper)
            write_reports(result, json_file, html_file)
            write_markdown(result.report, markdown_file)
            warn_unused_accept(result)
            from driftgate.report.terminal import print_summary

            print_summary(result.report, quiet=quiet)
        finally:
            for writer in cache_writers:
                writer.wait()
        sys.exit(0 if result.report.gate_pass else 1)


# The flags that check and stamp both take to make their request, besides --db and --db-list.
_REQUEST_FLAGS = ("legacy", "sql", "migrations", "tag", "timeout", "drizzle", "no_cache")


@contextlib.contextmanager
def check_begun() -> Iterator[tuple[ReplayHelper | None, FileConfig, list[Listed] | None, bool, CheckRequest]]:
    """How check and stamp begin: the replay helper that reads ahead (closed on the way out), forked before
    the check is imported; then the config, and :func:`requested` from the running command's flags, after
    which the helper imports the parser for small sources while this process imports the check.  For a
    fleet the helper is closed at once: a fleet's replay starts its own (``load_expected``), before its
    threads."""
    from driftgate.replay_helper import ReplayHelper  # imports neither the parser nor libSQL

    with ReplayHelper.reading_ahead() as helper:
        params = click.get_current_context().params
        config = load_config()
        flags = {name: params[name] for name in _REQUEST_FLAGS}
        listed, one, request = requested(config, params["db"], params["db_list"], **flags)
        if helper is not None and not one:
            helper.close()
        elif helper is not None:
            helper.import_parser_for(request)
            _replay_ahead(helper, request)
        yield helper, config, listed, one, request


def _replay_ahead(helper: ReplayHelper, request: CheckRequest) -> None:
    """The sources loaded now, kept for the check, and the replay of each small one whose model is not in
    the cache begun in the helper (:meth:`ReplayHelper.replay_ahead`) while this process imports the check:
    40 synthetic tables cold in 0.91x the time (interleaved, 24 rounds).  Whatever is wrong with the sources
    is left for the check to find, in its own order (the database's URL first)."""
    from driftgate.cache import ExpectedModelCache, cache_dir, cache_key
    from driftgate.sources import load_sources, replay_ignore

    try:
        loaded = load_sources(request)
    except Exception:  # noqa: BLE001 - loaded again by the check, which raises it in its turn
        return
    helper.keep_loaded(request, loaded)
    ignore = replay_ignore(request)
    cache = ExpectedModelCache(cache_dir()) if request.cache else None
    for source in loaded[0]:
        if helper.helps_with(source.statements):
            continue  # shared once its model is known not to be in the cache (a key costs 20-40 ms here)
        if cache is None or not cache.holds(cache_key(source.statements, ignore)):
            helper.replay_ahead(source.statements, ignore)


def requested(
    config: FileConfig, db: tuple[str, ...], db_list: str | None, **flags: Any
) -> tuple[list[Listed] | None, bool, CheckRequest]:
    """The databases asked for (None: the single-database rules apply), whether that is one database,
    and the request built from the flags, the environment and [tool.driftgate] (check and stamp alike)."""
    from driftgate.db_list import listed_databases, single_url

    listed = listed_databases(config, db, db_list, os.environ)
    one, url = single_url(listed)
    return listed, one, build_request(config, db=url, **flags)


def warn_unused_accept(result: CheckResult) -> None:
    for key in result.unused_accept:
        click.echo(f"driftgate: warning: accept entry {key!r} matches no failing finding", err=True)


def _report_writer(option: str) -> Callable[[Report, Path], None]:
    """The writer behind ``--json`` or ``--html``, imported only when asked for (jinja2 costs ~40 ms)."""
    if option == "--html":
        from driftgate.report.html import write_html

        return write_html
    from driftgate.report.json_report import write_json

    return write_json


def write_reports(result: CheckResult, json_path: Path | None, html_path: Path | None) -> None:
    """Flags are relative to the working directory, [tool.driftgate] paths to their pyproject.toml."""
    for option, path in (("--json", json_path), ("--html", html_path)):
        if path is None:
            continue
        try:
            with collector_paused():  # 80,000 findings become as many dicts
                _report_writer(option)(result.report, path)
        except OSError as exc:
            raise InputError(f"{option}: cannot write {path} ({exc.strerror or exc})") from None


@main.command()
@click.option("--legacy", multiple=True, metavar="PATH", help="Application code holding the legacy DDL.")
@click.option(
    "--drizzle", multiple=True, metavar="PATH", help="Drizzle schema files/folders: write what drizzle-kit generates."
)
@click.option(
    "-o",
    "--output",
    default=None,
    metavar="FILE",
    help="Default reference_sql/legacy.sql (--legacy) or reference_sql/proposed.sql (--drizzle).",
)
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if the file is stale; write nothing.")
@handles_errors
def extract(legacy: tuple[str, ...], drizzle: tuple[str, ...], output: str | None, check_only: bool) -> None:
    """Write the legacy DDL (or the Drizzle schema's SQL) as a reviewable SQL file."""
    from driftgate.extract import extract_reference, reference_is_stale

    config = load_config()
    if legacy and drizzle:
        raise InputError("--legacy and --drizzle: extract one source at a time")
    if drizzle:
        _extract_drizzle(
            config, tuple(Path(p) for p in drizzle), Path(output or "reference_sql/proposed.sql"), check_only
        )
        return
    paths = tuple(Path(p) for p in legacy) or tuple(config.path_list("legacy"))
    if not paths:
        raise InputError("--legacy: give the application code to read (or set legacy in [tool.driftgate])")
    target = Path(output or "reference_sql/legacy.sql")
    if check_only:
        if reference_is_stale(paths, target):
            click.echo(f"{target} is stale: run driftgate extract to regenerate it", err=True)
            sys.exit(1)
        click.echo(f"{target} is up to date")
        return
    count = extract_reference(paths, target)
    click.echo(f"wrote {count} statements to {target}")


def _extract_drizzle(config: FileConfig, paths: tuple[Path, ...], target: Path, check_only: bool) -> None:
    from driftgate.extract import extract_proposed, proposed_is_stale

    casing = build_request(config, db=None, legacy=(), sql=(), migrations=None, tag=None, timeout=None).drizzle_casing
    if check_only:
        if proposed_is_stale(paths, casing, target):
            click.echo(f"{target} is stale: run driftgate extract --drizzle to regenerate it", err=True)
            sys.exit(1)
        click.echo(f"{target} is up to date")
        return
    extract_proposed(paths, casing, target)
    click.echo(f"wrote {target}")


@main.command(epilog=STAMP_EPILOG)
@click.option(
    "--db", "db", multiple=True, metavar="URL", help="Database URL (see Database below); repeat it for a fleet."
)
@fleet_options[0]
@fleet_options[1]
@click.option("--migrations", metavar="DIR", help="The drizzle-kit migrations folder.")
@click.option("--tag", metavar="TAG", help="The baseline entry to stamp (default: see Baseline below).")
@click.option("--legacy", multiple=True, metavar="PATH", help="Also report the legacy source (does not block).")
@click.option("--sql", multiple=True, metavar="PATH", help="Also report plain .sql files (does not block).")
@click.option("--drizzle", multiple=True, metavar="PATH", help="Also report the Drizzle schema files (does not block).")
@click.option("--timeout", type=float, metavar="SECONDS", help="Connect and query timeout (default 30).")
@click.option("--dry-run", is_flag=True, help="Check, then print the statements a stamp would run; write nothing.")
@click.option("--no-backup", is_flag=True, help="Skip the VACUUM INTO backup of a file: database.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--undo", is_flag=True, help="Remove the rows this baseline's stamp wrote (only if nothing later is recorded)."
)
@click.option("--json", "json_path", metavar="FILE", help="Write the JSON report of the check here.")
@click.option("--no-cache", is_flag=True, help="Replay the expected schema even if the cache has its model.")
@handles_errors
def stamp(
    db: tuple[str, ...],
    db_list: str | None,
    jobs: int | None,
    migrations: str | None,
    tag: str | None,
    legacy: tuple[str, ...],
    sql: tuple[str, ...],
    drizzle: tuple[str, ...],
    timeout: float | None,
    dry_run: bool,
    no_backup: bool,
    yes: bool,
    undo: bool,
    json_path: str | None,
    no_cache: bool,
) -> None:
    """Check the baseline against the database; only if it conforms, record it in __drizzle_migrations."""
    with check_begun() as (helper, _config, listed, one, request):
        from driftgate.check import run_check
        from driftgate.report.json_report import write_json

        if request.migrations is None:
            raise InputError("--migrations: stamp needs the drizzle-kit migrations folder")
        if helper is not None and undo:
            helper.close()  # undo replays nothing
        if not one:
            from driftgate.fleet import fleet_jobs, fleet_stamp

            assert listed is not None
            if undo:
                raise InputError("--undo: give one database (undo is never run over a fleet)")

            def confirm(count: int) -> None:
                if not yes and sys.stdin.isatty():
                    click.confirm(f"Record the baseline as applied in {count} database(s)?", abort=True)

            code = fleet_stamp(
                request,
                listed,
                jobs=fleet_jobs(jobs),
                dry_run=dry_run,
                backup=not no_backup,
                confirm=confirm,
                json_path=Path(json_path) if json_path else None,
                environ=os.environ,
            )
            sys.exit(code)
        if undo:
            _undo(request)
            return
        result = run_check(request, helper=helper)
        if json_path:
            write_json(result.report, Path(json_path))
        _stamp_checked(request, result, dry_run=dry_run, backup=not no_backup, yes=yes)


def _undo(request: CheckRequest) -> None:
    from driftgate.check import load_sources
    from driftgate.stamp import undo_stamp
    from driftgate.urls import resolve_database

    _, folder = load_sources(request)
    assert folder is not None
    target = resolve_database(request.db_url, request.config_db_url)
    tag = request.tag or folder.entries[0].tag
    removed = undo_stamp(target, folder, tag, request.ledger_table, timeout=request.timeout)
    click.echo(f"removed {removed} ledger row(s)")


def _stamp_checked(request: CheckRequest, result: CheckResult, *, dry_run: bool, backup: bool, yes: bool) -> None:
    """The shared stamp flow, with the CLI's summary on refusal, dry-run listing and confirmation prompt."""
    from driftgate.errors import StampRefused
    from driftgate.report.terminal import print_summary
    from driftgate.stamp import StampPlan, stamp_after_check
    from driftgate.urls import DatabaseTarget

    def confirm(plan: StampPlan, target: DatabaseTarget) -> None:
        if not target.is_file:  # a file: database is backed up by write_stamp itself (VACUUM INTO)
            click.echo("note: back up a remote database first, e.g. `turso db shell <db> .dump > backup.sql`", err=True)
        if not yes and sys.stdin.isatty():
            question = f"Record {len(plan.to_insert)} migration(s) up to {plan.tag} as applied in {target.display}?"
            click.confirm(question, abort=True)

    try:
        outcome = stamp_after_check(request, result.report, backup=backup, dry_run=dry_run, confirm=confirm)
    except StampRefused:
        if result.report.blocking:
            print_summary(result.report)
        raise
    if outcome.planned is not None:
        click.echo(f"-- dry run: {result.report.verdict()}; these statements would run in one transaction:")
        for sql_text, args in outcome.planned:
            click.echo(_inline(sql_text, args) + ";")
        return
    click.echo(printable(outcome))


@main.command()
@click.option("--force", is_flag=True, help="Overwrite conformance/test_conformance.py and replace [tool.driftgate].")
@handles_errors
def init(force: bool) -> None:
    """Set up the project in the working directory for `pytest conformance`.

    Writes conformance/test_conformance.py (it imports the suite shipped with driftgate, so new
    kinds of checks arrive with upgrades) and a [tool.driftgate] table in pyproject.toml (appended,
    or a new file), prefilled from drizzle.config.ts: the migrations folder (out), the ledger table
    (migrations.table) and casing. Nothing that exists is overwritten without --force.
    """
    from driftgate.init import init_project

    for line in init_project(Path.cwd(), force=force):
        click.echo(line)
    click.echo("next: pytest conformance --driftgate-db URL   (or set DRIFTGATE_DB_URL / TURSO_DATABASE_URL)")


def _inline(sql_text: str, args: tuple | list) -> str:
    """The statement with its parameters written in, for --dry-run."""
    parts = sql_text.split("?")
    out = parts[0]
    for value, rest in zip(args, parts[1:], strict=False):
        out += (f"'{value}'" if isinstance(value, str) else str(value)) + rest
    return out


@main.command()
@click.option("--db", "db", metavar="URL", help="Database URL.")
@click.option("-o", "--output", "output", required=True, metavar="DIR", help="Folder for the TypeScript files.")
@click.option(
    "--casing",
    type=click.Choice(["snake_case", "camelCase"]),
    default="camelCase",
    show_default=True,
    help="Property keys of tables and columns (database names are always written explicitly).",
)
@click.option("--single-file", is_flag=True, help="One schema.ts instead of one file per table plus index.ts.")
@click.option("--idiomatic", is_flag=True, help="Usual Drizzle builders; list each structural difference and its fix.")
@click.option("--force", is_flag=True, help="Write into a non-empty DIR (replaces files an earlier pull wrote).")
@click.option("--timeout", type=float, metavar="SECONDS", help="Connect and query timeout (default 30).")
@handles_errors
def pull(
    db: str | None,
    output: str,
    casing: str,
    single_file: bool,
    idiomatic: bool,
    force: bool,
    timeout: float | None,
) -> None:
    """Write Drizzle schema files that drizzle-kit generate turns back into exactly this database."""
    from driftgate.pull import run_pull
    from driftgate.urls import resolve_database

    config = load_config()
    request = build_request(config, db=db, legacy=(), sql=(), migrations=None, tag=None, timeout=timeout)
    target = resolve_database(request.db_url, request.config_db_url)
    result = run_pull(
        target,
        Path(output),
        casing=casing,
        single=single_file,
        idiomatic=idiomatic,
        force=force,
        timeout=request.timeout,
        ignore=request.ignore_tables,
        ledger_table=request.ledger_table,
    )
    plan = result.plan
    click.echo(f"wrote {len(result.written)} files to {output} ({len(plan.tables)} tables, {len(plan.views)} views)")
    # Names are data: a reason or a step quotes them, so both are shown as every report shows names (a
    # statement that needs escaping is exact in NOT_EXPRESSIBLE.sql).
    for item in plan.not_expressible:
        click.echo(
            f"not expressible: {item.kind} {item.name!r}: {printable(item.reason)} "
            "(SQL in NOT_EXPRESSIBLE.md and NOT_EXPRESSIBLE.sql)"
        )
    if plan.steps:
        click.echo("apply to the database before `driftgate check` (also in NOT_EXPRESSIBLE.md and .sql):")
        for step in plan.steps:
            click.echo(f"  -- {printable(step.what)}")
            click.echo(f"  {shown_fix(step.sql)}")
