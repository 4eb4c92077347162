"""The replay helper and the background cache writer (driftgate.forked): the second core changes nothing
but the time.

A helper is a forked child, and driftgate forks only in a process with no other thread; a pytest-xdist
worker has one, so the in-process scenarios run in a fresh interpreter (tests/replay_probe.py), and the
end-to-end ones through the real CLI, where a large cold check really uses both.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli import driftgate as run_driftgate
from conftest import build_file_db
from driftgate.forked import fork_allowed
from driftgate.sources.statements import SqlStatement

PROBE = Path(__file__).with_name("replay_probe.py")


@pytest.mark.parametrize(
    "scenario",
    [
        "same_model",  # plain tables, late ALTERs/views/triggers/unresolved, a PRAGMA (one database), tolerated ALTERs
        "same_error",  # a failing statement in either half: the error reads as without a helper
        "lost_helper",  # a helper killed before or while it reads: the replay does its part
        "out_of_step",  # prepared for one script, asked for another: never mixed up
        "when_forking_is_allowed",  # not beside another thread, not for libSQL after it ran, DRIFTGATE_FORK=0
        "turned_off_in_the_environ_given",  # run_check's environ mapping, as the process environment
        "failing_child",  # a child that fails or hangs: the parent stops waiting for it
        "threshold",  # from HELPER_STATEMENTS statements on, not before
        "small_replayed_whole",  # the CLI's helper, which reads ahead: a small script replayed there whole
        "replayed_ahead",  # the CLI begins that replay as soon as the request is known
        "check_uses_both_cores",  # run_check as the CLI calls it
        "small_model_written_here",  # below BACKGROUND_MODEL_TABLES, no child writes the model
        "baseline_uses_the_helper",  # a migrations baseline, replayed after the read
        "check_errors_leave_no_children",
        "killed_now_reaped_later",  # close(reap=False): the helper goes while this process goes on
        "live_built_there",  # the live state of a small schema, built by a helper that reads ahead
        "meanwhile_work",  # work done while this process waits for the helper; the parser on its thread
        "conforming_share",  # the helper compares and renders the last tables of a conforming database
        "conforming_share_through_the_pipe",  # no shared memory: the renderings come through the pipe
        "conforming_share_fails",  # a share that fails, is lost or is of other tables: compared here
        "conforming_share_lost",
        "conforming_share_of_other_tables",
        "conforming_share_not_taken",  # a database that differs: the share is not waited for
        "conforming_share_then_baseline",  # a baseline replayed after a shared source takes the source's share
    ],
)
def test_replay_helper_scenario(scenario: str, tmp_path: Path) -> None:
    # The machines this suite runs on fork (Linux, 2 cores): a machine that cannot fails here, plainly.
    assert fork_allowed(tolerate_native_threads=True) or os.environ.get("DRIFTGATE_FORK") == "0", (
        "driftgate forks a helper only on Linux with two or more cores"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DRIFTGATE_FORK"}
    done = subprocess.run(
        [sys.executable, str(PROBE), scenario, str(tmp_path)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROBE.parent,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def _large_schema(tables: int = 300) -> str:
    sys.path.insert(0, str(PROBE.parent))
    from replay_probe import big_script

    statements: list[SqlStatement] = big_script(tables)
    return "\n".join(statement.sql for statement in statements) + "\n"


def _report(tmp_path: Path, out: str, *args: str | Path, env: dict[str, str]) -> tuple[int, str]:
    path = tmp_path / f"{out}.json"
    run = run_driftgate("check", *args, "--json", path, cwd=tmp_path, env=env, timeout=300)
    assert run.code in (0, 1), run.err
    return run.code, re.sub(r'"started_at": "[^"]*"', "", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("drifted", [False, True])
@pytest.mark.parametrize("tables", [40, 300])  # replayed whole by the CLI's helper; shared with it
def test_a_cold_check_on_two_cores_reports_what_one_core_does(tmp_path: Path, tables: int, drifted: bool) -> None:
    schema = _large_schema(tables)
    (tmp_path / "schema.sql").write_text(schema, encoding="utf-8")
    live = schema.replace("score real DEFAULT 7.5", "score integer DEFAULT 7.5") if drifted else schema
    assert live != schema or not drifted
    db = build_file_db(tmp_path / "live.db", live)
    args = ("--db", db, "--sql", tmp_path / "schema.sql")
    cache = tmp_path / "cache"
    one_core = _report(tmp_path, "one", *args, "--no-cache", env={"DRIFTGATE_FORK": "0"})
    cold = _report(tmp_path, "cold", *args, env={"DRIFTGATE_CACHE_DIR": str(cache)})
    models = [p for p in cache.glob("expected-*.pickle") if not p.name.endswith("-conforming.pickle")]
    assert len(models) == 1, "the background writer finished before the command did"
    # A conforming check keeps its JSON report's rendering beside the model, also from a child.
    assert len(list(cache.glob("expected-*-conforming.pickle"))) == (0 if drifted else 1)
    warm = _report(tmp_path, "warm", *args, env={"DRIFTGATE_CACHE_DIR": str(cache)})
    assert cold == warm == one_core
    assert cold[0] == (1 if drifted else 0)
    if drifted:
        assert '"object": "t7.score"' in cold[1] and '"status": "different"' in cold[1]


def test_thread_work_is_waited_for_and_a_failure_is_dropped(capfd: pytest.CaptureFixture[str]) -> None:
    """The conforming record's writer (driftgate.forked.ThreadWork): done by the time wait() returns, and a
    failing work leaves nothing written and prints nothing (no traceback), as a failing child does."""
    import threading

    from driftgate.forked import ThreadWork

    done: list[str] = []
    release = threading.Event()

    def work() -> None:
        release.wait(5)
        done.append("written")

    def failing() -> None:
        raise OSError("disk full")

    writer = ThreadWork.start(work, name="driftgate-test-writer")
    assert done == [] and not writer.wait(0.01), "still working: wait gave up and said so"
    release.set()
    assert writer.wait() and done == ["written"]
    assert ThreadWork.start(failing, name="driftgate-test-failing").wait()
    assert capfd.readouterr() == ("", "")


# Run in a fresh interpreter that has not imported sqlglot (a helper is forked from it): the helper told
# of small sources imports the parser, as the CLI's does before a small replay it does whole; one told of
# sources that make a shared replay does that replay without it, and one told nothing imports nothing.
# sqlglot's compiled modules (from sqlglotc, a dependency) show in the child's memory map once it is imported.
_PARSER_AHEAD_PROBE = """
import sys, time
from pathlib import Path
from driftgate.check import CheckRequest
from driftgate.replay_helper import SHARED_SOURCE_BYTES, ReplayHelper
from driftgate.shadow import shadow_schema
from driftgate.sources import sql_source

