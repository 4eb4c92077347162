"""A drizzle-kit migrations folder: ``meta/_journal.json``, ``NNNN_tag.sql`` and snapshots (DESIGN 3)."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from driftgate.errors import InputError
from driftgate.model import Location
from driftgate.sources.snapshot import snapshot_statements
from driftgate.sources.statements import SqlStatement, skip_space_and_comments, split_sql_script


@dataclass(frozen=True)
class MigrationEntry:
    idx: int
    tag: str
    # journal `when` (ms), the JS number the migrator binds as created_at: an int, or a float when the
    # journal holds a fractional value (the migrator then stores that REAL and compares with it)
    when: int | float
    path: Path
    folder: Path
    # Its place in the journal's `entries` array: the order drizzle's migrator reads, applies and compares
    # entries in (readMigrationFiles iterates the array; `idx` is never read).
    position: int = 0

    @cached_property
    def text(self) -> str:
        # Bytes, not read_text(): newline translation would turn CRLF into LF, and drizzle's migrator hashes
        # readFileSync(...).toString(), CR included.
        try:
            return self.path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            raise InputError(
                f"{self.folder / 'meta' / '_journal.json'}: entry {self.tag} has no file {self.path}"
            ) from None

    @property
    def hash(self) -> str:
        """sha256 hex of the file's text, exactly as drizzle's migrator computes it."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def is_pull_style(self) -> bool:
        """drizzle-kit pull writes the whole DDL inside one /* ... */ comment: nothing to execute."""
        return skip_space_and_comments(self.text) >= len(self.text) and "/*" in self.text

    @property
    def snapshot_path(self) -> Path:
        return self.folder / "meta" / f"{self.idx:04d}_snapshot.json"

    def statements(self) -> list[SqlStatement]:
        if self.is_pull_style:
            return snapshot_statements(self.snapshot_path)
        return split_sql_script(self.text, Location(str(self.path), 1))


@dataclass(frozen=True)
class MigrationsFolder:
    folder: Path
    entries: tuple[MigrationEntry, ...]

    def entry(self, tag: str) -> MigrationEntry:
        for entry in self.entries:
            if tag in (entry.tag, f"{entry.idx:04d}", str(entry.idx)):
                return entry
        known = ", ".join(e.tag for e in self.entries)
        raise InputError(f"--tag: {tag!r} is not in {self.folder / 'meta' / '_journal.json'} (known: {known})")

    def up_to(self, tag: str) -> tuple[MigrationEntry, ...]:
        target = self.entry(tag)
        return self.entries[: target.position + 1]

    def statements_up_to(self, tag: str) -> list[SqlStatement]:
        entries = self.up_to(tag)
        # A pull-style entry is a picture of the whole schema: replay starts from the latest one.
        start = max((i for i, e in enumerate(entries) if e.is_pull_style), default=0)
        statements: list[SqlStatement] = []
        for entry in entries[start:]:
            statements.extend(entry.statements())
        return statements


def migrator_number(value: object) -> int | float | None:
    """``value`` as the JS number drizzle's migrator holds (a journal `when`, a ledger `created_at`): an int
    when whole, a float when fractional (1795787031783.5 stays so); None when it is no finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _journal_when(value: object) -> int | float:
    number = migrator_number(value)
    if number is None:
        raise ValueError(value)
    return number


_NEW_LAYOUT = re.compile(r"^\d{14}_.+")


def load_migrations(folder: Path) -> MigrationsFolder:
    """Read and validate a migrations folder; every problem names the file at fault."""
    if not folder.is_dir():
        raise InputError(f"--migrations: {folder} is not a directory")
    journal_path = folder / "meta" / "_journal.json"
    if not journal_path.is_file():
        if any(p.is_dir() and _NEW_LAYOUT.match(p.name) and (p / "migration.sql").is_file() for p in folder.iterdir()):
            raise InputError(
                f"--migrations: {folder} uses the drizzle-orm 1.0 layout (<timestamp>_<name>/migration.sql), "
                "which driftgate does not support yet"
            )
        raise InputError(f"--migrations: {journal_path} not found (is {folder} a drizzle-kit migrations folder?)")
    try:
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{journal_path}: cannot read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{journal_path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    dialect = journal.get("dialect") if isinstance(journal, dict) else None
    if dialect not in ("sqlite", "turso", None):
        raise InputError(f"{journal_path}: dialect {dialect!r} is not SQLite")
    raw_entries = journal.get("entries") if isinstance(journal, dict) else None
    if not isinstance(raw_entries, list) or not raw_entries:
        raise InputError(f"{journal_path}: no entries")
    entries = []
    for raw in raw_entries:
        try:
            idx, tag, when = int(raw["idx"]), str(raw["tag"]), _journal_when(raw["when"])
        except (KeyError, TypeError, ValueError, OverflowError):
            raise InputError(f"{journal_path}: malformed entry {json.dumps(raw)[:120]}") from None
        path = folder / f"{tag}.sql"
        if not path.is_file():
            raise InputError(f"{journal_path}: entry {tag} points at {path}, which does not exist")
        entries.append(MigrationEntry(idx, tag, when, path, folder, len(entries)))
    # Not sorted by idx: the migrator runs the entries in array order, and so must every replay and rehearsal.
    return MigrationsFolder(folder, tuple(entries))


def drizzle_config_settings(config_path: Path) -> dict[str, str]:
    """``out``, ``migrations.table`` and ``casing`` of a drizzle.config.ts, parsed with tree-sitter (never node)."""
    from driftgate.sources.drizzle.config_file import drizzle_config_values

    values = drizzle_config_values(config_path)
    found: dict[str, str] = {}
    out = values.get("out")
    if isinstance(out, str) and out:
        found["out"] = str((config_path.parent / out).resolve())
    migrations = values.get("migrations")
    table = migrations.get("table") if isinstance(migrations, dict) else None
    if isinstance(table, str) and table:
        found["table"] = table
    casing = values.get("casing")
    if isinstance(casing, str) and casing:
        found["casing"] = casing
    return found
