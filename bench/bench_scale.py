"""How driftgate scales: 100 / 1,000 / 4,000-table schemas served by a real local sqld.

Run on demand (never in CI): ``.venv/bin/python bench/bench_scale.py [--sizes 100,1000,4000] [--repeat 3]``.
Prints one table of medians (seconds; RSS in MB), the machine's load average before and after, and issue
11's targets, each with what the run measured and whether it is met.
Each schema has 15 columns, 3 indexes and 1-2 foreign keys per table; it is loaded into a fresh stock
sqld on 127.0.0.1 and written to a .sql file, which driftgate checks the database against (``--sql``).

- cold: ``driftgate check --db http://... --sql schema.sql --json out.json`` with an empty cache dir.
- cold, one core: the same with ``DRIFTGATE_FORK=0`` (no replay helper, the cache written in-process),
  in the same rounds.
- warm: the same, the expected-model cache filled by the cold run (the new model and, since the cold
  run writes a JSON report of a conforming database, its conforming record).
- warm again: the same once more (a gate run again and again).
- warm, model only: the same with the model cached but no conforming record (removed before the run):
  what a warm check cost before the cold run kept the record (and still costs when no run wrote one).
- drizzle-kit pull: ``drizzle-kit pull`` (tools/node_modules) on the same database, once in each round
  after driftgate's runs (a shared machine's slow spells then hit both alike; the footer gives the
  ratio of the medians and the median of each round's ratio); "fail" when it exits non-zero or reports
  an error (stock sqld caps a response at 10 MB).
- sqldiff --schema: SQLite's own schema diff of two file copies built from the same script.
- introspect: driftgate's live read alone (one round trip, or chunks), in this process.
- RSS: peak resident set of the cold check process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from driftgate.testing.sqld import SqldServer, find_sqld  # noqa: E402

DRIZZLE_KIT = REPO / "tools" / "node_modules" / ".bin" / "drizzle-kit"
DRIFTGATE = Path(sys.executable).with_name("driftgate")
TYPES = ("integer", "text", "real", "blob", "numeric")


def schema_sql(tables: int, seed: int = 7) -> str:
    """``tables`` tables of 15 columns, 3 indexes (one unique, one two-column) and 1-2 foreign keys each."""
    rng = random.Random(seed)
    out: list[str] = []
    for t in range(tables):
        name = f"t{t:05d}"
        columns = ["id integer PRIMARY KEY NOT NULL"]
        for c in range(1, 15):
            kind = TYPES[c % len(TYPES)]
            extra = ""
            if c % 4 == 0:
                extra = " NOT NULL DEFAULT 0" if kind in ("integer", "real", "numeric") else " NOT NULL DEFAULT ''"
            columns.append(f"c{c} {kind}{extra}")
        fks = []
        if t > 0:
            for k in range(1 + (t % 2)):
                target = f"t{rng.randrange(t):05d}"
                fks.append(f"FOREIGN KEY (c{1 + 5 * k}) REFERENCES {target}(id) ON DELETE cascade")
        body = ",\n  ".join(columns + fks)
        out.append(f"CREATE TABLE {name} (\n  {body}\n);")
        out.append(f"CREATE INDEX {name}_c2_idx ON {name} (c2);")
        out.append(f"CREATE UNIQUE INDEX {name}_c3_uq ON {name} (c3);")
        out.append(f"CREATE INDEX {name}_c6_c7_idx ON {name} (c6, c7 DESC);")
    return "\n".join(out) + "\n"


def respelled(sql: str) -> str:
    """The same schema as drizzle-kit would write it: identifiers in backticks, so no stored text matches."""
    import re

    return re.sub(r"\b([tc]\d+(?:_[a-z0-9_]+)?|id)\b", r"`\1`", sql)


def load_over_http(url: str, sql: str) -> None:
    """Execute the script on sqld through Hrana's HTTP pipeline, a few hundred statements per request."""
    statements = [s.strip() for s in sql.split(";\n") if s.strip()]
    for i in range(0, len(statements), 400):
        requests = [{"type": "execute", "stmt": {"sql": s}} for s in statements[i : i + 400]]
        body = json.dumps({"requests": [*requests, {"type": "close"}]}).encode()
        req = urllib.request.Request(f"{url}/v2/pipeline", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as response:
            answer = json.load(response)
        errors = [r for r in answer["results"] if r["type"] != "ok"]
        if errors:
            raise RuntimeError(f"loading the schema failed: {errors[0]}")


def timed(command: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str, float]:
    """Wall seconds, peak RSS (MB), exit/err note and CPU seconds (user + sys) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    out = (process.stdout.read() if process.stdout else b"") + (process.stderr.read() if process.stderr else b"")
    process.returncode = os.waitstatus_to_exitcode(status)
    note = "" if process.returncode in (0, 1) else f"exit {process.returncode}: {out.decode(errors='replace')[-300:]}"
    return elapsed, usage.ru_maxrss // 1024, note, usage.ru_utime + usage.ru_stime


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def project_dir(root: Path, sql: str) -> Path:
    """A directory with its own empty [tool.driftgate], so only --sql is compared."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.driftgate]\n")
    (root / "schema.sql").write_text(sql)
    return root


