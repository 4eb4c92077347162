"""Database edges of `driftgate check` (DESIGN 4 "Exit code edges", URL rules, secrets; DESIGN 5 sqld limits).

Everything runs against real servers: sqld (JWT auth, a capped response size), a plain HTTP server that
is not libSQL, and a TCP listener that never answers.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from cli import Run, driftgate, failing
from conftest import LEGACY_SQL, LEGACY_TS, legacy_sql, load_remote, server_query_count
from driftgate.report.json_report import report_schema
from driftgate.testing import SqldServer, free_port
from helpers import serving, tcp_listener

LEGACY_TABLES = (
    "users",
    "machines",
    "history_global",
    "history_user",
    "history_machine",
    "command_cache",
    "sessions",
    "conversation_summaries",
)


# --- helpers ---------------------------------------------------------------------------------------------------


def one_line_error(run: Run) -> str:
    """The documented error shape: exit 3, one `driftgate: error:` line, no traceback, nothing on stdout."""
    assert run.code == 3, (run.code, run.out, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("driftgate: error: "), run.err
    assert "Traceback" not in run.err
    return lines[0]


def validated(report: dict) -> dict:
    jsonschema.validate(report, report_schema())
    return report


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ed25519_keypair(directory: Path) -> tuple[Path, Path]:
    """A fresh Ed25519 key pair made by the openssl command (PKCS#8 PEM, what sqld reads)."""
    private, public = directory / "jwt-private.pem", directory / "jwt-public.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True)
    subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True)
    return private, public


def eddsa_jwt(private: Path, claims: dict) -> str:
    """A JWT signed with EdDSA by `openssl pkeyutl -sign -rawin` (no Python crypto library needed)."""
    signing_input = (
        f"{_b64url(json.dumps({'alg': 'EdDSA', 'typ': 'JWT'}).encode())}.{_b64url(json.dumps(claims).encode())}"
    )
    message = private.parent / "jwt-signing-input"
    message.write_bytes(signing_input.encode())
    signature = subprocess.run(
        ["openssl", "pkeyutl", "-sign", "-inkey", str(private), "-rawin", "-in", str(message)],
        check=True,
        capture_output=True,
    ).stdout
    assert len(signature) == 64
    return f"{signing_input}.{_b64url(signature)}"


@contextlib.contextmanager
def http_server(status: int, content_type: str, body: bytes | None = None) -> Iterator[int]:
    """A plain HTTP server on 127.0.0.1 answering every request the same way; ``body=None`` echoes the
    request's Authorization header (a careless server or proxy that repeats credentials in its error)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            payload = body if body is not None else f"denied: {self.headers.get('Authorization')}".encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server, "fake-http") as port:
        yield port


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP listener that accepts connections and never sends a byte."""
    with tcp_listener(lambda connection, stop: None, "silent-tcp") as port:
        yield port


def free_port_containing(digits: str) -> int:
    """A port nobody listens on whose number contains ``digits`` (an error text then holds them)."""
    for port in [int(f"{prefix}{digits}{suffix}") for prefix in ("", "1", "2", "3") for suffix in ("", "0", "5")]:
        if not 1024 < port < 65536:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port containing {digits}")


# --- 1. authentication -----------------------------------------------------------------------------------------


@pytest.fixture
def jwt_sqld(tmp_path: Path, sqld_binary_ok: None) -> Iterator[tuple[SqldServer, Path]]:
    """sqld that only accepts JWTs signed by our fresh key, loaded with the legacy schema."""
    private, public = ed25519_keypair(tmp_path)
    server = SqldServer(tmp_path / "jwt-sqld", extra_args=("--auth-jwt-key-file", str(public)))
    server.start()
    try:
        now = int(time.time())
        token = eddsa_jwt(private, {"iat": now, "exp": now + 3600})
        load_remote(f"{server.http_url}?authToken={token}", legacy_sql())
        yield server, private
    finally:
        server.stop()


@pytest.mark.parametrize("scheme", ["http", "ws"])
def test_rejected_token_is_exit_3_authentication_failed(tmp_path: Path, jwt_sqld, scheme: str) -> None:
    server, private = jwt_sqld
    url = server.http_url if scheme == "http" else server.ws_url
    # A well-formed JWT signed by another key, one that is expired, and plain garbage: all rejected.
    (tmp_path / "other").mkdir()
    other_private, _ = ed25519_keypair(tmp_path / "other")
    now = int(time.time())
    rejected = {
        "foreign key": eddsa_jwt(other_private, {"iat": now, "exp": now + 3600}),
        "expired": eddsa_jwt(private, {"iat": now - 7200, "exp": now - 3600}),
        "garbage": "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJtYWxsb3J5In0.bm90LWEtc2lnbmF0dXJlLXRva2Vu",
    }
    out = tmp_path / "r.json"
    for why, token in rejected.items():
        for how, args, env in (
            ("url", ("--db", f"{url}?authToken={token}"), None),
            ("env", ("--db", url), {"TURSO_AUTH_TOKEN": token}),
        ):
            run = driftgate("check", *args, "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path, env=env)
            line = one_line_error(run)
            assert "authentication failed" in line, (why, how, line)
            assert token not in run.err + run.out, (why, how)
            # the token's signature part alone must not leak either
            assert token.rsplit(".", 1)[1] not in run.err + run.out, (why, how)
            assert not out.exists()
    # No token at all against a server that requires one.
    run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, cwd=tmp_path)
    assert "authentication failed" in one_line_error(run)


