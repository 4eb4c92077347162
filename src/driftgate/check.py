"""The check: load the expected sources, read the live database once, compare, report.

Shared by the CLI, the pytest plugin and the stamp, so all three see the same findings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from driftgate import __version__
from driftgate.cache import ExpectedModelCache, cache_dir
from driftgate.compare import compare_schemas
from driftgate.connection import Database
from driftgate.errors import InputError
from driftgate.findings import Finding, Report, apply_accept
from driftgate.ledger import LedgerState, ledger_findings, ledger_state
from driftgate.live import LiveState, read_live
from driftgate.model import Schema
from driftgate.rehearsal import rehearsal_findings
from driftgate.sources import ExpectedSource, legacy_source, sql_source
from driftgate.sources.migrations import DEFAULT_LEDGER_TABLE, MigrationsFolder, load_migrations
from driftgate.urls import DatabaseTarget, resolve_database


@dataclass(frozen=True)
class CheckRequest:
    db_url: str | None = None
    legacy: tuple[Path, ...] = ()
    sql: tuple[Path, ...] = ()
    migrations: Path | None = None
    tag: str | None = None
    timeout: float = 30.0
    ignore_tables: tuple[str, ...] = ()
    accept: frozenset[str] = field(default_factory=frozenset)
    ledger_table: str = DEFAULT_LEDGER_TABLE
    config_db_url: str | None = None  # from [tool.driftgate]; flags and environment win
    drizzle: tuple[Path, ...] = ()  # Drizzle sqlite-core schema files or folders (--drizzle)
    drizzle_casing: str | None = None  # drizzle.config.ts `casing` or [tool.driftgate] drizzle_casing
    cache: bool = True  # the expected-model cache (--no-cache, config `cache = false`)


@dataclass(frozen=True)
class CheckResult:
    report: Report
    target: DatabaseTarget
    migrations: MigrationsFolder | None
    live: LiveState
    unused_accept: tuple[str, ...] = ()  # accept entries that matched no failing finding (typos?)


def load_sources(request: CheckRequest) -> tuple[list[ExpectedSource], MigrationsFolder | None]:
    """Everything that can be wrong with the input is found here, before the database is touched."""
    sources = []
    if request.legacy:
        sources.append(legacy_source(request.legacy))
    if request.sql:
        sources.append(sql_source(request.sql))
    if request.drizzle:
        from driftgate.sources.drizzle import drizzle_source

        sources.append(drizzle_source(request.drizzle, request.drizzle_casing))
    folder = load_migrations(request.migrations) if request.migrations else None
    if folder is not None and request.tag:
        folder.entry(request.tag)  # an unknown --tag is bad input
    if not sources and folder is None:
        raise InputError(
            "nothing to compare: give --legacy, --sql, --drizzle or --migrations (or set them in [tool.driftgate])"
        )
    return sources, folder


def baseline_tag(request: CheckRequest, folder: MigrationsFolder, ledger: LedgerState) -> str:
    """--tag, else the newest entry the database records, else the first entry (DESIGN 4)."""
    if request.tag:
        return folder.entry(request.tag).tag
    recorded = ledger.recorded_entries()
    return (recorded[-1] if recorded else folder.entries[0]).tag


def baseline_source(folder: MigrationsFolder, tag: str) -> ExpectedSource:
    entries = folder.up_to(tag)
    style = "pull-style, compared through its snapshot" if entries[-1].is_pull_style else "generate-style"
    return ExpectedSource(
        "baseline",
        tuple(str(e.path) for e in entries),
        tuple(folder.statements_up_to(tag)),
        f"migrations up to {tag} ({style})",
    )


def run_check(request: CheckRequest, environ: Mapping[str, str] | None = None) -> CheckResult:
    environ = os.environ if environ is None else environ
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    target = resolve_database(request.db_url, request.config_db_url, environ)
    sources, folder = load_sources(request)
    ignore = (*request.ignore_tables, glob.escape(request.ledger_table))  # the ledger name is not a pattern
    # Replay legacy and plain SQL before connecting: bad input is exit 2 even when the database is down.
    # The baseline can only be replayed after: which entry it is depends on the database's ledger.
    cache = ExpectedModelCache(cache_dir(environ)) if request.cache else None
    expected = [(source, source.schema(ignore=ignore, cache=cache)) for source in sources]
    with Database(target, timeout=request.timeout) as db:
        live = read_live(db, ignore=request.ignore_tables, ledger_table=request.ledger_table)
    tag = None
    ledger = ledger_state(folder, live.ledger) if folder is not None else None
    if folder is not None and ledger is not None:
        tag = baseline_tag(request, folder, ledger)
        baseline = baseline_source(folder, tag)
        expected.append((baseline, baseline.schema(ignore=ignore, cache=cache)))
    findings: list[Finding] = []
    for source, schema in expected:
        findings.extend(compare_schemas(schema, live.schema, source.label))
    if folder is not None and tag is not None and request.drizzle:
        findings = _three_way(findings, expected, folder, tag, ignore)
    infos = [source.info for source, _ in expected]
    if ledger is not None:
        findings.extend(ledger_findings(ledger, request.ledger_table))
    if folder is not None and ledger is not None and tag is not None:
        findings.extend(rehearsal_findings(live.objects, ledger.pending_after(folder.entry(tag))))
    if not findings:
        # Silence is never a pass: e.g. ignore_tables hid everything.
        raise InputError("nothing was compared: no table on either side (check ignore_tables and the sources)")
    findings = apply_accept(findings, set(request.accept))
    unused_accept = tuple(sorted(set(request.accept) - {f.key for f in findings if f.accepted}))
    report = Report(
        database=target.display,
        sources=tuple(infos),
        findings=tuple(findings),
        started_at=started,
        tool_versions=_versions(),
        gate_tag=tag,
    )
    return CheckResult(report, target, folder, live, unused_accept)


def _three_way(
    findings: list[Finding],
    expected: list[tuple[ExpectedSource, Schema]],
    folder: MigrationsFolder,
    tag: str,
    ignore: tuple[str, ...],
) -> list[Finding]:
    from driftgate.three_way import annotate

    schemas = {source.label: schema for source, schema in expected}
    pending = [e.tag for e in folder.entries if e.idx > folder.entry(tag).idx]
    newest = baseline_source(folder, folder.entries[-1].tag).schema(ignore=ignore) if pending else schemas["baseline"]
    return annotate(findings, schemas["drizzle"], schemas["baseline"], newest, pending)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"driftgate": __version__}
    for name in ("sqlglot", "libsql-client", "libsql"):
        with contextlib.suppress(PackageNotFoundError):
            found[name] = version(name)
    return found
