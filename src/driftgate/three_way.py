"""Schema files, migrations and database side by side (``--drizzle`` with ``--migrations``, DESIGN 4).

A failing ``drizzle`` finding says where its change stands: carried by a migration the database
has not run yet (run the migrations), or by no migration at all (run ``drizzle-kit generate``).
A failing ``baseline`` finding the schema files agree with says so: the database is the odd one out.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftgate.compare import compare_schemas
from driftgate.compare.foreign_keys import object_key
from driftgate.findings import Finding
from driftgate.model import Schema


def _item(kind: str, name: str) -> tuple[object, ...]:
    """What a finding is about: its kind and object name; a foreign key as the key it stands for
    (:func:`~driftgate.compare.foreign_keys.object_key`: its pairs in any order), when its name reads back."""
    key = object_key(name) if kind == "foreign_key" else None
    return (kind, name) if key is None else (kind, *key)


class _Agreement:
    """Which items two expected schemas define the same way, including items neither defines."""

    def __init__(self, one: Schema, other: Schema) -> None:
        findings = compare_schemas(one, other, "three-way")
        self.same = {_item(f.kind, f.object) for f in findings if f.status == "ok"}
        self.apart = {_item(f.kind, f.object) for f in findings if f.status != "ok"}
        # a table only one schema has: its items are not repeated as findings, so their absence says nothing
        self.tables_apart = {f.object for f in findings if f.kind == "table" and f.status != "ok"}

    def agrees(self, finding: Finding) -> bool:
        key = _item(finding.kind, finding.object)
        if key in self.same:
            return True
        # an item the database has and neither schema defines: both agree it should not be there
        return finding.status == "unexpected" and key not in self.apart and finding.table not in self.tables_apart


def annotate(
    findings: Sequence[Finding],
    drizzle: Schema,
    baseline: Schema,
    newest: Schema,
    pending_tags: Sequence[str],
) -> list[Finding]:
    """``newest`` is the migrations replayed up to the journal's last entry; ``pending_tags`` the entries
    after the compared baseline (empty when the baseline is the newest entry)."""
    with_baseline = _Agreement(drizzle, baseline)
    with_newest = _Agreement(drizzle, newest) if pending_tags else with_baseline
    annotated: list[Finding] = []
    for finding in findings:
        note = None
        if finding.source == "drizzle" and finding.failed and finding.status != "not_compared":
            if with_baseline.agrees(finding):
                note = "the baseline migration carries this too (see the baseline finding)"
            elif with_newest.agrees(finding):
                note = f"a pending migration ({', '.join(pending_tags)}) carries this change: run the migrations"
            else:
                note = "no migration carries this change: run drizzle-kit generate"
        elif finding.source == "baseline" and finding.failed and finding.status != "not_compared":
            if with_baseline.agrees(finding):
                note = "the schema files agree with the baseline here: the database is the one that differs"
            else:
                note = "the schema files differ from the baseline here too (see the drizzle finding)"
        if note is not None:
            message = f"{finding.message}; {note}" if finding.message else note
            finding = finding._replace(message=message)
        annotated.append(finding)
    return annotated
