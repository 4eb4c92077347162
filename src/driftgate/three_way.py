"""Schema files, migrations and database side by side (``--drizzle`` with ``--migrations``, DESIGN 4).

A failing ``drizzle`` finding says where its change stands: carried by a migration the database
has not run yet (run the migrations), or by no migration at all (run ``drizzle-kit generate``).
A failing ``baseline`` finding the schema files agree with says so: the database is the odd one out.
"""

from __future__ import annotations

from collections.abc import Sequence

from driftgate.compare import compare_schemas
from driftgate.findings import Finding
from driftgate.model import Schema


def _agreeing(one: Schema, other: Schema) -> set[tuple[str, str]]:
    """(kind, object) of every item the two expected schemas define the same way."""
    return {(f.kind, f.object) for f in compare_schemas(one, other, "three-way") if f.status == "ok"}


def annotate(
    findings: Sequence[Finding],
    drizzle: Schema,
    baseline: Schema,
    newest: Schema,
    pending_tags: Sequence[str],
) -> list[Finding]:
    """``newest`` is the migrations replayed up to the journal's last entry; ``pending_tags`` the entries
    after the compared baseline (empty when the baseline is the newest entry)."""
    with_baseline = _agreeing(drizzle, baseline)
    with_newest = _agreeing(drizzle, newest) if pending_tags else with_baseline
    annotated: list[Finding] = []
    for finding in findings:
        key = (finding.kind, finding.object)
        note = None
        if finding.source == "drizzle" and finding.failed and finding.status != "not_compared":
            if key in with_baseline:
                note = "the baseline migration carries this too (see the baseline finding)"
            elif key in with_newest:
                note = f"a pending migration ({', '.join(pending_tags)}) carries this change: run the migrations"
            else:
                note = "no migration carries this change: run drizzle-kit generate"
        elif finding.source == "baseline" and finding.failed and finding.status != "not_compared":
            if key in with_baseline:
                note = "the schema files agree with the baseline here: the database is the one that differs"
            else:
                note = "the schema files differ from the baseline here too (see the drizzle finding)"
        if note is not None:
            message = f"{finding.message}; {note}" if finding.message else note
            finding = finding._replace(message=message)
        annotated.append(finding)
    return annotated
