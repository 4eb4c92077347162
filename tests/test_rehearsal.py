"""Pending-migration rehearsal (DESIGN 4, kind `migration`) on real migration folders.

The answers are checked against drizzle-orm's real migrator on a copy of the same database:
what the rehearsal says applies does apply, what it says fails does fail.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import jsonschema
import pytest

from cli import Run, driftgate
from conftest import LEGACY_SQL, PREPARE_SQL, REPO, SEQUENCE_MIGRATIONS, build_file_db
from driftgate.report.json_report import report_schema
from driftgate.sources.migrations import load_migrations
from driftgate.stamp import create_ledger_sql


def _folder(tmp_path: Path, *later: tuple[str, str]) -> Path:
    """stamp-sequence's baseline, then the given (tag, sql) entries after it."""
    folder = tmp_path / "migrations"
    (folder / "meta").mkdir(parents=True)
    shutil.copy(SEQUENCE_MIGRATIONS / "0000_baseline.sql", folder)
    shutil.copy(SEQUENCE_MIGRATIONS / "meta" / "0000_snapshot.json", folder / "meta")
    journal = json.loads((SEQUENCE_MIGRATIONS / "meta" / "_journal.json").read_text())
    entries = journal["entries"][:1]
    for n, (tag, sql) in enumerate(later, start=1):
        (folder / f"{tag}.sql").write_text(sql, encoding="utf-8")
        entries.append({"idx": n, "version": "6", "when": entries[0]["when"] + n, "tag": tag, "breakpoints": True})
    (folder / "meta" / "_journal.json").write_text(json.dumps({**journal, "entries": entries}))
    return folder


def _check(tmp_path: Path, db: Path, folder: Path) -> tuple[int, dict, str]:
    report, html = tmp_path / "r.json", tmp_path / "r.html"
    run = driftgate("check", "--db", db, "--migrations", folder, "--json", report, "--html", html, cwd=tmp_path)
    document = json.loads(report.read_text())
    jsonschema.validate(document, report_schema())
    return run.code, document, html.read_text()


def _rehearsal(document: dict) -> dict[str, dict]:
    return {f["object"]: f for f in document["findings"] if f["kind"] == "migration"}


