"""The check: load the expected sources, read the live database once, compare, report.

Shared by the CLI, the pytest plugin and the stamp, so all three see the same findings.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain

from driftgate import __version__
from driftgate.cache import ExpectedModelCache, cache_dir
from driftgate.compare import can_share_conforming, compare_schemas, conforming_chunks, split_tables
from driftgate.connection import Database
from driftgate.errors import InputError
from driftgate.findings import (
    Counts,
    Finding,
    FindingParts,
    FindingsPart,
    Rendering,
    Report,
    apply_accept,
    counted,
    rendering_size,
)
from driftgate.forked import Child, ThreadWork, in_background, turned_off
from driftgate.gcpause import collector_paused
from driftgate.ledger import LedgerState, ledger_findings, ledger_state
from driftgate.live import LedgerRow, LiveState, RawLive, live_state, read_raw
from driftgate.model import Schema
from driftgate.normalize import ParserNotHere, parser_loaded, parser_refused
from driftgate.rehearsal import rehearsal_findings
from driftgate.replay_helper import ReplayHelper
from driftgate.request import CheckRequest  # noqa: F401  (its home is driftgate.request; also imported from here)
from driftgate.sources import ExpectedSource, load_sources, replay_ignore
from driftgate.sources.migrations import MigrationsFolder
from driftgate.urls import DatabaseTarget, resolve_database


@dataclass(frozen=True)
class CheckResult:
    report: Report
    target: DatabaseTarget
    migrations: MigrationsFolder | None
    live: LiveState
    unused_accept: tuple[str, ...] = ()  # accept entries that matched no failing finding (typos?)


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


# A conforming record at least this large is written on a thread (:meth:`Expected._record_keeper`); a
# smaller one (under about 80 tables) here and now, where hashing and writing it costs less than the thread.
BACKGROUND_RECORD_BYTES = 2 * 1024 * 1024
# Models of fewer tables than this (in all) are written here too (:meth:`Expected.write_cache_in_background`):
# pickling 40 tables costs less than a fork (measured, 24 interleaved rounds: a cold check 0.974x per round).
BACKGROUND_MODEL_TABLES = 80


@dataclass
class Expected:
    """The expected sources of one request, read and replayed once, reusable for many databases.

    Legacy and plain SQL are replayed up front; the baseline depends on each database's ledger
    (DESIGN 4), so it is replayed on first use of a tag and kept per tag (thread-safe: a fleet
    checks databases concurrently).
    """

    request: CheckRequest
    replayed: list[tuple[ExpectedSource, Schema]]
    folder: MigrationsFolder | None
    ignore: tuple[str, ...]
    cache: ExpectedModelCache | None = None
    _baselines: dict[str, tuple[ExpectedSource, Schema]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # The cache key of each model read from or written to the cache, by the model's id (the models live
    # as long as this object): such a model gets a conforming record (see compare).
    _model_keys: dict[int, str] = field(default_factory=dict)
    # Each source's conforming part, by (model id, label), with the model it belongs to (so an id is
    # never taken for another model's): every database of a run whose schema equals the model shares
    # it (a fleet of conforming tenants compares and renders it once).
    _conforming: dict[tuple[int, str], tuple[Schema, FindingsPart]] = field(default_factory=dict)
    # Models just replayed, not yet written to the cache, while writes are deferred (see run_check).
    _unwritten: list[tuple[str, Schema]] | None = None
    # Does about half of each large replay on the other core while it runs (driftgate.replay_helper).
    helper: ReplayHelper | None = None
    # Where the threads writing conforming records go, for the caller to wait for (run_check's
    # cache_writers); None: a record is written here and now.
    writers: list[Child | ThreadWork] | None = None

    @property
    def tables(self) -> int:
        """How many tables the models replayed so far hold, in all."""
        return sum(len(schema.tables) for _source, schema in self.replayed)

    def compared_with(
        self, ledger_rows: tuple[LedgerRow, ...] | None
    ) -> tuple[list[tuple[ExpectedSource, Schema]], str | None, LedgerState | None]:
        """What a database with this ledger is compared with: (source, schema) pairs, the baseline tag
        (it follows the ledger, DESIGN 4) and the ledger's state."""
        pairs = list(self.replayed)
        folder = self.folder
        ledger = ledger_state(folder, ledger_rows) if folder is not None else None
        tag = None
        if folder is not None and ledger is not None:
            tag = baseline_tag(self.request, folder, ledger)
            pairs.append(self.baseline(tag))
        return pairs, tag, ledger

    def schemas_for(self, ledger_rows: tuple[LedgerRow, ...] | None) -> list[Schema]:
        return [schema for _source, schema in self.compared_with(ledger_rows)[0]]

    def baseline(self, tag: str) -> tuple[ExpectedSource, Schema]:
        with self._lock:
            if tag not in self._baselines:
                assert self.folder is not None
                source = baseline_source(self.folder, tag)
                self._baselines[tag] = (source, self.model_of(source))
            return self._baselines[tag]

    def model_of(self, source: ExpectedSource) -> Schema:
        """``source``'s model, from the cache or replayed (with the replay helper, while there is one)."""
        schema, key = source.cached_schema(self.ignore, self.cache, helper=self.helper, store=self._store)
        if key is not None:
            self._model_keys[id(schema)] = key
        return schema

    def _store(self, key: str, schema: Schema) -> None:
        if self._unwritten is None:
            self._write([(key, schema)])
        else:
            self._unwritten.append((key, schema))

    def _write(self, models: list[tuple[str, Schema]]) -> None:
        """``models`` (key, model) written to the cache, here and now."""
        if self.cache is not None:
            for key, schema in models:
                self.cache.put(key, schema)

    def defer_cache_writes(self) -> None:
        """Models replayed from now on are kept for :meth:`write_cache_in_background`, until
        :meth:`finish_cache_writes`."""
        if self._unwritten is None:
            self._unwritten = []

    def write_cache_in_background(self) -> Child | None:
        """The models replayed so far written to the cache by a forked child, while this process goes on
        (pickling a 1,000-table model takes 0.08-0.1 s); None when this process may not fork, or the models
        are small (:data:`BACKGROUND_MODEL_TABLES`), and then they are written here and now.
        :meth:`finish_cache_writes` waits for the child."""
        pending, self._unwritten = self._unwritten or [], []
        if not pending:
            return None
        small = sum(len(schema.tables) for _key, schema in pending) < BACKGROUND_MODEL_TABLES
        return in_background(lambda: self._write(pending), fork=not small)

    def finish_cache_writes(self, writer: Child | None) -> None:
        """What is still unwritten is written now and ``writer`` waited for; from now on writes are direct.
        (A writer that failed, killed say, leaves a model unwritten: the next run replays and writes it.)"""
        pending, self._unwritten = self._unwritten or [], None
        try:
            self._write(pending)
        finally:
            if writer is not None:
                writer.wait()

    def compare(self, source: ExpectedSource, schema: Schema, live: Schema) -> FindingsPart:
        """One source's findings against the live schema.

        A database whose schema equals the source's model gets the same findings on every run, all ok:
        comparison is a pure function of the two schemas and the label.  That conforming part
        (:class:`FindingsPart`) is made once per run and shared by every such database; and for a model in
        the cache (read from it, or just written to it), it is kept in the cache as a conforming record
        once a JSON report has rendered it, and read from there on later runs instead of being built and
        rendered again.  Where the caller waits for them (:attr:`writers`), a thread writes it while the
        run goes on: the run that renders it pays next to nothing for it, even when no later run reads it.
        """
        label = source.label
        if live != schema:
            return FindingsPart.in_hand(compare_schemas(schema, live, label))
        kept = self._conforming.get((id(schema), label))
        if kept is not None and kept[0] is schema:
            return kept[1]
        part = self._conforming_part(schema, live, label)
        if part.all_ok:
            self._conforming[id(schema), label] = (schema, part)
        return part

    def _conforming_part(self, schema: Schema, live: Schema, label: str) -> FindingsPart:
        """The part :meth:`compare` shares: read from the model's conforming record, else compared (and,
        for a cached model, remembered as its record once rendered); a part that is not all ok is not shared."""
        key, cache = self._model_keys.get(id(schema)), self.cache
        if key is not None and cache is not None:
            record = cache.get_conforming(key, label)
            if record is not None:
                count, counts, rendered = record
                return FindingsPart.from_record(
                    count, Counter(dict(counts)), rendered, lambda: compare_schemas(schema, live, label)
                )
        keeper = self._record_keeper(key, label)
        shared = self._shared_part(schema, live, label, keeper)
        if shared is not None:
            return shared
        findings = compare_schemas(schema, live, label)
        if any(f.status != "ok" for f in findings):
            return FindingsPart.in_hand(findings)
        return FindingsPart.conforming(findings, keeper)

    def _shared_part(
        self, schema: Schema, live: Schema, label: str, remember: Callable[[int, Counts, Rendering], None] | None
    ) -> FindingsPart | None:
        """The conforming part made on two cores: the replay helper's share (its tables compared with
        themselves and rendered, see driftgate.shadow.help_replay) joined, comparator by comparator, with
        this process's comparison of the other tables (compare.conforming_chunks: byte for byte the whole
        comparison's rendering).  None when the helper has no share of this model (or lost it), or its
        tables are not the model's last ones by their input keys: then compared here, as without a helper."""
        helper = self.helper
        first = helper.share_begins(schema, label) if helper is not None and can_share_conforming(schema) else None
        if helper is None or first is None:
            return None
        from driftgate.report.json_report import joined_renderings, rendered_findings

        # Everything of this process's own first, while the helper does its share.
        mine = conforming_chunks(split_tables(schema, first)[0], label)
        mine_rendered = [rendered_findings(findings) for findings in mine]
        mine_counted = [counted(findings) for findings in mine]
        answer = helper.take_share(schema, label)
        if answer is None:
            return None
        keys, theirs, their_counts = answer
        if tuple(keys) != schema.table_keys[first:] or len(theirs) != len(mine):
            return None
        # Comparator by comparator, this process's findings, then the helper's: never joined into one text
        # (26 MB at 1,000 tables), and counted in that order (keys in order of first appearance).
        in_order = [pair for pairs in zip(mine_rendered, theirs, strict=True) for pair in pairs]
        counts: Counts = Counter()
        for counted_here in (c for pair in zip(mine_counted, their_counts, strict=True) for c in pair):
            counts.update(counted_here)
        return FindingsPart.prerendered(
            sum(counts.values()),
            counts,
            joined_renderings(in_order),
            lambda: compare_schemas(schema, live, label),
            remember,
        )

    def _record_keeper(self, key: str | None, label: str) -> Callable[[int, Counts, Rendering], None] | None:
        """What keeps a conforming part of the model with cache key ``key`` as its record, once rendered: a
        thread where the caller waits for one (:attr:`writers`) and the record is large, else a write here
        and now.  Hashing and writing tens of megabytes let go of the interpreter, so a thread does it beside
        the report's own writing; a forked child (as the model's writer is) cost the fork, and a copy of
        each page this process wrote afterwards (bench/README.md, tenth session, has the measurements)."""
        cache = self.cache
        if key is None or cache is None:
            return None

        def remember(count: int, counts: Counts, rendered: Rendering) -> None:
            def write() -> None:
                cache.put_conforming(key, label, (count, tuple(counts.items()), rendered))

            writers = self.writers
            if writers is not None and rendering_size(rendered) >= BACKGROUND_RECORD_BYTES:
                writers.append(ThreadWork.start(write, name="driftgate-record-writer"))
            else:
                write()

        return remember


