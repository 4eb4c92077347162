"""The terminal summary: a rich table of counts, the failing findings, and the verdict line.

On a terminal the table fits the window; anywhere else (CI logs, pipes) nothing is cut: the
console is as wide as the longest line needs.  ``NO_COLOR`` (no-color.org) turns every style
off, bold included.
"""

from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from driftgate.findings import STATUSES, Finding, Report
from driftgate.report.safe import printable

MAX_LISTED = 200
# Wide enough for any line we print: rich then never folds or truncates a cell ("foreign_k…").
UNLIMITED_WIDTH = 10_000


def summary_console(
    file: IO[str] | None = None,
    *,
    is_terminal: bool | None = None,
    width: int | None = None,
    color: bool | None = None,
) -> Console:
    """A console for the summary: the terminal's width on a terminal, unlimited elsewhere.

    ``color`` None: colour on a terminal unless ``NO_COLOR`` is set; the pytest plugin passes
    pytest's own decision (``--color``, ``NO_COLOR``).
    """
    stream = file or sys.stdout
    if is_terminal is None:
        is_terminal = stream.isatty()
    if color is None:
        color = is_terminal and not os.environ.get("NO_COLOR")
    return Console(
        file=stream,
        width=(width if is_terminal else UNLIMITED_WIDTH),
        highlight=False,
        emoji=False,  # names are data: a tag or a table named `x:ok:y` is printed as it is, not as x🆗y
        soft_wrap=True,
        no_color=not color,
        color_system="auto" if color else None,
        force_terminal=color,
    )


def finding_sides(finding: Finding) -> str:
    """``expected X / actual Y``, naming only the sides that exist (a missing item has no actual)."""
    sides = []
    if finding.expected is not None:
        sides.append(f"expected {printable(finding.expected)}")
    if finding.actual is not None:
        sides.append(f"actual {printable(finding.actual)}")
    return " / ".join(sides)


def print_summary(report: Report, console: Console | None = None, *, quiet: bool = False) -> None:
    console = console or summary_console()
    if not quiet:
        _print_details(report, console)
    console.print(f"driftgate verdict: {printable(report.verdict())}", markup=False, highlight=False, style=None)


def _print_details(report: Report, console: Console) -> None:
    counts = report.counts
    table = Table(title=Text(f"driftgate: {printable(report.database)}"), show_lines=False)  # Text: not markup
    table.add_column("source", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    for status in STATUSES:
        table.add_column(status, justify="right", no_wrap=True)
    for source, kind in sorted({(s, k) for s, k, _ in counts}):
        table.add_row(source, kind, *(str(counts.get((source, kind, st), "")) for st in STATUSES))
    console.print(table)
    failed = report.failed
    for finding in failed[:MAX_LISTED]:
        line = Text(f"{finding.status:>12}", style="red")
        line.append(f" {printable(finding.key)}")  # names are data: no raw escapes reach the terminal
        sides = finding_sides(finding)
        if sides:
            line.append(f"  {sides}")
        console.print(line)
    if len(failed) > MAX_LISTED:
        console.print(f"... and {len(failed) - MAX_LISTED} more (see the JSON/HTML report)", markup=False)
