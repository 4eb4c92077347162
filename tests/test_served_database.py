"""--driftgate-sqld's server: a container where a Docker engine answers, else the local sqld, always said."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import libsql_client
import pytest

from conftest import LEGACY_SQL, statements_of
from driftgate.model import Location
from driftgate.sources.statements import split_sql_script
from driftgate.testing import free_port, serve_database


def test_an_engine_that_does_not_answer_is_named_and_the_local_sqld_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqld_binary_ok: None
) -> None:
    dead_engine = f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv("DOCKER_HOST", dead_engine)
    statements = split_sql_script(LEGACY_SQL.read_text(), Location("legacy.sql", 1))
    server, used = serve_database(statements, tmp_path)
    try:
        if importlib.util.find_spec("testcontainers") is None:
            assert used.startswith(f"Docker engine at {dead_engine}, but testcontainers is not installed: ")
        else:
            assert used.startswith(f"Docker engine at {dead_engine} did not start ghcr.io/tursodatabase/libsql-server")
        assert used.endswith(f"using local sqld at {server.http_url}")
        assert "\n" not in used
        with libsql_client.create_client_sync(server.http_url) as client:
            tables = client.execute("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").rows
        assert tables[0][0] == len([s for s in statements_of(LEGACY_SQL.read_text()) if "CREATE TABLE" in s.upper()])
    finally:
        server.stop()
