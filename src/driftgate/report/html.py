"""The HTML drift report: one self-contained file (inline CSS/JS, nothing fetched), Jinja2 with autoescape.

The page is built from a small view model (sections -> rows -> one cell per expected source plus the
live value) so the template stays simple and fast. Counts and the gate come from
``report_document`` so the HTML can never disagree with the JSON report.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from driftgate.findings import KINDS, STATUSES, Finding, Report, plural
from driftgate.report import write_atomically
from driftgate.report.fixscript import collect_fixes, render_fix_script
from driftgate.report.json_report import report_document
from driftgate.report.safe import printable_block, shown_fix

Segments = list[tuple[str, str]]  # (tag, text): tag "" for common text, "del"/"ins" for a difference

MAX_DIFF_CHARS = 4000  # beyond this a token diff costs more than it helps; show both values plainly
MAX_BLOCKING_LISTED = 100  # the rest are in the table sections anyway
KIND_RANK = {kind: i for i, kind in enumerate(KINDS)}
COLUMN_KINDS = frozenset({"column", "type", "notnull", "default", "collation"})
TABLE_KINDS = frozenset({"table", "table_option"})
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


# ----------------------------------------------------------------------------------------- diff


def diff_segments(old: str, new: str) -> tuple[Segments, Segments]:
    """Mark what differs between two values, token by token (words, spaces, single punctuation).

    Tokens rather than raw characters keep the marks readable: ``(a, ts DESC)`` vs ``(a, ts)``
    marks `` DESC``; ``'1'`` vs ``1`` marks the two quotes.
    """
    if len(old) + len(new) > MAX_DIFF_CHARS:
        return [("del", old)], [("ins", new)]
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    left: Segments = []
    right: Segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(("", "".join(a[i1:i2])))
            right.append(("", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(("ins", "".join(b[j1:j2])))
    return left, right


# ----------------------------------------------------------------------------------- view model


@dataclass
class Cell:
    """One expected source's finding for an item."""

    finding: Finding
    where: str  # the location, shortened for display ("" when unknown)
    diff: Segments | None = None  # the expected value with differences marked, when it differs


@dataclass
class Row:
    kind: str
    object: str
    label: str  # the object as shown inside its table's section
    cells: list[Cell | None]  # one per section source; None: that source has no such item
    live: list[str]  # distinct actual values (normally one); empty when absent
    live_diff: Segments | None  # the first live value with differences marked, when one differs
    live_note: str  # shown when there is no live value: "absent", "not compared"
    failing: bool
    accepted: bool

    @property
    def rank(self) -> int:
        return 0 if self.failing else 1 if self.accepted else 2


@dataclass
class Section:
    anchor: str
    table: str | None
    title: str
    note: str
    sources: list[str]
    rows: list[Row]
    # Counted once here: the template and the sort read them many times.
    failing: int = field(init=False)
    accepted: int = field(init=False)
    ok: int = field(init=False)

    def __post_init__(self) -> None:
        self.failing = sum(1 for r in self.rows if r.failing)
        self.accepted = sum(1 for r in self.rows if r.accepted and not r.failing)
        self.ok = len(self.rows) - self.failing - self.accepted


def _source_order(report: Report) -> list[str]:
    """Configured sources first, in their order, then any label only findings mention."""
    order = [s.label for s in report.sources]
    for finding in report.findings:
        if finding.source not in order:
            order.append(finding.source)
    return order


def _row_key(row: Row) -> tuple[Any, ...]:
    # Failures first; then table-level items, then each column's checks together, then the rest.
    if row.kind in TABLE_KINDS:
        return (row.rank, 0, KIND_RANK.get(row.kind, 99), row.object)
    if row.kind in COLUMN_KINDS:
        return (row.rank, 1, row.object, KIND_RANK.get(row.kind, 99))
    return (row.rank, 2, KIND_RANK.get(row.kind, 99), row.object)


def _short_location(location: str | None) -> str:
    """``/long/path/file.sql:12`` -> ``file.sql:12`` (the full path is kept in the title)."""
    return location.replace("\\", "/").rsplit("/", 1)[-1] if location else ""


