"""A file database locked by another connection: exit 3 with one clear line, within --timeout, nothing written."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import driftgate
from conftest import LEGACY_SQL, PREPARE_SQL, SEQUENCE_MIGRATIONS, build_file_db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_file_db(tmp_path / "prod.db", LEGACY_SQL.read_text(), PREPARE_SQL.read_text())


def _hold(db: Path, how: str) -> sqlite3.Connection:
    holder = sqlite3.connect(db, isolation_level=None)
    if how == "locking_mode":
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("COMMIT")  # locking_mode=EXCLUSIVE keeps the lock after the write transaction
    else:
        holder.execute(how)
    return holder


@pytest.fixture
def holder(db: Path, request: pytest.FixtureRequest) -> Iterator[sqlite3.Connection]:
    connection = _hold(db, request.param)
    yield connection
    connection.close()


def _no_ledger(db: Path) -> bool:
    with sqlite3.connect(db) as connection:
        return not connection.execute("SELECT 1 FROM sqlite_schema WHERE name = '__drizzle_migrations'").fetchall()


@pytest.mark.parametrize("holder", ["BEGIN EXCLUSIVE", "locking_mode"], indirect=True)
@pytest.mark.parametrize("command", ["check", "stamp"])
def test_a_locked_file_is_unreachable_not_bad_input(
    tmp_path: Path, db: Path, holder: sqlite3.Connection, command: str
) -> None:
    args = ["--db", db, "--migrations", SEQUENCE_MIGRATIONS, "--timeout", "0.5"]
    run = driftgate(command, *args, *(["--yes", "--no-backup"] if command == "stamp" else []), cwd=tmp_path)
    assert run.code == 3, run.err + run.out
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "locked by another connection" in lines[0] and "Traceback" not in run.err
    assert "not a readable SQLite database" not in run.err
    holder.close()
    assert _no_ledger(db)


@pytest.mark.parametrize("holder", ["BEGIN IMMEDIATE"], indirect=True)
def test_a_write_locked_stamp_gives_up_within_its_timeout(tmp_path: Path, db: Path, holder: sqlite3.Connection) -> None:
    args = ["--db", db, "--migrations", SEQUENCE_MIGRATIONS, "--timeout", "1", "--yes", "--no-backup"]
    started = time.monotonic()
    run = driftgate("stamp", *args, cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert run.code == 3, run.err + run.out
    assert "locked by another connection" in run.err and "nothing written" in run.err
    assert elapsed < 8, elapsed  # it was 12 busy waits of --timeout each
    # The message says what was tried: how long, in how many attempts, against which --timeout.
    waited = re.search(r"locked by another connection for ([0-9.]+) s \((\d+) attempts?, --timeout 1 s\)", run.err)
    assert waited is not None, run.err
    assert 0.9 <= float(waited.group(1)) < 8 and int(waited.group(2)) >= 1, run.err
    holder.execute("ROLLBACK")
    assert _no_ledger(db)
    run = driftgate("stamp", *args, cwd=tmp_path)  # the lock gone, the same stamp goes through
    assert run.code == 0, run.err + run.out
