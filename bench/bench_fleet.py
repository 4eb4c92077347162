"""Time `driftgate check` over a fleet against separate runs, and a large fleet's time and memory.

Scenarios (each a real `python -m driftgate check` process; wall, CPU = user + sys, peak RSS):
  fleet-100      100 file databases of a 30-table schema in one run (--db-list), JSON + HTML reports.
  separate-100   the same 100 databases, one `driftgate check` process each, one after another
                 (--separate-sample N runs only N of them and scales the time by 100 / N).
  remote-N       N real sqld servers (one database each, over HTTP) in one run, --jobs 8.
  fleet-1000     1,000 file databases in one run (JSON report): time and peak memory.
Every tenth database lacks one index and every twentieth has an extra table, so groups and fix
scripts are exercised too; exit code 1 (drift) is expected.

Run: python bench/bench_fleet.py [--tables 30] [--small 100] [--large 1000] [--remote 4]
     [--separate-sample 10] [--keep]
The load average is printed before and after: the machine is shared, so compare CPU more than wall.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))


def schema_sql(tables: int) -> str:
    """Tables of 8 columns with 2 indexes, a UNIQUE, a CHECK and a foreign key to the previous table."""
    parts = []
    for t in range(tables):
        fk = f", parent_id INTEGER REFERENCES t{t - 1}(id)" if t else ", parent_id INTEGER"
        parts.append(
            f"CREATE TABLE t{t} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, code TEXT UNIQUE, "
            f"qty INTEGER DEFAULT 0 CHECK (qty >= 0), price REAL, created_at INTEGER NOT NULL, note TEXT{fk});\n"
            f"CREATE INDEX t{t}_name ON t{t} (name);\nCREATE INDEX t{t}_created ON t{t} (created_at DESC);\n"
        )
    return "".join(parts)


def build(folder: Path, count: int, schema: str) -> Path:
    """``count`` databases built from one template file (copying is faster than executing the DDL)."""
    folder.mkdir(parents=True, exist_ok=True)
    template = folder / "template.db"
    with sqlite3.connect(template) as connection:
        connection.executescript(schema)
    lines = []
    for i in range(count):
        path = folder / f"tenant-{i:04d}.db"
        shutil.copyfile(template, path)
        drift = []
        if i % 10 == 3:
            drift.append("DROP INDEX t5_name;")
        if i % 20 == 7:
            drift.append("CREATE TABLE audit_extra (id INTEGER PRIMARY KEY);")
        if drift:
            with sqlite3.connect(path) as connection:
                connection.executescript("".join(drift))
        lines.append(f"tenant-{i:04d} {path.name}")
    template.unlink()
    listing = folder / "tenants.txt"
    listing.write_text("\n".join(lines) + "\n")
    return listing


@dataclass
class Measured:
    wall: float
    cpu: float
    max_rss_mb: float
    code: int


def run(args: list[str], cwd: Path) -> Measured:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    env["DRIFTGATE_CACHE_DIR"] = str(cwd / "cache")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "driftgate", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(
            f"driftgate {' '.join(args)} exited {code}: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--remote", type=int, default=4)
    parser.add_argument("--separate-sample", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="driftgate-bench-fleet-"))
    schema = schema_sql(options.tables)
    (work / "schema.sql").write_text(schema)
    print(f"cores: {os.cpu_count()}  load average before: {load()}  work: {work}")
    rows: list[tuple[str, int, Measured, str]] = []
    try:
        small = build(work / "small", options.small, schema)
        run(["check", "--db", str(small.parent / "tenant-0000.db"), "--sql", "schema.sql"], work)  # warm the cache
        fleet = run(
            ["check", "--db-list", str(small), "--sql", "schema.sql", "--json", "small.json", "--html", "small.html"],
            work,
        )
        rows.append((f"fleet-{options.small}", options.small, fleet, "one run, JSON + HTML"))
        sample = min(options.separate_sample, options.small)
        separate = [
            run(["check", "--db", str(small.parent / f"tenant-{i:04d}.db"), "--sql", "schema.sql"], work)
            for i in range(sample)
        ]
        scale = options.small / sample
        total = Measured(
            sum(m.wall for m in separate) * scale,
            sum(m.cpu for m in separate) * scale,
            max(m.max_rss_mb for m in separate),
            1,
        )
        rows.append((f"separate-{options.small}", options.small, total, f"{sample} runs measured, x{scale:g}"))
        if options.remote:
            from driftgate.testing import SqldServer, find_sqld

            servers = [SqldServer(work / f"sqld-{i}", binary=find_sqld(REPO)) for i in range(options.remote)]
            try:
                lines = []
                for i, server in enumerate(servers):
                    server.start()
                    import libsql_client

                    with libsql_client.create_client_sync(server.http_url) as client:
                        client.batch([s + ";" for s in schema.split(";\n") if s.strip()])
                    lines.append(f"remote-{i} {server.http_url}")
                (work / "remote.txt").write_text("\n".join(lines) + "\n")
                remote = run(["check", "--db-list", "remote.txt", "--sql", "schema.sql", "--jobs", "8"], work)
                rows.append((f"remote-{options.remote}", options.remote, remote, "real sqld servers over HTTP"))
            finally:
                for server in servers:
                    server.stop()
        if options.large:
            large = build(work / "large", options.large, schema)
            big = run(["check", "--db-list", str(large), "--sql", "schema.sql", "--json", "large.json"], work)
            size = (work / "large.json").stat().st_size / 1e6
            rows.append((f"fleet-{options.large}", options.large, big, f"JSON report {size:.0f} MB"))
    finally:
        if not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'scenario':<14} {'dbs':>5} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  note")
    for name, count, m, note in rows:
        print(f"{name:<14} {count:>5} {m.wall:>8.2f} {m.cpu:>8.2f} {m.max_rss_mb:>8.0f}  {note}")
    fleet_row, separate_row = rows[0][2], rows[1][2]
    print(
        f"fleet / separate: wall {fleet_row.wall / separate_row.wall:.3f}, CPU {fleet_row.cpu / separate_row.cpu:.3f}"
    )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
