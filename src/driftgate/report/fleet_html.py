"""The HTML fleet page and the fix scripts beside it (Jinja2, autoescaped, one self-contained file).

``reports/x.html`` gets ``reports/x.fixes/<database>.sql`` for each drifted database that has fixes,
and ``reports/x.fixes/shared.sql`` for fixes that are the same text everywhere they are needed.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from driftgate.findings import Report
from driftgate.report import write_atomically
from driftgate.report.html import report_environment

if TYPE_CHECKING:
    from driftgate.report.fleet import DatabaseRow, FleetReport

MAX_FAILING_LISTED = 200  # per database; the JSON report has them all
MAX_GROUPS_LISTED = 500
SHARED_NAME = "shared.sql"
_MARKER = "<!--DATABASE-SECTIONS-->"


def anchor(index: int) -> str:
    # By position, not by name: a hostile name cannot break the link or collide with another.
    return f"db-{index + 1}"


def fixes_dir(path: Path) -> Path:
    return path.with_name(f"{path.stem}.fixes")


def fix_href(page: Path, fix_file: str) -> str:
    """The link from the page to a fix script in its folder (names percent-encoded)."""
    return urllib.parse.quote(fixes_dir(page).name) + "/" + urllib.parse.quote(fix_file)


def database_section(row: DatabaseRow, report: Report | None, script: str | None, href: str | None) -> str:
    failing = report.failed if report is not None else ()
    return (
        report_environment()
        .get_template("fleet_database.html.j2")
        .render(
            row=row,
            anchor=anchor(row.index),
            failing=failing[:MAX_FAILING_LISTED],
            more=max(0, len(failing) - MAX_FAILING_LISTED),
            script=script,
            fix_href=href,
        )
    )


def write_fleet_html(fleet: FleetReport, path: Path) -> None:
    folder = fixes_dir(path)
    written: set[str] = set()
    for row, text in fleet.fix_scripts():
        assert row.fix_file is not None
        write_atomically(folder / row.fix_file, text)
        written.add(row.fix_file)
    shared = fleet.shared_script()
    if shared:
        write_atomically(folder / SHARED_NAME, shared)
        written.add(SHARED_NAME)
    if folder.is_dir():  # scripts of an earlier run that this one did not write no longer belong here
        for stale in folder.glob("*.sql"):
            if stale.name not in written:
                stale.unlink()
    rows = [fleet.rows[i] for i in sorted(fleet.rows)]
    groups = fleet.sorted_groups()
    counts = fleet.counts()
    page = (
        report_environment()
        .get_template("fleet.html.j2")
        .render(
            verdict=fleet.verdict(),
            verdict_class="fail" if counts["unreachable"] or counts["drifted"] else "pass",
            counts=counts,
            tools=fleet.tools,
            rows=rows,
            anchors={row.index: anchor(row.index) for row in rows},
            groups=[{"text": g.describe(counts["databases"])} for g in groups[:MAX_GROUPS_LISTED]],
            groups_more=max(0, len(groups) - MAX_GROUPS_LISTED),
            shared_script=shared,
            shared_href=fix_href(path, SHARED_NAME) if shared else None,
            shared_name=f"{folder.name}/{SHARED_NAME}",
        )
    )
    head, tail = page.split(_MARKER, 1)
    from driftgate.report.fleet import atomic_writer

    assert fleet._html is not None
    with atomic_writer(path) as out:
        out.write(head)
        for section in fleet._html.parts():
            out.write(section)
        out.write(tail)