def check_command(url: str) -> list[str]:
    return [str(DRIFTGATE), "check", "--db", url, "--sql", "schema.sql", "--json", "out.json"]


def bench_size(tables: int, repeat: int, work: Path, env: dict[str, str]) -> dict[str, str]:
    sql = schema_sql(tables)
    root = project_dir(work / f"p{tables}", sql)
    row: dict[str, str] = {"tables": f"{tables:,}"}
    with SqldServer(work / f"sqld{tables}", binary=find_sqld(REPO)) as server:
        load_over_http(server.http_url, sql)
        cold, warm, again, rss, cold_cpu, warm_cpu, again_cpu = [], [], [], [], [], [], []
        one_core: list[float] = []
        model_only, model_only_cpu = [], []
        pulls: list[tuple[float, float] | str] = []
        cache = work / f"cache{tables}"
        run_env = {**env, "DRIFTGATE_CACHE_DIR": str(cache)}
        note = ""
        pull_folder = _pull_folder(server.http_url, work / f"pull{tables}")
        for _ in range(repeat):
            shutil.rmtree(cache, ignore_errors=True)  # the cold check on one core first (no forked helper)
            one_core.append(timed(check_command(server.http_url), root, {**run_env, "DRIFTGATE_FORK": "0"})[0])
            shutil.rmtree(cache, ignore_errors=True)
            seconds, peak, note, cpu = timed(check_command(server.http_url), root, run_env)
            cold.append(seconds)
            cold_cpu.append(cpu)
            rss.append(peak)
            seconds, _peak, note2, cpu = timed(check_command(server.http_url), root, run_env)
            warm.append(seconds)
            warm_cpu.append(cpu)
            seconds, _peak, note3, cpu = timed(check_command(server.http_url), root, run_env)
            again.append(seconds)
            again_cpu.append(cpu)
            for record in cache.glob("expected-*-conforming.pickle"):
                record.unlink()
            seconds, _peak, note4, cpu = timed(check_command(server.http_url), root, run_env)
            model_only.append(seconds)
            model_only_cpu.append(cpu)
            note = note or note2 or note3 or note4
            # In the same round: a shared machine's slow spells then hit driftgate and drizzle-kit alike.
            if pull_folder is not None and not any(isinstance(p, str) for p in pulls):
                pulls.append(_pull_once(pull_folder, env))
        findings = len(json.loads((root / "out.json").read_text())["findings"]) if (root / "out.json").exists() else 0
        row.update(
            cold=f"{median(cold):.2f} ({median(cold_cpu):.2f})",
            one_core=f"{median(one_core):.2f}",
            warm=f"{median(warm):.2f} ({median(warm_cpu):.2f})",
            again=f"{median(again):.2f} ({median(again_cpu):.2f})",
            model_only=f"{median(model_only):.2f} ({median(model_only_cpu):.2f})",
            rss=f"{median(rss):.0f}",
            findings=f"{findings:,}",
        )
        if note:
            row["note"] = note
        row["pull"] = _pull_cell(pull_folder, pulls)
        timed_pulls = [p for p in pulls if not isinstance(p, str)]
        samples_by_key = (("cold", cold), ("one_core", one_core), ("warm", warm), ("again", again),
                          ("model_only", model_only))  # fmt: skip
        for label, samples in samples_by_key:  # unrounded medians, as the targets are judged
            row[f"exact_{label}"] = repr(median(samples))
        if len(timed_pulls) == repeat:  # the ratio of each round, then their median (see the footer)
            row["exact_pull"] = repr(median([p[0] for p in timed_pulls]))
            for label, samples in samples_by_key:
                row[f"ratio_{label}"] = repr(median([t / p[0] for t, p in zip(samples, timed_pulls, strict=True)]))
        row["introspect"] = f"{median([_introspect(server.http_url) for _ in range(repeat)]):.2f}"
    if tables <= 1000:
        # The same schema spelled differently in the database: no live table is the expected one (no
        # reuse), every finding is still ok. Warm: the expected model comes from the cache.
        with SqldServer(work / f"sqld{tables}r", binary=find_sqld(REPO)) as server:
            load_over_http(server.http_url, respelled(sql))
            samples = [timed(check_command(server.http_url), root, run_env) for _ in range(repeat)]
            row["respelled"] = f"{median([s[0] for s in samples]):.2f} ({median([s[3] for s in samples]):.2f})"
    # sqldiff grows quadratically (about 7 s at 1,000 tables on 2 busy cores): one run past 1,000 tables.
    row["sqldiff"] = _sqldiff(sql, work / f"diff{tables}", repeat if tables <= 1000 else 1)
    return row


