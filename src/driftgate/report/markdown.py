"""A short Markdown summary for CI pages and pull requests (``check --markdown FILE``), of one database or a fleet.

Verdict, counts and the failing findings, capped so that the text fits in a pull-request
comment.  Every name that comes from a schema or a file is escaped: a table called
``a|b`` or ``**x**`` must render as itself, never as Markdown or HTML.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from driftgate.errors import InputError
from driftgate.findings import Finding, Report
from driftgate.report import write_atomically
from driftgate.report.safe import markdown_text, printable

if TYPE_CHECKING:
    from driftgate.report.fleet import FleetReport

MAX_LISTED = 30  # findings listed; the rest are counted (GitHub comments stop at 65,536 characters)
MAX_VALUE = 80  # characters of an expected/actual value
MAX_NAME = 120  # characters of a name in a table cell (SQLite's have no limit; the JSON report has them whole)


def escape(text: str) -> str:
    """Prose that renders literally: the one Markdown escaper of the package (report.safe)."""
    return markdown_text(text)


def code(text: str, *, table_cell: bool = True) -> str:
    """A table cell's code span: literal inside (no mentions, links or HTML), one line, pipes escaped.

    The fence is one backtick longer than any run inside; GFM removes the backslash of ``\\|``
    before it reads the span, so the cell shows ``|``.
    """
    one_line = printable(" ".join(text.split()))  # newlines fold to spaces; other controls shown escaped
    if not one_line:
        return ""
    fence = "`" * (_longest_backtick_run(one_line) + 1)
    pad = " " if one_line[0] in "` " or one_line[-1] in "` " else ""
    escaped = one_line.replace("|", "\\|") if table_cell else one_line
    return f"{fence}{pad}{escaped}{pad}{fence}"


def _longest_backtick_run(text: str) -> int:
    longest = current = 0
    for char in text:
        current = current + 1 if char == "`" else 0
        longest = max(longest, current)
    return longest


def _short(value: str | None, limit: int = MAX_VALUE) -> str:
    """A table cell's code span of ``value`` on one line, cut to ``limit`` characters (the last one "…")."""
    if value is None:
        return ""
    one_line = " ".join(value.split())
    return code(one_line if len(one_line) <= limit else one_line[: limit - 1] + "…")


def _finding_row(finding: Finding) -> str:
    cells = (
        escape(finding.status),
        escape(finding.source),
        escape(finding.kind),
        _short(finding.object, MAX_NAME),
        _short(finding.expected),
        _short(finding.actual),
    )
    return _table_row(cells)


def _table_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def _more_line(count: int) -> list[str]:
    """What follows a table listing the first MAX_LISTED of ``count`` rows: how many it left out."""
    if count <= MAX_LISTED:
        return []
    return ["", f"… and {count - MAX_LISTED} more: see the JSON or HTML report."]


def render_markdown(report: Report) -> str:
    failed = report.failed
    mark = "passes" if report.gate_pass else "fails"
    summary = report.summary()
    lines = [
        f"### driftgate {mark}",
        "",
        f"**driftgate verdict:** {escape(report.verdict())}",
        "",
        f"Database {code(report.database, table_cell=False)}: {summary['checked']} checked, {summary['ok']} ok, "
        f"{summary['failed']} failed" + (f", {summary['accepted']} accepted" if summary["accepted"] else ""),
        "",
        "| source | checked | failed |",
        "| --- | ---: | ---: |",
    ]
    checked = summary["by_source"]
    failing = Counter(f.source for f in failed)
    lines += [f"| {escape(source)} | {checked[source]} | {failing[source]} |" for source in sorted(checked)]
    if failed:
        lines += [
            "",
            f"**Failing findings** ({len(failed)})",
            "",
            "| status | source | kind | object | expected | actual |",
            "| --- | --- | --- | --- | --- | --- |",
            *(_finding_row(f) for f in failed[:MAX_LISTED]),
        ]
        lines += _more_line(len(failed))
    return "\n".join(lines) + "\n"


def render_fleet_markdown(fleet: FleetReport) -> str:
    """A fleet's summary: the verdict, the counts, the databases that do not conform, the commonest failures."""
    counts = fleet.counts()
    mark = "passes" if fleet.exit_code() == 0 else "fails"
    lines = [
        f"### driftgate {mark}",
        "",
        f"**driftgate verdict:** {escape(fleet.verdict())}",
        "",
        "| databases | conform | drifted | unreachable |",
        "| ---: | ---: | ---: | ---: |",
        f"| {counts['databases']} | {counts['conforming']} | {counts['drifted']} | {counts['unreachable']} |",
    ]
    others = [row for _index, row in sorted(fleet.rows.items()) if row.verdict != "conforms"]
    if others:
        lines += ["", f"**Databases that do not conform** ({len(others)})", "", "| database | verdict | detail |"]
        lines.append("| --- | --- | --- |")
        for row in others[:MAX_LISTED]:
            # An error is data (a server's words): a code span; a count is prose.
            detail = _short(row.error) if row.error is not None else f"{row.failed} of {row.checked} checks failed"
            lines.append(_table_row((_short(row.name, MAX_NAME), escape(row.verdict), detail)))
        lines += _more_line(len(others))
    groups = fleet.sorted_groups()
    if groups:
        lines += ["", "**Commonest failing findings**", "", "| status | source | kind | object | databases |"]
        lines.append("| --- | --- | --- | --- | ---: |")
        for group in groups[:MAX_LISTED]:
            source, kind, obj, status = group.key
            cells = (escape(status), escape(source), escape(kind), _short(obj, MAX_NAME), str(len(group.members)))
            lines.append(_table_row(cells))
        lines += _more_line(len(groups))
    return "\n".join(lines) + "\n"


def write_markdown(
    report: Report | FleetReport, path: Path | None, environ: Mapping[str, str] | None = None
) -> list[Path]:
    """Write to ``path`` and append to ``$GITHUB_STEP_SUMMARY`` when set; returns the files written.

    ``report``: one database's report, or a fleet's.  A ``path`` that cannot be written is bad input
    (exit 2, naming ``--markdown``); a step summary that cannot be appended to is a warning on stderr.
    """
    environ = os.environ if environ is None else environ
    step_summary = environ.get("GITHUB_STEP_SUMMARY")
    if path is None and not step_summary:
        return []  # nowhere to write: not even rendered
    text = render_markdown(report) if isinstance(report, Report) else render_fleet_markdown(report)
    written = []
    if path is not None:
        try:
            write_atomically(path, text)
        except OSError as exc:
            raise InputError(f"--markdown: cannot write {path} ({exc.strerror or exc})") from None
        written.append(path)
    if step_summary:
        # GitHub collects what each step appends to this file; earlier steps' text is kept.  The step
        # summary is a courtesy nobody asked for on the command line: failing to append is a warning.
        try:
            with open(step_summary, "a", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            print(
                f"driftgate: warning: cannot append to $GITHUB_STEP_SUMMARY ({printable(step_summary)}: "
                f"{exc.strerror or exc})",
                file=sys.stderr,
            )
        else:
            written.append(Path(step_summary))
    return written
