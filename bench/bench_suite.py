"""Time `pytest conformance` against bare pytest running the same number of trivial parametrised items.

A synthetic schema (default: 208 tables x 8 columns, 2 indexes, a foreign key, a UNIQUE and a CHECK
each, plus some views and triggers; about 10,000 findings) is written to a temp dir, executed into a
file: SQLite database, and checked with ``--sql`` only.  Every run happens in that temp dir, which has
its own pyproject.toml with an empty ``[tool.driftgate]``, so the repository's settings (legacy code,
migrations, report paths) do not apply.  The bare suite is one
``@pytest.mark.parametrize("i", range(N))`` test with N = the number of conformance items.

Run: python bench/bench_suite.py [--tables N] [--repeat 3] [--xdist 2] [--keep]

Each configuration runs --repeat times; the table shows medians of wall time and of CPU time (user + sys
of pytest and its xdist workers; steadier than wall time on a busy machine).  Phases (single process
only, CPU seconds) come from a small timing plugin: startup = interpreter + pytest + plugin import, up to collection;
collect = collection (for conformance this includes reading the database and comparing);
run = the test loop; finish = terminal summary (driftgate's summary and reports) and exit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CONFORMANCE = REPO / "conformance" / "test_conformance.py"
URL_ENV_VARS = ("DRIFTGATE_DB_URL", "TURSO_DATABASE_URL", "TURSO_URL")

TIMING_PLUGIN = '''"""Phase timestamps for bench_suite.py (loaded with -p bench_timing)."""

import json
import os
import resource
import time

import pytest

STAMPS = {}


def stamp(name):
    STAMPS[name] = time.process_time()  # CPU seconds of this process: robust on a busy machine


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    stamp("collect_start")


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session):
    stamp("collect_end")
    STAMPS["items"] = len(session.items)


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session):
    stamp("run_start")
    try:
        return (yield)
    finally:
        stamp("run_end")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    if hasattr(config, "workerinput"):
        return
    path = os.environ.get("BENCH_TIMING_OUT")
    if path:
        with open(path, "w") as out:
            json.dump(STAMPS, out)
'''

BARE_TEST = """import pytest


@pytest.mark.parametrize("i", range({n}))
def test_x(i):
    assert i >= 0
