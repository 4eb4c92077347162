"""Scenarios for the replay helper, run in a fresh process by tests/test_replay_helper.py.

A helper is a forked child, and driftgate forks only in a process with no other thread: a pytest-xdist
worker has one (execnet's), so these run in a subprocess of their own.  Each scenario asserts what it
shows and prints "ok"; a failed assertion is a non-zero exit with the traceback on stderr.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from driftgate.errors import InputError
from driftgate.forked import Child, ChildLost, ThreadWork, fork_allowed, in_background
from driftgate.model import Location
from driftgate.normalize import load_parser
from driftgate.replay_helper import ReplayHelper
from driftgate.sources.statements import SqlStatement, split_sql_script

load_parser()
import driftgate.shadow as shadow  # noqa: E402  (after load_parser, as driftgate imports it)


def big_script(tables: int = 300, extra: str = "") -> list[SqlStatement]:
    """``tables`` tables, each with two indexes and a foreign key to the one before: 4 statements each."""
    parts = []
    for i in range(tables):
        parent = f" REFERENCES t{i - 1}(id) ON DELETE CASCADE" if i else ""
        parts.append(
            f"CREATE TABLE t{i} (id integer PRIMARY KEY, up integer{parent}, name text NOT NULL DEFAULT 'n{i}',"
            f" score real DEFAULT {i}.5, UNIQUE (name, up));\n"
            f"CREATE INDEX t{i}_up ON t{i} (up);\nCREATE INDEX t{i}_score ON t{i} (score DESC) WHERE score > 0;\n"
            f"CREATE UNIQUE INDEX t{i}_lower ON t{i} (lower(name));\n"
        )
    return split_sql_script("".join(parts) + extra, Location("schema.sql", 1))


# Late changes to tables of the first half, read by the helper: renames, added columns, dropped indexes,
# views and triggers (kept in one scratch database), transaction control and one unresolved statement.
CHANGES = """
BEGIN;
ALTER TABLE t3 ADD COLUMN late text DEFAULT 'x';
ALTER TABLE t5 RENAME TO t5_renamed;
ALTER TABLE t7 RENAME COLUMN name TO title;
DROP INDEX t9_up;
CREATE VIEW v_first AS SELECT id, up FROM t1 WHERE score > 1;
CREATE TRIGGER trg_t2 AFTER INSERT ON t2 BEGIN UPDATE t2 SET score = 0 WHERE id = new.id; END;
COMMIT;
"""


def replayed(statements: list[SqlStatement], helper: ReplayHelper | None) -> tuple[object, int]:
    """The model, and how many scratch databases this process replayed."""
    count = 0
    original = shadow._replay

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal count
        count += 1
        return original(*args, **kwargs)  # type: ignore[arg-type]

    shadow._replay = counting  # type: ignore[assignment]
    try:
        if helper is not None:
            helper.prepare(statements)
        return shadow.shadow_schema(statements, helper=helper), count
    finally:
        shadow._replay = original


# Statements whose failure the code ignores (SqlStatement.tolerated), read by the helper: refused ones (a
# duplicate column of a table the helper replays, t290, and of one this process replays, t3; a missing table)
# and one SQLite accepts.
TOLERATED = """
ALTER TABLE t290 ADD COLUMN name text;
ALTER TABLE t291 ADD COLUMN extra text DEFAULT 'e';
ALTER TABLE t3 ADD COLUMN name text;
ALTER TABLE nowhere ADD COLUMN x text;
"""


def replay_errors(statements: list[SqlStatement], helper: ReplayHelper) -> list[str]:
    """The error a replay of ``statements`` raises without a helper, and with ``helper``."""
    from driftgate.sources import _replay

    messages = []
    for used in (None, helper):
        try:
            _replay(statements, (), used)
        except InputError as error:
            messages.append(str(error))
    return messages


def tolerated_script() -> list[SqlStatement]:
    statements = big_script(extra=TOLERATED)
    guarded = [dataclasses.replace(s, tolerated="app.ts:1 catches its error") for s in statements[-4:]]
    return statements[:-4] + guarded


def same_model() -> None:
    unresolved = SqlStatement("CREATE TABLE ${name} (id integer)", Location("schema.ts", 9), ("name",))
    scripts = {
        "plain": big_script(),
        "changes": big_script(extra=CHANGES) + [unresolved],
        "pragma": big_script(extra="PRAGMA user_version = 7;"),  # one database: nothing to share
        "tolerated": tolerated_script(),
    }
    with ReplayHelper.start() as helper:
        assert helper is not None, "this process may fork"
        for name, statements in scripts.items():
            alone, bins = replayed(statements, None)
            helped, mine = replayed(statements, helper)
            assert helped == alone, name
            assert helped.table_keys == alone.table_keys and helped.object_keys == alone.object_keys, name
            located = [(t.location, [c.location for c in t.columns]) for t in helped.tables]
            assert located == [(t.location, [c.location for c in t.columns]) for t in alone.tables], name
            if name == "changes":
                names = {o.name for o in (*helped.tables, *helped.views, *helped.triggers)}
                assert {"t5_renamed", "v_first", "trg_t2"} <= names
            if name == "tolerated":  # a refused ALTER leaves the column where its CREATE TABLE is
                tables = {t.name: t for t in helped.tables}
                for table, column in (("t290", "name"), ("t3", "name"), ("t291", "extra")):
                    where = next(c.location for c in tables[table].columns if c.name == column)
                    added = column == "extra"
                    assert where == (statements[-3].location if added else tables[table].location), (table, where)
                assert "nowhere" not in tables
            if name == "pragma":
                assert bins == mine == 1, (bins, mine)
            else:
                assert 0 < mine < bins and mine <= bins // 2 + 1, (name, bins, mine)  # the helper replayed the rest
            assert helper.child is not None, f"{name}: the helper is still in step, ready for the next replay"
    assert_no_children()


def same_error() -> None:
    # Every helper is forked first: once this process has replayed (opened libSQL), it may fork no more.
    helpers = [ReplayHelper.start() for _ in range(2)]
    for where, helper in zip((10, 1001), helpers, strict=True):  # an index the parent reads, and one the helper reads
        assert helper is not None
        statements = big_script()
        bad = statements[where]
        assert bad.sql.startswith("CREATE INDEX")
        broken = bad.sql.replace("CREATE INDEX", "CREATE INDEX nope ON missing (x); --")
        statements[where] = SqlStatement(broken, bad.location)
        messages = []
        for used in (None, helper):
            try:
                replayed(statements, used)
            except InputError as error:
                messages.append(str(error))
        assert helper.child is None, "out of step after the error: closed"
        assert len(messages) == 2 and messages[0] == messages[1], messages
        assert "no such table: main.missing" in messages[0] and f"schema.sql:{bad.location.line}" in messages[0]
    assert_no_children()


def lost_helper() -> None:
    statements = big_script()
    helpers = [ReplayHelper.start() for _ in range(3)]  # forked first (see same_error)
    alone, _ = replayed(statements, None)
    for moment, helper in zip(("before", "reading", "replaying"), helpers, strict=True):
        assert helper is not None and helper.child is not None
        if moment == "before":
            os.kill(helper.child.pid, signal.SIGKILL)
        elif moment == "reading":
            helper.prepare(statements)
            os.kill(helper.child.pid, signal.SIGKILL)  # it dies reading its half
        else:
            receive = helper.receive

            def dies_after_reading(
                tag: str, exchange: int, helper: ReplayHelper = helper, receive: object = receive
            ) -> object:
                answer = receive(tag, exchange)  # type: ignore[operator]
                if tag == "read" and helper.child is not None:
                    os.kill(helper.child.pid, signal.SIGKILL)  # its half read, it dies before replaying
                return answer

            helper.receive = dies_after_reading  # type: ignore[method-assign]
        helped, mine = replayed(statements, helper)
        assert helped == alone, moment
        assert helper.child is None, f"{moment}: a lost helper is closed"
        if moment == "replaying":
            assert mine == replayed(statements, None)[1], "its bins were replayed here"
    assert_no_children()


def out_of_step() -> None:
    first, second = big_script(260), big_script(270)
    with ReplayHelper.start() as helper:
        assert helper is not None
        helper.prepare(first)  # prepared for one script ...
        alone, _ = replayed(second, None)
        assert shadow.shadow_schema(second, helper=helper) == alone  # ... replayed for another: not used
        helper.prepare(second)  # the first exchange never took place: the helper is closed, never asked again
        assert helper.child is None
        assert shadow.shadow_schema(second, helper=helper) == alone
    assert_no_children()


def when_forking_is_allowed() -> None:
    assert fork_allowed(tolerate_native_threads=False)
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    assert ReplayHelper.start() is None and in_background(lambda: None) is None  # another Python thread
    release.set()
    waiting.join()
    import libsql

    libsql.connect(":memory:").close()  # libSQL's runtime thread now runs in this process
    assert ReplayHelper.start() is None  # a child using libSQL would miss it
    written = os.path.join(sys.argv[2], "written")

    writer = in_background(lambda: Path(written).write_text("by the child"))
    assert writer is not None and writer.wait() and Path(written).read_text() == "by the child"
    os.environ["DRIFTGATE_FORK"] = "0"
    assert in_background(lambda: None) is None and not fork_allowed(tolerate_native_threads=True)
    assert_no_children()


def turned_off_in_the_environ_given() -> None:
    """run_check's own environment mapping turns forking off as the process's does: no helper, no writer."""
    from driftgate.report.json_report import report_bytes

    given = ReplayHelper.start(reading_ahead=True)  # the CLI's, say: closed, not used
    assert given is not None
    result, bins, writers, _request, _environ = check_big_project(given, DRIFTGATE_FORK="0")
    assert given.child is None
    work = Path(sys.argv[2])
    report_bytes(result.report)  # renders the conforming part: its record is written here and now
    assert result.report.gate_pass and bins == [(bins[0][0], False)], bins  # replayed without a helper
    assert writers == [] and len(list((work / "cache").glob("expected-*.pickle"))) == 2  # model and record
    assert_no_children()


def failing_child() -> None:
    def fails(channel: object) -> None:
        raise RuntimeError("the child fails")

    def hangs(channel: object) -> None:
        threading.Event().wait()

    for work in (fails, hangs):
        child = Child.start(work, tolerate_native_threads=True)
        assert child is not None
        try:
            child.receive(timeout=0.5)
        except ChildLost:
            pass
        else:
            raise AssertionError("a failed or hung child sends nothing")
        assert child.wait(timeout=0.5) is False  # a hung one is killed once the time is up
    assert_no_children()


def threshold() -> None:
    """A script one statement short of the helper's size is replayed alone; at the size, with it."""
    from driftgate.replay_helper import HELPER_STATEMENTS

    script = big_script(HELPER_STATEMENTS // 4)
    assert len(script) == HELPER_STATEMENTS
    helpers = [ReplayHelper.start() for _ in range(2)]
    for statements, helper in zip((script[:-1], script), helpers, strict=True):
        assert helper is not None
        alone, bins = replayed(statements, None)
        helped, mine = replayed(statements, helper)
        assert helped == alone
        assert (mine < bins) == (len(statements) == HELPER_STATEMENTS), (len(statements), bins, mine)
        helper.close()
    assert_no_children()


def small_replayed_whole() -> None:
    """A helper that reads ahead replays a script too small to share whole: the same model, errors replayed
    here (so they read as ever), and it stays in step; a larger script is shared as before, and a helper
    that does not read ahead never replays whole."""
    from driftgate.replay_helper import HELPER_READS, HELPER_STATEMENTS
    from driftgate.sources import _replay

    unresolved = SqlStatement("CREATE TABLE ${name} (id integer)", Location("schema.ts", 9), ("name",))
    small = big_script(10, extra=CHANGES) + [unresolved]
    bad = big_script(10)
    bad[6] = SqlStatement(bad[6].sql.replace("CREATE INDEX", "CREATE INDEX nope ON missing (x); --"), bad[6].location)
    # Every helper is forked first (see same_error).
    ahead, plain, shared, lost = (ReplayHelper.start(reading_ahead=True) for _ in range(4))
    assert ahead is not None and plain is not None and shared is not None and lost is not None
    alone = shadow.shadow_schema(small, ignore=("t9",))
    assert lost.child is not None
    os.kill(lost.child.pid, signal.SIGKILL)  # dead before it is asked: the replay is done here
    assert _replay(small, ("t9",), lost) == alone and lost.child is None
    plain.reading_ahead = False  # forked reading ahead, but asked as a helper that does not
    whole = ahead.model(small, ("t9",))
    assert whole is not None and whole == alone and "t9" not in {t.name for t in whole.tables}
    assert whole.table_keys == alone.table_keys and whole.object_keys == alone.object_keys
    assert [(t.location, [c.location for c in t.columns]) for t in whole.tables] == [
        (t.location, [c.location for c in t.columns]) for t in alone.tables
    ]
    assert whole.not_compared == alone.not_compared and whole.items_not_compared == alone.items_not_compared
    messages = replay_errors(bad, ahead)
    assert len(messages) == 2 and messages[0] == messages[1] and "no such table: main.missing" in messages[0]
    assert ahead.child is not None and ahead.model(small, ("t9",)) == alone, "still in step after an error"
    assert plain.model(small, ()) is None and plain.child is not None, "not reading ahead: replayed here"
    large = big_script(HELPER_STATEMENTS // 4)
    assert shared.model(large, ()) is None and shared.child is not None, "large enough to share"
    # Both read their share, the last HELPER_READS of the statements, whether they read ahead or not.
    assert shared.split(large) == plain.split(large) == len(large) - int(len(large) * HELPER_READS) < len(large)
    bins = count_shared_replays()
    assert _replay(large, (), shared) == replayed(large, None)[0] and bins[0][1], bins
    for helper in (ahead, plain, shared):
        helper.close()
    assert_no_children()


def replayed_ahead() -> None:
    """The CLI's replay begun ahead (ReplayHelper.replay_ahead): the model asked for later is the one the
    helper replayed then, not asked again; an answer never asked for (the model was in the cache) is taken
    before the next exchange, which stays in step; a script that fails there is replayed here, for its error;
    a script large enough to share, or a helper that does not read ahead, begins nothing; a helper lost after
    it began answers None (replayed here).  The sources kept are given back for the very request only."""
    from driftgate.replay_helper import HELPER_STATEMENTS
    from driftgate.request import CheckRequest
    from driftgate.sources import _replay

    small, other = big_script(10, extra=CHANGES), big_script(6)
    bad = big_script(10)
    bad[6] = SqlStatement(bad[6].sql.replace("CREATE INDEX", "CREATE INDEX nope ON missing (x); --"), bad[6].location)
    helpers = [ReplayHelper.start(reading_ahead=True) for _ in range(5)]  # forked first (see same_error)
    taken, unasked, failing, lost, plain = helpers
    assert taken is not None and unasked is not None and failing is not None and lost is not None
    assert plain is not None
    plain.reading_ahead = False
    alone, alone_other = shadow.shadow_schema(small, ignore=("t9",)), shadow.shadow_schema(other)
    sent: list[tuple[Any, ...]] = []
    for helper in helpers:
        original = helper.send

        def recording(message: tuple[Any, ...], original: Any = original) -> bool:
            sent.append(message[:2])
            return original(message)

        helper.send = recording  # type: ignore[method-assign]

    taken.replay_ahead(small, ("t9",))
    assert [kind for kind, _ in sent] == ["model"]
    whole = taken.model(small, ("t9",))
    assert whole is not None and whole == alone and whole.table_keys == alone.table_keys
    assert [(t.location, [c.location for c in t.columns]) for t in whole.tables] == [
        (t.location, [c.location for c in t.columns]) for t in alone.tables
    ]
    assert len(sent) == 1, "taken, not replayed again"
    assert taken.model(small, ("t9",)) == alone and len(sent) == 2, "asked again: a new exchange"
    assert taken.model(small, ()) is not None and len(sent) == 3, "other names ignored: not the one begun"

    sent.clear()
    unasked.replay_ahead(small, ("t9",))
    assert unasked.model(other, ()) == alone_other and [k for k, _ in sent] == ["model", "model"], "in step"
    assert unasked.child is not None and unasked.model(small, ("t9",)) == alone and len(sent) == 2, "kept"

    failing.replay_ahead(bad, ())
    assert failing.model(bad, ()) is None and failing.child is not None, "failed there: replayed here"
    messages = replay_errors(bad, failing)
    assert len(messages) == 2 and messages[0] == messages[1] and "no such table: main.missing" in messages[0]

    lost.replay_ahead(small, ("t9",))
    assert lost.child is not None
    os.kill(lost.child.pid, signal.SIGKILL)
    assert lost.model(small, ("t9",)) is None and lost.child is None
    assert _replay(small, ("t9",), lost) == alone

    sent.clear()
    plain.replay_ahead(small, ())
    taken.replay_ahead(big_script(HELPER_STATEMENTS // 4), ())
    assert sent == [], "not reading ahead, or large enough to share: nothing begun"

    request = CheckRequest(sql=(Path("schema.sql"),))
    loaded: Any = ([], None)
    taken.keep_loaded(request, loaded)
    assert taken.loaded_ahead(request) is loaded
    assert taken.loaded_ahead(dataclasses.replace(request)) is None, "an equal request is not this one"
    for helper in helpers:
        helper.close()
    assert_no_children()


def killed_now_reaped_later() -> None:
    """close(reap=False) ends a helper at once and leaves it to the next close to reap (this process goes on
    meanwhile); run_check, given the CLI's helper, ends it once the model is in hand and reaps it before
    returning, conforming or failing."""
    from driftgate.check import CheckRequest, run_check
    from driftgate.report.json_report import report_bytes

    helper = ReplayHelper.start(reading_ahead=True)
    assert helper is not None and helper.child is not None
    pid = helper.child.pid
    helper.close(reap=False)
    assert helper.child is None and Path(f"/proc/{pid}").exists(), "killed, not yet reaped"
    helper.close(reap=False)  # closing again reaps nothing and waits for nothing
    helper.close()
    assert not Path(f"/proc/{pid}").exists()
    assert_no_children()
    # The CLI's, say: a small script is replayed there whole.  Both forked first (see same_error).
    given, failing = ReplayHelper.start(reading_ahead=True), ReplayHelper.start(reading_ahead=True)
    assert given is not None and given.child is not None and failing is not None
    pid = given.child.pid
    result, bins, writers, request, environ = check_big_project(given, tables=40)
    assert given.child is None and bins == [] and writers == [] and result.report.gate_pass
    assert not Path(f"/proc/{pid}").exists(), "reaped before run_check returned"
    alone = run_check(CheckRequest(db_url=request.db_url, sql=request.sql, cache=False), {"DRIFTGATE_FORK": "0"})
    strip = re.compile(rb'"started_at": "[^"]*"')
    assert strip.sub(b"", report_bytes(result.report)) == strip.sub(b"", report_bytes(alone.report))
    bad = Path(sys.argv[2]) / "bad.sql"
    bad.write_text("CREATE INDEX nope ON missing (x);\n", encoding="utf-8")
    try:
        run_check(CheckRequest(db_url=request.db_url, sql=(bad,)), environ, helper=failing)
    except InputError as error:
        assert "no such table: main.missing" in str(error), str(error)
    else:
        raise AssertionError("bad SQL must fail")
    assert failing.child is None
    assert_no_children()


def meanwhile_work() -> None:
    """Work given to meanwhile() is done at the next wait for an answer, in order, a failing one dropped, the
    exchange unharmed; work still pending when the helper is closed is never done.  (The parser, which a
    helper that reads ahead imports on a thread, is imported here already: test_table_reuse's cold check of
    a schema that needs it, with the CLI's helper, covers that thread.)"""
    helper = ReplayHelper.start(reading_ahead=True)
    assert helper is not None
    done: list[int] = []
    helper.meanwhile(lambda: done.append(1))
    helper.meanwhile(lambda: 1 / 0)
    helper.meanwhile(lambda: done.append(2))
    assert done == []
    needs_parser = [
        SqlStatement("CREATE TABLE d (a integer DEFAULT (unixepoch()), b text CHECK (b <> ''));", Location("d.sql", 1)),
        SqlStatement("CREATE INDEX d_b ON d (lower(b)) WHERE a > 0;", Location("d.sql", 2)),
    ]
    whole = helper.model(needs_parser, ())
    assert done == [1, 2] and whole is not None and whole == shadow.shadow_schema(needs_parser)
    (table,) = whole.tables
    assert table.checks and table.columns[0].default == "UNIXEPOCH()", table
    helper.meanwhile(lambda: done.append(3))
    helper.close()
    assert done == [1, 2]
    assert_no_children()


def live_built_there() -> None:
    """A helper that reads ahead builds a live state equal to this process's, for a small schema only; a
    helper lost before it is asked answers None and is closed (the caller builds it)."""
    from conftest import build_file_db
    from driftgate.connection import Database
    from driftgate.live import live_state, read_raw
    from driftgate.replay_helper import LIVE_TABLES
    from driftgate.urls import resolve_database

    work = Path(sys.argv[2])
    small, large = big_script(12), big_script(LIVE_TABLES + 1)
    helpers = [ReplayHelper.start(reading_ahead=True) for _ in range(3)]  # forked first (see same_error)
    there, lost, plain = helpers
    assert there is not None and lost is not None and plain is not None
    plain.reading_ahead = False

    def raw_of(statements: list[SqlStatement], name: str) -> Any:
        respelled = "\n".join(s.sql.replace("CREATE TABLE ", "create  table ") for s in statements)
        target = resolve_database(str(build_file_db(work / name, respelled)), None, {})
        with Database(target) as db:
            return read_raw(db)

    known = (shadow.shadow_schema(small),)
    raw = raw_of(small, "small.db")
    here = live_state(raw, known=known, ignore=("t9",))
    state = there.live(raw, known, ("t9",), "__drizzle_migrations")
    assert state is not None and state == here and state.schema.table_keys == here.schema.table_keys
    assert "t9" not in {t.name for t in state.schema.tables} and there.child is not None, "in step"
    assert there.live(raw_of(large, "large.db"), (), (), "__drizzle_migrations") is None  # built here
    assert plain.live(raw, known, (), "__drizzle_migrations") is None, "not reading ahead"
    assert lost.child is not None
    os.kill(lost.child.pid, signal.SIGKILL)
    assert lost.live(raw, known, (), "__drizzle_migrations") is None and lost.child is None
    for helper in helpers:
        helper.close()
    assert_no_children()


def check_big_project(
    helper: ReplayHelper | None = None, tables: int = 300, extra: str = "", **environ: str
) -> tuple[Any, list[tuple[int, bool]], list[Any], Any, dict[str, str]]:
    """run_check, as the CLI calls it, on big_script() in a project in argv[2], against a file database built
    from it: the result, the replays counted (count_shared_replays), the children it left to wait for, the
    request and the environment (a cache in the project, and ``environ``)."""
    from conftest import build_file_db
    from driftgate.check import CheckRequest, run_check

    work = Path(sys.argv[2])
    schema = "\n".join(s.sql for s in big_script(tables, extra))
    (work / "schema.sql").write_text(schema, encoding="utf-8")
    db = build_file_db(work / "live.db", schema)
    bins = count_shared_replays()
    writers: list[Any] = []
    request = CheckRequest(db_url=str(db), sql=(work / "schema.sql",))
    environ = {"DRIFTGATE_CACHE_DIR": str(work / "cache"), **environ}
    return run_check(request, environ, cache_writers=writers, helper=helper), bins, writers, request, environ


def check_uses_both_cores() -> None:
    """run_check, as the CLI calls it: the helper replays part of the schema, a child writes the model to
    the cache, and a thread its conforming record."""
    from driftgate.check import BACKGROUND_RECORD_BYTES, run_check
    from driftgate.report.json_report import report_bytes

    result, bins, writers, request, environ = check_big_project()
    work = Path(sys.argv[2])
    assert result.report.gate_pass
    assert bins == [(bins[0][0], True)] and bins[0][0] > 1, bins  # one replay, shared with the helper
    assert len(writers) == 1 and isinstance(writers[0], Child) and writers[0].wait(), "a child wrote the model"
    assert len(list((work / "cache").glob("expected-*.pickle"))) == 1
    rendered = report_bytes(result.report)  # the JSON report renders the conforming part: its record is kept
    assert len(rendered) > BACKGROUND_RECORD_BYTES, "large enough to be written on a thread"
    assert len(writers) == 2 and isinstance(writers[1], ThreadWork), "a thread writes the conforming record"
    assert writers[1].wait() and threading.active_count() == 1, "and is gone once waited for"
    assert len(list((work / "cache").glob("expected-*-conforming.pickle"))) == 1
    assert_no_children()
    again = run_check(request, environ)  # waits itself
    assert again.report.findings == result.report.findings and len(bins) == 1  # from the cache
    strip = re.compile(rb'"started_at": "[^"]*"')
    assert strip.sub(b"", report_bytes(again.report)) == strip.sub(b"", rendered)  # as rendered from the record
    assert_no_children()


def small_model_written_here() -> None:
    """A small new model (BACKGROUND_MODEL_TABLES) is written by run_check itself, not by a forked child:
    pickling it costs less than the fork.  Its conforming record too (BACKGROUND_RECORD_BYTES), not on a
    thread."""
    from driftgate.check import BACKGROUND_MODEL_TABLES
    from driftgate.report.json_report import report_bytes

    result, _bins, writers, _request, _environ = check_big_project(tables=BACKGROUND_MODEL_TABLES - 1)
    work = Path(sys.argv[2])
    assert result.report.gate_pass and writers == [], writers
    assert len(list((work / "cache").glob("expected-*.pickle"))) == 1, "written by the time run_check returned"
    report_bytes(result.report)
    assert writers == [] and len(list((work / "cache").glob("expected-*.pickle"))) == 2  # and the record
    assert_no_children()


def baseline_uses_the_helper() -> None:
    """A large migrations baseline, replayed after the read (its tag follows the ledger), shares its replay
    with the helper kept for it, and reports what one core reports."""
    import json

    from conftest import build_file_db
    from driftgate.check import CheckRequest, run_check
    from driftgate.report.json_report import report_bytes

    work = Path(sys.argv[2])
    statements = big_script()
    folder = work / "migrations"
    (folder / "meta").mkdir(parents=True)
    (folder / "0000_big.sql").write_text("\n--> statement-breakpoint\n".join(s.sql for s in statements))
    entry = {"idx": 0, "version": "6", "when": 1795700417628, "tag": "0000_big", "breakpoints": True}
    journal = {"version": "7", "dialect": "sqlite", "entries": [entry]}
    (folder / "meta" / "_journal.json").write_text(json.dumps(journal))
    db = build_file_db(work / "live.db", "\n".join(s.sql for s in statements))
    bins = count_shared_replays()
    request = CheckRequest(db_url=str(db), migrations=folder, cache=False)
    helped = run_check(request, {})
    assert bins and bins[0][1] and bins[0][0] > 1, bins
    assert helped.report.gate_pass and helped.report.gate_tag == "0000_big"
    os.environ["DRIFTGATE_FORK"] = "0"
    alone = run_check(request, {})
    assert bins[-1][1] is False
    strip = re.compile(rb'"started_at": "[^"]*"')
    assert strip.sub(b"", report_bytes(helped.report)) == strip.sub(b"", report_bytes(alone.report))
    assert_no_children()


def check_errors_leave_no_children() -> None:
    """run_check failing (bad SQL, a database that cannot be reached) leaves no process behind."""

    from driftgate.check import CheckRequest, run_check
    from driftgate.errors import DriftgateError

    work = Path(sys.argv[2])
    statements = big_script()
    good = "\n".join(s.sql for s in statements)
    (work / "bad.sql").write_text(good + "\nCREATE INDEX nope ON missing (x);\n", encoding="utf-8")
    (work / "good.sql").write_text(good, encoding="utf-8")
    environ = {"DRIFTGATE_CACHE_DIR": str(work / "cache")}
    nobody = "http://127.0.0.1:9"  # the discard port: refused at once
    for sql in ("bad.sql", "good.sql"):
        try:
            run_check(CheckRequest(db_url=nobody, sql=(work / sql,), timeout=5), environ)
        except DriftgateError as error:
            assert ("no such table: main.missing" in str(error)) == (sql == "bad.sql"), str(error)
        else:
            raise AssertionError("the check should have failed")
        assert_no_children()
    assert len(list((work / "cache").glob("expected-*.pickle"))) == 1, "the good model was still written"


def _one_core_report(request: Any, environ: dict[str, str]) -> bytes:
    """The JSON report of ``request`` checked on one core, with no cache, started_at left out."""
    from driftgate.check import run_check
    from driftgate.report.json_report import report_bytes

    os.environ["DRIFTGATE_FORK"] = "0"
    try:
        alone = run_check(dataclasses.replace(request, cache=False), environ)
    finally:
        del os.environ["DRIFTGATE_FORK"]
    return _STARTED.sub(b"", report_bytes(alone.report))


_STARTED = re.compile(rb'"started_at": "[^"]*"')


def _shares_taken() -> list[Any]:
    """A list that gets what every ReplayHelper.take_share returns from now on."""
    taken: list[Any] = []
    original = ReplayHelper.take_share

    def recording(self: ReplayHelper, model: Any, label: str) -> Any:
        answer = original(self, model, label)
        taken.append(answer)
        return answer

    ReplayHelper.take_share = recording  # type: ignore[method-assign]
    return taken


def conforming_share() -> None:
    """A large conforming check has the helper compare and render the last tables (its share), and reports
    byte for byte what one core reports."""
    from driftgate.report.json_report import report_bytes

    taken = _shares_taken()
    # Last by name, so in the helper's share: names and a default that the JSON report must escape.
    hostile = 'CREATE TABLE "zz \u202eevil\u202c" ("c \x7f" text DEFAULT \'caf\u00e9 \x1b[31m\', n integer);\n'
    result, bins, writers, request, environ = check_big_project(extra=hostile)
    for writer in writers:
        writer.wait()
    assert result.report.gate_pass and bins[0][1], bins
    assert len(taken) == 1 and taken[0] is not None, "the helper's share was taken"
    assert b"\\u202e" in b"".join(taken[0][1]), "the hostile table is in the helper's share, escaped"
    assert all(isinstance(piece, memoryview) for piece in taken[0][1]), "read where the helper put them"
    keys, renderings, counts = taken[0]
    assert 0 < len(keys) < 300 and len(renderings) == len(counts) == 10, len(keys)
    assert _STARTED.sub(b"", report_bytes(result.report)) == _one_core_report(request, environ)
    assert_no_children()


def conforming_share_through_the_pipe() -> None:
    """Without memory shared with the helper (none could be mapped), its share comes through the pipe."""
    from driftgate import replay_helper
    from driftgate.report.json_report import report_bytes

    replay_helper.SHARED_BYTES = 0
    taken = _shares_taken()
    result, bins, writers, request, environ = check_big_project()
    for writer in writers:
        writer.wait()
    assert result.report.gate_pass and bins[0][1] and len(taken) == 1 and taken[0] is not None, (bins, taken)
    assert all(isinstance(piece, bytes) for piece in taken[0][1])
    assert _STARTED.sub(b"", report_bytes(result.report)) == _one_core_report(request, environ)
    assert_no_children()


def _broken_share(kind: str) -> None:
    """A helper whose share fails, is lost, or is not of the model's last tables: those are compared here,
    and the report is one core's."""
    from driftgate.report.json_report import report_bytes

    original = shadow._conforming_share

    def share(*args: Any) -> Any:
        if kind == "fails":
            raise RuntimeError("a bug in the helper's share")
        if kind == "lost":
            os._exit(3)
        answer = original(*args)
        return (answer[0][1:], *answer[1:])  # keys that are not the model's last tables'

    shadow._conforming_share = share  # type: ignore[assignment]
    taken = _shares_taken()
    result, bins, writers, request, environ = check_big_project()
    for writer in writers:
        writer.wait()
    assert result.report.gate_pass and bins[0][1] and len(taken) == 1, (bins, taken)
    assert (taken[0] is None) == (kind != "other_tables"), taken
    assert _STARTED.sub(b"", report_bytes(result.report)) == _one_core_report(request, environ)
    assert_no_children()


def conforming_share_fails() -> None:
    _broken_share("fails")


def conforming_share_lost() -> None:
    _broken_share("lost")


def conforming_share_of_other_tables() -> None:
    _broken_share("other_tables")


def conforming_share_not_taken() -> None:
    """A database that differs from the model: the helper's share is never waited for, nothing is left
    behind, and the report is one core's."""
    from conftest import build_file_db
    from driftgate.check import CheckRequest, run_check
    from driftgate.report.json_report import report_bytes

    work = Path(sys.argv[2])
    taken = _shares_taken()
    schema = "\n".join(s.sql for s in big_script())
    (work / "schema.sql").write_text(schema, encoding="utf-8")
    differs = build_file_db(work / "differs.db", schema.replace("score real DEFAULT 7.5", "score integer"))
    request = CheckRequest(db_url=str(differs), sql=(work / "schema.sql",))
    environ = {"DRIFTGATE_CACHE_DIR": str(work / "cache")}
    bins = count_shared_replays()
    result = run_check(request, environ)
    assert bins[0][1] and not result.report.gate_pass and taken == [], (bins, taken)
    assert _STARTED.sub(b"", report_bytes(result.report)) == _one_core_report(request, environ)
    assert_no_children()


def conforming_share_then_baseline() -> None:
    """A baseline replayed after a shared source (its tag follows the ledger) first takes the source's share
    off the helper, whose answer would otherwise be read as the baseline's; the baseline's own share is then
    taken, and the report is one core's.  (The source's is not: the live tables are taken from the baseline's
    model, whose locations are the migration's, so the live schema equals the baseline alone.)"""
    import json

    from conftest import build_file_db
    from driftgate.check import CheckRequest, run_check
    from driftgate.report.json_report import report_bytes

    work = Path(sys.argv[2])
    taken = _shares_taken()
    schema = "\n".join(s.sql for s in big_script())
    (work / "schema.sql").write_text(schema, encoding="utf-8")
    folder = work / "migrations"
    (folder / "meta").mkdir(parents=True)
    (folder / "0000_big.sql").write_text("\n--> statement-breakpoint\n".join(s.sql for s in big_script()))
    entry = {"idx": 0, "version": "6", "when": 1795700417628, "tag": "0000_big", "breakpoints": True}
    (folder / "meta" / "_journal.json").write_text(
        json.dumps({"version": "7", "dialect": "sqlite", "entries": [entry]})
    )
    db = build_file_db(work / "live.db", schema)
    request = CheckRequest(db_url=str(db), sql=(work / "schema.sql",), migrations=folder)
    environ = {"DRIFTGATE_CACHE_DIR": str(work / "cache")}
    bins = count_shared_replays()
    result = run_check(request, environ)
    assert [helped for _count, helped in bins] == [True, True], bins  # the source's replay, then the baseline's
    assert [answer is not None for answer in taken] == [True], [None if a is None else len(a[0]) for a in taken]
    assert result.report.gate_pass
    assert _STARTED.sub(b"", report_bytes(result.report)) == _one_core_report(request, environ)
    assert_no_children()


def count_shared_replays() -> list[tuple[int, bool]]:
    """A list that gets, for every replay split into scratch databases from now on, (how many there are,
    whether a helper took part)."""
    bins: list[tuple[int, bool]] = []
    original = shadow._replay_bins

    def counting(runnable, all_bins, helper, exchange, *rest):  # type: ignore[no-untyped-def]
        bins.append((len(all_bins), helper is not None))
        return original(runnable, all_bins, helper, exchange, *rest)

    shadow._replay_bins = counting  # type: ignore[assignment]
    return bins


def assert_no_children() -> None:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return
    raise AssertionError("a child process was left behind")


if __name__ == "__main__":
    globals()[sys.argv[1]]()
    print("ok")
