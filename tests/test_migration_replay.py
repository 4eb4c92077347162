"""Replaying migration folders as real projects write them (DESIGN 2): the shadow database copes."""

from __future__ import annotations

import json
from pathlib import Path

import libsql

from cli import driftgate, failing
from driftgate.sources.statements import is_transaction_control

BASELINE = """CREATE TABLE `notes` (
\t`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
\t`title` text NOT NULL,
\t`body` text DEFAULT '' NOT NULL,
\t`words` integer GENERATED ALWAYS AS (length(`body`)) VIRTUAL
);
--> statement-breakpoint
CREATE INDEX `notes_title_idx` ON `notes` (lower(`title`)) WHERE `title` <> '';
--> statement-breakpoint
CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, content='notes', content_rowid='id');
--> statement-breakpoint
CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN
  INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
"""

# Hand-written: transaction control, a rebuild through a temporary table, data statements,
# several statements without breakpoints, and libSQL's own ALTER COLUMN.
REBUILD = """BEGIN TRANSACTION;
INSERT INTO notes (title, body) VALUES ('hello', 'world');
CREATE TEMPORARY TABLE notes_backup AS SELECT id, title, body FROM notes;
UPDATE notes SET body = upper(body);
DROP TABLE notes_backup;
CREATE TABLE `tags` (`id` integer PRIMARY KEY NOT NULL, `note_id` integer REFERENCES notes(id), `name` text);
COMMIT TRANSACTION;
--> statement-breakpoint
ALTER TABLE tags ALTER COLUMN name TO name text NOT NULL CHECK (length(name) > 0);
"""


def write_folder(root: Path, files: dict[str, str]) -> Path:
    folder = root / "migrations"
    (folder / "meta").mkdir(parents=True)
    entries = []
    for idx, (tag, text) in enumerate(files.items()):
        (folder / f"{tag}.sql").write_text(text)
        entries.append({"idx": idx, "version": "6", "when": 1_700_000_000_000 + idx, "tag": tag, "breakpoints": True})
    (folder / "meta" / "_journal.json").write_text(
        json.dumps({"version": "7", "dialect": "sqlite", "entries": entries})
    )
    return folder


def apply(db: Path, *scripts: str) -> Path:
    connection = libsql.connect(str(db))
    for script in scripts:
        for chunk in script.split("--> statement-breakpoint"):
            connection.executescript(chunk)
    connection.commit()
    connection.close()
    return db


def test_real_world_migration_folder_replays_and_conforms(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"0000_init": BASELINE, "0001_rebuild": REBUILD})
    db = apply(tmp_path / "app.db", BASELINE, REBUILD)
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", db, "--migrations", folder, "--tag", "0001_rebuild", "--json", out, cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    report = json.loads(out.read_text())
    objects = {(f["kind"], f["object"]) for f in report["findings"]}
    assert ("table", "notes_fts") in objects  # the virtual table is schema...
    assert not any(o.startswith("notes_fts_") for _, o in objects)  # ...its shadow tables are not
    assert ("trigger", "notes_ai") in objects
    assert ("check", 'tags(LENGTH("name") > 0)') in objects  # added by libSQL's ALTER COLUMN
    assert ("index", "notes_title_idx") in objects


def test_drift_in_a_generated_column_is_found(tmp_path: Path) -> None:
    folder = write_folder(tmp_path, {"0000_init": BASELINE})
    db = apply(tmp_path / "app.db", BASELINE.replace("length(`body`)", "length(`title`)"))
    out = tmp_path / "r.json"
    run = driftgate("check", "--db", db, "--migrations", folder, "--json", out, cwd=tmp_path)
    assert run.code == 1
    assert failing(json.loads(out.read_text())) == {("baseline", "column", "notes.words", "different")}


def test_a_migration_that_cannot_be_replayed_names_file_and_line(tmp_path: Path) -> None:
    broken = REBUILD.replace("DROP TABLE notes_backup;", "DROP TABLE no_such_table;")
    folder = write_folder(tmp_path, {"0000_init": BASELINE, "0001_rebuild": broken})
    db = apply(tmp_path / "app.db", BASELINE)
    run = driftgate("check", "--db", db, "--migrations", folder, "--tag", "0001_rebuild", cwd=tmp_path)
    assert run.code == 2
    assert "0001_rebuild.sql:5" in run.err and "no_such_table" in run.err


def test_transaction_control_is_recognised_by_its_first_word() -> None:
    for sql in (
        "BEGIN TRANSACTION;",
        "  -- note\ncommit;",
        "END;",
        "/* x */ ROLLBACK",
        "SAVEPOINT a",
        "COMMIT;;",
        "release a;",
        "begin\tdeferred",
        "Begin\n",
    ):
        assert is_transaction_control(sql), sql
    for sql in (
        "BEGINNING",
        "CREATE TABLE begin_x (a)",
        "",
        "   ",
        "-- only a comment",
        "COMMIT--x",
        "END;x",
        "begın",
    ):  # a dotless i is no keyword letter to SQLite
        assert not is_transaction_control(sql), sql