@pytest.mark.parametrize("scheme", ["http", "ws", "libsql"])
def test_valid_token_is_accepted(tmp_path: Path, jwt_sqld, scheme: str) -> None:
    server, private = jwt_sqld
    now = int(time.time())
    token = eddsa_jwt(private, {"iat": now, "exp": now + 3600})
    url = {"http": server.http_url, "ws": server.ws_url, "libsql": f"libsql://127.0.0.1:{server.port}?tls=0"}[scheme]
    out = tmp_path / "r.json"
    run = driftgate(
        "check", "--db", url, "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path, env={"DRIFTGATE_AUTH_TOKEN": token}
    )
    assert run.code == 0, run.err + run.out
    report = validated(run.json(out))
    assert report["summary"]["failed"] == 0 and report["summary"]["ok"] > 0
    for text in (run.out, run.err, out.read_text()):
        assert token not in text


# --- 2. a server that answers but is not libSQL ----------------------------------------------------------------


@pytest.mark.parametrize(
    "status, content_type, body",
    [
        (404, "text/html", b"<html><body><h1>Not Found</h1></body></html>"),
        (200, "application/json", b'{"hello": "world", "results": 42}'),
        (200, "text/plain", b"OK, but not JSON"),
        (200, "application/json", b"{not json at all"),
        (500, "text/html", b"<html>Internal Server Error</html>"),
    ],
    ids=["404-html", "json-garbage", "200-text", "broken-json", "500-html"],
)
@pytest.mark.parametrize("scheme", ["http", "ws"])
def test_server_that_is_not_libsql_is_exit_3(
    tmp_path: Path, scheme: str, status: int, content_type: str, body: bytes
) -> None:
    out = tmp_path / "r.json"
    with http_server(status, content_type, body) as port:
        run = driftgate(
            "check", "--db", f"{scheme}://127.0.0.1:{port}", "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path
        )
    line = one_line_error(run)
    assert f"127.0.0.1:{port}" in line
    assert "libSQL" in line, line  # says what is wrong: something answered, but not a libSQL server
    assert "authentication" not in line
    assert not out.exists()


def test_server_echoing_the_token_in_its_error_does_not_leak_it(tmp_path: Path) -> None:
    secret = "tok-9f8e7d6c5b4a-never-print-me"
    with http_server(500, "text/plain") as port:  # repeats the Authorization header in its error body
        run = driftgate(
            "check", "--db", f"http://127.0.0.1:{port}?authToken={secret}", "--legacy", LEGACY_TS, cwd=tmp_path
        )
    line = one_line_error(run)
    assert "denied" in line  # the server's text did reach the message ...
    assert secret not in run.err + run.out  # ... with the token blanked out


# --- 3. an empty database --------------------------------------------------------------------------------------


def test_empty_database_is_exit_1_with_every_table_missing(tmp_path: Path, sqld) -> None:
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", sqld.http_url, "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path)
    assert run.code == 1, run.err + run.out
    report = validated(run.json(out))
    assert failing(report) == {("legacy", "table", name, "missing") for name in LEGACY_TABLES}
    # A missing table is one finding: its columns, indexes and keys are not repeated, and nothing is ok.
    assert report["summary"]["checked"] == len(LEGACY_TABLES)
    assert report["summary"]["ok"] == 0
    assert report["gate"]["pass"] is False


# --- 4. a schema larger than one response ----------------------------------------------------------------------


def extra_tables(count: int) -> str:
    statements = []
    for i in range(count):
        statements.append(
            f"CREATE TABLE extra_{i:03d} (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x', "
            f"value REAL CHECK (value >= 0), owner_id INTEGER REFERENCES users(id) ON DELETE CASCADE, "
            f"created_at INTEGER);"
        )
        statements.append(f"CREATE INDEX idx_extra_{i:03d}_name ON extra_{i:03d}(name, created_at DESC);")
    # A trigger keeps its table's name as written: `ON EXTRA_000` belongs to table extra_000.
    statements.append(
        "CREATE TRIGGER trg_extra_000_touch AFTER UPDATE ON EXTRA_000 BEGIN "
        "UPDATE extra_000 SET created_at = 0 WHERE id = new.id; END;"
    )
    statements.append("CREATE VIEW extra_names AS SELECT name FROM extra_001;")
    return "\n".join(statements)


