"""The expected-model cache: exact or absent, never stale (DESIGN 4)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import driftgate
from cli import driftgate as run_driftgate
from conftest import LEGACY_SQL, LEGACY_TS, PLAN_MIGRATIONS, build_file_db, legacy_sql
from driftgate import cache as cache_module
from driftgate.cache import ExpectedModelCache, cache_dir, cache_key
from driftgate.model import Location
from driftgate.shadow import shadow_schema
from driftgate.sources import ExpectedSource
from driftgate.sources.statements import split_sql_script

SCRIPT = """
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL UNIQUE, age integer CHECK (age >= 0));
CREATE INDEX users_age ON users (age DESC) WHERE age IS NOT NULL;
CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;
"""
OTHER = SCRIPT.replace("age >= 18", "age >= 21")


def _source(sql: str) -> ExpectedSource:
    statements = tuple(split_sql_script(sql, Location("schema.sql", 1)))
    return ExpectedSource("sql", ("schema.sql",), statements)


class _Planted:
    """A pickle that runs code when loaded by an unrestricted unpickler."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (self.marker, "w"))


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("expected-*.pickle"))


def test_cache_dir_precedence(tmp_path: Path) -> None:
    assert cache_dir({"DRIFTGATE_CACHE_DIR": "/a", "XDG_CACHE_HOME": "/b"}) == Path("/a")
    assert cache_dir({"XDG_CACHE_HOME": "/b"}) == Path("/b/driftgate")
    assert cache_dir({}) == Path.home() / ".cache" / "driftgate"


def test_a_stored_entry_is_what_the_next_run_reads(tmp_path: Path) -> None:
    cache = ExpectedModelCache(tmp_path)
    source = _source(SCRIPT)
    first = source.schema(cache=cache)
    assert first == shadow_schema(source.statements) and len(_entries(tmp_path)) == 1
    # Plant another model under the same key: a hit must return it (so the cache is really read).
    key = cache_key(source.statements, ())
    planted = _source(OTHER).schema()
    cache.put(key, planted)
    assert source.schema(cache=cache) == planted != first


def test_a_changed_statement_gives_a_fresh_model(tmp_path: Path) -> None:
    cache = ExpectedModelCache(tmp_path)
    _source(SCRIPT).schema(cache=cache)
    changed = _source(OTHER)
    assert changed.schema(cache=cache) == shadow_schema(changed.statements)
    assert len(_entries(tmp_path)) == 2
    # A moved statement (same text, other line) changes the locations, so it is another key too.
    moved = _source("\n" + SCRIPT)
    assert moved.schema(cache=cache).table("users").location == Location("schema.sql", 3)


def test_a_new_driftgate_version_gives_a_fresh_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = ExpectedModelCache(tmp_path)
    source = _source(SCRIPT)
    cache_module._engine_versions.cache_clear()
    monkeypatch.setattr(driftgate, "__version__", "0.0.1-old")
    old_key = cache_key(source.statements, ())
    cache.put(old_key, _source(OTHER).schema())  # what an older driftgate left, now wrong
    monkeypatch.undo()
    cache_module._engine_versions.cache_clear()
    assert cache_key(source.statements, ()) != old_key
    assert source.schema(cache=cache) == shadow_schema(source.statements)
    assert len(_entries(tmp_path)) == 2


