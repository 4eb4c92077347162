"""Hrana over HTTP on the standard library: the client for ``http://``, ``https://`` and ``libsql://`` URLs.

Why hand-written rather than the well-kept library: libsql-client's HTTP client sends its requests
through aiohttp.  Importing it took 0.24-0.47 s here (``python -X importtime -c "import
driftgate.remote"``; 0.18-0.28 s inside a check run, most of it aiohttp), and aiohttp builds a verified
SSL context (``set_default_verify_paths``, 0.03-0.13 s) even for a plain ``http://`` URL: together most
of what a 40-table check may take in all (issue 11: 0.35 s).  What driftgate needs of the protocol is
small, one stateless request per call, so ``http.client`` and ``json`` carry it (0.03-0.04 s of
imports); a verified default SSL context is built only when an ``https://`` URL is used.  The
WebSocket URLs stay on libsql-client (:mod:`driftgate.remote`).

The protocol, as sqld 0.24 and Turso serve it (Hrana 2 over HTTP): every call is one
``POST <url path>/v2/pipeline`` of ``{"baton": null, "requests": [<execute or batch>, {"type": "close"}]}``,
a stream opened and closed in the same request, so no baton is ever kept.  The token goes in
``Authorization: Bearer``.  Each request's answer is ``{"type": "ok", "response": ...}`` or
``{"type": "error", "error": {"message", "code"}}``; errors read "CODE: message", as libsql-client words
them, so ``live._too_large`` still finds RESPONSE_TOO_LARGE and SQLITE_TOOBIG.

Values map as libsql-client maps them (tests/test_hrana_http.py compares both on a real sqld): integer
to ``int`` (sent as decimal text, so 64-bit values are exact), float to ``float``, text to ``str``, blob
(base64, padding optional) to ``bytes``, null to ``None``.  A batch is libsql-client's too: ``BEGIN``,
each statement on condition that the step before it succeeded, ``COMMIT`` on the same condition, and
``ROLLBACK`` unless the ``COMMIT`` succeeded; all in one request, all or nothing.

A proxy named in the environment is used as urllib and requests use it: ``HTTPS_PROXY`` for https://
(a CONNECT tunnel, the certificate still the server's), ``HTTP_PROXY`` for http:// (the request names
the whole URL, and the proxy sees all of it, the auth token included, as for any plain-HTTP request),
``ALL_PROXY`` for either, upper or lower case, skipped for hosts ``NO_PROXY`` lists.  A proxy is an
``http://[user:password@]host:port`` URL; its credentials go in ``Proxy-Authorization`` and are never
shown.

``--timeout`` is one deadline over the whole call (connect, send, every read): a watchdog thread shuts
the socket down when it passes, so a server that accepts and then never answers, or answers a byte at a
time, cannot hold a run past it.  Reads reuse one kept-alive connection and retry once on a fresh one
when the kept one turns out to be closed by the server before any answer; a batch always goes on a
fresh connection and is never retried (the server may have committed it).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import math
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any, NamedTuple

from driftgate.connection import Row, Statement, auth_failed, cannot_connect, connect_reason, no_answer, not_libsql
from driftgate.errors import DatabaseError, InputError
from driftgate.urls import DatabaseTarget, redact

_MIN_INTEGER, _MAX_INTEGER = -(2**63), 2**63 - 1
# What an HTTP proxy answers when it will not, or cannot, relay a request.
_PROXY_STATUSES = {
    403: "refused by the proxy, or by the database",
    407: "the proxy wants other credentials",
    502: "the proxy could not reach the database",
    503: "the proxy could not reach the database",
    504: "the proxy got no answer from the database",
}
# What a kept-alive connection the server has since closed fails with, before any byte of an answer.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError)


def _loads(data: bytes) -> Any:
    """orjson (a 1,000-table introspection answer is 1.9 MB); the standard library for what it refuses
    (a lone surrogate escape, which Python strings can hold)."""
    import orjson

    try:
        return orjson.loads(data)
    except ValueError:
        return json.loads(data)


class _DeadlinePassed(Exception):
    """The watchdog shut the socket down: whatever the read then raised, the cause is the deadline."""


class _Unreachable(Exception):
    """Connecting failed (refused, no such host, TLS handshake): ``reason`` is already worded."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Watchdog:
    """Shuts a connection's socket down when the deadline passes, unless the call finished first."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._finished = False
        self.fired = False
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.fired = True
            sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def finish(self) -> bool:
        """Stop watching; True when the deadline had already passed (the connection is then unusable)."""
        with self._lock:
            self._finished = True
        self._timer.cancel()
        return self.fired


class Proxy(NamedTuple):
    """An HTTP proxy from the environment: where it is, and its credentials (never shown)."""

    host: str
    port: int
    authorization: str | None  # the Proxy-Authorization header

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def __repr__(self) -> str:  # the credentials stay out of tracebacks and debug output
        return f"Proxy({self})"


_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")  # NO_PROXY alone names no proxy


def environment_proxy(https: bool, host: str, port: int | None = None) -> Proxy | None:
    """The proxy the environment names for a URL of this scheme, host and (explicit) port, or None.

    urllib decides what the variables mean, as for any Python client (lower case first, NO_PROXY
    matched against the host with and without the port); it is imported only when a proxy variable is
    set (it would cost every check that uses no proxy about 13 ms)."""
    if not any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARIABLES):
        return None
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    scheme = "https" if https else "http"
    url = proxies.get(scheme) or proxies.get("all")
    authority = f"[{host}]" if ":" in host else host
    if port is not None:
        authority += f":{port}"
    if not url or urllib.request.proxy_bypass_environment(authority, proxies):
        return None
    variable = next(
        (name for key in (scheme, "all") for name in (f"{key}_proxy", f"{key.upper()}_PROXY") if os.environ.get(name)),
        f"{scheme.upper()}_PROXY",
    )
    try:
        parts = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
        proxy_port = parts.port or 80
    except ValueError:
        raise InputError(f"{variable}: not a valid proxy URL (http://[user:password@]host:port)") from None
    if parts.scheme != "http" or not parts.hostname:
        raise InputError(f"{variable}: only http:// proxies are supported (http://[user:password@]host:port)")
    authorization = None
    if parts.username is not None:
        pair = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return Proxy(parts.hostname, proxy_port, authorization)


class _TunnelledHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection through a CONNECT tunnel whose request names the host as a request target
    must: an IPv6 address in brackets, a non-ASCII name in IDNA.  Python 3.11's http.client writes
    the host as it is (3.12 brackets IPv6); TLS, its SNI and the Host header keep the host itself."""

    def _tunnel(self) -> None:
        host = self._tunnel_host  # type: ignore[has-type]
        self._tunnel_host = f"[{host}]" if ":" in host else host.encode("idna").decode("ascii")
        try:
            super()._tunnel()  # type: ignore[misc]
        finally:
            self._tunnel_host = host