def test_schema_larger_than_the_response_cap_is_read_in_chunks(tmp_path: Path, sqld_binary_ok: None) -> None:
    admin_port = free_port()
    server = SqldServer(
        tmp_path / "capped",
        extra_args=("--max-response-size", "20000", "--admin-listen-addr", f"127.0.0.1:{admin_port}"),
    )
    server.admin_url = f"http://127.0.0.1:{admin_port}"  # type: ignore[attr-defined]
    ddl = legacy_sql() + "\n" + extra_tables(60)
    expected = tmp_path / "expected.sql"
    expected.write_text(ddl, encoding="utf-8")
    with server:
        load_remote(server.http_url, ddl)
        for url in (server.http_url, server.ws_url):
            before = server_query_count(server)
            out = tmp_path / "r.json"
            run = driftgate("check", "--db", url, "--sql", expected, "--json", out, cwd=tmp_path)
            assert run.code == 0, run.err + run.out
            report = validated(run.json(out))
            assert report["summary"]["failed"] == 0
            kinds = report["summary"]["by_kind"]
            assert kinds["table"] == 8 + 60 and kinds["index"] >= 60
            assert kinds["trigger"] == 1 and kinds["view"] == 1
            # The one-shot query was refused (RESPONSE_TOO_LARGE), so the schema came in several statements.
            assert server_query_count(server) - before > 2
        # The drift is still seen through the chunks: drop one extra index and one extra table.
        load_remote(server.http_url, "DROP INDEX idx_extra_042_name; DROP TABLE extra_059;")
        out = tmp_path / "r2.json"
        run = driftgate("check", "--db", server.http_url, "--sql", expected, "--json", out, cwd=tmp_path)
        assert run.code == 1, run.err + run.out
        assert failing(validated(run.json(out))) == {
            ("sql", "index", "idx_extra_042_name", "missing"),
            ("sql", "table", "extra_059", "missing"),
        }


def test_one_table_too_large_for_the_cap_is_exit_3_not_a_loop(tmp_path: Path, sqld_binary_ok: None) -> None:
    columns = ", ".join(
        f"column_with_a_long_name_{i:03d} TEXT NOT NULL DEFAULT 'some default value'" for i in range(80)
    )
    with SqldServer(tmp_path / "tiny", extra_args=("--max-response-size", "2000")) as server:
        load_remote(server.http_url, f"CREATE TABLE wide ({columns});")
        started = time.monotonic()
        run = driftgate("check", "--db", server.http_url, "--sql", LEGACY_SQL, cwd=tmp_path)
        assert time.monotonic() - started < 60
    line = one_line_error(run)
    assert "too large" in line.lower() and "'wide'" in line, line


# --- 5. a broken view ------------------------------------------------------------------------------------------


BROKEN_VIEWS = """
CREATE TABLE scratch (x INTEGER, y INTEGER);
CREATE VIEW scratch_x AS SELECT x FROM scratch;
CREATE VIEW scratch_x_again AS SELECT * FROM scratch_x;
"""


