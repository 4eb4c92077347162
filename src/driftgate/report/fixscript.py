"""The fix script: one ordered, reviewable SQL file built from the failing findings' ``fix`` values.

Order: missing indexes first (CREATE [UNIQUE] INDEX), then added columns (ALTER TABLE ... ADD
COLUMN), then indexes that cover an added column, then everything else (new tables, views and
triggers before advice, destructive changes last).
Lines starting with ``--`` are advice, never SQL to run blindly; anything that drops, deletes or
rebuilds is preceded by a ``-- WARNING: destructive`` line so a reviewer cannot miss it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from driftgate.findings import Finding, Report, plural
from driftgate.model import Location
from driftgate.report.safe import comment_only, needs_escaping, printable
from driftgate.sources.statements import split_sql_script

# Groups, in script order.
CREATE_INDEX, ADD_COLUMN, INDEX_ON_ADDED, CREATE_OBJECT, OTHER_SQL, ADVICE, DESTRUCTIVE = range(7)
GROUP_TITLES = {
    CREATE_INDEX: "missing indexes",
    ADD_COLUMN: "missing columns",
    INDEX_ON_ADDED: "missing indexes on tables that gain columns (after the columns exist)",
    CREATE_OBJECT: "missing tables, views and triggers",
    OTHER_SQL: "other statements",
    ADVICE: "advice (comments only)",
    DESTRUCTIVE: "destructive changes and rebuilds (review with care)",
}
WARNING = "-- WARNING: destructive: this drops, deletes or rebuilds; back up the database and review first"
MAX_KEYS = 5  # finding keys listed above one fix; identical fixes of many findings are deduplicated

_CREATE_INDEX = re.compile(r"^CREATE\s+(UNIQUE\s+)?INDEX\b", re.IGNORECASE)
_ADD_COLUMN = re.compile(r"^ALTER\s+TABLE\b.*\bADD\s+(COLUMN\b)?", re.IGNORECASE | re.DOTALL)
_CREATE_OBJECT = re.compile(r"^CREATE\s+(TEMP\s+|TEMPORARY\s+)?(TABLE|VIEW|TRIGGER|VIRTUAL\s+TABLE)\b", re.IGNORECASE)
_DESTRUCTIVE_STATEMENT = re.compile(
    r"^(DROP|DELETE|TRUNCATE)\b|^ALTER\s+TABLE\b.*\b(DROP|RENAME|ALTER)\s+COLUMN\b", re.IGNORECASE | re.DOTALL
)
# In advice comments, any mention of these means the advice may lose data or structure.
_DESTRUCTIVE_ADVICE = re.compile(r"\b(drop|delete|truncate|rebuild|destructive)\b", re.IGNORECASE)


@dataclass
class FixEntry:
    """One distinct fix and every failing finding that asked for it."""

    text: str
    group: int
    destructive: bool
    findings: list[Finding] = field(default_factory=list)


def _statements(sql: str) -> list[str]:
    """Top-level statements; trigger bodies stay whole (the splitter every source uses)."""
    return [s.sql for s in split_sql_script(sql, Location("fix", 1))]


def classify(fix: str) -> tuple[int, bool]:
    """The group a fix belongs to and whether it is destructive."""
    lines = fix.strip().split("\n")  # not splitlines(): U+2028 and friends may sit inside a quoted name
    advice = "\n".join(line for line in lines if line.lstrip().startswith("--"))
    statements = _statements("\n".join(line for line in lines if not line.lstrip().startswith("--")))
    destructive = bool(_DESTRUCTIVE_ADVICE.search(advice)) or any(_DESTRUCTIVE_STATEMENT.match(s) for s in statements)
    if not statements:
        return (DESTRUCTIVE if destructive else ADVICE), destructive
    if destructive:
        return DESTRUCTIVE, True
    first = statements[0]
    if _CREATE_INDEX.match(first):
        return CREATE_INDEX, False
    if _ADD_COLUMN.match(first):
        return ADD_COLUMN, False
    if _CREATE_OBJECT.match(first):
        return CREATE_OBJECT, False
    return OTHER_SQL, False


def _mentions(sql: str, column: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(column)}(?![\w$])", sql, re.IGNORECASE) is not None


def collect_fixes(report: Report) -> list[FixEntry]:
    """Distinct fixes of the failing findings, in script order (stable within a group)."""
    entries: dict[str, FixEntry] = {}
    for finding in report.failed:
        if not finding.fix or not finding.fix.strip():
            continue
        text = finding.fix.strip()
        entry = entries.get(text)
        if entry is None:
            group, destructive = classify(text)
            entry = entries[text] = FixEntry(text, group, destructive)
        entry.findings.append(finding)
    # An index may cover a column the script adds: such an index waits until its column exists.
    added = {f.object.rpartition(".")[2] for e in entries.values() if e.group == ADD_COLUMN for f in e.findings}
    for entry in entries.values():
        if entry.group == CREATE_INDEX and any(_mentions(entry.text, column) for column in added):
            entry.group = INDEX_ON_ADDED
    return sorted(entries.values(), key=lambda e: e.group)


def _header(report: Report, entries: list[FixEntry]) -> list[str]:
    findings = sum(len(e.findings) for e in entries)
    lines = [
        "-- driftgate fix script",
        f"-- database: {printable(report.database)}",
        f"-- verdict: {printable(report.verdict())}",
    ]
    if report.started_at:
        lines.append(f"-- checked at: {report.started_at}")
    failing = len(report.failed)
    if not entries:
        # Written on every --html run, so the script beside a report always belongs to it.
        lines.append(
            "-- nothing to fix: no finding fails"
            if not failing
            else f"-- nothing to fix automatically: {plural(failing, 'failing finding')} to resolve by hand"
        )
        return lines
    lines += [
        f"-- {plural(len(entries), 'distinct fix', 'distinct fixes')} for {plural(findings, 'failing finding')}.",
        "-- Review every statement before running it: lines starting with -- are advice, not SQL.",
        "-- Fixes from different sources may disagree; apply those of the schema you are adopting.",
    ]
    return lines


def _keys(entry: FixEntry) -> str:
    keys = [f"{printable(f.key)} ({f.status})" for f in entry.findings[:MAX_KEYS]]
    more = len(entry.findings) - MAX_KEYS
    return "-- fixes " + ", ".join(keys) + (f" and {more} more" if more > 0 else "")


def _safe_text(text: str) -> str:
    """A fix as the script carries it: names are data, never code (DESIGN 4).

    Advice (a fix that starts with ``--``) stays comments whatever the names in it hold.  SQL keeps
    its exact identifiers (quoted, so a newline in a name is part of the name, not a new statement),
    and when they hold control or bidi characters a comment above shows the statement escaped.
    """
    if text.startswith("--"):
        return comment_only(text)
    if not needs_escaping(text):
        return text
    shown = comment_only("-- the names below hold control, line-break or bidi characters; escaped, it reads: ")
    return shown + printable(text) + "\n" + text


def fix_script(report: Report) -> str:
    return render_fix_script(report, collect_fixes(report))


def render_fix_script(report: Report, entries: list[FixEntry]) -> str:
    lines = _header(report, entries)
    group = None
    for entry in entries:
        if entry.group != group:
            group = entry.group
            lines += ["", f"-- ===== {GROUP_TITLES[group]} ====="]
        lines.append("")
        if entry.destructive:
            lines.append(WARNING)
        lines.append(_keys(entry))
        lines.extend(_safe_text(entry.text).split("\n"))
    return "\n".join(lines) + "\n"