def encode_value(value: Any) -> dict[str, Any]:
    """A Python value as a Hrana value, with libsql-client's rules (bool is an integer)."""
    if value is None:
        return {"type": "null"}
    if isinstance(value, str):
        return {"type": "text", "value": value}
    if isinstance(value, int):  # bool included: True is 1
        if not _MIN_INTEGER <= value <= _MAX_INTEGER:
            raise DatabaseError(f"integer {value} is outside SQLite's 64-bit range")
        return {"type": "integer", "value": str(int(value))}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DatabaseError("only finite floats can be sent to the database (not Infinity or NaN)")
        return {"type": "float", "value": value}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"type": "blob", "base64": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot send a {type(value).__name__} to the database")


def decode_value(value: dict[str, Any]) -> Any:
    """A Hrana value as the Python value libsql-client returns for it."""
    kind = value["type"]
    if kind == "null":
        return None
    if kind == "integer":
        return int(value["value"])
    if kind == "text":
        return str(value["value"])
    if kind == "float":
        return float(value["value"])
    if kind == "blob":
        data = value["base64"]
        return base64.b64decode(data + "=" * (-len(data) % 4))
    raise ValueError(f"unknown Hrana value type {kind!r}")


def _statement(sql: str, args: Sequence[Any], want_rows: bool = True) -> dict[str, Any]:
    return {"sql": sql, "args": [encode_value(a) for a in args], "want_rows": want_rows}