def load_expected(
    request: CheckRequest,
    environ: Mapping[str, str] | None = None,
    *,
    helper: ReplayHelper | None = None,
    start_helper: bool = True,
    defer_cache_writes: bool = False,
) -> Expected:
    """Read and replay the expected sources; bad input is exit 2 before any database is touched.

    ``helper``: a replay helper the caller started (and closes), kept by the :class:`Expected` while a
    baseline or the live state may still need it (:func:`live_model`); without one (and unless
    ``start_helper`` is false), one is started here for a large source, when this process may fork, and
    closed once the sources are replayed (with the cache on, it may find nothing to do: a model's key
    cannot be known before the fork).
    ``defer_cache_writes``: see :meth:`Expected.defer_cache_writes`.
    """
    loaded = helper.loaded_ahead(request) if helper is not None else None
    sources, folder = loaded if loaded is not None else load_sources(request)
    own = None
    if helper is None and start_helper and any(ReplayHelper.helps_with(source.statements) for source in sources):
        own = helper = ReplayHelper.start()  # before any cache key is computed: that opens libSQL
    ignore = replay_ignore(request)
    # Replayed before any database is contacted: bad input is exit 2 even when every database is down.
    cache = ExpectedModelCache(cache_dir(os.environ if environ is None else environ)) if request.cache else None
    expected = Expected(request, [], folder, ignore, cache, helper=helper)
    if defer_cache_writes:
        expected.defer_cache_writes()
    try:
        with collector_paused():
            expected.replayed.extend((source, expected.model_of(source)) for source in sources)
    finally:
        if helper is not None and helper is own:
            helper.close()
            expected.helper = None
        elif (
            helper is not None
            and folder is None
            and not helper.may_build_live(expected.tables)
            and not helper.awaits_share
        ):
            # The caller's, with no baseline to replay, too large a schema for the live state (live_model) and
            # no share of the comparison to come: not needed any more; reaped by the caller's own close, while
            # this process goes on.
            helper.close(reap=False)
            expected.helper = None
    return expected


