"""drizzle's ledger (``__drizzle_migrations``) against the journal: one derived state, ``ledger`` findings.

The migrator reads only the newest ``created_at`` and runs every journal entry
whose ``when`` is greater; the hash is never compared (DESIGN 3).  So a row
whose created_at is at or past a pending entry's ``when`` silently skips it, and
an entry whose ``when`` is not above every earlier entry's is skipped forever.

``LedgerState`` is computed once from the journal and the rows; the ledger
findings (this module) and the stamp plan (``stamp.py``) both read it, so the
check and the stamp cannot disagree about what the ledger says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from driftgate.findings import Finding, new_finding
from driftgate.identifiers import quote
from driftgate.live import LedgerRow
from driftgate.sources.migrations import MigrationEntry, MigrationsFolder


@dataclass(frozen=True)
class EntryState:
    """One journal entry as the ledger sees it."""

    entry: MigrationEntry
    rows: tuple[LedgerRow, ...]  # rows whose created_at is this entry's `when`
    earlier_max_when: int | float | None  # the greatest `when` of the entries before it in the journal
    newest: int | float | None  # the ledger's newest created_at

    @property
    def recorded(self) -> bool:
        """Recorded with this file's hash: applied (or stamped) as it is now."""
        return any(r.hash == self.entry.hash for r in self.rows)

    @property
    def edited(self) -> bool:
        """Recorded, but only with other hashes: the file changed after it was applied."""
        return bool(self.rows) and not self.recorded

    @property
    def out_of_order(self) -> bool:
        """Its `when` is not above an earlier entry's: the migrator never applies it once that one is recorded."""
        return self.earlier_max_when is not None and self.entry.when <= self.earlier_max_when

    @property
    def shadowed(self) -> bool:
        """Pending, yet the newest created_at is already at or past its `when`: the migrator would skip it."""
        return not self.rows and self.newest is not None and self.newest >= self.entry.when


@dataclass(frozen=True)
class LedgerState:
    entries: tuple[EntryState, ...]
    strangers: tuple[LedgerRow, ...]  # rows the journal does not know (no entry has their created_at)
    newest: int | float | None
    exists: bool  # the ledger table exists

    def entry(self, tag: str) -> EntryState:
        return next(s for s in self.entries if s.entry.tag == tag)

    def recorded_entries(self) -> list[MigrationEntry]:
        return [s.entry for s in self.entries if s.rows]

    def pending_after(self, baseline: MigrationEntry) -> tuple[MigrationEntry, ...]:
        """What `drizzle-kit migrate` would run once the baseline is recorded: the entries after it whose
        `when` is above the newest created_at (the migrator reads that once and compares every entry with it)."""
        threshold = baseline.when if self.newest is None else max(self.newest, baseline.when)
        return tuple(s.entry for s in self.entries if s.entry.position > baseline.position and s.entry.when > threshold)


def ledger_state(folder: MigrationsFolder, rows: Sequence[LedgerRow] | None) -> LedgerState:
    """Group the rows by created_at and compare them with the journal, once."""
    all_rows = tuple(rows or ())
    by_when: dict[int | float | None, list[LedgerRow]] = {}
    for row in all_rows:
        by_when.setdefault(row.created_at, []).append(row)
    newest = max((r.created_at for r in all_rows if r.created_at is not None), default=None)
    states = []
    earlier: int | float | None = None
    for entry in folder.entries:
        states.append(EntryState(entry, tuple(by_when.get(entry.when, ())), earlier, newest))
        earlier = entry.when if earlier is None else max(earlier, entry.when)
    known = {e.when for e in folder.entries}
    strangers = tuple(r for r in all_rows if r.created_at not in known)
    return LedgerState(tuple(states), strangers, newest, rows is not None)


# A ledger finding: source baseline, kind ledger, no table; called as (object, status, message, **values).
_finding = functools.partial(new_finding, "baseline", "ledger", None)


def _expected(entry: MigrationEntry) -> str:
    return f"hash {entry.hash[:12]}…, created_at {entry.when}"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# One function per rule; the first rule that applies to an entry gives its one finding.


def _edited(state: EntryState, table: str) -> Finding | None:
    if not state.edited:
        return None
    entry = state.entry
    return _finding(
        entry.tag,
        "different",
        f"{entry.tag} is recorded with another hash: the file was edited after it was applied",
        expected=_expected(entry),
        actual=f"hash {state.rows[0].hash[:12]}…, created_at {entry.when}",
        fix=f"-- restore {entry.path.name} as it was applied, or (if the edit is harmless) "
        f"UPDATE {quote(table)} SET hash = {_sql_string(entry.hash)} WHERE created_at = {entry.when};",
        location=str(entry.path),
    )


def _out_of_order(state: EntryState, table: str) -> Finding | None:
    if not state.out_of_order:
        return None
    entry = state.entry
    return _finding(
        entry.tag,
        "different",
        f"{entry.tag}'s journal when ({entry.when}) is not greater than an earlier entry's ({state.earlier_max_when}): "
        "drizzle's migrator will never apply it once the earlier entry is recorded",
        expected=f"when > {state.earlier_max_when}",
        actual=f"when {entry.when}",
        fix=f"-- regenerate {entry.tag} with drizzle-kit generate, or edit its when in meta/_journal.json "
        f"to a value greater than {state.earlier_max_when}",
        location=str(entry.folder / "meta" / "_journal.json"),
    )


def _shadowed(state: EntryState, table: str) -> Finding | None:
    if not state.shadowed:
        return None
    entry = state.entry
    return _finding(
        entry.tag,
        "different",
        f"{entry.tag} is pending but the ledger's newest created_at ({state.newest}) is not below its when "
        f"({entry.when}): drizzle's migrator would skip it silently",
        expected=f"pending, newest created_at < {entry.when}",
        actual=f"newest created_at {state.newest}",
        fix=f"-- remove the row(s) with created_at >= {entry.when} that the journal does not know",
        location=str(entry.path),
    )


def _recorded(state: EntryState, table: str) -> Finding | None:
    if not state.recorded:
        return None
    entry = state.entry
    expected = _expected(entry)
    return _finding(
        entry.tag,
        "ok",
        f"{entry.tag} is recorded as applied",
        expected=expected,
        actual=expected,
        location=str(entry.path),
    )


def _pending(state: EntryState, table: str) -> Finding:
    entry = state.entry
    return _finding(
        entry.tag,
        "ok",
        f"{entry.tag} is pending (not recorded yet)",
        expected=_expected(entry),
        actual="pending",
        location=str(entry.path),
    )


ENTRY_RULES: tuple[Callable[[EntryState, str], Finding | None], ...] = (_out_of_order, _edited, _shadowed, _recorded)


def entry_finding(state: EntryState, table: str) -> Finding:
    for rule in ENTRY_RULES:
        finding = rule(state, table)
        if finding is not None:
            return finding
    return _pending(state, table)


def stranger_finding(row: LedgerRow, table: str) -> Finding:
    return _finding(
        str(row.created_at),
        "unexpected",
        f"{table} has a row (created_at {row.created_at}) that the journal does not know",
        expected=None,
        actual=f"hash {row.hash[:12]}…, created_at {row.created_at}",
        fix=f"-- find which migration wrote it; DELETE FROM {quote(table)} WHERE created_at = {row.created_at};",
    )


def ledger_findings(state: LedgerState, table: str) -> list[Finding]:
    findings = [entry_finding(s, table) for s in state.entries]
    findings += [stranger_finding(row, table) for row in state.strangers]
    return findings
