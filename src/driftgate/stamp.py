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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from driftgate.connection import Database, Statement
from driftgate.errors import DatabaseError, InputError, StampRefused
from driftgate.findings import Report, plural
from driftgate.identifiers import quote
from driftgate.ledger import LedgerState, ledger_state
from driftgate.live import LedgerRow, ledger_exists, read_ledger
from driftgate.request import CheckRequest
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


# The ledger rules that refuse a stamp (DESIGN 4, "Stamp edges"), one function each, checked in order
# after "already stamped" (which wins over all of them).


def _refuse_strangers(state: LedgerState, target: MigrationEntry, table: str) -> str | None:
    if not state.strangers:
        return None
    return (
        f"{table} has {len(state.strangers)} row(s) the journal does not know "
        f"(created_at {state.strangers[0].created_at}): refusing to stamp a ledger written for other migrations"
    )


def _refuse_edited(state: LedgerState, target: MigrationEntry, table: str) -> str | None:
    edited = next((s for s in state.entries if s.entry.position <= target.position and s.edited), None)
    if edited is None:
        return None
    return (
        f"{table} records {edited.entry.tag} (created_at {edited.entry.when}) with another hash: "
        f"{edited.entry.path.name} was edited after it was applied"
    )


def _refuse_out_of_order(state: LedgerState, target: MigrationEntry, table: str) -> str | None:
    late = next((s for s in state.entries if s.out_of_order), None)
    if late is None:
        return None
    return (
        f"{late.entry.tag}'s journal when ({late.entry.when}) is not greater than an earlier entry's "
        f"({late.earlier_max_when}): drizzle's migrator would never apply it; regenerate it or edit its when"
    )


def _refuse_high_water(state: LedgerState, target: MigrationEntry, table: str) -> str | None:
    if state.newest is None or state.newest < target.when:
        return None
    return (
        f"{table} already has created_at {state.newest} >= {target.tag}'s when ({target.when}) but does not record "
        f"{target.tag}: the migrator would skip it silently; inspect the ledger before stamping"
    )


LEDGER_REFUSALS = (_refuse_strangers, _refuse_edited, _refuse_out_of_order, _refuse_high_water)


def plan_from_state(state: LedgerState, folder: MigrationsFolder, tag: str, table: str) -> StampPlan:
    """Decide what to write, or refuse with the reason (DESIGN 4, "Stamp edges"). Pure."""
    target = folder.entry(tag)
    if state.entry(target.tag).recorded:
        return StampPlan(target.tag, True, (), ())
    for rule in LEDGER_REFUSALS:
        reason = rule(state, target, table)
        if reason is not None:
            raise StampRefused(f"refusing to stamp {target.tag}: {reason}")
    missing = tuple(s.entry for s in state.entries if s.entry.position <= target.position and not s.rows)
    statements: list[Statement] = [(create_ledger_sql(table), ())]
    statements += [(insert_sql(table), (e.hash, e.when, e.when)) for e in missing]
    return StampPlan(target.tag, False, missing, tuple(statements))


def plan_stamp(folder: MigrationsFolder, tag: str, rows: Sequence[LedgerRow] | None, table: str) -> StampPlan:
    return plan_from_state(ledger_state(folder, rows), folder, tag, table)


def blocking_reason(report: Report, extra: Sequence[str] = ()) -> str | None:
    """Why the check forbids a stamp (failing baseline findings), or None."""
    reasons = [f"{f.key} is {f.status}" for f in report.blocking] + list(extra)
    if not reasons:
        return None
    listed = "; ".join(reasons[:3])
    more = f" (+{len(reasons) - 3} more, see the report)" if len(reasons) > 3 else ""
    return f"refusing to stamp {report.gate_tag}: {len(reasons)} blocking findings: {listed}{more}"


def decide_stamp(
    report: Report, folder: MigrationsFolder, rows: Sequence[LedgerRow] | None, table: str, extra: Sequence[str] = ()
) -> StampPlan:
    """The one stamp decision (pure): already stamped wins over drift; then the ledger's rules; then the check."""
    if report.gate_tag is None:
        raise InputError("no migrations folder configured: nothing to stamp")
    plan = plan_from_state(ledger_state(folder, rows), folder, report.gate_tag, table)  # ledger refusals name the row
    reason = None if plan.already_stamped else blocking_reason(report, extra)
    if reason is not None:
        raise StampRefused(reason)
    return plan