def read_raw_database(request: CheckRequest, target: DatabaseTarget) -> RawLive:
    with Database(target, timeout=request.timeout) as db:
        return read_raw(db, request.ledger_table)


def live_model(expected: Expected, raw: RawLive) -> LiveState:
    """The live state.  A process that has not imported the parser builds it itself only if that needs no
    parser (every live table is one of the expected ones, say); else its helper that reads ahead, which
    imports the parser early for small sources, builds it (a legacy database checked against drizzle's
    DDL: 0.1 s of 0.55 s saved)."""
    request = expected.request
    known = expected.schemas_for(raw.ledger)  # live tables equal to theirs are not built twice
    build = functools.partial(
        live_state, raw, ignore=request.ignore_tables, ledger_table=request.ledger_table, known=known
    )
    helper = expected.helper
    if helper is not None and helper.builds_live(raw) and not parser_loaded():
        try:
            with parser_refused():
                return build()
        except ParserNotHere:
            state = helper.live(raw, known, request.ignore_tables, request.ledger_table)
            if state is not None:
                return state
    return build()


def check_live(expected: Expected, target: DatabaseTarget, live: LiveState, started: str) -> CheckResult:
    """Compare one database's live state with the expected sources (nothing is read or replayed twice)."""
    request, folder = expected.request, expected.folder
    pairs, tag, ledger = expected.compared_with(live.ledger)
    parts = [expected.compare(source, schema, live.schema) for source, schema in pairs]
    if folder is not None and tag is not None and request.drizzle:
        parts = _three_way(parts, pairs, expected, folder, tag)
    others: list[Finding] = []
    if ledger is not None:
        others.extend(ledger_findings(ledger, request.ledger_table))
    if folder is not None and ledger is not None and tag is not None:
        others.extend(rehearsal_findings(live.objects, ledger.pending_after(folder.entry(tag))))
    parts.append(FindingsPart.in_hand(others))
    if not any(p.count for p in parts):
        # Silence is never a pass: e.g. ignore_tables hid everything.
        raise InputError("nothing was compared: no table on either side (check ignore_tables and the sources)")
    accept = set(request.accept)  # a conforming part has nothing to accept: every finding is ok
    if accept:
        parts = [p if p.all_ok else FindingsPart.in_hand(apply_accept(list(p.findings), accept)) for p in parts]
    accepted = {f.key for p in parts if not p.all_ok for f in p.findings if f.accepted} if accept else set()
    unused_accept = tuple(sorted(accept - accepted))
    conforming = any(p.all_ok for p in parts)
    report = Report(
        database=target.display,
        sources=tuple(source.info for source, _ in pairs),
        findings=FindingParts(parts) if conforming else tuple(chain.from_iterable(p.findings for p in parts)),
        started_at=started,
        tool_versions=dict(_versions()),
        gate_tag=tag,
    )
    return CheckResult(report, target, folder, live, unused_accept)