def _short_object(obj: str, table: str | None) -> str:
    """Inside a table's own section ``users.id`` reads as ``id``; the section title names the table."""
    if table and obj.startswith(f"{table}.") and len(obj) > len(table) + 1:
        return obj[len(table) + 1 :]
    return obj


def _build_row(kind: str, obj: str, table: str | None, cells: list[Cell | None], findings: list[Finding]) -> Row:
    live = list(dict.fromkeys(f.actual for f in findings if f.actual is not None))
    live_diff = None
    for cell in cells:
        finding = cell.finding if cell else None
        if cell is None or finding is None or finding.status == "ok" or finding.expected is None:
            continue
        if finding.actual is not None and finding.expected != finding.actual:
            cell.diff, marked = diff_segments(finding.expected, finding.actual)
            # The live value is marked against the first source that expected something else.
            if live_diff is None and live and live[0] == finding.actual:
                live_diff = marked
    note = ""
    if not live:
        note = "not compared" if all(f.status == "not_compared" for f in findings) else "absent"
    return Row(
        kind=kind,
        object=obj,
        label=_short_object(obj, table),
        cells=cells,
        live=live,
        live_diff=live_diff,
        live_note=note,
        failing=any(f.failed for f in findings),
        accepted=any(f.accepted for f in findings),
    )


def _build_rows(findings: Sequence[Finding], sources: list[str], table: str | None) -> list[Row]:
    """One row per (kind, object), one cell per source; a repeated key from one source gets its own row."""
    slots: dict[tuple[str, str, int], dict[str, Finding]] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    for finding in findings:
        key = (finding.source, finding.kind, finding.object)
        slots.setdefault((finding.kind, finding.object, seen[key]), {})[finding.source] = finding
        seen[key] += 1
    rows = []
    for (kind, obj, _), by_source in slots.items():
        cells: list[Cell | None] = [None] * len(sources)
        for i, source in enumerate(sources):
            found = by_source.get(source)
            if found is not None:
                cells[i] = Cell(found, _short_location(found.location))
        rows.append(_build_row(kind, obj, table, cells, list(by_source.values())))
    rows.sort(key=_row_key)
    return rows


UNTIED_SECTIONS = {
    "ledger": ("Ledger", "__drizzle_migrations against the journal"),
    "migration": ("Pending migrations", "rehearsed on a copy of the live schema (no data copied)"),
}


def _group_sections(report: Report) -> list[Section]:
    order = _source_order(report)
    groups: dict[tuple[str | None, str | None], list[Finding]] = {}
    for finding in report.findings:
        # Findings tied to no table get a section per kind (ledger, migration rehearsal).
        groups.setdefault((finding.table, None if finding.table else finding.kind), []).append(finding)
    sections = []
    for n, ((table, kind), findings) in enumerate(groups.items()):
        present = {f.source for f in findings}
        sources = [s for s in order if s in present]
        if table is None:
            title, note = UNTIED_SECTIONS.get(kind or "", ("Not tied to a table", ""))
        else:
            title, note = table, ""
        sections.append(Section(f"s{n}", table, title, note, sources, _build_rows(findings, sources, table)))
    # Failing sections first, then by name; the ledger (no table) after the tables of its group.
    sections.sort(key=lambda s: (s.failing == 0, s.table is None, s.title))
    return sections


def _count_cell(counts: Counter[str], accepted: int) -> list[tuple[str, int]]:
    cell = [(status, counts[status]) for status in STATUSES if counts[status]]
    return cell + ([("accepted", accepted)] if accepted else [])


def _count_table(report: Report) -> tuple[list[str], list[dict[str, Any]], list[list[tuple[str, int]]]]:
    """Counts as kind rows x source columns, each cell split by status (plus accepted).

    The per-status totals are the JSON summary's (``report_document``); this only adds the cross-tabulation.
    """
    order = [s for s in _source_order(report) if any(f.source == s for f in report.findings)]
    by: dict[tuple[str, str], Counter[str]] = {}
    accepted: Counter[tuple[str, str]] = Counter()
    for f in report.findings:
        by.setdefault((f.kind, f.source), Counter())[f.status] += 1
        if f.accepted:
            accepted[(f.kind, f.source)] += 1
    rows = []
    for kind in (k for k in KINDS if any(key[0] == k for key in by)):
        cells = [_count_cell(by.get((kind, s), Counter()), accepted[(kind, s)]) for s in order]
        total = sum((by.get((kind, s), Counter()) for s in order), Counter())
        rows.append(
            {"kind": kind, "cells": cells, "total": _count_cell(total, sum(accepted[(kind, s)] for s in order))}
        )
    totals = [
        _count_cell(
            sum((c for (_, src), c in by.items() if src == s), Counter()),
            sum(n for (_, src), n in accepted.items() if src == s),
        )
        for s in order
    ]
    return order, rows, totals


