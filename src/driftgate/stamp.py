"""``driftgate stamp``: record the baseline as applied, exactly as drizzle's migrator would.

The migrator (DESIGN 3) reads only the newest ``created_at`` of its ledger and
runs every journal entry whose ``when`` is greater.  So stamping = inserting
(sha256 of the file text, the entry's journal ``when``) for the baseline and
every earlier entry, in one transaction, and only after the full check passed.
Each insert is conditional inside the transaction: the ledger has no unique key,
so that is what keeps concurrent stampers from writing duplicate rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from driftgate.check import CheckRequest
from driftgate.connection import Database, Statement
from driftgate.errors import DatabaseError, StampRefused
from driftgate.findings import Report
from driftgate.identifiers import quote
from driftgate.live import LedgerRow, ledger_exists, read_ledger
from driftgate.sources.migrations import MigrationEntry, MigrationsFolder
from driftgate.urls import DatabaseTarget, resolve_database


def create_ledger_sql(table: str) -> str:
    """The ledger exactly as drizzle-orm's SQLite migrator creates it."""
    return f"CREATE TABLE IF NOT EXISTS {quote(table)} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)"


def insert_sql(table: str) -> str:
    t = quote(table)
    return (
        # Re-checked inside the write transaction: nothing at or after this entry's `when` may exist,
        # neither the same entry (another stamper was faster) nor a later migration applied meanwhile.
        f'INSERT INTO {t} ("hash", "created_at") SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE created_at >= ?)'
    )


@dataclass(frozen=True)
class StampPlan:
    tag: str
    already_stamped: bool
    to_insert: tuple[MigrationEntry, ...]
    statements: tuple[Statement, ...]


def plan_stamp(folder: MigrationsFolder, tag: str, rows: Sequence[LedgerRow] | None, table: str) -> StampPlan:
    """Decide what to write, or refuse with the reason (DESIGN 4, "Stamp edges")."""
    rows = tuple(rows or ())
    target = folder.entry(tag)
    entries = folder.up_to(tag)
    by_when: dict[int | None, list[LedgerRow]] = {}
    for row in rows:
        by_when.setdefault(row.created_at, []).append(row)
    if any(r.hash == target.hash for r in by_when.get(target.when, [])):
        return StampPlan(target.tag, True, (), ())
    known = {e.when for e in folder.entries}
    strangers = [r for r in rows if r.created_at not in known]
    if strangers:
        raise StampRefused(
            f"{table} has {len(strangers)} row(s) the journal does not know (created_at {strangers[0].created_at}): "
            "refusing to stamp a ledger written for other migrations"
        )
    for entry in entries:
        recorded = by_when.get(entry.when, [])
        if recorded and all(r.hash != entry.hash for r in recorded):
            raise StampRefused(
                f"{table} records {entry.tag} (created_at {entry.when}) with another hash: "
                f"{entry.path.name} was edited after it was applied"
            )
    newest = max((r.created_at for r in rows if r.created_at is not None), default=None)
    if newest is not None and newest >= target.when:
        raise StampRefused(
            f"{table} already has created_at {newest} >= {target.tag}'s when ({target.when}) but does not record "
            f"{target.tag}: the migrator would skip it silently; inspect the ledger before stamping"
        )
    missing = tuple(e for e in entries if not by_when.get(e.when))
    statements: list[Statement] = [(create_ledger_sql(table), ())]
    statements += [(insert_sql(table), (e.hash, e.when, e.when)) for e in missing]
    return StampPlan(target.tag, False, missing, tuple(statements))


@dataclass(frozen=True)
class StampOutcome:
    tag: str
    written: int
    already: bool
    backup: Path | None = None

    def __str__(self) -> str:
        if self.already:
            return f"{self.tag} is already stamped; nothing written"
        text = f"stamped {self.tag}: {self.written} ledger row(s) written"
        if self.backup:
            text += f" (backup: {self.backup})"
        return text


_BUSY_WORDS = ("busy", "locked", "sqlite_busy")
ATTEMPTS = 12


def _is_busy(error: DatabaseError) -> bool:
    return any(w in str(error).lower() for w in _BUSY_WORDS)


def backup_file(db: Database, path: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.driftgate-backup-{stamp}")
    db.query("VACUUM INTO ?", (str(target),))
    return target


def write_stamp(
    target: DatabaseTarget, folder: MigrationsFolder, tag: str, table: str, *, timeout: float, backup: bool
) -> StampOutcome:
    """Plan and write atomically; concurrent writers are retried, then see 'already stamped'."""
    with Database(target, timeout=timeout, writable=True) as db:
        backup_path: Path | None = None
        for attempt in range(ATTEMPTS):
            rows = read_ledger(db, table) if ledger_exists(db, table) else None
            plan = plan_stamp(folder, tag, rows, table)
            if plan.already_stamped:
                return StampOutcome(plan.tag, 0, True)
            if backup and target.file_path is not None and backup_path is None:
                backup_path = backup_file(db, target.file_path)
            try:
                written = db.batch(plan.statements)
            except DatabaseError as error:
                if not _is_busy(error) or attempt == ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
                continue
            inserted = sum(written[1:])
            if inserted == len(plan.to_insert):
                return StampOutcome(plan.tag, inserted, False, backup_path)
            # The ledger changed between our read and our write: judge it again rather than assume.
            rows = read_ledger(db, table)
            if plan_stamp(folder, tag, rows, table).already_stamped:
                return StampOutcome(plan.tag, inserted, inserted == 0, backup_path)
            raise StampRefused(f"{table} changed while stamping {plan.tag}; inspect the ledger and run the stamp again")
    raise DatabaseError(f"{target.display}: the database stayed busy; nothing written")


def refuse_unless_conforming(report: Report) -> None:
    if report.gate_tag is None:
        raise StampRefused("nothing to stamp: no migrations folder")
    if report.blocking:
        listed = "; ".join(f"{f.key} is {f.status}" for f in report.blocking[:3])
        more = f" (+{len(report.blocking) - 3} more, see the report)" if len(report.blocking) > 3 else ""
        raise StampRefused(
            f"refusing to stamp {report.gate_tag}: {len(report.blocking)} blocking findings: {listed}{more}"
        )


def stamp_after_check(request: CheckRequest, report: Report, *, backup: bool = True) -> StampOutcome:
    refuse_unless_conforming(report)
    assert request.migrations is not None and report.gate_tag is not None
    from driftgate.sources.migrations import load_migrations

    target = resolve_database(request.db_url, request.config_db_url)
    folder = load_migrations(request.migrations)
    return write_stamp(target, folder, report.gate_tag, request.ledger_table, timeout=request.timeout, backup=backup)


def undo_stamp(target: DatabaseTarget, folder: MigrationsFolder, tag: str, table: str, *, timeout: float) -> int:
    """Remove exactly the rows this baseline's stamp wrote, while nothing later is recorded."""
    entry = folder.entry(tag)
    with Database(target, timeout=timeout, writable=True) as db:
        if not ledger_exists(db, table):
            raise StampRefused(f"nothing to undo: {table} does not exist")
        rows = read_ledger(db, table)
        later = [r for r in rows if r.created_at is not None and r.created_at > entry.when]
        if later:
            raise StampRefused(
                f"refusing to undo: {len(later)} later migration(s) are recorded after {entry.tag} "
                f"(created_at {later[0].created_at}); undoing the baseline would misrepresent them"
            )
        t = quote(table)
        statements: list[Statement] = [
            (f"DELETE FROM {t} WHERE created_at = ? AND hash = ?", (e.when, e.hash)) for e in folder.up_to(tag)
        ]
        return sum(db.batch(statements))