def _three_way(
    parts: list[FindingsPart],
    pairs: list[tuple[ExpectedSource, Schema]],
    expected: Expected,
    folder: MigrationsFolder,
    tag: str,
) -> list[FindingsPart]:
    """Every failing finding says where its change stands (:func:`driftgate.three_way.annotate`).

    ``annotate`` rewrites failing findings only, one at a time: a part without any (a conforming one
    above all) is kept as it is, and with none at all nothing is compared or replayed for it.
    """
    if not any(f.status != "ok" for part in parts if not part.all_ok for f in part.findings):
        return parts
    from driftgate.three_way import annotate

    schemas = {source.label: schema for source, schema in pairs}
    pending = [e.tag for e in folder.entries if e.position > folder.entry(tag).position]
    # The newest entry's schema is replayed once per run too (cached like every baseline tag).
    newest = expected.baseline(folder.entries[-1].tag)[1] if pending else schemas["baseline"]
    drizzle, baseline = schemas["drizzle"], schemas["baseline"]
    return [
        part if part.all_ok else FindingsPart.in_hand(annotate(part.findings, drizzle, baseline, newest, pending))
        for part in parts
    ]


def check_database(expected: Expected, target: DatabaseTarget) -> CheckResult:
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    raw = read_raw_database(expected.request, target)
    with collector_paused():
        return check_live(expected, target, live_model(expected, raw), started)