class HttpBackend:
    """A libSQL server over Hrana's HTTP pipeline (sqld, Turso)."""

    def __init__(self, target: DatabaseTarget, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        parts = urllib.parse.urlsplit(target.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if self._https else 80)
        # Relative to the URL's path, as both libSQL clients join it: http://h/db/ -> /db/v2/pipeline.
        self._path = urllib.parse.urljoin(parts.path or "/", "v2/pipeline")
        self._headers = {"Content-Type": "application/json"}
        if target.auth_token:
            self._headers["Authorization"] = f"Bearer {target.auth_token}"
        self._proxy = environment_proxy(self._https, self._host, parts.port)
        self._target = self._path  # the request line's target: the whole URL when an http:// proxy relays it
        if self._proxy is not None and not self._https:
            self._target = f"http://{self._netloc()}{self._path}"
            if self._proxy.authorization:
                self._headers["Proxy-Authorization"] = self._proxy.authorization
        self._ssl_context: Any = None
        self._idle: http.client.HTTPConnection | None = None  # kept alive between reads

    # --- the Backend protocol ----------------------------------------------------------------------------

    def query(self, sql: str, args: Sequence[Any]) -> list[Row]:
        request = {"type": "execute", "stmt": _statement(sql, args)}
        result = self._call(request, reuse=True)
        try:
            return [tuple(decode_value(v) for v in row) for row in result["rows"]]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._unexpected(exc) from None

    def batch(self, statements: Sequence[Statement]) -> list[int]:
        """One request, one transaction: every statement runs only if the one before it succeeded."""
        steps: list[dict[str, Any]] = [{"stmt": {"sql": "BEGIN", "want_rows": False}}]
        for sql, args in statements:
            steps.append({"condition": {"type": "ok", "step": len(steps) - 1}, "stmt": _statement(sql, args)})
        commit = len(steps)
        steps.append({"condition": {"type": "ok", "step": commit - 1}, "stmt": {"sql": "COMMIT", "want_rows": False}})
        steps.append(
            {
                "condition": {"type": "not", "cond": {"type": "ok", "step": commit}},
                "stmt": {"sql": "ROLLBACK", "want_rows": False},
            }
        )
        result = self._call({"type": "batch", "batch": {"steps": steps}}, reuse=False)
        try:
            errors, results = result["step_errors"], result["step_results"]
            if len(errors) != len(steps) or len(results) != len(steps):
                raise ValueError(f"{len(results)} step results for {len(steps)} steps")
            for error in errors:
                if error is not None:
                    raise self._hrana_error(error)
            return [int(step["affected_row_count"]) for step in results[1:commit]]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._unexpected(exc) from None

    def close(self) -> None:
        if self._idle is not None:
            self._idle.close()
            self._idle = None

    # --- one call: a pipeline of the request and a close ---------------------------------------------------

    def _call(self, request: dict[str, Any], *, reuse: bool) -> Any:
        body = json.dumps({"baton": None, "requests": [request, {"type": "close"}]}).encode()
        status, content_type, data = self._post(body, reuse=reuse)
        return self._result(status, content_type, data)

    def _post(self, body: bytes, *, reuse: bool) -> tuple[int, str, bytes]:
        deadline = time.monotonic() + self.timeout
        connection, self._idle = self._idle, None
        if connection is not None and not reuse:
            connection.close()
            connection = None
        while True:
            kept = connection is not None
            if connection is None:
                connection = self._connection(deadline)
            try:
                return self._exchange(connection, body, deadline)
            except _DeadlinePassed:
                raise no_answer(self.target.display, self.timeout) from None
            except _Unreachable as exc:
                raise DatabaseError(f"{self.target.display}: {self._clean(exc.reason)}") from None
            except _STALE as exc:
                if kept:
                    connection = None  # the server closed the idle connection: once more, on a new one
                    continue
                raise self._lost(exc) from None
            except TimeoutError:
                raise no_answer(self.target.display, self.timeout) from None
            except (OSError, http.client.HTTPException) as exc:
                raise self._lost(exc) from None

    def _connection(self, deadline: float) -> http.client.HTTPConnection:
        timeout = max(deadline - time.monotonic(), 0.001)  # bounds the connect; the watchdog the rest
        proxy = self._proxy
        host, port = (self._host, self._port) if proxy is None else (proxy.host, proxy.port)
        if not self._https:
            return http.client.HTTPConnection(host, port, timeout=timeout)
        if self._ssl_context is None:
            import ssl

            self._ssl_context = ssl.create_default_context()  # verified; built only for https
        if proxy is None:
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=self._ssl_context)
        # A CONNECT tunnel to the server: TLS and its certificate are the server's.
        connection = _TunnelledHTTPSConnection(host, port, timeout=timeout, context=self._ssl_context)
        tunnel_headers = {"Proxy-Authorization": proxy.authorization} if proxy.authorization else None
        connection.set_tunnel(self._host, self._port, headers=tunnel_headers)
        return connection

    def _exchange(self, connection: http.client.HTTPConnection, body: bytes, deadline: float) -> tuple[int, str, bytes]:
        watchdog = _Watchdog(connection, deadline - time.monotonic())
        try:
            if connection.sock is not None:  # kept alive: its socket still has the timeout of an earlier call
                connection.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            else:
                try:
                    connection.connect()
                except TimeoutError:
                    raise
                except OSError as exc:
                    if watchdog.fired:
                        raise
                    raise _Unreachable(self._connect_reason(exc)) from None
            connection.request("POST", self._target, body, self._headers)
            response = connection.getresponse()
            data = response.read()
        except BaseException:
            connection.close()
            if watchdog.finish():
                raise _DeadlinePassed from None
            raise
        if watchdog.finish() or response.will_close:
            connection.close()
        else:
            self._idle = connection
        return response.status, response.getheader("Content-Type") or "", data

    # --- answers and failures ------------------------------------------------------------------------------

    def _result(self, status: int, content_type: str, data: bytes) -> Any:
        if self._proxy is not None and not self._https and status in _PROXY_STATUSES:
            # An http:// request relayed by a proxy: these answers are the proxy's (407), or may be (403).
            raise DatabaseError(
                f"{self.target.display}: cannot connect to {self._netloc()} through the proxy {self._proxy} "
                f"(HTTP status {status}: {_PROXY_STATUSES[status]})"
            )
        if status in (401, 403):
            raise auth_failed(self.target.display)
        if status != 200:
            raise self._refused(status, content_type, data)
        try:
            answer = _loads(data)
            first = answer["results"][0]
            if first["type"] == "error":
                raise self._hrana_error(first["error"])
            if first["type"] != "ok":
                raise ValueError(f"result type {first['type']!r}")
            return first["response"]["result"]
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise self._unexpected(exc) from None

    def _refused(self, status: int, content_type: str, data: bytes) -> DatabaseError:
        """A non-200 answer: sqld's own ``{"message", "code"}`` error, else something that is not libSQL."""
        text = data.decode("utf-8", "replace")
        if "json" in content_type:
            with contextlib.suppress(ValueError):
                answer = json.loads(text)
                if isinstance(answer, dict) and isinstance(answer.get("message"), str):
                    return self._hrana_error(answer)
                if isinstance(answer, dict) and isinstance(answer.get("error"), str):
                    text = answer["error"]
        if "html" in content_type:
            text = ""  # a web server's page says nothing a one-line error can use
        first = text.strip().splitlines()[0][:200] if text.strip() else ""
        return not_libsql(self.target.display, self._clean(f"HTTP status {status}" + (f": {first}" if first else "")))

    def _hrana_error(self, error: dict[str, Any]) -> DatabaseError:
        code = error.get("code") or "UNKNOWN"
        text = self._clean(f"{code}: {error['message']}")
        if str(code).startswith("AUTH_"):
            return auth_failed(self.target.display)
        return DatabaseError(f"{self.target.display}: {text.splitlines()[0][:300]}")

    def _unexpected(self, exc: BaseException) -> DatabaseError:
        if isinstance(exc, json.JSONDecodeError):
            return not_libsql(self.target.display, f"the answer is not JSON: {exc}")
        return not_libsql(self.target.display, "the answer is not a Hrana pipeline result")

    def _connect_reason(self, exc: OSError) -> str:
        if self._https:  # through a tunnel too, TLS is the server's own
            import ssl

            if isinstance(exc, ssl.SSLCertVerificationError):
                return f"cannot connect to {self._netloc()} (TLS certificate: {exc.verify_message})"
            if isinstance(exc, ssl.SSLError):
                return f"cannot connect to {self._netloc()} (TLS handshake failed: {exc.reason or exc})"
        if self._proxy is not None:
            # Refused by the proxy ("Tunnel connection failed: 407 ..."), or the proxy is unreachable.
            return f"cannot connect to {self._netloc()} through the proxy {self._proxy} ({connect_reason(exc)})"
        host = f"[{self._host}]" if ":" in self._host else self._host
        return cannot_connect(host, self._port, exc)

    def _netloc(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self._port}"

    def _lost(self, exc: BaseException) -> DatabaseError:
        if isinstance(exc, http.client.RemoteDisconnected):
            reason = "the server closed the connection without answering"
        elif isinstance(exc, http.client.IncompleteRead):
            reason = "the answer was cut short"
        elif isinstance(exc, OSError) and exc.errno:
            reason = exc.strerror or str(exc)
        else:
            reason = str(exc) or type(exc).__name__
        return DatabaseError(f"{self.target.display}: connection lost ({self._clean(reason)})")

    def _clean(self, text: str) -> str:
        return redact(text, (self.target.auth_token,))