"""


# --- the synthetic schema -------------------------------------------------------------------------


def table_sql(n: int) -> list[str]:
    table = f"t_{n:04d}"
    parent = f"t_{n - 1:04d}" if n else table
    return [
        f"CREATE TABLE {table} (\n"
        "  id INTEGER PRIMARY KEY,\n"
        f"  parent_id INTEGER REFERENCES {parent}(id) ON DELETE CASCADE,\n"
        "  code TEXT NOT NULL UNIQUE,\n"
        "  name TEXT COLLATE NOCASE,\n"
        "  amount REAL DEFAULT 0,\n"
        "  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'done')),\n"
        "  created_at TEXT DEFAULT CURRENT_TIMESTAMP,\n"
        "  payload BLOB\n"
        ");",
        f"CREATE INDEX idx_{table}_name ON {table} (name);",
        f"CREATE INDEX idx_{table}_status_created ON {table} (status, created_at DESC);",
    ]


def extras_sql(n: int) -> list[str]:
    """Every tenth table also gets a view and a trigger, so those kinds are exercised too."""
    if n % 10:
        return []
    table = f"t_{n:04d}"
    return [
        f"CREATE VIEW v_{table}_open AS SELECT id, code, name FROM {table} WHERE status = 'open';",
        f"CREATE TRIGGER trg_{table}_done AFTER UPDATE OF status ON {table}\n"
        f"WHEN NEW.status = 'done' BEGIN UPDATE {table} SET amount = 0 WHERE id = NEW.id; END;",
    ]


def schema_sql(tables: int) -> str:
    statements = [s for n in range(tables) for s in (*table_sql(n), *extras_sql(n))]
    return "\n\n".join(statements) + "\n"


def build_database(sql: str, path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript(sql)
        connection.commit()
    finally:
        connection.close()


# --- running pytest -------------------------------------------------------------------------------


@dataclass
class Config:
    name: str
    args: list[str]
    xdist: bool = False


@dataclass
class Run:
    wall: float  # seconds, start to exit of `python -m pytest`
    cpu: float  # user + sys seconds of that process and its workers
    phases: dict[str, float] = field(default_factory=dict)  # CPU seconds of the pytest process
    items: int | None = None


def pytest_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in URL_ENV_VARS and not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(work / "plugins"), env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def base_command(work: Path) -> list[str]:
    plugins = ["-p", "no:cacheprovider", "-p", "bench_timing"]
    return [sys.executable, "-m", "pytest", "-q", *plugins, "--rootdir", str(work)]


def pytest_run(work: Path, args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = base_command(work) + args
    done = subprocess.run(command, cwd=work, env=env or pytest_env(work), capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
        raise SystemExit(f"pytest exited {done.returncode}\n$ {' '.join(command)}\n{tail}")
    return done


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(work: Path, config: Config) -> Run:
    timing = work / "timing.json"
    timing.unlink(missing_ok=True)
    env = pytest_env(work)
    env["BENCH_TIMING_OUT"] = str(timing)
    cpu_start, start = children_cpu(), time.perf_counter()
    pytest_run(work, config.args, env)
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu_start
    run = Run(wall, cpu)
    if timing.exists():
        stamps = json.loads(timing.read_text())
        run.items = stamps.get("items")
        if not config.xdist and {"collect_start", "collect_end", "run_start", "run_end"} <= stamps.keys():
            run.phases = {
                "startup": stamps["collect_start"],
                "collect": stamps["collect_end"] - stamps["collect_start"],
                "run": stamps["run_end"] - stamps["run_start"],
                "finish": cpu - stamps["run_end"],
            }
    return run


def median_run(runs: list[Run]) -> Run:
    phases = {key: statistics.median(r.phases[key] for r in runs) for key in runs[0].phases}
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    return Run(wall, cpu, phases, runs[0].items)


def count_items(work: Path, args: list[str]) -> int:
    done = pytest_run(work, ["--collect-only", *args])
    return sum(1 for line in done.stdout.splitlines() if "::" in line)


# --- main -----------------------------------------------------------------------------------------


def prepare(work: Path, tables: int) -> tuple[list[str], int]:
    (work / "pyproject.toml").write_text("[tool.driftgate]\n")
    (work / "plugins").mkdir()
    (work / "plugins" / "bench_timing.py").write_text(TIMING_PLUGIN)
    (work / "conformance").mkdir()
    shutil.copy(CONFORMANCE, work / "conformance" / CONFORMANCE.name)
    schema = work / "schema.sql"
    schema.write_text(schema_sql(tables))
    database = work / "bench.db"
    build_database(schema.read_text(), database)
    conformance = ["conformance", "--driftgate-db", f"file:{database}", "--driftgate-sql", str(schema)]

    # Count the findings from the JSON report and check that they all pass (a fair "trivial test").
    report = work / "count.json"
    pytest_run(work, [*conformance, "--driftgate-json", str(report)])
    findings = json.loads(report.read_text())["findings"]
    failing = [f for f in findings if f["status"] != "ok"]
    print(
        f"schema: {tables} tables, {schema.stat().st_size / 1e3:.0f} kB SQL; findings: {len(findings)}, "
        f"not ok: {len(failing)}"
    )
    return conformance, len(findings)


def fmt(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=208, help="synthetic tables (208 give about 10,000 findings)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the median is shown")
    parser.add_argument("--xdist", type=int, default=2, help="also run with -n N (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and print its path")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="driftgate-bench-suite-"))
    try:
        conformance, findings = prepare(work, args.tables)
        items = count_items(work, conformance)
        (work / "bare").mkdir()
        (work / "bare" / "test_bare.py").write_text(BARE_TEST.format(n=items))
        bare = ["bare"]
        html = ["--driftgate-json", str(work / "out.json"), "--driftgate-html", str(work / "out.html")]
        print(f"conformance items: {items} ({items - findings} empty kinds, skipped); bare items: {items}")

        configs = [
            Config("bare", bare),
            Config("bare -p no:driftgate", bare + ["-p", "no:driftgate"]),
            Config("conformance", conformance),
            Config("conformance +json +html", conformance + html),
        ]
        if args.xdist:
            xdist = ["-n", str(args.xdist)]
            configs += [
                Config(f"bare -n {args.xdist}", bare + xdist, xdist=True),
                Config(f"conformance -n {args.xdist}", conformance + xdist, xdist=True),
            ]
        results: dict[str, Run] = {}
        for config in configs:
            runs = []
            for _ in range(args.repeat):
                runs.append(run_once(work, config))
            results[config.name] = median_run(runs)
            walls = ", ".join(f"{r.wall:.2f}" for r in runs)
            print(f"  {config.name}: {walls}", flush=True)
        print_table(results, args.xdist)
        if args.keep:
            print(f"kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def print_table(results: dict[str, Run], xdist: int) -> None:
    bare, bare_n = results["bare"], results.get(f"bare -n {xdist}")
    header = (
        f"{'configuration':<26} {'items':>6} {'wall s':>7} {'ratio':>6} {'CPU s':>7} {'ratio':>6}   "
        f"{'startup':>7} {'collect':>7} {'run':>6} {'finish':>6}"
    )
    print()
    print(header)
    print("-" * len(header))
    for name, run in results.items():
        reference = bare_n if (bare_n is not None and name.endswith(f"-n {xdist}")) else bare
        p = run.phases
        print(
            f"{name:<26} {run.items if run.items is not None else '':>6} {run.wall:>7.2f} "
            f"{run.wall / reference.wall:>5.2f}x {run.cpu:>7.2f} {run.cpu / reference.cpu:>5.2f}x   "
            f"{fmt(p.get('startup')):>7} {fmt(p.get('collect')):>7} {fmt(p.get('run')):>6} {fmt(p.get('finish')):>6}"
        )
    print("ratio: against bare pytest with the same number of items (and the same -n); phases: CPU s, single process.")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
