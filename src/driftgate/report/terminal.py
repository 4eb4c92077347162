"""The terminal summary: a rich table of counts, the failing findings, and the verdict line."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from driftgate.findings import STATUSES, Report
from driftgate.report.safe import printable

MAX_LISTED = 200


def print_summary(report: Report, console: Console | None = None) -> None:
    console = console or Console(stderr=False, highlight=False, soft_wrap=True)
    counts = Counter((f.source, f.kind, f.status) for f in report.findings)
    table = Table(title=Text(f"driftgate: {printable(report.database)}"), show_lines=False)
    table.add_column("source")
    table.add_column("kind")
    for status in STATUSES:
        table.add_column(status, justify="right")
    for source, kind in sorted({(s, k) for s, k, _ in counts}):
        table.add_row(source, kind, *(str(counts.get((source, kind, st), "")) for st in STATUSES))
    console.print(table)
    failed = report.failed
    for finding in failed[:MAX_LISTED]:
        line = Text(f"{finding.status:>12}", style="red")
        line.append(f" {printable(finding.key)}")  # names are data: no raw escapes reach the terminal
        if finding.expected is not None or finding.actual is not None:
            line.append(f"  expected {printable(finding.expected)} / actual {printable(finding.actual)}")
        console.print(line)
    if len(failed) > MAX_LISTED:
        console.print(f"... and {len(failed) - MAX_LISTED} more (see the JSON/HTML report)")
    console.print(f"driftgate verdict: {printable(report.verdict())}", markup=False)