def _real_migrator_succeeds(db: Path, folder: Path) -> bool:
    """Stamp the baseline on a copy (as the rehearsal presumes), then run drizzle-orm's real migrator."""
    copy = db.with_name("migrated-" + db.name)
    shutil.copy(db, copy)
    baseline = load_migrations(folder).entries[0]
    with sqlite3.connect(copy) as connection:
        connection.execute(create_ledger_sql("__drizzle_migrations"))
        connection.execute(
            "INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)", (baseline.hash, baseline.when)
        )
    done = subprocess.run(
        ["node", str(REPO / "tools" / "migrate.mjs"), f"file:{copy}", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode == 0


def _stamp(tmp_path: Path, db: Path, folder: Path) -> Run:
    return driftgate("stamp", "--db", db, "--migrations", folder, "--yes", "--no-backup", cwd=tmp_path)


def _stamp_refused(tmp_path: Path, db: Path, folder: Path) -> str:
    """The stamp's error output, once it has refused (exit 1) and written no ledger at all."""
    stamp = _stamp(tmp_path, db, folder)
    assert stamp.code == 1, stamp.err
    with sqlite3.connect(db) as connection:
        assert not connection.execute("SELECT 1 FROM sqlite_schema WHERE name = '__drizzle_migrations'").fetchall()
    return stamp.err


def _conforming(tmp_path: Path) -> Path:
    return build_file_db(tmp_path / "prod.db", LEGACY_SQL.read_text(), PREPARE_SQL.read_text())


def test_stamp_sequence_pending_entry_applies(tmp_path: Path) -> None:
    db = _conforming(tmp_path)
    code, document, html = _check(tmp_path, db, SEQUENCE_MIGRATIONS)
    assert code == 0
    found = _rehearsal(document)
    assert found["0001_add_lookup_indexes"]["status"] == "ok"
    assert "data is not copied" in found["0001_add_lookup_indexes"]["message"]
    assert "Pending migrations" in html and "0001_add_lookup_indexes" in html
    assert _real_migrator_succeeds(db, SEQUENCE_MIGRATIONS)


def test_failing_entry_is_different_with_file_line_and_blocks_the_stamp(tmp_path: Path) -> None:
    db = _conforming(tmp_path)
    with sqlite3.connect(db) as connection:  # someone added the index by hand: 0001 will collide with it
        connection.execute("CREATE INDEX idx_sessions_machine ON sessions (machine_id, started_at DESC)")
    folder = _folder(
        tmp_path,
        (
            "0001_lookup",
            "CREATE INDEX `idx_command_cache_lookup` ON `command_cache` (`machine_id`);--> statement-breakpoint\n"
            'CREATE INDEX `idx_sessions_machine` ON `sessions` (`machine_id`,"started_at" desc);',
        ),
        ("0002_more", "ALTER TABLE `sessions` ADD `note` text;"),
    )
    code, document, html = _check(tmp_path, db, folder)
    assert code == 1
    found = _rehearsal(document)
    failed = found["0001_lookup"]
    assert failed["status"] == "different" and failed["expected"] == "applies"
    assert "already exists" in failed["actual"]
    assert failed["location"] == f"{folder / '0001_lookup.sql'}:2"
    assert "data is not copied" in failed["message"] and failed["fix"]
    assert found["0002_more"]["status"] == "not_compared"
    assert "0001_lookup" in html and "already exists" in html
    assert not _real_migrator_succeeds(db, folder)

    assert "baseline:migration:0001_lookup" in _stamp_refused(tmp_path, db, folder)


def test_later_entry_failing_after_an_applying_one(tmp_path: Path) -> None:
    db = _conforming(tmp_path)
    folder = _folder(
        tmp_path,
        ("0001_ok", "ALTER TABLE `sessions` ADD `note` text;"),
        ("0002_bad", "CREATE INDEX `ix_note` ON `sessions` (`no_such_column`);"),
    )
    _, document, _ = _check(tmp_path, db, folder)
    found = _rehearsal(document)
    assert [found[t]["status"] for t in ("0001_ok", "0002_bad")] == ["ok", "different"]
    assert "no such column" in found["0002_bad"]["actual"]
    assert not _real_migrator_succeeds(db, folder)


def test_two_statements_in_one_chunk_are_what_the_migrator_cannot_run(tmp_path: Path) -> None:
    db = _conforming(tmp_path)
    folder = _folder(tmp_path, ("0001_two", "CREATE TABLE `a` (`x` integer);\nCREATE TABLE `b` (`y` integer);\n"))
    _, document, _ = _check(tmp_path, db, folder)
    found = _rehearsal(document)["0001_two"]
    assert found["status"] == "different" and "2 statements" in found["actual"]
    assert found["location"].endswith("0001_two.sql:2")
    with_breakpoint = _folder(
        tmp_path / "fixed",
        ("0001_two", "CREATE TABLE `a` (`x` integer);--> statement-breakpoint\nCREATE TABLE `b` (`y` integer);\n"),
    )
    _, document, _ = _check(tmp_path, db, with_breakpoint)
    assert _rehearsal(document)["0001_two"]["status"] == "ok"
    assert _real_migrator_succeeds(db, with_breakpoint)


def test_fts5_and_views_and_triggers_are_rebuilt(tmp_path: Path) -> None:
    db = _conforming(tmp_path)
    with sqlite3.connect(db) as connection:
        connection.executescript(
            "CREATE VIRTUAL TABLE notes_fts USING fts5(body);"
            "CREATE VIEW v_sessions AS SELECT machine_id FROM sessions;"
            "CREATE TRIGGER tr_sessions AFTER INSERT ON sessions BEGIN SELECT 1; END;"
        )
    folder = _folder(
        tmp_path, ("0001_drop_view", "DROP VIEW `v_sessions`;--> statement-breakpoint\nDROP TRIGGER `tr_sessions`;")
    )
    _, document, _ = _check(tmp_path, db, folder)
    assert _rehearsal(document)["0001_drop_view"]["status"] == "ok"
    missing = _folder(tmp_path / "again", ("0001_drop_view", "DROP VIEW `v_nope`;"))
    _, document, _ = _check(tmp_path, db, missing)
    assert "no such view" in _rehearsal(document)["0001_drop_view"]["actual"]


def _migrate(db: Path, folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(REPO / "tools" / "migrate.mjs"), f"file:{db}", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# Measured with drizzle-orm's real migrator on a file database: every one of these fails with
# SQLITE_UNKNOWN_0 "not an error" (sqld: SQL_NO_STATEMENT) and rolls back every pending migration.
NO_STATEMENT_CHUNKS = {
    "custom": "-- Custom SQL migration file, put your code below! --",  # drizzle-kit generate --custom
    "empty": "",
    "space": "  \n",
    "block_comment": "/* nothing here */\n",
    "lone_semicolon": ";\n",
    "trailing_breakpoint": "ALTER TABLE `sessions` ADD `note` text;\n--> statement-breakpoint\n",
    "comment_chunk": "ALTER TABLE `sessions` ADD `note` text;\n--> statement-breakpoint\n-- done\n",
    "pull_style": "/*\nCREATE TABLE `extra` (`x` integer);\n*/\n",
}


@pytest.mark.parametrize("case", sorted(NO_STATEMENT_CHUNKS))
def test_a_chunk_without_a_statement_fails_as_in_the_migrator_and_blocks_the_stamp(tmp_path: Path, case: str) -> None:
    db = _conforming(tmp_path)
    folder = _folder(tmp_path, ("0001_custom", NO_STATEMENT_CHUNKS[case]))
    code, document, _ = _check(tmp_path, db, folder)
    found = _rehearsal(document)["0001_custom"]
    assert code == 1 and found["status"] == "different"
    assert "no SQL statement" in found["actual"] and found["location"].startswith(str(folder / "0001_custom.sql"))
    assert not _real_migrator_succeeds(db, folder)

    assert "baseline:migration:0001_custom" in _stamp_refused(tmp_path, db, folder)


def test_a_custom_migration_with_a_statement_is_stamped_then_migrated(tmp_path: Path) -> None:
    db = _conforming(tmp_path)
    custom = "-- Custom SQL migration file, put your code below! --\nALTER TABLE `sessions` ADD `note` text;;\n"
    folder = _folder(tmp_path, ("0001_custom", custom))
    code, document, _ = _check(tmp_path, db, folder)
    assert code == 0 and _rehearsal(document)["0001_custom"]["status"] == "ok"

    stamp = _stamp(tmp_path, db, folder)
    assert stamp.code == 0, stamp.err + stamp.out
    assert _migrate(db, folder).returncode == 0
    with sqlite3.connect(db) as connection:
        assert "note" in {r[1] for r in connection.execute("PRAGMA table_info(sessions)")}
        assert connection.execute("SELECT count(*) FROM __drizzle_migrations").fetchone() == (2,)


def _journal_order_folder(tmp_path: Path, order: list[int], whens: dict[int, int]) -> Path:
    """Baseline, then 0001 (a table) and 0002 (an index on it), stored in the journal array in ``order``."""
    folder = _folder(
        tmp_path,
        ("0001_table", "CREATE TABLE `notes` (`id` integer PRIMARY KEY NOT NULL, `body` text);\n"),
        ("0002_index", "CREATE INDEX `notes_body_idx` ON `notes` (`body`);\n"),
    )
    journal_path = folder / "meta" / "_journal.json"
    journal = json.loads(journal_path.read_text())
    base = journal["entries"][0]["when"]
    entries = [journal["entries"][i] for i in order]
    for entry in entries[1:]:
        entry["when"] = base + whens[entry["idx"]]
    journal_path.write_text(json.dumps({**journal, "entries": entries}))
    return folder


def test_journal_array_order_is_the_order_the_migrator_runs(tmp_path: Path) -> None:
    """Stored 0, 2, 1 with `when` rising with idx: the migrator runs 0002 first (and it fails)."""
    db = _conforming(tmp_path)
    folder = _journal_order_folder(tmp_path, [0, 2, 1], {1: 1, 2: 2})
    assert [e.tag for e in load_migrations(folder).entries] == ["0000_baseline", "0002_index", "0001_table"]
    code, document, _ = _check(tmp_path, db, folder)
    assert code == 1
    found = _rehearsal(document)
    assert found["0002_index"]["status"] == "different" and "no such table" in found["0002_index"]["actual"]
    assert found["0001_table"]["status"] == "not_compared"
    ledger = {f["object"]: f for f in document["findings"] if f["kind"] == "ledger"}
    assert ledger["0001_table"]["status"] == "different"  # its when is below 0002's, which comes before it
    assert not _real_migrator_succeeds(db, folder)

    _stamp_refused(tmp_path, db, folder)


def test_journal_array_order_that_the_migrator_can_run_is_stamped(tmp_path: Path) -> None:
    """Stored 0, 2, 1 with `when` rising in array order and 0001 needing 0002's table: the migrator succeeds."""
    db = _conforming(tmp_path)
    folder = _journal_order_folder(tmp_path, [0, 2, 1], {2: 1, 1: 2})
    (folder / "0001_table.sql").write_text("CREATE INDEX `notes_body_idx` ON `notes` (`body`);\n")
    (folder / "0002_index.sql").write_text("CREATE TABLE `notes` (`id` integer PRIMARY KEY NOT NULL, `body` text);\n")
    code, document, _ = _check(tmp_path, db, folder)
    assert code == 0, document["findings"]
    assert {f["status"] for f in _rehearsal(document).values()} == {"ok"}

    stamp = _stamp(tmp_path, db, folder)
    assert stamp.code == 0, stamp.err + stamp.out
    assert _migrate(db, folder).returncode == 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT 1 FROM sqlite_schema WHERE name = 'notes_body_idx'").fetchall()


def test_a_fractional_journal_when_is_stamped_as_the_migrator_stores_it(tmp_path: Path) -> None:
    """drizzle's migrator binds `when` as a JS number: 1795787031783.5 is stored as that REAL, not truncated."""
    db = _conforming(tmp_path)
    folder = _folder(tmp_path, ("0001_note", "ALTER TABLE `sessions` ADD `note` text;\n"))
    journal_path = folder / "meta" / "_journal.json"
    journal = json.loads(journal_path.read_text())
    journal["entries"][0]["when"] += 0.5
    journal_path.write_text(json.dumps(journal))
    when = journal["entries"][0]["when"]
    assert load_migrations(folder).entries[0].when == when

    stamp = _stamp(tmp_path, db, folder)
    assert stamp.code == 0, stamp.err + stamp.out
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT created_at, typeof(created_at) FROM __drizzle_migrations").fetchall() == [
            (when, "real")
        ]
    migrated = _migrate(db, folder)  # the baseline is not run again (it would fail: its tables exist)
    assert migrated.returncode == 0, migrated.stderr
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM __drizzle_migrations").fetchone() == (2,)
    again = _stamp(tmp_path, db, folder)
    assert again.code == 0 and "already stamped" in again.out
    code, document, _ = _check(tmp_path, db, folder)
    assert code == 0 and not [f for f in document["findings"] if f["kind"] == "ledger" and f["status"] != "ok"]