@pytest.mark.parametrize("chunked", [False, True], ids=["one-shot", "chunked"])
def test_broken_view_does_not_break_introspection(tmp_path: Path, sqld_binary_ok: None, chunked: bool) -> None:
    extra = ("--max-response-size", "8000") if chunked else ()
    with SqldServer(tmp_path / "views", extra_args=extra) as server:
        load_remote(server.http_url, legacy_sql(), BROKEN_VIEWS)
        # libsql refuses ALTER TABLE ... DROP COLUMN under a view, but DROP TABLE leaves both views dangling.
        with pytest.raises(Exception, match="error in view"):
            load_remote(server.http_url, "ALTER TABLE scratch DROP COLUMN x;")
        load_remote(server.http_url, "DROP TABLE scratch;")

        out = tmp_path / "legacy.json"
        run = driftgate("check", "--db", server.http_url, "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path)
        assert run.code == 1, run.err + run.out
        assert failing(validated(run.json(out))) == {
            ("legacy", "view", "scratch_x", "unexpected"),
            ("legacy", "view", "scratch_x_again", "unexpected"),
        }

        # The same broken views expected by a .sql file: the views match, the dropped table is missing.
        expected = tmp_path / "expected.sql"
        expected.write_text(legacy_sql() + BROKEN_VIEWS, encoding="utf-8")
        out = tmp_path / "sql.json"
        run = driftgate("check", "--db", server.http_url, "--sql", expected, "--json", out, cwd=tmp_path)
        assert run.code == 1, run.err + run.out
        report = validated(run.json(out))
        assert failing(report) == {("sql", "table", "scratch", "missing")}
        views = {f["object"]: f["status"] for f in report["findings"] if f["kind"] == "view"}
        assert views == {"scratch_x": "ok", "scratch_x_again": "ok"}


# --- 6. credentials in URLs ------------------------------------------------------------------------------------


def test_credentials_in_an_unreachable_url_are_never_printed(tmp_path: Path) -> None:
    port = free_port()  # nobody listens there
    password, token, env_token = "hunter2-pass-word", "url-token-value-1234", "env-token-value-5678"
    urls = [
        f"http://alice-user:{password}@127.0.0.1:{port}",
        f"http://127.0.0.1:{port}?authToken={token}",
        f"ws://alice-user:{password}@127.0.0.1:{port}?authToken={token}",
        f"libsql://alice-user:{password}@127.0.0.1:{port}?tls=0&authToken={token}",
        f"https://127.0.0.1:{port}/?authToken={token}",
    ]
    out = tmp_path / "r.json"
    for url in urls:
        run = driftgate(
            "check",
            "--db",
            url,
            "--legacy",
            LEGACY_TS,
            "--json",
            out,
            cwd=tmp_path,
            env={"TURSO_AUTH_TOKEN": env_token},
        )
        line = one_line_error(run)
        assert f"127.0.0.1:{port}" in line  # the database is still named
        for secret in (password, token, env_token, "alice-user"):
            assert secret not in run.err + run.out, (url, secret)
        assert "authentication" not in line
        assert not out.exists()


def test_a_port_containing_401_is_not_an_authentication_failure(tmp_path: Path) -> None:
    port = free_port_containing("401")
    run = driftgate("check", "--db", f"http://127.0.0.1:{port}", "--legacy", LEGACY_TS, cwd=tmp_path)
    line = one_line_error(run)
    assert "authentication" not in line, line


def test_report_database_has_no_credentials(tmp_path: Path, sqld) -> None:
    load_remote(sqld.http_url, legacy_sql())
    password, token = "hunter2-pass-word", "url-token-value-1234"
    for url in (
        f"http://alice-user:{password}@127.0.0.1:{sqld.port}?authToken={token}",
        f"ws://alice-user:{password}@127.0.0.1:{sqld.port}?authToken={token}",
    ):
        out, html = tmp_path / "r.json", tmp_path / "r.html"
        run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, "--json", out, "--html", html, cwd=tmp_path)
        assert run.code == 0, run.err + run.out
        report = validated(run.json(out))
        assert report["database"] == url.split("://")[0] + f"://127.0.0.1:{sqld.port}"
        for text in (run.out, run.err, out.read_text(), html.read_text()):
            for secret in (password, token, "alice-user"):
                assert secret not in text, (url, secret)


# --- 7. a server that never answers ----------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "ws", "libsql"])
def test_timeout_against_a_silent_server(tmp_path: Path, scheme: str) -> None:
    out = tmp_path / "r.json"
    with silent_server() as port:
        url = f"libsql://127.0.0.1:{port}?tls=0" if scheme == "libsql" else f"{scheme}://127.0.0.1:{port}"
        started = time.monotonic()
        run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, "--timeout", "1", "--json", out, cwd=tmp_path)
        elapsed = time.monotonic() - started
    line = one_line_error(run)  # exit 3, and no asyncio callback traceback after it
    assert "--timeout" in line, line
    assert elapsed < 15, elapsed  # a hang guard, not a speed target
    assert not out.exists()


# --- 8. libsql://host?tls=0 (plain HTTP, as @libsql/client reads it) -------------------------------------------


def test_libsql_url_with_tls_0_talks_plain_http_to_sqld(tmp_path: Path, sqld) -> None:
    load_remote(sqld.http_url, legacy_sql())
    out = tmp_path / "r.json"
    url = f"libsql://127.0.0.1:{sqld.port}?tls=0"
    run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, "--json", out, cwd=tmp_path)
    assert run.code == 0, run.err + run.out
    report = validated(run.json(out))
    assert report["summary"]["failed"] == 0
    assert report["summary"]["by_kind"]["table"] == len(LEGACY_TABLES)
    assert f"127.0.0.1:{sqld.port}" in report["database"]

    # Without ?tls=0 a libsql:// URL means TLS, which a plain sqld does not speak: exit 3, one line, no hang.
    started = time.monotonic()
    run = driftgate("check", "--db", f"libsql://127.0.0.1:{sqld.port}", "--legacy", LEGACY_TS, cwd=tmp_path)
    assert time.monotonic() - started < 30
    assert f"127.0.0.1:{sqld.port}" in one_line_error(run)