def test_every_field_of_a_statement_is_in_the_key() -> None:
    """A statement differing in any one field (a new field too) is another key; so is one orjson refuses."""
    import dataclasses

    from driftgate.sources.statements import SqlStatement

    base = SqlStatement("CREATE TABLE t (a integer);", Location("schema.sql", 1))
    variants = [
        dataclasses.replace(base, sql="CREATE TABLE t (a text);"),
        dataclasses.replace(base, location=Location("schema.sql", 2)),
        dataclasses.replace(base, location=Location("other.sql", 1)),
        dataclasses.replace(base, unresolved=("x",)),
        dataclasses.replace(base, reason="because"),
        dataclasses.replace(base, not_compared_items=(("default", "t.a", "js", Location("schema.ts", 3)),)),
        dataclasses.replace(base, line_map=(7,)),
        dataclasses.replace(base, tolerated="app.ts:3 catches its error"),
        dataclasses.replace(base, tolerated="app.ts:4 catches its error"),  # the guard moved: another key
        dataclasses.replace(base, sql='CREATE TABLE "\ud800" (a integer);'),  # a lone surrogate: repr decides
        dataclasses.replace(base, sql='CREATE TABLE "\ud801" (a integer);'),
    ]
    keys = [cache_key((statement,), ()) for statement in (base, *variants)]
    assert len(set(keys)) == len(keys)
    assert cache_key((base,), ()) == cache_key((dataclasses.replace(base),), ())  # equal statements, one key
    assert [f.name for f in dataclasses.fields(SqlStatement)] == [
        "sql", "location", "unresolved", "reason", "not_compared_items", "line_map", "tolerated"
    ], "a new field: add a variant above"  # fmt: skip


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not a pickle",
        pickle.dumps((1, "someone-else", None)),
        pickle.dumps((1,)),
        pickle.dumps([1, 2]),
        pickle.dumps((1, "KEY", "not a model")),
    ],
    ids=["empty", "garbage", "foreign-key", "short", "not-an-entry", "not-a-model"],
)
def test_a_corrupt_or_foreign_entry_is_ignored_and_rewritten(tmp_path: Path, content: bytes) -> None:
    cache = ExpectedModelCache(tmp_path)
    source = _source(SCRIPT)
    key = cache_key(source.statements, ())
    path = tmp_path / f"expected-{key}.pickle"
    path.write_bytes(content.replace(b"KEY", key.encode()))
    assert source.schema(cache=cache) == shadow_schema(source.statements)
    assert cache.get(key) == shadow_schema(source.statements)  # rewritten as a valid entry


def test_an_entry_naming_a_class_outside_the_model_is_ignored(tmp_path: Path) -> None:
    cache = ExpectedModelCache(tmp_path)
    source = _source(SCRIPT)
    key = cache_key(source.statements, ())
    marker = tmp_path / "planted-code-ran"
    entry = (1, key, _Planted(str(marker)))
    (tmp_path / f"expected-{key}.pickle").write_bytes(pickle.dumps(entry))
    assert cache.get(key) is None and not marker.exists()
    assert source.schema(cache=cache) == shadow_schema(source.statements)


def test_an_unwritable_cache_directory_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    source = _source(SCRIPT)
    assert source.schema(cache=ExpectedModelCache(blocker / "cache")) == shadow_schema(source.statements)


def _file(path: Path, content: bytes, seconds_ago: float) -> Path:
    """A file last modified ``seconds_ago``."""
    import os
    import time

    path.write_bytes(content)
    stamp = time.time() - seconds_ago
    os.utime(path, (stamp, stamp))
    return path


