"""Fleet reports: JSON (``kind: "fleet"``), the HTML fleet page, fix scripts, terminal lines.

Each database's part is rendered as soon as its check finishes and spooled to a temporary file;
only small per-database rows and the failing-finding groups stay in memory.  The final files are
assembled in the order the databases were listed and replaced atomically (all or nothing).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

from driftgate.findings import Finding, FindingParts, Report, findings_json
from driftgate.fleet import DatabaseOutcome, exit_code
from driftgate.report.fixscript import (
    GROUP_TITLES,
    WARNING,
    _safe_text,
    classify,
    collect_fixes,
    render_fix_script,
)
from driftgate.report.json_report import REPORT_VERSION, report_document
from driftgate.report.safe import json_text, printable

MAX_NAMES_SHOWN = 10  # database names listed inline for a group; the JSON lists them all
GroupKey = tuple[str, str, str, str]  # (source, kind, object, status)


@dataclass
class DatabaseRow:
    """What the fleet page keeps of one database after its part is spooled."""

    index: int
    name: str
    database: str
    verdict: str
    error: str | None
    checked: int = 0
    failed: int = 0
    verdict_line: str = ""
    fix_file: str | None = None


@dataclass
class Group:
    key: GroupKey
    members: list[tuple[int, str]] = field(default_factory=list)  # (list index, name)
    fixes: set[str | None] = field(default_factory=set)  # distinct fixes seen; one => shared script

    @property
    def names(self) -> list[str]:
        return [name for _, name in sorted(self.members)]

    def describe(self, total: int) -> str:
        source, kind, obj, status = self.key
        names = self.names
        shown = ", ".join(names[:MAX_NAMES_SHOWN]) + (
            f", +{len(names) - MAX_NAMES_SHOWN} more" if len(names) > MAX_NAMES_SHOWN else ""
        )
        return f"{source} {kind} {obj} {status.replace('_', ' ')} in {len(names)} of {total}: {shown}"


def fleet_schema() -> dict[str, Any]:
    text = resources.files("driftgate.report").joinpath("fleet_schema_v1.json").read_text(encoding="utf-8")
    return json.loads(text)


def database_entry(
    name: str, database: str, verdict: str, error: str | None, report: Report | None, *, with_findings: bool = True
) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "database": database, "verdict": verdict, "error": error}
    if report is None:
        entry.update(summary=None, gate=None, findings=[])
        return entry
    document = report_document(report, with_findings=with_findings)
    for shared in ("version", "database", "tools"):  # the fleet document carries them once
        document.pop(shared)
    entry.update(document)
    return entry


def _json_text(value: Any) -> str:
    """Compact JSON with what a terminal or viewer acts on written as \\u escapes, as the one-database
    report writes it (:func:`driftgate.report.safe.json_text`)."""
    return json_text(json.dumps(value, ensure_ascii=False))


def database_entry_text(name: str, database: str, verdict: str, error: str | None, report: Report | None) -> str:
    """:func:`database_entry` as the fleet report writes it, ``_json_text`` of it, byte for byte.

    The findings are written part by part into the rest of the entry (their key is its last), so the
    part a run's conforming databases share is written once (:meth:`FindingsPart.memo`).
    """
    if report is None or not isinstance(report.findings, FindingParts):
        return _json_text(database_entry(name, database, verdict, error, report))
    text = _json_text(database_entry(name, database, verdict, error, report, with_findings=False))
    bodies = [body for body in (part.memo(_FLEET_JSON, _findings_text) for part in report.findings.parts) if body]
    if not bodies:
        return text
    assert text.endswith(_NO_FINDINGS), "findings is the entry's last key"
    return f'{text[: -len(_NO_FINDINGS)]}"findings": [{", ".join(bodies)}]}}'


_FLEET_JSON = "fleet report JSON"
_NO_FINDINGS = '"findings": []}'


def _findings_text(findings: Sequence[Finding]) -> str:
    """Findings as they stand in a fleet entry's findings array, without the brackets."""
    return _json_text(findings_json(findings))[1:-1]


def file_safe(name: str) -> str:
    """A database name as a file name: hostile characters (slashes, dots at the start) neutralised."""
    safe = re.sub(r"[^A-Za-z0-9._#-]", "_", name).lstrip(".")
    return safe or "database"


