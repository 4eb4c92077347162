"""Instructions a check executes, counted by valgrind: a measure that does not drift with the machine.

Run on demand (never in CI): ``.venv/bin/python bench/bench_instructions.py [--sizes 40,1000]``.
Needs ``valgrind`` (Debian: ``apt-get install -y valgrind``).

Wall-clock times on a shared two-core machine drift by 20-50% between runs of the same code, which
hides a 5% change; the number of instructions a run executes (cachegrind's ``I refs``, user space
only) moves by well under 1%.  Each size's schema (bench_scale's) is served by a real sqld; driftgate
checks it over HTTP with an empty cache ("cold"), again with the model cached ("warm", which keeps
the conforming record), and once more with model and record cached ("warm again").  The server's own
work is another process and is not counted.  Compare two commits by running this in
each checkout; wall time still decides the issue's targets (bench_scale.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scale  # noqa: E402  (the schemas and the sqld loader are shared)

from driftgate.testing.sqld import SqldServer, find_sqld  # noqa: E402

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    """User-space instructions of one run of ``command`` (threads included, child processes not)."""
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    found = _REFS.search(done.stderr)
    if found is None or done.returncode not in (0, 1):
        raise SystemExit(f"valgrind run failed (exit {done.returncode}): {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="40,1000", help="comma-separated table counts")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("bench_instructions: valgrind is not installed (apt-get install -y valgrind)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFTGATE_", "TURSO_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled bytecode, as an installed driftgate has
    python = Path(sys.executable)
    driftgate = python.with_name("driftgate")
    # "warm": the model is cached (the run keeps the conforming record); "warm again": model and record.
    print("| tables | findings | cold instructions | warm instructions | warm again instructions |")
    print("|-------:|---------:|------------------:|------------------:|------------------------:|")
    with tempfile.TemporaryDirectory(prefix="driftgate-instructions-") as tmp:
        work = Path(tmp)
        for size in (int(s) for s in args.sizes.split(",")):
            sql = bench_scale.schema_sql(size)
            root = bench_scale.project_dir(work / f"p{size}", sql)
            with SqldServer(work / f"sqld{size}", binary=find_sqld(bench_scale.REPO)) as server:
                bench_scale.load_over_http(server.http_url, sql)
                command = [str(python), str(driftgate), *bench_scale.check_command(server.http_url)[1:]]
                run_env = {**env, "DRIFTGATE_CACHE_DIR": str(work / f"cache{size}")}
                subprocess.run(command, cwd=root, env=run_env, capture_output=True)  # bytecode compiled once
                shutil.rmtree(work / f"cache{size}", ignore_errors=True)
                cold = instructions(command, root, run_env)
                warm = instructions(command, root, run_env)
                again = instructions(command, root, run_env)
            findings = len(json.loads((root / "out.json").read_text())["findings"])
            print(f"| {size:,} | {findings:,} | {cold:,} | {warm:,} | {again:,} |", flush=True)


if __name__ == "__main__":
    main()
