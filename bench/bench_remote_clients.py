"""Which Python client can read from a remote libSQL server, and at what cost (connection.py's notes).

Starts a real sqld (found like driftgate.testing finds it), then for each client and URL kind opens a
connection and runs one statement ``--repeat`` times.  Prints a table: open ms, median ms per read, or
why the client cannot serve that URL kind.  A client that hangs is given up on after ``--give-up`` s
(run in a child process, since libsql's execute blocks holding the GIL).  driftgate's own client
runs with ``--timeout 2``; "silent" URLs point at a TCP listener that accepts and never answers.

    .venv/bin/python bench/bench_remote_clients.py [--repeat 50] [--give-up 10]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import libsql_client

from driftgate.testing import SqldServer

CHILD = r"""
import json, statistics, sys, time
import libsql, libsql_client
from driftgate.connection import Database
from driftgate.remote import RemoteBackend
from driftgate.urls import parse_database_url
client, url, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
started = time.perf_counter()  # imports done: open ms is the connection only
if client.startswith("driftgate"):
    db = Database(parse_database_url(url), timeout=2)
    run, close = (lambda: db.query("SELECT x FROM t")), db.close
elif client.startswith("libsql-client"):
    c = libsql_client.create_client_sync(url)
    run, close = (lambda: c.execute("SELECT x FROM t").rows), c.close
else:
    c = libsql.connect(url)
    run, close = (lambda: c.execute("SELECT x FROM t").fetchall()), (lambda: None)
opened = time.perf_counter()
times = []
try:
    for _ in range(repeat):
        t0 = time.perf_counter(); rows = run(); times.append(time.perf_counter() - t0)
        assert [tuple(r) for r in rows] == [(42,)], rows
finally:
    close()
print(json.dumps({"open_ms": (opened - started) * 1000, "median_ms": statistics.median(times) * 1000}))
"""

CLIENTS = (
    "driftgate Database (http, libsql: hrana_http; ws: libsql-client async, own loop)",
    "libsql-client create_client_sync",
    "libsql (libsql-python) connect",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--give-up", type=float, default=10.0)
    args = parser.parse_args()
    with SqldServer(Path(tempfile.mkdtemp(prefix="bench-clients-")) / "data") as server:
        with libsql_client.create_client_sync(server.http_url) as setup:
            setup.batch(["CREATE TABLE t (x)", "INSERT INTO t VALUES (42)"])
        port = server.port
        silent = socket.socket()  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        mute = silent.getsockname()[1]
        urls = {
            "http://": f"http://127.0.0.1:{port}",
            "ws://": f"ws://127.0.0.1:{port}",
            "libsql://?tls=0": f"libsql://127.0.0.1:{port}?tls=0",
            "silent http://": f"http://127.0.0.1:{mute}",
            "silent ws://": f"ws://127.0.0.1:{mute}",
        }
        print(f"{'client':52} {'URL':16} {'open ms':>8} {'read ms':>8}  note")
        for client in CLIENTS:
            for kind, url in urls.items():
                started = time.perf_counter()
                try:
                    done = subprocess.run(
                        [sys.executable, "-c", CHILD, client, url, str(args.repeat)],
                        capture_output=True,
                        text=True,
                        timeout=args.give_up,
                    )
                except subprocess.TimeoutExpired:
                    print(f"{client:52} {kind:16} {'-':>8} {'-':>8}  no answer within {args.give_up:g} s")
                    continue
                if done.returncode != 0:
                    last = (done.stderr.strip().splitlines() or ["?"])[-1][:90]
                    took = time.perf_counter() - started
                    print(f"{client:52} {kind:16} {'-':>8} {'-':>8}  fails after {took:.1f} s: {last}")
                    continue
                result = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"{client:52} {kind:16} {result['open_ms']:8.1f} {result['median_ms']:8.2f}")


if __name__ == "__main__":
    main()
