"""Conforming records: a source's findings against a database equal to its model, kept beside the model.

Every report made from a record must be the report the comparison gives: byte for byte in JSON, equal
in every other output, and a record that is damaged, foreign or for other statements is never used.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cli import driftgate as run_driftgate
from conftest import LEGACY_SQL, LEGACY_TS, PLAN_MIGRATIONS, build_file_db, legacy_sql
from driftgate.cache import FORMAT, ExpectedModelCache, cache_key
from driftgate.check import CheckRequest, run_check
from driftgate.findings import FindingParts, FindingsPart
from driftgate.model import Location
from driftgate.report.json_report import report_bytes, report_document, report_json
from driftgate.sources.statements import split_sql_script

SCRIPT = """
CREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL UNIQUE COLLATE NOCASE);
CREATE TABLE users (
  id integer PRIMARY KEY AUTOINCREMENT,
  team_id integer NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  email text NOT NULL DEFAULT '',
  score real DEFAULT 1.5,
  note text CHECK (length(note) < 200)
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_team ON users (team_id, score DESC) WHERE score IS NOT NULL;
CREATE TABLE "naïve ""odd"" name" (k text PRIMARY KEY, v blob) WITHOUT ROWID;
CREATE VIEW team_sizes AS SELECT team_id, count(*) AS n FROM users GROUP BY team_id;
CREATE TRIGGER users_touch AFTER UPDATE OF email ON users BEGIN UPDATE users SET score = 0 WHERE id = new.id; END;
"""


def _records(directory: Path) -> list[Path]:
    return sorted(directory.glob("expected-*-conforming.pickle"))


def _project(tmp_path: Path, live: str = SCRIPT) -> tuple[Path, Path]:
    (tmp_path / "schema.sql").write_text(SCRIPT, encoding="utf-8")
    return build_file_db(tmp_path / "live.db", live), tmp_path / "schema.sql"


def _check(tmp_path: Path, *args: str | Path, cache: Path | None, out: str = "out") -> tuple[int, dict[str, str]]:
    """One CLI check writing every report; the reports' texts with the run's timestamp removed."""
    env = {"DRIFTGATE_CACHE_DIR": str(cache)} if cache is not None else {}
    paths = {kind: tmp_path / f"{out}.{kind}" for kind in ("json", "html", "md")}
    options = ["--json", paths["json"], "--html", paths["html"], "--markdown", paths["md"]]
    run = run_driftgate("check", *args, *options, *([] if cache is not None else ["--no-cache"]), cwd=tmp_path, env=env)
    assert run.code in (0, 1), run.err
    texts = {kind: path.read_text(encoding="utf-8") for kind, path in paths.items()}
    texts["json"] = re.sub(r'"started_at": "[^"]*"', "", texts["json"])
    texts["html"] = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^<\"]*", "", texts["html"])
    texts["terminal"] = run.out
    return run.code, texts


def test_a_conforming_check_from_its_record_writes_the_reports_of_a_full_comparison(tmp_path: Path) -> None:
    db, schema = _project(tmp_path)
    cache = tmp_path / "cache"
    uncached = _check(tmp_path, "--db", db, "--sql", schema, cache=None, out="uncached")
    cold = _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="cold")
    records = _records(cache)
    assert len(records) == 1  # the new model's JSON rendering is kept beside it, by the time the CLI returns
    written = records[0].read_bytes()
    again = _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="again")
    assert _records(cache) == records and records[0].read_bytes() == written  # read, as it was
    records[0].write_bytes(written[:-1] + b"?")  # damaged: ignored, and kept anew
    warm = _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="warm")
    assert _records(cache) == records and records[0].read_bytes() == written
    assert uncached[0] == cold[0] == again[0] == warm[0] == 0
    for kind in ("json", "md", "terminal"):
        assert warm[1][kind] == again[1][kind] == cold[1][kind] == uncached[1][kind], kind
    for name, run in (("cold", cold), ("again", again), ("warm", warm)):  # the HTML names its own neighbours
        assert run[1]["html"].replace(name, "x") == uncached[1]["html"].replace("uncached", "x")
    assert '"status": "ok"' in warm[1]["json"] and "naïve" in warm[1]["json"]
    assert '"object": "team_sizes"' in warm[1]["json"] and '"object": "users_touch"' in warm[1]["json"]


def test_the_record_stands_for_findings_that_are_built_only_when_asked_for(tmp_path: Path) -> None:
    db, schema = _project(tmp_path)
    cache = tmp_path / "cache"
    request = CheckRequest(db_url=str(db), sql=(schema,))
    environ = {"DRIFTGATE_CACHE_DIR": str(cache)}
    run_check(request, environ)  # cold: the model is cached
    report_bytes(run_check(request, environ).report)  # used again: renders, and so keeps, the record
    warm = run_check(request, environ).report
    uncached = run_check(CheckRequest(db_url=str(db), sql=(schema,), cache=False), environ).report
    assert isinstance(warm.findings, FindingParts) and isinstance(uncached.findings, FindingParts)
    assert uncached.findings.parts[0]._findings is not None  # without a cache: compared, in hand
    (part, ledger) = warm.findings.parts
    assert isinstance(part, FindingsPart) and part.all_ok and part._findings is None
    assert not ledger.all_ok and list(ledger.findings) == []
    # Everything a verdict, a summary or a JSON report needs comes from the record ...
    assert warm.summary() == uncached.summary() and warm.verdict() == uncached.verdict()
    assert list(warm.counts.items()) == list(uncached.counts.items())
    assert warm.failed == uncached.failed == () and len(warm.findings) == len(uncached.findings)
    assert report_bytes(warm) == report_json(report_document(uncached))
    assert part._findings is None
    # ... and the findings themselves, when a reporter iterates them, are the comparison's.
    assert tuple(warm.findings) == tuple(uncached.findings) and warm.findings == uncached.findings
    assert part._findings is not None


def test_a_drifted_database_is_compared_in_full_and_leaves_no_record(tmp_path: Path) -> None:
    db, schema = _project(tmp_path, SCRIPT.replace("score DESC", "score"))
    cache = tmp_path / "cache"
    cold = _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="cold")
    _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="warm")
    warm = _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="warm")
    uncached = _check(tmp_path, "--db", db, "--sql", schema, cache=None, out="uncached")
    assert _records(cache) == [] and cold[0] == warm[0] == uncached[0] == 1
    assert cold[1]["json"] == warm[1]["json"] == uncached[1]["json"]
    assert '"object": "users_team"' in warm[1]["json"] and '"status": "different"' in warm[1]["json"]


def test_a_record_is_kept_only_once_a_json_report_rendered_it(tmp_path: Path) -> None:
    db, schema = _project(tmp_path)
    cache = tmp_path / "cache"
    assert (
        run_driftgate("check", "--db", db, "--sql", schema, cwd=tmp_path, env={"DRIFTGATE_CACHE_DIR": str(cache)}).code
        == 0
    )
    assert _records(cache) == [] and len(list(cache.glob("expected-*.pickle"))) == 1


def test_several_sources_a_drifted_baseline_and_the_ledger_keep_their_order(tmp_path: Path) -> None:
    """Legacy and plain SQL conform, the plan's baseline does not, the ledger is absent: parts of each kind.

    The live tables are taken from one expected model (the last whose rows they match: plain SQL's), so
    only that source equals the live schema and has a record; legacy is compared in full (its tables
    are equal but for their locations)."""
    db = build_file_db(tmp_path / "live.db", legacy_sql())
    args = ("--db", db, "--legacy", LEGACY_TS, "--sql", LEGACY_SQL, "--migrations", PLAN_MIGRATIONS)
    cache = tmp_path / "cache"
    cold = _check(tmp_path, *args, cache=cache, out="cold")
    _check(tmp_path, *args, cache=cache, out="warm")
    warm = _check(tmp_path, *args, cache=cache, out="warm")
    uncached = _check(tmp_path, *args, cache=None, out="uncached")
    assert len(_records(cache)) == 1
    assert cold[0] == warm[0] == uncached[0] == 1
    for kind in ("json", "md", "terminal"):
        assert warm[1][kind] == cold[1][kind] == uncached[1][kind], kind
    assert "blocked by 12 findings" in warm[1]["terminal"]


def _record_path(cache: Path) -> Path:
    (path,) = _records(cache)
    return path


def _record_file(head: tuple, rendered: object) -> bytes:
    return pickle.dumps(head) + (rendered if isinstance(rendered, bytes) else b"")


def _damage_and_check(tmp_path: Path, damage: bytes) -> None:
    """Replace the record file with ``damage``: the next check ignores it, compares in full, and
    writes the right report and a good record again."""
    db, schema = _project(tmp_path)
    cache = tmp_path / "cache"
    expected = _check(tmp_path, "--db", db, "--sql", schema, cache=None, out="uncached")[1]["json"]
    for _ in range(2):
        _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="cold")
    path = _record_path(cache)
    path.write_bytes(damage)
    assert _check(tmp_path, "--db", db, "--sql", schema, cache=cache, out="again")[1]["json"] == expected
    assert path.read_bytes() != damage  # rewritten ...
    assert ExpectedModelCache(cache).get_conforming(*pickle.loads(path.read_bytes())[1:3]) is not None  # ... good


class _Planted:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (self.marker, "w"))


def _good_record(tmp_path: Path) -> tuple[tuple, bytes]:
    """A good record file: its head and its rendering."""
    db, schema = _project(tmp_path / "first")
    cache = tmp_path / "first" / "cache"
    for _ in range(2):
        _check(tmp_path / "first", "--db", db, "--sql", schema, cache=cache)
    data = _record_path(cache).read_bytes()
    head = pickle.loads(data)  # the head; the rendering follows it (its length is the head's 7th field)
    return head, data[len(data) - head[6] :]


DAMAGES = [
    "truncated",
    "one byte more",
    "garbage",
    "planted class",
    "other key",
    "other label",
    "other encoder version",
    "a failing status",
    "count off",
    "a count that is True",
    "a byte changed",
    "no rendering",
    "a huge length",
]


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_or_foreign_record_is_ignored_and_rewritten(tmp_path: Path, damage: str) -> None:
    (tmp_path / "first").mkdir()
    good, rendered = _good_record(tmp_path)
    fmt, key, label, version, count, counts, length, digest = good
    assert length == len(rendered) > 0 and digest == hashlib.sha256(rendered).digest()
    shutil.rmtree(tmp_path / "first")
    planted_marker = tmp_path / "planted"

    def head(**changes: object) -> tuple:
        fields = dict(zip(("fmt", "key", "label", "version", "count", "counts", "length", "digest"), good, strict=True))
        return tuple({**fields, **changes}.values())

    changed = bytearray(rendered)
    changed[len(changed) // 2] ^= 0x01  # e.g. "ok" -> "nk", or a digit of a line
    one = ((("sql", "table", "ok"), 1),)
    bad = {
        "truncated": _record_file(good, rendered)[:-40],
        "one byte more": _record_file(good, rendered) + b" ",
        "garbage": b"\x80\x05not a pickle",
        "planted class": _record_file(head(counts=_Planted(str(planted_marker))), rendered),
        "other key": _record_file(head(key="0" * 64), rendered),
        "other label": _record_file(head(label="legacy"), rendered),
        "other encoder version": _record_file(head(version="orjson=0.0.0"), rendered),
        "a failing status": _record_file(head(counts=((counts[0][0][:2] + ("missing",), count),)), rendered),
        "count off": _record_file(head(count=count + 1), rendered),
        "a count that is True": _record_file(head(count=True, counts=((one[0][0], True),)), rendered),
        "a byte changed": _record_file(good, bytes(changed)),
        "no rendering": _record_file(head(length=0, digest=hashlib.sha256(b"").digest()), b""),
        "a huge length": _record_file(head(length=10**12), rendered),
    }[damage]
    _damage_and_check(tmp_path, bad)
    assert not planted_marker.exists()


def test_the_record_belongs_to_its_model_s_key_and_label(tmp_path: Path) -> None:
    cache = ExpectedModelCache(tmp_path)
    statements = tuple(split_sql_script(SCRIPT, Location("schema.sql", 1)))
    key = cache_key(statements, ())
    record = (2, ((("sql", "table", "ok"), 2),), b"  {}")
    cache.put_conforming(key, "sql", record)
    assert cache.get_conforming(key, "sql") == record
    assert cache.get_conforming(key, "baseline") is None
    assert cache.get_conforming(cache_key(statements[1:], ()), "sql") is None
    assert pickle.loads(next(tmp_path.glob("*-conforming.pickle")).read_bytes())[:3] == (FORMAT, key, "sql")
    assert cache.get_conforming(key, "sql") == record
    assert next(tmp_path.glob("*-conforming.pickle")).read_bytes().endswith(b"  {}")  # the rendering, raw
    assert Counter(dict(record[1])) == Counter({("sql", "table", "ok"): 2})


def test_a_record_and_its_model_are_evicted_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both may not fit the cache's size limit: writing the record must not evict its own model (or
    every other run would replay the model, and the next write evict the record)."""
    import driftgate.cache as cache_module

    cache = ExpectedModelCache(tmp_path)
    statements = tuple(split_sql_script(SCRIPT, Location("schema.sql", 1)))
    key = cache_key(statements, ())
    cache.put(key, cache_module.model.Schema())
    monkeypatch.setattr(cache_module, "KEEP_BYTES", 10)  # smaller than either file
    cache.put_conforming(key, "sql", (1, ((("sql", "table", "ok"), 1),), b"    {}"))
    assert cache.get(key) is not None and cache.get_conforming(key, "sql") is not None


def test_findings_in_parts_behave_as_the_tuple_they_stand_for() -> None:
    from driftgate.findings import ok_finding

    first = ok_finding("sql", "table", "t", "t", "t", "t", "table exists", "schema.sql:1")
    second = ok_finding("baseline", "ledger", None, "0000", "x", "x", "recorded", None)
    parts = FindingParts([FindingsPart.from_record(1, Counter(), b"", lambda: [first]), FindingsPart.in_hand([second])])
    assert len(parts) == 2 and parts == (first, second) and (first, second) == parts
    assert parts + (second,) == (first, second, second) and (second,) + parts == (second, first, second)
    assert parts[0] == first and parts[-1:] == (second,) and list(parts) == [first, second]
    assert pickle.loads(pickle.dumps(parts)) == (first, second) and type(pickle.loads(pickle.dumps(parts))) is tuple


def test_a_lone_surrogate_in_a_finding_is_written_as_an_escape(tmp_path: Path) -> None:
    """orjson refuses a lone surrogate (a name read from a file that is not UTF-8); the standard library
    writes the report then, and the surrogate is a \\u escape: the same string, in a valid UTF-8 file."""
    from driftgate.findings import Report, SourceInfo, ok_finding
    from driftgate.report.json_report import write_json

    name = "t\ud800x"
    finding = ok_finding("sql", "table", name, name, name, name, "", None)
    report = Report("db", (SourceInfo("sql", ("s.sql",)),), (finding,))
    write_json(report, tmp_path / "out.json")
    data = (tmp_path / "out.json").read_bytes()
    assert b"\\ud800" in data and json.loads(data.decode("utf-8"))["findings"][0]["object"] == name


@pytest.mark.parametrize(("name", "raw"), [("t\x7fx", False), ("t\x9bx", False), ("t\u202ex", False),
                                          ("t\u200bx", False), ("naïve", True), ("plain", True)])  # fmt: skip
def test_findings_rendered_as_a_view_are_escaped_as_the_whole_report_is(tmp_path: Path, name: str, raw: bool) -> None:
    """rendered_findings cuts the findings out of orjson's text without a copy, escaped before the cut: the
    report is byte for byte the one encoded whole, whether a name holds what a viewer acts on (DEL, a C1
    control, a bidi override, a zero-width space: escaped), non-ASCII or plain ASCII (written raw); in a
    conforming part (kept as its record) and in a part in hand."""
    from driftgate.findings import Report, SourceInfo, ok_finding
    from driftgate.report.json_report import rendered_findings, write_json

    finding = ok_finding("sql", "table", name, name, name, name, "table exists", "s.sql:1")
    remembered: list[bytes | memoryview] = []
    conforming = FindingsPart.conforming([finding], lambda _count, _counts, text: remembered.append(text))
    for part in (conforming, FindingsPart.in_hand([finding])):
        report = Report("db", (SourceInfo("sql", ("s.sql",)),), FindingParts([part]))
        write_json(report, tmp_path / "out.json")
        whole = report_json(report_document(report)) + b"\n"
        assert report_bytes(report) + b"\n" == (tmp_path / "out.json").read_bytes() == whole
        assert (name.encode("utf-8") in whole) is raw
    assert isinstance(rendered_findings([finding]), memoryview)
    assert len(remembered) == 1 and bytes(remembered[0]) in whole


@pytest.mark.parametrize("cache", [True, False])
def test_a_run_shares_one_conforming_part_between_equal_databases(tmp_path: Path, cache: bool) -> None:
    """A fleet's conforming tenants: compared and rendered once per run, each entry as if alone."""
    from driftgate.check import check_database, load_expected
    from driftgate.report.fleet import _json_text, database_entry, database_entry_text
    from driftgate.urls import parse_database_url

    _db, schema = _project(tmp_path)
    databases = [build_file_db(tmp_path / f"tenant{i}.db", SCRIPT) for i in range(3)]
    build_file_db(databases[2], "DROP INDEX users_team;")  # one tenant drifts
    environ = {"DRIFTGATE_CACHE_DIR": str(tmp_path / "cache")}
    expected = load_expected(CheckRequest(sql=(schema,), cache=cache), environ)
    reports = [check_database(expected, parse_database_url(str(db), None)).report for db in databases]
    first, second, drifted = (r.findings for r in reports)
    assert isinstance(first, FindingParts) and isinstance(second, FindingParts)
    assert first.parts[0] is second.parts[0] and first.parts[0].all_ok
    assert isinstance(drifted, tuple) and reports[2].failed
    for db, report in zip(databases, reports, strict=True):
        alone = _json_text(database_entry(db.stem, str(db), "drift", None, report))
        assert database_entry_text(db.stem, str(db), "drift", None, report) == alone


def test_schema_files_with_migrations_keep_records_and_their_notes(tmp_path: Path) -> None:
    """--drizzle with --migrations (the corrected example): a database built by the migrations themselves
    gets the baseline's record like any other; a drifted one still gets every failing finding's note on
    where its change stands."""
    from conftest import CORRECTED_MIGRATIONS, EXAMPLE

    schema_files = EXAMPLE / "corrected" / "schema"
    args = ("--drizzle", schema_files, "--migrations", CORRECTED_MIGRATIONS)
    migrations = [p.read_text(encoding="utf-8") for p in sorted(CORRECTED_MIGRATIONS.glob("*.sql"))]
    conforming = build_file_db(tmp_path / "live.db", *(m.replace("--> statement-breakpoint", "") for m in migrations))
    cache = tmp_path / "cache"
    uncached = _check(tmp_path, "--db", conforming, *args, cache=None, out="uncached")
    for out in ("cold", "warm", "again"):
        run = _check(tmp_path, "--db", conforming, *args, cache=cache, out=out)
        assert run[0] == uncached[0] == 0 and run[1]["json"] == uncached[1]["json"], out
    # The baseline's tables are the database's own rows; the schema files' are equal but spelled apart.
    assert len(_records(cache)) == 1
    drifted = build_file_db(tmp_path / "drifted.db", legacy_sql())  # the legacy database, not prepared
    code, texts = _check(tmp_path, "--db", drifted, *args, cache=cache, out="drifted")
    assert code == 1 and texts["json"] == _check(tmp_path, "--db", drifted, *args, cache=None, out="u2")[1]["json"]
    assert "the schema files agree with the baseline here: the database is the one that differs" in texts["json"]