def run_check(
    request: CheckRequest,
    environ: Mapping[str, str] | None = None,
    *,
    cache_writers: list[Child | ThreadWork] | None = None,
    helper: ReplayHelper | None = None,
) -> CheckResult:
    """One database: its read runs in a thread while the expected sources are read and replayed.

    The read is network wait (and the server's own work) while the replay is CPU: on a cold 1,000-table
    check they overlap by most of the read.  Bad input still wins: the sources' error is raised first
    (exit 2, even when the database is down), and the read, which only reads, is left to its timeout.

    The other core, where this process may fork (:mod:`driftgate.forked`): a replay helper that reads
    ahead replays a small script whole (and builds a small live state, see :func:`live_model`) or does
    about half of a large replay, and a new model is written to the cache by a child while the check
    compares.
    ``cache_writers``: that child is appended there, for the caller to wait for once its own work is
    done (the CLI writes its reports meanwhile), and so is each thread that later writes a conforming
    record (:attr:`Expected.writers`); without it, the child is waited for here, and a record is written
    by the report that renders it.  ``helper``: a replay helper the caller started earlier (the CLI's
    reads ahead, started before it imports the check), used instead of one started here, and closed here.
    """
    environ = os.environ if environ is None else environ
    target = resolve_database(request.db_url, request.config_db_url, environ)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    # The read's one outcome, or what it raised: a list and the thread's join, not concurrent.futures'
    # Future, whose import (with logging's) took 6-8 ms of every check's start.
    outcome: list[RawLive | BaseException] = []

    def read() -> None:
        try:
            outcome.append(read_raw_database(request, target))
        except BaseException as exc:  # handed to the caller, raised there as it would have been here
            outcome.append(exc)

    # Forked first: before the read's thread starts and before libSQL is first opened (driftgate.forked).
    forking = not turned_off(environ)  # DRIFTGATE_FORK=0 in the environment given, as in the process's
    if helper is not None and not forking:
        helper.close()
        helper = None
    elif helper is None and forking:
        helper = ReplayHelper.start(reading_ahead=True)  # the pytest plugin's: README command 1, 0.85x
        if helper is not None:
            helper.import_parser_for(request)
    if helper is not None:
        helper.shares_conforming = True  # kept until the check has compared (below): it may share that too
    reader = threading.Thread(target=read, name="driftgate-read", daemon=True)
    reader.start()
    writer = None
    try:
        expected = load_expected(request, environ, helper=helper, start_helper=False, defer_cache_writes=True)
        expected.writers = cache_writers if forking else None
        try:
            with collector_paused():
                reader.join()  # gone: a forked child may write the cache while this process compares
                raw = outcome[0]
                if isinstance(raw, BaseException):
                    raise raw
                live = live_model(expected, raw)  # may replay a baseline, with the helper
                if helper is not None and not helper.awaits_share:
                    helper.close(reap=False)  # reaped once the check is made (finally, below)
                writer = expected.write_cache_in_background() if forking else None
                result = check_live(expected, target, live, started)
                if helper is not None:
                    helper.close(reap=False)  # a share not taken (the database differs) is not waited for
                return result
        finally:
            expected.finish_cache_writes(writer if cache_writers is None else None)
            if writer is not None and cache_writers is not None:
                cache_writers.append(writer)
    finally:
        if helper is not None:
            helper.close()


@functools.cache
def _versions() -> dict[str, str]:
    from driftgate.versions import installed_version

    found = {"driftgate": __version__}
    for name in ("sqlglot", "libsql-client", "libsql"):
        version = installed_version(name)
        if version is not None:
            found[name] = version
    return found
