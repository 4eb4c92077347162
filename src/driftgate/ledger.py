"""drizzle's ledger (``__drizzle_migrations``) against the journal: ``ledger`` findings.

The migrator reads only the newest ``created_at`` and runs every journal entry
whose ``when`` is greater; the hash is never compared (DESIGN 3).  So a row
whose created_at is at or past a pending entry's ``when`` silently skips it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from driftgate.findings import Finding, new_finding
from driftgate.live import LedgerRow
from driftgate.sources.migrations import MigrationEntry, MigrationsFolder

# A ledger finding: source baseline, kind ledger, no table; called as (object, status, message, **values).
_finding = functools.partial(new_finding, "baseline", "ledger", None)


def recorded_entries(folder: MigrationsFolder, rows: Sequence[LedgerRow]) -> list[MigrationEntry]:
    """Journal entries that have a ledger row (matched by created_at == when, as the migrator orders them)."""
    stamps = {r.created_at for r in rows}
    return [e for e in folder.entries if e.when in stamps]


def ledger_findings(folder: MigrationsFolder, rows: Sequence[LedgerRow] | None, table: str) -> list[Finding]:
    rows = tuple(rows or ())
    by_when: dict[int | None, list[LedgerRow]] = {}
    for row in rows:
        by_when.setdefault(row.created_at, []).append(row)
    newest = max((r.created_at for r in rows if r.created_at is not None), default=None)
    findings = []
    for entry in folder.entries:
        expected = f"hash {entry.hash[:12]}…, created_at {entry.when}"
        location = str(entry.path)
        matches = by_when.get(entry.when, [])
        if matches:
            if any(r.hash == entry.hash for r in matches):
                findings.append(
                    _finding(
                        entry.tag,
                        "ok",
                        f"{entry.tag} is recorded as applied",
                        expected=expected,
                        actual=expected,
                        location=location,
                    )
                )
            else:
                findings.append(
                    _finding(
                        entry.tag,
                        "different",
                        f"{entry.tag} is recorded with another hash: the file was edited after it was applied",
                        expected=expected,
                        actual=f"hash {matches[0].hash[:12]}…, created_at {entry.when}",
                        fix=f"-- restore {entry.path.name} as it was applied, or (if the edit is harmless) "
                        f"UPDATE \"{table}\" SET hash = '{entry.hash}' WHERE created_at = {entry.when};",
                        location=location,
                    )
                )
        elif newest is not None and newest >= entry.when:
            findings.append(
                _finding(
                    entry.tag,
                    "different",
                    f"{entry.tag} is pending but the ledger's newest created_at ({newest}) is not below its when "
                    f"({entry.when}): drizzle's migrator would skip it silently",
                    expected=f"pending, newest created_at < {entry.when}",
                    actual=f"newest created_at {newest}",
                    fix=f"-- remove the row(s) with created_at >= {entry.when} that the journal does not know",
                    location=location,
                )
            )
        else:
            findings.append(
                _finding(
                    entry.tag,
                    "ok",
                    f"{entry.tag} is pending (not recorded yet)",
                    expected=expected,
                    actual="pending",
                    location=location,
                )
            )
    known = {e.when for e in folder.entries}
    for row in rows:
        if row.created_at not in known:
            findings.append(
                _finding(
                    str(row.created_at),
                    "unexpected",
                    f"{table} has a row (created_at {row.created_at}) that the journal does not know",
                    expected=None,
                    actual=f"hash {row.hash[:12]}…, created_at {row.created_at}",
                    fix=f'-- find which migration wrote it; DELETE FROM "{table}" WHERE created_at = {row.created_at};',
                )
            )
    return findings