def _verdict_class(report: Report) -> str:
    if report.gate_pass:
        return "pass"
    return "warn" if report.stamp_allowed else "fail"


# A source with more files than this lists them folded (count, first and last): an 84-migration
# folder would otherwise fill half the page before the first table.
RUN_FILES_SHOWN = 3


def view_model(report: Report, fix_file: str | None = None) -> dict[str, Any]:
    document = report_document(report)
    sections = _group_sections(report)
    anchors = {s.table: s.anchor for s in sections}
    blocking = report.blocking
    fixes = collect_fixes(report)
    count_sources, count_rows, count_totals = _count_table(report)
    return {
        "doc": document,
        "summary": document["summary"],
        "gate": document["gate"],
        "verdict_class": _verdict_class(report),
        "statuses": STATUSES,
        "count_sources": count_sources,
        "count_rows": count_rows,
        "count_totals": [
            *count_totals,
            _count_cell(Counter(document["summary"]["by_status"]), document["summary"]["accepted"]),
        ],
        "sections": sections,
        "failing_sections": [s for s in sections if s.failing],
        "conforming_count": sum(1 for s in sections if not s.failing),
        "anchors": anchors,
        "blocking": blocking[:MAX_BLOCKING_LISTED],
        "blocking_more": max(0, len(blocking) - MAX_BLOCKING_LISTED),
        "other_failing": len(report.failed) - len(blocking),
        "not_compared": [f for f in report.findings if f.status == "not_compared"],
        "accepted": [f for f in report.findings if f.accepted],
        "kinds": [k for k in KINDS if k in document["summary"]["by_kind"]],
        "fix_count": len(fixes),
        "fix_script": render_fix_script(report, fixes),
        "fix_file": fix_file,
        "run_files_shown": RUN_FILES_SHOWN,
        "labels": {status: _status_label(status) for status in STATUSES},
    }


# ------------------------------------------------------------------------------------ rendering


def _status_label(status: str) -> str:
    return status.replace("_", " ")


@cache
def _shown(value: Any) -> Any:
    """Every value the template prints: control and bidi characters made visible (names are data)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable_block(value)
    return value


@cache
def report_environment() -> Environment:
    """The one Jinja2 environment of the HTML reports (one database and fleets): autoescaped, and every
    printed value passed through :func:`_shown`, so no report shows a name's control characters raw."""
    env = Environment(
        loader=PackageLoader("driftgate.report", "templates"),
        autoescape=True,  # finding values are user SQL: always escaped
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        finalize=_shown,
    )
    env.filters["status_label"] = _status_label
    env.filters["fix"] = shown_fix
    env.filters["plural"] = plural
    return env


def render_html(report: Report, fix_file: str | None = None) -> str:
    """The whole page as text; ``fix_file`` names the fix script written beside it, if any."""
    return report_environment().get_template("report.html.j2").render(**view_model(report, fix_file))


def fix_path(path: Path) -> Path:
    """Where the fix script of an HTML report goes: ``reports/x.html`` -> ``reports/x.fix.sql``."""
    return path.with_name(f"{path.stem}.fix.sql")


def write_html(report: Report, path: Path) -> None:
    """Write the report and, every time, its fix script beside it.

    With nothing to fix the script says so in its header: the files next to a report always
    belong to it, and a CI step that publishes both never finds one missing.
    """
    path = Path(path)
    script_path = fix_path(path)
    write_atomically(script_path, render_fix_script(report, collect_fixes(report)))
    write_atomically(path, render_html(report, script_path.name))
