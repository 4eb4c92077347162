"""`driftgate stamp` and `pytest conformance --driftgate-stamp` reach the same decision on every ledger state.

Each state is built twice (one copy per path) as a real file database; both paths read the same
[tool.driftgate] of a scratch project, so only the front end differs.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from cli import driftgate
from conftest import LEGACY_SQL, PREPARE_SQL, REPO, SEQUENCE_MIGRATIONS, build_file_db
from driftgate.sources.migrations import load_migrations
from test_conformance_suite import pytest_in

SEQUENCE = load_migrations(SEQUENCE_MIGRATIONS)
BASELINE, NEXT = SEQUENCE.entries
LEDGER = 'CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)'


def _rows(*rows: tuple[str, int]) -> str:
    inserts = "".join(f"INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('{h}', {w});" for h, w in rows)
    return LEDGER + ";" + inserts


STAMPED = _rows((BASELINE.hash, BASELINE.when))
# state -> (extra SQL on the conforming database, whether the journal is out of order, expected decision)
STATES = {
    "unstamped": ("", False, "stamped"),
    "stamped": (STAMPED, False, "already"),
    "stamped then unexpected table": (STAMPED + "CREATE TABLE intruder (x);", False, "already"),
    "unstamped with drift": ("CREATE TABLE intruder (x);", False, "refused"),
    "edited hash": (_rows(("0" * 64, BASELINE.when)), False, "refused"),
    "unknown row": (_rows(("f" * 64, 42)), False, "refused"),
    "high-water mark": (_rows((NEXT.hash, NEXT.when)), False, "refused"),
    "journal out of order": ("", True, "refused"),
}


def _project(root: Path, out_of_order: bool) -> Path:
    """A scratch project: migrations (maybe with 0001 dated before 0000), conformance suite, config."""
    root.mkdir()
    migrations = root / "migrations"
    shutil.copytree(SEQUENCE_MIGRATIONS, migrations)
    if out_of_order:
        journal = json.loads((migrations / "meta" / "_journal.json").read_text())
        journal["entries"][1]["when"] = BASELINE.when - 1
        (migrations / "meta" / "_journal.json").write_text(json.dumps(journal))
    shutil.copytree(REPO / "conformance", root / "conformance")
    (root / "pyproject.toml").write_text(
        '[tool.driftgate]\ndb_url = "file:prod.db"\nmigrations = "migrations"\ntag = "0000_baseline"\n'
    )
    return root


def _decision(text: str) -> str:
    if "already stamped" in text:
        return "already"
    if "ledger row(s) written" in text:
        return "stamped"
    assert "refus" in text, text
    return "refused"


def _ledger(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_schema WHERE name = '__drizzle_migrations'").fetchall():
            return []
        return connection.execute("SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at").fetchall()


@pytest.mark.parametrize("state", list(STATES))
def test_cli_and_plugin_give_the_same_stamp_answer(tmp_path: Path, state: str) -> None:
    extra, out_of_order, expected = STATES[state]
    answers = {}
    ledgers = {}
    for front in ("cli", "plugin"):
        project = _project(tmp_path / front, out_of_order)
        db = build_file_db(project / "prod.db", LEGACY_SQL.read_text(), PREPARE_SQL.read_text(), extra)
        if front == "cli":
            run = driftgate("stamp", "--yes", "--no-backup", cwd=project)
            answers[front] = _decision(run.out + run.err)
            assert run.code == (1 if expected == "refused" else 0), run.out + run.err
        else:
            _, out = pytest_in(project, "conformance", "--driftgate-stamp", "-p", "no:xdist")
            line = next(line for line in out.splitlines() if line.startswith("driftgate stamp:"))
            answers[front] = _decision(line)
        ledgers[front] = _ledger(db)
    assert answers == {"cli": expected, "plugin": expected}, state
    assert ledgers["cli"] == ledgers["plugin"]