def test_the_least_recently_used_entries_go_beyond_the_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the count, unused for 30 days, or a temp file of a run that died: removed; the rest stays."""
    monkeypatch.setattr(cache_module, "KEEP_ENTRIES", 3)
    for n in range(5):  # expected-4 is the most recently used
        _file(tmp_path / f"expected-{n}.pickle", b"x", 3600 * (10 - n))
    _file(tmp_path / ".expected-dead.tmp", b"half", 2 * 3600)
    _file(tmp_path / ".expected-writing.tmp", b"half", 1)  # another run may be writing it right now
    _file(tmp_path / "notes.txt", b"not ours", 365 * 24 * 3600)
    cache = ExpectedModelCache(tmp_path)
    source = _source(SCRIPT)
    source.schema(cache=cache)  # writes its entry (the newest), then prunes
    key = cache_key(source.statements, ())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"expected-{key}.pickle", "expected-4.pickle", "expected-3.pickle", ".expected-writing.tmp", "notes.txt"]
    )
    # A hit is a use: the entry read most recently is kept, the one used longer ago goes.
    _file(tmp_path / f"expected-{key}.pickle", (tmp_path / f"expected-{key}.pickle").read_bytes(), 7 * 3600)
    assert cache.get(key) == shadow_schema(source.statements)
    _file(tmp_path / "expected-5.pickle", b"x", 0)
    assert [p.name for p in cache.prune()] == ["expected-3.pickle"]  # 4 is older than the entry just read


def test_entries_unused_for_a_month_go(tmp_path: Path) -> None:
    _file(tmp_path / "expected-old.pickle", b"x", 31 * 24 * 3600)
    _file(tmp_path / "expected-recent.pickle", b"x", 29 * 24 * 3600)
    assert [p.name for p in ExpectedModelCache(tmp_path).prune()] == ["expected-old.pickle"]


def test_beyond_the_size_limit_the_least_recently_used_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "KEEP_BYTES", 25)
    for n in range(4):  # expected-3 is the most recently used
        _file(tmp_path / f"expected-{n}.pickle", b"x" * 10, 100 * (4 - n))
    assert sorted(p.name for p in ExpectedModelCache(tmp_path).prune()) == ["expected-0.pickle", "expected-1.pickle"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expected-2.pickle", "expected-3.pickle"]


def test_pruning_reports_only_what_it_removed_and_keeps_no_name_by_accident(tmp_path: Path) -> None:
    """An entry already gone (another run pruned it) is no error; ``keep=None`` spares no file."""
    (tmp_path / "expected-dir.pickle").mkdir()  # not a file: not removed, so not reported
    _file(tmp_path / "expected-None.pickle", b"x", 31 * 24 * 3600)
    cache = ExpectedModelCache(tmp_path)
    assert [p.name for p in cache.prune()] == ["expected-None.pickle"]
    assert (tmp_path / "expected-dir.pickle").is_dir()
    assert cache.prune(keep="gone-meanwhile") == []  # the entry to keep was removed by another run


def test_pruning_a_missing_directory_is_no_error(tmp_path: Path) -> None:
    assert ExpectedModelCache(tmp_path / "absent").prune() == []


def _report_without_time(path: Path) -> bytes:
    document = json.loads(path.read_text(encoding="utf-8"))
    document.pop("started_at")
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def test_cached_and_uncached_runs_give_byte_identical_findings(tmp_path: Path) -> None:
    """The example (legacy code + the plan's migrations) checked with --no-cache, cold and warm."""
    database = build_file_db(tmp_path / "live.db", legacy_sql())
    (tmp_path / "pyproject.toml").write_text("[tool.driftgate]\n")
    cache = tmp_path / "cache"
    args = ("check", "--db", f"file:{database}", "--legacy", LEGACY_TS, "--migrations", PLAN_MIGRATIONS)
    env = {"DRIFTGATE_CACHE_DIR": str(cache)}
    reports = []
    for name, extra in (("uncached", ("--no-cache",)), ("cold", ()), ("warm", ())):
        out = tmp_path / f"{name}.json"
        run = run_driftgate(*args, *extra, "--json", out, cwd=tmp_path, env=env)
        assert run.code == 1, run.err  # the example's plan is blocked by real findings
        reports.append(_report_without_time(out))
        if name == "uncached":
            assert _entries(cache) == []
        if name == "cold":
            written = {p: (p.stat().st_ino, p.read_bytes()) for p in _entries(cache)}
            assert len(written) == 2  # legacy and baseline
    # The warm run only read: the same files (a rewrite is a new inode), the same bytes.
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in _entries(cache)} == written
    assert reports[0] == reports[1] == reports[2]
    findings = json.loads(reports[0])["findings"]
    assert findings and any(f["status"] != "ok" for f in findings)


def test_config_cache_false_turns_it_off(tmp_path: Path) -> None:
    database = build_file_db(tmp_path / "live.db", LEGACY_SQL.read_text())
    (tmp_path / "pyproject.toml").write_text("[tool.driftgate]\ncache = false\n")
    cache = tmp_path / "cache"
    env = {"DRIFTGATE_CACHE_DIR": str(cache)}
    run = run_driftgate("check", "--db", f"file:{database}", "--legacy", LEGACY_TS, cwd=tmp_path, env=env)
    assert run.code == 0, run.err
    assert _entries(cache) == []
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\ncache = "no"\n')
    run = run_driftgate("check", "--db", f"file:{database}", "--legacy", LEGACY_TS, cwd=tmp_path)
    assert run.code == 2 and "cache must be true or false" in run.err