def _pull_folder(url: str, folder: Path) -> Path | None:
    """A drizzle-kit project pulling from ``url`` (None when drizzle-kit is not installed)."""
    if not DRIZZLE_KIT.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "drizzle.config.ts").write_text(
        "export default { dialect: 'turso', out: './drizzle', dbCredentials: { url: '" + url + "' } };\n"
    )
    return folder


def _pull_once(folder: Path, env: dict[str, str]) -> tuple[float, float] | str:
    """One ``drizzle-kit pull``: (wall, CPU) seconds, or why it failed."""
    shutil.rmtree(folder / "drizzle", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(DRIZZLE_KIT), "pull"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = done.stdout + done.stderr
    if done.returncode != 0 or "error" in text.lower() or not list((folder / "drizzle").glob("*.sql")):
        reason = "RESPONSE_TOO_LARGE" if "RESPONSE_TOO_LARGE" in text else f"exit {done.returncode}"
        return f"fail ({reason})"
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _pull_cell(folder: Path | None, pulls: list[tuple[float, float] | str]) -> str:
    if folder is None:
        return "n/a"
    failed = [p for p in pulls if isinstance(p, str)]
    if failed:
        return failed[0]
    timed_pulls = [p for p in pulls if not isinstance(p, str)]
    return f"{median([p[0] for p in timed_pulls]):.2f} ({median([p[1] for p in timed_pulls]):.2f})"


def _introspect(url: str) -> float:
    from driftgate.connection import Database
    from driftgate.live import read_live
    from driftgate.urls import resolve_database

    started = time.perf_counter()
    with Database(resolve_database(url, None, {}), timeout=120) as db:
        read_live(db)
    return time.perf_counter() - started


def _sqldiff(sql: str, folder: Path, repeat: int) -> str:
    binary = shutil.which("sqldiff")
    if binary is None:
        return "n/a (apt-get install sqlite3-tools)"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("a.db", "b.db"):
        (folder / name).unlink(missing_ok=True)
        connection = sqlite3.connect(folder / name)
        # One transaction: 16,000 autocommitted DDL statements would be 16,000 fsyncs.
        connection.executescript("BEGIN;\n" + sql + "COMMIT;\n")
        connection.close()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [binary, "--schema", str(folder / "a.db"), str(folder / "b.db")], capture_output=True, check=True
        )
        samples.append(time.perf_counter() - started)
    return f"{median(samples):.2f}"


def _seconds(cell: str) -> float | None:
    """The wall seconds a table cell starts with ("2.24 (2.22)" -> 2.24), None for "fail" or "n/a"."""
    try:
        return float(cell.split()[0])
    except (IndexError, ValueError):
        return None


def _simple(repeat: int, run: Callable[[], float]) -> float:
    return median([run() for _ in range(repeat)])


def _ratio(row: dict[str, str], key: str) -> tuple[float, float] | None:
    """``key``'s wall time to drizzle-kit pull's: of the medians, and the median of each round's."""
    if "ratio_" + key not in row:
        return None
    return float(row["exact_" + key]) / float(row["exact_pull"]), float(row["ratio_" + key])


