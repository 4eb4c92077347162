"""HTTP proxies from the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), as urllib reads them.

A real proxy runs here: it relays absolute-form requests (http://) and opens CONNECT tunnels (https://),
and asks for credentials when told to.  driftgate must go through it, send the credentials only to it,
never show them, and name the proxy when the proxy is what failed.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import http.server
import select
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import driftgate
from conftest import LEGACY_TS, legacy_sql, load_remote
from driftgate.hrana_http import environment_proxy
from driftgate.testing import SqldServer
from helpers import serving
from test_database_edges import one_line_error
from test_hrana_http import self_signed, tls_server  # noqa: F401  (a fixture, used by name)

SECRET = "s3cr3t-proxy-pass"


@contextlib.contextmanager
def http_proxy(credentials: str | None = None) -> Iterator[tuple[int, list[tuple[str, str, str | None]]]]:
    """A proxy on 127.0.0.1: yields its port and the (method, target, Proxy-Authorization) it was sent."""
    seen: list[tuple[str, str, str | None]] = []
    expected = "Basic " + base64.b64encode(credentials.encode()).decode() if credentials else None

    class Handler(http.server.BaseHTTPRequestHandler):
        def _allowed(self) -> bool:
            seen.append((self.command, self.path, self.headers.get("Proxy-Authorization")))
            if expected is not None and self.headers.get("Proxy-Authorization") != expected:
                self.send_response(407, "Proxy Authentication Required")
                self.send_header("Proxy-Authenticate", 'Basic realm="test"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return False
            return True

        def do_CONNECT(self) -> None:
            if not self._allowed():
                return
            host, _, port = self.path.rpartition(":")
            upstream = socket.create_connection((host, int(port)), timeout=10)
            self.send_response(200, "Connection established")
            self.end_headers()
            sockets = [self.connection, upstream]
            with contextlib.suppress(OSError), upstream:
                while True:
                    readable, _, _ = select.select(sockets, [], [], 10)
                    if not readable:
                        return
                    for sock in readable:
                        data = sock.recv(65536)
                        if not data:
                            return
                        (upstream if sock is self.connection else self.connection).sendall(data)

        def do_POST(self) -> None:
            if not self._allowed():
                return
            target = urllib.parse.urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-authorization", "host")}
            upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            upstream.request("POST", target.path, body, headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.getheader("Content-Type") or "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            upstream.close()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server, "test-proxy") as port:
        yield port, seen


PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def _clean_env() -> dict[str, str]:
    """Only the proxy variables a test sets (tests/cli.py keeps the rest of the environment).  Empty, not
    absent: an empty upper-case one is ignored (an empty lower-case one would cancel its upper-case twin)."""
    return dict.fromkeys(PROXY_VARIABLES, "")


def test_an_http_url_goes_through_http_proxy_with_its_credentials(tmp_path: Path, sqld: SqldServer) -> None:
    load_remote(sqld.http_url, legacy_sql())
    with http_proxy(credentials=f"driftgate:{SECRET}") as (port, seen):
        env = {**_clean_env(), "HTTP_PROXY": f"http://driftgate:{SECRET}@127.0.0.1:{port}"}
        run = driftgate("check", "--db", sqld.http_url, "--legacy", LEGACY_TS, cwd=tmp_path, env=env)
    assert run.code == 0, run.err
    assert seen and all(method == "POST" for method, _target, _auth in seen)
    assert {target for _method, target, _auth in seen} == {f"{sqld.http_url}/v2/pipeline"}  # absolute form
    assert SECRET not in run.out + run.err


def test_no_proxy_and_other_schemes_leave_the_connection_direct(tmp_path: Path, sqld: SqldServer) -> None:
    load_remote(sqld.http_url, legacy_sql())
    with http_proxy() as (port, seen):
        for env in (
            {"HTTP_PROXY": f"http://127.0.0.1:{port}", "NO_PROXY": "127.0.0.1"},
            {"HTTPS_PROXY": f"http://127.0.0.1:{port}"},  # for https:// URLs only
        ):
            run = driftgate(
                "check", "--db", sqld.http_url, "--legacy", LEGACY_TS, cwd=tmp_path, env={**_clean_env(), **env}
            )
            assert run.code == 0, run.err
        run = driftgate(
            "check", "--db", sqld.http_url, "--legacy", LEGACY_TS, cwd=tmp_path,
            env={**_clean_env(), "ALL_PROXY": f"http://127.0.0.1:{port}"},
        )  # fmt: skip
        assert run.code == 0, run.err
    assert [method for method, _target, _auth in seen] and {m for m, _t, _a in seen} == {"POST"}  # ALL_PROXY only


def test_an_https_url_tunnels_through_https_proxy(tmp_path: Path, self_signed: tuple[Path, Path]) -> None:  # noqa: F811
    cert, key = self_signed
    with tls_server(cert, key, 401) as server_port, http_proxy(credentials=f"u:{SECRET}") as (port, seen):
        url = f"https://127.0.0.1:{server_port}"
        env = {**_clean_env(), "HTTPS_PROXY": f"http://u:{SECRET}@127.0.0.1:{port}", "SSL_CERT_FILE": str(cert)}
        run = driftgate(
            "check", "--db", f"https://127.0.0.1:{server_port}", "--legacy", LEGACY_TS, cwd=tmp_path, env=env
        )
        # Through the tunnel, TLS is the server's: its certificate is verified, its answer (401) read.
        assert "authentication failed" in one_line_error(run)
        untrusted = driftgate(
            "check", "--db", url, "--legacy", LEGACY_TS, cwd=tmp_path, env={**env, "SSL_CERT_FILE": ""}
        )
    assert ("CONNECT", f"127.0.0.1:{server_port}", "Basic " + base64.b64encode(f"u:{SECRET}".encode()).decode()) in seen
    assert "TLS certificate" in one_line_error(untrusted)
    assert SECRET not in run.out + run.err + untrusted.out + untrusted.err


def test_a_proxy_that_refuses_is_named_and_its_credentials_are_not(
    tmp_path: Path,
    self_signed: tuple[Path, Path],  # noqa: F811
) -> None:
    cert, key = self_signed
    with tls_server(cert, key, 200) as server_port, http_proxy(credentials="right:password") as (port, _seen):
        env = {**_clean_env(), "HTTPS_PROXY": f"http://wrong:{SECRET}@127.0.0.1:{port}"}
        run = driftgate(
            "check", "--db", f"https://127.0.0.1:{server_port}", "--legacy", LEGACY_TS, cwd=tmp_path, env=env
        )
    line = one_line_error(run)
    assert run.code == 3, run.err
    assert f"through the proxy 127.0.0.1:{port}" in line and "407" in line, line
    assert SECRET not in run.out + run.err


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"https://user:{SECRET}@proxy.example:8443", "HTTPS_PROXY: only http:// proxies are supported"),
        (f"socks5h://user:{SECRET}@proxy.example:1080", "HTTPS_PROXY: only http:// proxies are supported"),
        ("http://proxy.example:port", "HTTPS_PROXY: not a valid proxy URL"),
        ("http://proxy.example:99999", "HTTPS_PROXY: not a valid proxy URL"),
        (f"http://u:{SECRET}@[::1:3128", "HTTPS_PROXY: not a valid proxy URL"),
    ],
)
def test_a_proxy_driftgate_cannot_use_is_bad_input(tmp_path: Path, value: str, message: str) -> None:
    env = {**_clean_env(), "HTTPS_PROXY": value}
    run = driftgate("check", "--db", "https://db.example.invalid", "--legacy", LEGACY_TS, cwd=tmp_path, env=env)
    assert run.code == 2 and run.out == "" and run.err.startswith(f"driftgate: error: {message}"), run.err
    assert len(run.err.splitlines()) == 1
    assert SECRET not in run.out + run.err


def test_environment_proxy_reads_the_variables_as_urllib_does(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, *(n.lower() for n in PROXY_VARIABLES)):
        monkeypatch.delenv(name, raising=False)
    assert environment_proxy(True, "db.example") is None
    monkeypatch.setenv("https_proxy", "proxy.example:3128")  # no scheme: http://
    found = environment_proxy(True, "db.example")
    assert found is not None and (found.host, found.port, found.authorization) == ("proxy.example", 3128, None)
    assert environment_proxy(False, "db.example") is None  # http:// URLs use HTTP_PROXY
    assert "Basic" not in repr(environment_proxy(True, "db.example"))
    monkeypatch.setenv("https_proxy", f"http://u:{SECRET}@proxy.example:3128")
    found = environment_proxy(True, "db.example")
    assert found is not None and found.authorization and SECRET not in repr(found) + str(found)
    monkeypatch.setenv("NO_PROXY", ".example")
    assert environment_proxy(True, "db.example") is None
    monkeypatch.setenv("NO_PROXY", "db.example:8080")  # with a port, as urllib matches it
    assert environment_proxy(True, "db.example", 8080) is None and environment_proxy(True, "db.example", 9090)
    monkeypatch.setenv("NO_PROXY", "[::1]")
    assert environment_proxy(True, "::1", 8080) is None


@contextlib.contextmanager
def refusing_proxy(status: str) -> Iterator[tuple[int, list[str]]]:
    """A proxy that records each request line and answers it with ``status`` ("407 Proxy ...")."""
    lines: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _refuse(self) -> None:
            lines.append(self.requestline)
            self.send_response(int(status.split()[0]), status.split(" ", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_CONNECT = do_POST = _refuse

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server, "refusing-proxy") as port:
        yield port, lines


@pytest.mark.parametrize(
    ("url", "connect"),
    [
        ("https://[2001:db8::1]:8443", "CONNECT [2001:db8::1]:8443 HTTP/1.0"),
        ("https://bücher.example", "CONNECT xn--bcher-kva.example:443 HTTP/1.0"),
    ],
)
def test_connect_names_the_host_as_a_request_target(tmp_path: Path, url: str, connect: str) -> None:
    with refusing_proxy("407 Proxy Authentication Required") as (port, lines):
        env = {**_clean_env(), "HTTPS_PROXY": f"http://127.0.0.1:{port}"}
        run = driftgate("check", "--db", url, "--legacy", LEGACY_TS, "--timeout", "5", cwd=tmp_path, env=env)
    assert lines == [connect]
    assert f"through the proxy 127.0.0.1:{port}" in one_line_error(run)


@pytest.mark.parametrize("status", ["407 Proxy Authentication Required", "502 Bad Gateway", "403 Forbidden"])
def test_an_http_url_a_proxy_will_not_relay_names_the_proxy(tmp_path: Path, status: str) -> None:
    with refusing_proxy(status) as (port, lines):
        env = {**_clean_env(), "HTTP_PROXY": f"http://127.0.0.1:{port}"}
        run = driftgate("check", "--db", "http://db.example.invalid:8080", "--legacy", LEGACY_TS, cwd=tmp_path, env=env)
    assert lines == ["POST http://db.example.invalid:8080/v2/pipeline HTTP/1.1"]
    line = one_line_error(run)
    assert f"through the proxy 127.0.0.1:{port} (HTTP status {status.split()[0]}" in line, line
