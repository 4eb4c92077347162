"""connection.Database over a real sqld: the Hrana hello adapter, tested against the pinned libsql-client.

A refused token must read "authentication failed" (exit 3), also when libsql-client has replaced its
WebSocket connection after an error (it opens a new one on the next request).
"""

from __future__ import annotations

import time
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import REPO
from driftgate.connection import Database
from driftgate.errors import DatabaseError
from driftgate.testing import SqldServer, find_sqld
from driftgate.urls import parse_database_url
from test_database_edges import ed25519_keypair, eddsa_jwt


def test_the_adapter_is_tested_against_the_pinned_client() -> None:
    # remote.HranaHello wraps private parts of libsql-client 0.3; a new minor version must be re-checked here.
    assert version("libsql-client").startswith("0.3."), version("libsql-client")


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(private key A, public key A, public key B): a token signed with A is refused by a server trusting B."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    private_a, public_a = ed25519_keypair(tmp_path / "a")
    _, public_b = ed25519_keypair(tmp_path / "b")
    return private_a, public_a, public_b


def _server(tmp_path: Path, public_key: Path, port: int | None = None) -> SqldServer:
    return SqldServer(
        tmp_path / "data", port=port, extra_args=("--auth-jwt-key-file", str(public_key)), binary=find_sqld(REPO)
    ).start()


def test_refused_token_over_websocket_names_authentication(tmp_path: Path, keys: tuple[Path, Path, Path]) -> None:
    private_a, _, public_b = keys
    now = int(time.time())
    token = eddsa_jwt(private_a, {"iat": now, "exp": now + 3600})
    server = _server(tmp_path, public_b)
    try:
        for _attempt in range(3):  # the first request on each connection waits for the hello's answer
            with (
                Database(parse_database_url(f"{server.ws_url}?authToken={token}"), timeout=10) as db,
                pytest.raises(DatabaseError, match="authentication failed"),
            ):
                db.query("SELECT 1")
    finally:
        server.stop()


def test_refusal_on_a_replaced_connection_is_still_authentication(
    tmp_path: Path, keys: tuple[Path, Path, Path]
) -> None:
    private_a, public_a, public_b = keys
    now = int(time.time())
    token = eddsa_jwt(private_a, {"iat": now, "exp": now + 3600})
    server = _server(tmp_path, public_a)
    port = server.port
    db = Database(parse_database_url(f"{server.ws_url}?authToken={token}"), timeout=10)
    try:
        assert db.query("SELECT 1") == [(1,)]
        # Same port and data, another key: the open connection dies and every new one is refused.
        server.stop()
        server = _server(tmp_path, public_b, port)
        with pytest.raises(DatabaseError):
            db.query("SELECT 1")  # the old connection is gone (the client had not noticed yet)
        for _attempt in range(3):  # each on a connection libsql-client opened to replace a failed one
            with pytest.raises(DatabaseError, match="authentication failed"):
                db.query("SELECT 1")
        # And it recovers once the server accepts the token again. The request that meets the
        # connection the restart killed may fail first (the client learns of it only then).
        server.stop()
        server = _server(tmp_path, public_a, port)
        answers = []
        for _attempt in range(3):
            try:
                answers.append(db.query("SELECT 1"))
                break
            except DatabaseError as error:
                answers.append(str(error))
        assert answers[-1] == [(1,)], answers
    finally:
        db.close()
        server.stop()