class Spool:
    """Text parts written in completion order, read back in list order (one temp file, byte offsets)."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the report; closed by close()
        self._parts: dict[int, tuple[int, int]] = {}

    def add(self, index: int, text: str) -> None:
        data = text.encode("utf-8")
        self._file.seek(0, os.SEEK_END)
        self._parts[index] = (self._file.tell(), len(data))
        self._file.write(data)

    def indexes(self) -> list[int]:
        return sorted(self._parts)

    def parts(self) -> Iterator[str]:
        for index in self.indexes():
            start, size = self._parts[index]
            self._file.seek(start)
            yield self._file.read(size).decode("utf-8")

    def close(self) -> None:
        self._file.close()


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[str]]:
    """Stream a file into place: written beside the target, renamed only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Part:
    """One database rendered for the fleet report: small enough to keep, cheap to hand between processes."""

    row: DatabaseRow
    failing: tuple[tuple[GroupKey, str | None], ...]  # each failing finding's group key and fix
    tools: dict[str, str]
    json_text: str | None
    html_text: str | None
    fix_script: str | None


def render_part(
    index: int,
    name: str,
    database: str,
    error: str | None,
    report: Report | None,
    *,
    want_json: bool,
    html_path: Path | None,
) -> Part:
    """Everything the fleet report needs of one database; runs where the check ran (a worker)."""
    verdict = "unreachable" if report is None else "conforms" if report.gate_pass else "drift"
    row = DatabaseRow(index, name, database, verdict, error)
    failed: tuple[Finding, ...] = ()
    if report is not None:
        failed = report.failed
        row.checked, row.failed, row.verdict_line = len(report.findings), len(failed), report.verdict()
    failing = tuple(((f.source, f.kind, f.object, f.status), f.fix.strip() if f.fix else None) for f in failed)
    json_part = database_entry_text(name, database, verdict, error, report) if want_json else None
    html_text = script = None
    if html_path is not None:
        from driftgate.report.fleet_html import database_section, fix_href

        if report is not None and failed:
            fixes = collect_fixes(report)
            if fixes:
                script = render_fix_script(report, fixes)
                row.fix_file = f"{file_safe(name)}.sql"
        href = fix_href(html_path, row.fix_file) if row.fix_file else None
        html_text = database_section(row, report, script, href)
    tools = dict(report.tool_versions) if report is not None else {}
    return Part(row, failing, tools, json_part, html_text, script)


