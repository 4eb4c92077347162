"""driftgate.hrana_http, the standard-library Hrana-over-HTTP client, against real servers.

Its answers must be the ones libsql-client gives (the WebSocket backend, and libsql-client's own HTTP
client that served http:// URLs before), it must not import aiohttp or libsql-client nor build an SSL
context for http://, https must verify certificates with the default trust store, and ``--timeout`` is a
deadline over the whole call.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import driftgate
from conftest import LEGACY_TS, legacy_sql, load_remote
from driftgate.connection import Database
from driftgate.errors import DatabaseError
from driftgate.hrana_http import HttpBackend
from driftgate.remote import RemoteBackend
from driftgate.testing import SqldServer
from driftgate.urls import parse_database_url
from helpers import serving, tcp_listener
from test_database_edges import one_line_error

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# One row per storage class and edge: the values go in as SQL literals, so no client encodes them.
EVERY_CLASS_SQL = """
CREATE TABLE every_class (id INTEGER PRIMARY KEY, label TEXT, v ANY) STRICT;
INSERT INTO every_class (label, v) VALUES
  ('int64 min', -9223372036854775808), ('int64 max', 9223372036854775807), ('zero', 0), ('minus one', -1),
  ('2^53 + 1', 9007199254740993), ('float', 2.5), ('float tiny', 5e-324), ('float huge', 1.7976931348623157e308),
  ('float negative zero', -0.0), ('float third', 0.1 + 0.2), ('float integral', 3.0), ('float negative', -1e-10),
  ('text', 'plain'), ('text empty', ''), ('text unicode', 'Zürich ☃ 日本語 👩‍💻 ‮rtl'),
  ('text quotes', 'it''s "quoted" \\ back'), ('text newline', 'line one
line two'),
  ('blob empty', x''), ('blob 1', x'00'), ('blob 2', x'00ff'), ('blob 3', x'fffefd'), ('blob 4', x'0102030405'),
  ('null', NULL);
"""


def _exact(rows: list[tuple[object, ...]]) -> list[tuple[tuple[str, str], ...]]:
    """Rows with each value's type and repr: 1, 1.0 and True compare equal, and 0.0 equals -0.0."""
    return [tuple((type(v).__name__, repr(v)) for v in row) for row in rows]


@pytest.fixture
def every_class(sqld: SqldServer) -> SqldServer:
    load_remote(sqld.http_url, EVERY_CLASS_SQL)
    return sqld


def test_values_are_those_libsql_client_returns(every_class: SqldServer) -> None:
    http_target = parse_database_url(every_class.http_url)
    ours = HttpBackend(http_target, 10)
    theirs_http = RemoteBackend(http_target, 10)  # libsql-client's HTTP client, what served http:// before
    theirs_ws = RemoteBackend(parse_database_url(every_class.ws_url), 10)
    try:
        sql = "SELECT label, v, typeof(v) FROM every_class ORDER BY id"
        rows = ours.query(sql, ())
        assert _exact(rows) == _exact(theirs_http.query(sql, ())) == _exact(theirs_ws.query(sql, ()))
        by_label = {row[0]: row[1] for row in rows}
        assert by_label["int64 min"] == INT64_MIN and by_label["int64 max"] == INT64_MAX
        assert by_label["2^53 + 1"] == 2**53 + 1  # exact: integers travel as decimal text
        assert by_label["blob 3"] == b"\xff\xfe\xfd" and by_label["blob empty"] == b""
        assert by_label["text unicode"] == "Zürich ☃ 日本語 👩‍💻 \u202ertl"
        assert {row[2] for row in rows} == {"integer", "real", "text", "blob", "null"}

        # Arguments too: each Python value sent and read back through both clients.
        args = [INT64_MIN, INT64_MAX, 0.1, -0.0, "Zürich 👩‍💻", "", b"\x00\xff\x10", b"", None, True, False]
        typeofs = ", ".join(f"typeof(?{i + 1})" for i in range(len(args)))
        probe = "SELECT " + ", ".join("?" for _ in args) + ", " + typeofs
        ours_args = ours.query(probe, args)
        assert _exact(ours_args) == _exact(theirs_http.query(probe, args)) == _exact(theirs_ws.query(probe, args))
        assert ours_args[0][: len(args)] == tuple(1 if a is True else 0 if a is False else a for a in args)
    finally:
        for backend in (ours, theirs_http, theirs_ws):
            backend.close()


def test_a_batch_is_all_or_nothing_like_libsql_client(sqld: SqldServer) -> None:
    load_remote(sqld.http_url, "CREATE TABLE t (x INTEGER UNIQUE);")
    ours = HttpBackend(parse_database_url(sqld.http_url), 10)
    theirs = RemoteBackend(parse_database_url(sqld.http_url), 10)
    try:
        good = [("INSERT INTO t VALUES (?)", (1,)), ("INSERT INTO t VALUES (?), (?)", (2, 3)), ("DELETE FROM t", ())]
        assert ours.batch(good) == theirs.batch(good) == [1, 2, 3]
        # The second statement fails: the first is rolled back with it, in both clients, with the same words.
        bad = [("INSERT INTO t VALUES (?)", (7,)), ("INSERT INTO t VALUES (?), (?)", (8, 8))]
        errors = []
        for backend in (ours, theirs):
            with pytest.raises(DatabaseError) as caught:
                backend.batch(bad)
            errors.append(str(caught.value))
            assert backend.query("SELECT count(*) FROM t", ()) == [(0,)]
        assert errors[0] == errors[1] and "UNIQUE constraint failed" in errors[0], errors
        # And the good batch still runs after a failed one.
        assert ours.batch(good[:1]) == [1] and ours.query("SELECT x FROM t", ()) == [(1,)]
    finally:
        ours.close()
        theirs.close()


def test_sql_errors_read_as_libsql_client_words_them(sqld: SqldServer) -> None:
    ours = HttpBackend(parse_database_url(sqld.http_url), 10)
    theirs = RemoteBackend(parse_database_url(sqld.http_url), 10)
    try:
        for sql in ("SELECT * FROM no_such_table", "SELEC 1", "SELECT randomblob(2000000000)"):
            messages = []
            for backend in (ours, theirs):
                with pytest.raises(DatabaseError) as caught:
                    backend.query(sql, ())
                messages.append(str(caught.value))
            assert messages[0] == messages[1], messages
        assert "SQLITE_TOOBIG" in messages[0]  # what live._too_large looks for
    finally:
        ours.close()
        theirs.close()


def test_response_too_large_keeps_its_code(tmp_path: Path, sqld_binary_ok: None) -> None:
    with (
        SqldServer(tmp_path / "capped", extra_args=("--max-response-size", "2000")) as server,
        Database(parse_database_url(server.http_url), timeout=10) as db,
        pytest.raises(DatabaseError) as caught,
    ):
        db.query("SELECT zeroblob(5000)")
    assert str(caught.value) == f"{server.http_url}: RESPONSE_TOO_LARGE: Response is too large"


def test_a_connection_the_server_closed_is_replaced_for_a_read(tmp_path: Path, sqld_binary_ok: None) -> None:
    server = SqldServer(tmp_path / "data").start()
    db = Database(parse_database_url(server.http_url), timeout=10)
    try:
        assert db.query("SELECT 1") == [(1,)]  # leaves a kept-alive connection
        server.stop()
        server.start()  # same port and data: the kept connection is dead
        assert db.query("SELECT 2") == [(2,)]
    finally:
        db.close()
        server.stop()


# --- what an http:// check loads --------------------------------------------------------------------------------

PROBE = """
import json, ssl, sys
contexts = []
real_create = ssl.create_default_context
ssl.create_default_context = lambda *a, **k: contexts.append("create_default_context") or real_create(*a, **k)
real_paths = ssl.SSLContext.set_default_verify_paths
ssl.SSLContext.set_default_verify_paths = lambda self: contexts.append("set_default_verify_paths") or real_paths(self)
loaded = lambda: sorted(m for m in ("aiohttp", "libsql_client") if m in sys.modules)
sys.argv = ["driftgate", *sys.argv[1:]]
from driftgate.cli import main  # the command itself: driftgate's run() would leave before any atexit
try:
    main()
except SystemExit as leaving:
    code = leaving.code
print("PROBE " + json.dumps({"modules": loaded(), "contexts": contexts}), file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.parametrize("scheme", ["http", "libsql", "ws"])
def test_an_http_check_loads_neither_aiohttp_nor_libsql_client(tmp_path: Path, sqld: SqldServer, scheme: str) -> None:
    load_remote(sqld.http_url, legacy_sql())
    url = {"http": sqld.http_url, "libsql": f"libsql://127.0.0.1:{sqld.port}?tls=0", "ws": sqld.ws_url}[scheme]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--db", url, "--legacy", str(LEGACY_TS)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stderr.split("PROBE ", 1)[1])
    if scheme == "ws":  # the probe does see them when they are used
        assert probe["modules"] == ["aiohttp", "libsql_client"], probe
    else:
        assert probe == {"modules": [], "contexts": []}, probe


# --- https: the default, verified context ----------------------------------------------------------------------


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@contextlib.contextmanager
def tls_server(cert: Path, key: Path, status: int) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 answering every request with ``status`` and an empty JSON body."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with serving(server, "fake-https") as port:
        yield port


def test_https_verifies_the_certificate(tmp_path: Path, self_signed: tuple[Path, Path]) -> None:
    cert, key = self_signed
    with tls_server(cert, key, 401) as port:
        url = f"https://127.0.0.1:{port}"
        # Not in the default trust store: refused before any request is sent.
        line = one_line_error(driftgate("check", "--db", url, "--legacy", LEGACY_TS, cwd=tmp_path))
        assert f"cannot connect to 127.0.0.1:{port} (TLS certificate:" in line, line
        # Trusted through the default store's own variable: the request goes through, and is refused (401).
        run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, cwd=tmp_path, env={"SSL_CERT_FILE": str(cert)})
        assert "authentication failed" in one_line_error(run)
        # libsql://h is https://h, as @libsql/client reads it.
        run = driftgate("check", "--db", f"libsql://127.0.0.1:{port}", "--legacy", LEGACY_TS, cwd=tmp_path)
        line = one_line_error(run)
        assert f"https://127.0.0.1:{port}: cannot connect" in line and "TLS certificate" in line, line


# --- the deadline covers the whole call ------------------------------------------------------------------------


@contextlib.contextmanager
def dripping_server() -> Iterator[int]:
    """Accepts, then sends the status line one byte every 0.2 s and never finishes it."""

    def drip(connection: socket.socket, stop: threading.Event) -> None:
        with contextlib.suppress(OSError):
            while not stop.wait(0.2):
                connection.sendall(b"H")

    def start(connection: socket.socket, stop: threading.Event) -> None:
        threading.Thread(target=drip, args=(connection, stop), daemon=True).start()

    with tcp_listener(start, "dripping-tcp") as port:
        yield port


def test_timeout_is_a_deadline_not_a_read_timeout(tmp_path: Path) -> None:
    with dripping_server() as port:
        started = time.monotonic()
        run = driftgate(
            "check", "--db", f"http://127.0.0.1:{port}", "--legacy", LEGACY_TS, "--timeout", "1", cwd=tmp_path
        )
        elapsed = time.monotonic() - started
    line = one_line_error(run)
    assert line.endswith(f"http://127.0.0.1:{port}: no answer within 1 s (--timeout)"), line
    assert elapsed < 10, elapsed  # every read got a byte within 0.2 s: only a deadline ends this


# --- libsql:// as @libsql/client reads it ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "meant"),
    [
        ("libsql://db.example.turso.io", "https://db.example.turso.io"),
        ("libsql://db.example.turso.io?tls=1", "https://db.example.turso.io"),
        ("libsql://127.0.0.1:8080?tls=0", "http://127.0.0.1:8080"),
        ("libsql://[::1]:8080/?tls=0", "http://[::1]:8080/"),
    ],
)
def test_libsql_urls_mean_http(given: str, meant: str) -> None:
    assert parse_database_url(given).url == meant