work = Path(sys.argv[1])
small, large = work / "small.sql", work / "large.sql"
small.write_text("CREATE TABLE s (a text DEFAULT (lower('A')), b integer CHECK (b > 0));\\n")
large.write_text("".join(
    f"CREATE TABLE t{i} (id integer PRIMARY KEY, name text NOT NULL DEFAULT 'n{i}', score real, at integer, "
    "note text);\\n"
    for i in range(1200)
))
assert large.stat().st_size >= SHARED_SOURCE_BYTES > small.stat().st_size

def parser_in(helper):
    return "/sqlglot/" in Path(f"/proc/{helper.child.pid}/maps").read_text()

told_small, told_large, untold = (ReplayHelper.start(reading_ahead=True) for _ in range(3))
told_small.import_parser_for(CheckRequest(sql=(small,)))
told_large.import_parser_for(CheckRequest(sql=(large,)))
big = sql_source([large]).statements
told_large.prepare(big)
shared = shadow_schema(big, helper=told_large)
deadline = time.monotonic() + 60
while not parser_in(told_small) and time.monotonic() < deadline:
    time.sleep(0.05)
assert parser_in(told_small), "told of small sources, the helper imports the parser"
assert not parser_in(told_large), "a shared replay needs no parser in the helper"
assert not parser_in(untold), "told nothing, it imports nothing"
assert len(shared.tables) == 1200 and shared == shadow_schema(big)
statements = sql_source([small]).statements
assert told_small.model(statements, ()) == shadow_schema(statements)
for helper in (told_small, told_large, untold):
    helper.close()
print("ok")
"""


def test_the_helper_imports_the_parser_only_for_small_sources(tmp_path: Path) -> None:
    assert fork_allowed(tolerate_native_threads=True), "driftgate forks a helper only on Linux with two or more cores"
    environ = {k: v for k, v in os.environ.items() if k != "DRIFTGATE_FORK"}
    done = subprocess.run(
        [sys.executable, "-c", _PARSER_AHEAD_PROBE, str(tmp_path)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def test_sources_are_sized_before_they_are_read(tmp_path: Path) -> None:
    from driftgate.check import CheckRequest
    from driftgate.replay_helper import SHARED_SOURCE_BYTES, _small_sources

    small, large = tmp_path / "small.sql", tmp_path / "large.sql"
    small.write_text("CREATE TABLE t (a);\n")
    large.write_bytes(b"-" * SHARED_SOURCE_BYTES)
    folder = tmp_path / "drizzle"
    (folder / "meta").mkdir(parents=True)
    for number in range(4):  # a migrations folder: its SQL files add up
        (folder / f"000{number}_step.sql").write_bytes(b"-" * (SHARED_SOURCE_BYTES // 4))
    assert _small_sources(CheckRequest(sql=(small,)))
    assert not _small_sources(CheckRequest(sql=(large,)))
    assert not _small_sources(CheckRequest(sql=(tmp_path,)))  # a folder of SQL files: all of them
    assert not _small_sources(CheckRequest(migrations=folder))
    assert not _small_sources(CheckRequest(migrations=folder, tag="0000_step"))  # sized, not read
    assert _small_sources(CheckRequest(sql=(tmp_path / "missing.sql",)))  # its error comes from reading it
    # Legacy code and a Drizzle schema are small whatever their size (DDL among code; drizzle-kit's export)
    assert _small_sources(CheckRequest(legacy=(large,)))
    assert _small_sources(CheckRequest(drizzle=(large,), sql=(large,)))


def test_shared_bytes_are_read_where_they_were_put_and_nowhere_else() -> None:
    from driftgate.forked import SharedBytes

    shared = SharedBytes(16)
    first, second = shared.put(b"0123456789"), shared.put(b"abcdef")
    assert (first, second) == ((0, 10), (10, 6))  # each string its own space
    assert shared.put(b"x") is None  # full: the caller sends it another way
    assert bytes(shared.view(first)) == b"0123456789" and bytes(shared.view(second)) == b"abcdef"
    for spot in ((-1, 2), (10, 7), (0, -1)):
        with pytest.raises(ValueError):
            shared.view(spot)