def target_lines(rows: list[dict[str, str]], help_seconds: float, project_seconds: float) -> list[str]:
    """Issue 11's targets, each with what this run measured and whether it is met (both ratios must be)."""
    by_size = {row["tables"]: row for row in rows}
    lines: list[tuple[str, str, bool | None]] = []  # (target, measured, met; None: not measured)

    def ratio_target(size: str, key: str, label: str, limit: float) -> None:
        ratios = _ratio(by_size[size], key) if size in by_size else None
        measured = f"{ratios[0]:.2f}x of the medians, {ratios[1]:.2f}x per round" if ratios else "not measured"
        met = None if ratios is None else max(ratios) <= limit
        lines.append((f"{size} tables {label} at most {limit:.1f}x drizzle-kit pull", measured, met))

    ratio_target("1,000", "cold", "cold", 0.4)
    ratio_target("1,000", "warm", "warm", 0.2)
    small, large = by_size.get("1,000"), by_size.get("4,000")
    cold_small = float(small["exact_cold"]) if small else None
    cold_large = float(large["exact_cold"]) if large else None
    growth = cold_large / cold_small if cold_small and cold_large else None
    lines.append(
        (
            "4,000 tables cold at most 5x the 1,000-table time",
            f"{growth:.1f}x" if growth else "not measured",
            None if growth is None else growth <= 5,
        )
    )
    lines.append(("driftgate --help at most 0.15 s", f"{help_seconds:.3f} s", help_seconds <= 0.15))
    lines.append(("40-table project cold at most 0.35 s", f"{project_seconds:.3f} s", project_seconds <= 0.35))
    for size, limit in (("1,000", 300), ("4,000", 800)):
        rss = _seconds(by_size[size]["rss"]) if size in by_size else None
        measured = f"{rss:.0f} MB" if rss is not None else "not measured"
        lines.append((f"peak RSS at {size} tables at most {limit} MB", measured, None if rss is None else rss <= limit))
    shown = {True: "met", False: "MISSED", None: "not measured"}
    out = [f"target: {target}: {measured}: {shown[met]}" for target, measured, met in lines]
    verdicts = [met for _, _, met in lines]
    verdict = "every target met" if all(verdicts) else "not every target met or measured"
    return [*out, f"targets: {verdict}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,4000", help="comma-separated table counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (medians)")
    parser.add_argument("--repeat-large", type=int, default=1, help="runs per measurement above 1,000 tables")
    args = parser.parse_args()
    # PYTHONDONTWRITEBYTECODE (set on some CI machines) would make every run compile driftgate's sources.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DRIFTGATE_", "TURSO_")) and k != "PYTHONDONTWRITEBYTECODE"
    }
    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}; "
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="driftgate-bench-") as tmp:
        work = Path(tmp)
        help_seconds = _simple(max(5, args.repeat), lambda: timed([str(DRIFTGATE), "--help"], work, env)[0])
        help_cpu = _simple(max(5, args.repeat), lambda: timed([str(DRIFTGATE), "--help"], work, env)[3])
        rows = []
        small = project_dir(work / "p40", schema_sql(40))
        with SqldServer(work / "sqld40", binary=find_sqld(REPO)) as server:
            load_over_http(server.http_url, schema_sql(40))
            cache = work / "cache40"

            def cold40() -> float:
                shutil.rmtree(cache, ignore_errors=True)
                return timed(check_command(server.http_url), small, {**env, "DRIFTGATE_CACHE_DIR": str(cache)})[0]

            def cold40_cpu() -> float:
                shutil.rmtree(cache, ignore_errors=True)
                return timed(check_command(server.http_url), small, {**env, "DRIFTGATE_CACHE_DIR": str(cache)})[3]

            project_seconds = _simple(max(5, args.repeat), cold40)
            project_cpu = _simple(max(5, args.repeat), cold40_cpu)
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(bench_size(size, args.repeat if size <= 1000 else args.repeat_large, work, env))
            print(f"  done {size} tables", file=sys.stderr, flush=True)
    columns = ("tables", "findings", "cold", "one_core", "warm", "again", "model_only", "respelled", "pull",
               "sqldiff", "introspect", "rss")  # fmt: skip
    heads = ("tables", "findings", "driftgate cold s (CPU)", "cold, one core s", "warm s (CPU)", "warm again s (CPU)",
             "warm, model only s (CPU)", "warm, respelled DB s (CPU)", "drizzle-kit pull s (CPU)",
             "sqldiff --schema s", "introspection s", "peak RSS MB")  # fmt: skip
    print("| " + " | ".join(heads) + " |")
    print("|" + "|".join("-" * (len(h) + 2) for h in heads) + "|")
    for row in rows:
        print("| " + " | ".join(row.get(c, "") for c in columns) + " |")
    for row in rows:
        if "note" in row:
            print(f"note ({row['tables']} tables): {row['note']}")
    for row in rows:  # issue 11's targets are ratios to drizzle-kit pull's wall time
        pull = _seconds(row.get("pull", ""))
        if pull:
            ratios = ", ".join(
                f"{label} {seconds / pull:.2f}x ({float(row['ratio_' + key]):.2f}x)"
                if "ratio_" + key in row
                else f"{label} {seconds / pull:.2f}x"
                for label, key, seconds in (
                    ("cold", "cold", _seconds(row["cold"])),
                    ("cold on one core", "one_core", _seconds(row["one_core"])),
                    ("warm", "warm", _seconds(row["warm"])),
                    ("warm again", "again", _seconds(row["again"])),
                    ("warm, model only", "model_only", _seconds(row["model_only"])),
                )
                if seconds is not None
            )
            print(f"{row['tables']} tables, ratio to drizzle-kit pull (of the medians; of each round): {ratios}")
    print(f"driftgate --help: {help_seconds:.3f} s")
    print(f"driftgate --help CPU: {help_cpu:.3f} s")
    print(f"40-table project, cold: {project_seconds:.3f} s")
    print(f"40-table project, cold, CPU: {project_cpu:.3f} s")
    print("\n".join(target_lines(rows, help_seconds, project_seconds)))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"children CPU {children.ru_utime + children.ru_stime:.1f} s"
    )


if __name__ == "__main__":
    main()