@dataclass(frozen=True)
class StampOutcome:
    tag: str
    written: int
    already: bool
    backup: Path | None = None
    planned: tuple[Statement, ...] | None = None  # --dry-run: what would run; nothing was written

    def __str__(self) -> str:
        if self.already:
            return f"{self.tag} is already stamped; nothing written"
        if self.planned is not None:
            return f"dry run: stamping {self.tag} would run {len(self.planned)} statement(s); nothing written"
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
    """Plan and write atomically; concurrent writers are retried, then see 'already stamped'.

    The whole write (every retry and every wait for another connection's lock) stays within
    ``timeout``: past it, exit 3 and nothing written.
    """
    started = time.monotonic()
    deadline = started + timeout
    attempts = 0
    with Database(target, timeout=timeout, writable=True) as db:
        backup_path: Path | None = None
        for attempt in range(ATTEMPTS):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            db.limit_wait(remaining)
            attempts += 1
            rows = read_ledger(db, table) if ledger_exists(db, table) else None
            plan = plan_stamp(folder, tag, rows, table)
            if plan.already_stamped:
                return StampOutcome(plan.tag, 0, True)
            if backup and target.file_path is not None and backup_path is None:
                backup_path = backup_file(db, target.file_path)
            try:
                written = db.batch(plan.statements)
            except DatabaseError as error:
                if not _is_busy(error):
                    raise
                time.sleep(max(min(random.uniform(0.02, 0.1) * (attempt + 1), deadline - time.monotonic()), 0))
                continue
            inserted = sum(written[1:])
            if inserted == len(plan.to_insert):
                return StampOutcome(plan.tag, inserted, False, backup_path)
            # The ledger changed between our read and our write: judge it again rather than assume.
            rows = read_ledger(db, table)
            if plan_stamp(folder, tag, rows, table).already_stamped:
                return StampOutcome(plan.tag, inserted, inserted == 0, backup_path)
            raise StampRefused(f"{table} changed while stamping {plan.tag}; inspect the ledger and run the stamp again")
    # What was tried, as it happened: a file waits out --timeout in its attempts, a server may answer "busy"
    # at once, so that every attempt is spent well before it.
    raise DatabaseError(
        f"{target.display}: the database stayed locked by another connection for {time.monotonic() - started:.1f} s "
        f"({plural(attempts, 'attempt')}, --timeout {timeout:g} s); nothing written"
    )


def stamp_after_check(
    request: CheckRequest,
    report: Report,
    *,
    backup: bool = True,
    dry_run: bool = False,
    confirm: Callable[[StampPlan, DatabaseTarget], None] | None = None,
    extra_blocking: Sequence[str] = (),
) -> StampOutcome:
    """The one stamp flow of ``driftgate stamp``, ``--driftgate-stamp`` and stamp-after-check.

    The ledger is read fresh (the report may come from an xdist worker or be minutes old), the
    decision is ``decide_stamp``, and the write re-judges the ledger inside its transaction.
    ``confirm`` may raise to decline; ``dry_run`` returns the plan without writing.
    """
    if report.gate_tag is None or request.migrations is None:
        raise InputError("no migrations folder configured: nothing to stamp")
    from driftgate.sources.migrations import load_migrations

    target = resolve_database(request.db_url, request.config_db_url)
    folder = load_migrations(request.migrations)
    with Database(target, timeout=request.timeout) as db:
        rows = read_ledger(db, request.ledger_table) if ledger_exists(db, request.ledger_table) else None
    plan = decide_stamp(report, folder, rows, request.ledger_table, extra_blocking)
    if plan.already_stamped:
        return StampOutcome(plan.tag, 0, True)
    if dry_run:
        return StampOutcome(plan.tag, 0, False, planned=plan.statements)
    if confirm is not None:
        confirm(plan, target)
    return write_stamp(target, folder, plan.tag, request.ledger_table, timeout=request.timeout, backup=backup)


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