class FleetReport:
    """Collects a fleet run: counts, groups, and spooled per-database JSON and HTML parts."""

    def __init__(self, total: int, *, json_path: Path | None, html_path: Path | None, started_at: str) -> None:
        self.total = total
        self.json_path = json_path
        self.html_path = html_path
        self.started_at = started_at
        self.rows: dict[int, DatabaseRow] = {}
        self.groups: dict[GroupKey, Group] = {}
        self.tools: dict[str, str] = {}
        self._json = Spool() if json_path else None
        self._html = Spool() if html_path else None
        self._fix_spool = Spool() if html_path else None

    # ------------------------------------------------------------------------------ collecting

    def add(self, outcome: DatabaseOutcome) -> DatabaseRow:
        report = outcome.result.report if outcome.result is not None else None
        return self.add_report(outcome.index, outcome.member.name, outcome.member.target.display, outcome.error, report)

    def add_report(self, index: int, name: str, database: str, error: str | None, report: Report | None) -> DatabaseRow:
        """One database's part: its report, or the (redacted) error that kept it from being read."""
        return self.add_part(
            render_part(
                index, name, database, error, report, want_json=self._json is not None, html_path=self.html_path
            )
        )

    def add_part(self, part: Part) -> DatabaseRow:
        row = part.row
        self.tools = self.tools or dict(part.tools)
        for key, fix in part.failing:
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Group(key)
            group.members.append((row.index, row.name))
            group.fixes.add(fix)
        if self._json is not None and part.json_text is not None:
            self._json.add(row.index, part.json_text)
        if self._html is not None and part.html_text is not None:
            self._html.add(row.index, part.html_text)
            if part.fix_script is not None:
                assert self._fix_spool is not None
                self._fix_spool.add(row.index, part.fix_script)
        self.rows[row.index] = row
        return row

    # ------------------------------------------------------------------------------- summaries

    def counts(self) -> dict[str, int]:
        verdicts = [r.verdict for r in self.rows.values()]
        return {
            "databases": len(verdicts),
            "conforming": verdicts.count("conforms"),
            "drifted": verdicts.count("drift"),
            "unreachable": verdicts.count("unreachable"),
        }

    def exit_code(self) -> int:
        return exit_code(r.verdict for r in self.rows.values())

    def sorted_groups(self) -> list[Group]:
        """Largest first; ties in a stable, readable order."""
        return sorted(self.groups.values(), key=lambda g: (-len(g.members), g.key))

    def shared_groups(self) -> list[Group]:
        """Groups shared by several databases whose fix is the same text everywhere."""
        return [g for g in self.sorted_groups() if len(g.members) > 1 and len(g.fixes) == 1 and None not in g.fixes]

    def verdict(self) -> str:
        c = self.counts()
        return (
            f"fleet: {c['conforming']} of {c['databases']} databases conform; "
            f"{c['drifted']} drifted, {c['unreachable']} unreachable"
        )

    def group_documents(self) -> list[dict[str, Any]]:
        return [
            {"source": s, "kind": k, "object": o, "status": st, "databases": g.names}
            for g in self.sorted_groups()
            for s, k, o, st in [g.key]
        ]

    # --------------------------------------------------------------------------------- writing

    def write(self) -> None:
        """Write the reports asked for; an unwritable one is exit 2 naming its option."""
        from driftgate.errors import InputError
        from driftgate.report.fleet_html import write_fleet_html

        for option, path, writer in (("--json", self.json_path, self._write_json), ("--html", self.html_path, None)):
            if path is None:
                continue
            try:
                if writer is not None:
                    writer(path)
                else:
                    write_fleet_html(self, path)
            except OSError as exc:
                raise InputError(f"{option}: cannot write {path} ({exc.strerror or exc})") from None

    def _write_json(self, path: Path) -> None:
        assert self._json is not None
        head = {
            "version": REPORT_VERSION,
            "kind": "fleet",
            "started_at": self.started_at,
            "tools": self.tools,
            "summary": self.counts(),
        }
        with atomic_writer(path) as out:
            out.write(_json_text(head)[:-1] + ', "databases": [\n')
            for i, part in enumerate(self._json.parts()):
                out.write((",\n" if i else "") + part)
            out.write('\n], "groups": ' + _json_text(self.group_documents()) + "}\n")

    def fix_scripts(self) -> Iterator[tuple[DatabaseRow, str]]:
        if self._fix_spool is None:
            return
        for index, text in zip(self._fix_spool.indexes(), self._fix_spool.parts(), strict=True):
            yield self.rows[index], text

    def shared_script(self) -> str | None:
        groups = self.shared_groups()
        if not groups:
            return None
        c = self.counts()
        lines = [
            "-- driftgate shared fix script (fleet)",
            f"-- {c['drifted']} of {c['databases']} databases drifted; started {self.started_at}",
            "-- Each fix below is the same text in every database it names: review, then run it on those.",
        ]
        entries = sorted(((classify(next(iter(g.fixes)) or "")[0], g) for g in groups), key=lambda e: e[0])
        current = None
        for order, group in entries:
            text = next(iter(group.fixes)) or ""
            if order != current:
                current = order
                lines += ["", f"-- ===== {GROUP_TITLES[order]} ====="]
            lines.append("")
            if classify(text)[1]:
                lines.append(WARNING)
            source, kind, obj, status = group.key
            names = ", ".join(printable(name) for name in group.names[:MAX_NAMES_SHOWN])
            more = " and more (see the JSON report)" if len(group.members) > MAX_NAMES_SHOWN else ""
            lines.append(
                f"-- fixes {printable(f'{source}:{kind}:{obj}')} ({status}) in {len(group.members)} databases: "
                + names
                + more
            )
            lines.extend(_safe_text(text).splitlines())  # names in a fix are data, as in every fix script
        return "\n".join(lines) + "\n"

    def close(self) -> None:
        for spool in (self._json, self._html, self._fix_spool):
            if spool is not None:
                spool.close()


class FleetConsole:
    """Per-database lines as they finish, a progress bar on a terminal (silent otherwise), the verdict."""

    def __init__(self, total: int, console: Any = None, *, quiet: bool = False) -> None:
        """``quiet``: no line per database and no failing items, only the verdict (the bar still shows progress)."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = console or Console(highlight=False, soft_wrap=True, emoji=False)  # `shard:a:1` is no 🅰
        self.progress = (
            Progress(
                TextColumn("checking databases"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            if self.console.is_terminal
            else None
        )
        self.task = self.progress.add_task("fleet", total=total) if self.progress else None
        self.quiet = quiet

    def __enter__(self) -> FleetConsole:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def line(self, name: str, verdict: str, detail: str) -> None:
        if not self.quiet:
            self.console.print(f"{verdict:<12} {printable(name)}  {printable(detail)}", markup=False)
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)

    def row(self, row: DatabaseRow) -> None:
        if row.error is not None:
            detail = row.error
        elif row.failed:
            detail = f"{row.failed} of {row.checked} checks failed"
        else:
            detail = f"{row.checked} checks conform"
        self.line(row.name, row.verdict, detail)

    def summary(self, fleet: FleetReport, max_groups: int = 20) -> None:
        groups = fleet.sorted_groups()
        total = fleet.counts()["databases"]
        for group in [] if self.quiet else groups[:max_groups]:
            self.console.print(printable(group.describe(total)), markup=False)
        if len(groups) > max_groups and not self.quiet:
            self.console.print(f"... and {len(groups) - max_groups} more failing items (see the JSON/HTML report)")
        self.console.print(f"driftgate verdict: {fleet.verdict()}", markup=False)
