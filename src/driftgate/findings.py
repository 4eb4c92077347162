"""Findings: the one output of comparison, rendered by every reporter (DESIGN 4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import chain, compress
from operator import itemgetter, ne
from typing import Any, NamedTuple, overload

from driftgate.model import Location

KINDS = (
    "table",
    "column",
    "type",
    "notnull",
    "default",
    "primary_key",
    "index",
    "unique",
    "foreign_key",
    "check",
    "collation",
    "view",
    "trigger",
    "table_option",
    "ledger",
    "migration",
)
STATUSES = ("ok", "missing", "unexpected", "different", "not_compared")


class Finding(NamedTuple):
    """One item compared: the unit every reporter renders and every pytest test asserts.

    A named tuple, not a frozen dataclass: a 1,000-table check makes 80,000 of these, and a tuple is
    built about 4x faster (measured: 0.06 s against 0.21 s); it is just as immutable.
    """

    source: str
    kind: str
    table: str | None
    object: str
    status: str
    expected: str | None = None
    actual: str | None = None
    message: str = ""
    fix: str | None = None
    location: str | None = None
    accepted: bool = False

    @property
    def failed(self) -> bool:
        return self.status != "ok" and not self.accepted

    @property
    def key(self) -> str:
        """What a user writes in ``accept``: ``<source>:<kind>:<object>``."""
        return f"{self.source}:{self.kind}:{self.object}"

    @property
    def test_id(self) -> str:
        from driftgate.report.safe import printable

        return printable(f"{self.source}:{self.object}")

    def to_json(self) -> dict[str, Any]:
        """This finding as a report object (kept for callers of earlier versions; see findings_json)."""
        return findings_json((self,))[0]


def new_finding(
    source: str,
    kind: str,
    table: str | None,
    obj: str,
    status: str,
    message: str = "",
    *,
    expected: str | None = None,
    actual: str | None = None,
    fix: str | None = None,
    location: str | None = None,
) -> Finding:
    """A finding whose values that do not apply are null (DESIGN 4).

    No ``expected`` for an unexpected item, no ``actual`` for a missing one, no ``fix`` when it is ok.
    Built with tuple.__new__ from one tuple: a 1,000-table check makes 80,000 of these, and the
    keyword-taking constructor a named tuple generates costs twice as much.
    """
    return _make_finding(
        Finding,
        (
            source,
            kind,
            table,
            obj,
            status,
            None if status == "unexpected" else expected,
            None if status == "missing" else actual,
            message,
            None if status == "ok" else fix,
            location,
            False,
        ),
    )


_make_finding = tuple.__new__


def field_getter(*names: str) -> Callable[[Finding], Any]:
    """The named fields of a finding (a tuple of them for several), read in C: for counting over many."""
    return itemgetter(*(Finding._fields.index(name) for name in names))


_STATUS, _ACCEPTED = field_getter("status"), field_getter("accepted")
_NOT_OK = partial(ne, "ok")
_SOURCE_KIND_STATUS = field_getter("source", "kind", "status")


def counted(findings: Iterable[Finding]) -> Counter[tuple[str, str, str]]:
    """How many findings each (source, kind, status) has, keys in order of first appearance (:data:`Counts`)."""
    return Counter(map(_SOURCE_KIND_STATUS, findings))


def _tally(counts: Counter[tuple[str, str, str]], part: int) -> dict[str, int]:
    """One part's counts from :attr:`Report.counts`; keys in order of first appearance in the findings,
    as counting the findings themselves would give (a key's first triple is where it first appears)."""
    tally: Counter[str] = Counter()
    for key, count in counts.items():
        tally[key[part]] += count
    return dict(tally)


def findings_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as report objects (DESIGN 4), keys in field order.

    One comprehension that unpacks each tuple: 80,000 findings per large report, and a method call
    per finding cost a fifth more.
    """
    return [
        {
            "source": source,
            "kind": kind,
            "table": table,
            "object": obj,
            "status": status,
            "expected": expected,
            "actual": actual,
            "message": message,
            "fix": fix,
            "location": location,
            "accepted": accepted,
        }
        for source, kind, table, obj, status, expected, actual, message, fix, location, accepted in findings
    ]


def ok_finding(
    source: str, kind: str, table: str | None, obj: str, expected: str, actual: str, message: str, location: str | None
) -> Finding:
    """:func:`new_finding` for an item that matches (no fix): the one most findings of a large check are."""
    return _make_finding(Finding, (source, kind, table, obj, "ok", expected, actual, message, None, location, False))


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 finding``, ``2 findings``: the count with the noun in the right number."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def where(location: Location | None) -> str | None:
    return location.text if location is not None else None


@dataclass(frozen=True)
class SourceInfo:
    """An expected source as the reports describe it."""

    label: str
    files: tuple[str, ...]
    detail: str = ""  # e.g. "migrations up to 0000_baseline (generate-style)"


# The JSON report's text of some findings: bytes, or a view of a larger text it was cut from (no copy), or
# such pieces one after the other (a part rendered on two cores, never joined: rendering_pieces).
Rendering = bytes | memoryview | tuple[bytes | memoryview, ...]


def rendering_pieces(rendering: Rendering) -> tuple[bytes | memoryview, ...]:
    """A rendering's text as consecutive pieces (one, unless it was made of several)."""
    return rendering if isinstance(rendering, tuple) else (rendering,)


def rendering_size(rendering: Rendering) -> int:
    """How many bytes a rendering's text has."""
    return sum(map(len, rendering_pieces(rendering)))


Counts = Counter[tuple[str, str, str]]  # findings by (source, kind, status), keys in order of first appearance


class FindingsPart:
    """The findings of one part of a report, in order: one source's comparison, or the ledger's findings.

    Most parts hold their findings (:meth:`in_hand`).  A *conforming* part (:meth:`conforming`) is one
    source's findings against a database whose schema equals that source's model: every one ok, and
    the same on every run with the same model.  The check keeps such a part in the expected-model
    cache as what the reports need (how many, their counts, and the JSON report's rendering of them),
    and the findings themselves are built (by comparing, as always) only when something iterates them.
    """

    def __init__(
        self,
        count: int,
        *,
        counts: Counts | None = None,
        findings: Sequence[Finding] | None = None,
        build: Callable[[], Sequence[Finding]] | None = None,
        rendered: Rendering | None = None,
        remember: Callable[[int, Counts, Rendering], None] | None = None,
        all_ok: bool = False,
    ) -> None:
        if findings is None and build is None:
            raise ValueError("a part needs its findings or a way to build them")
        self.count = count
        self.all_ok = all_ok  # known before looking: nothing in it fails or is accepted
        self._counts, self._findings, self._build = counts, findings, build
        self._rendered, self._remember = rendered, remember
        self._memo: dict[str, Any] = {}

    @classmethod
    def in_hand(cls, findings: Sequence[Finding]) -> FindingsPart:
        return cls(len(findings), findings=findings)

    @classmethod
    def conforming(
        cls, findings: Sequence[Finding], remember: Callable[[int, Counts, Rendering], None] | None = None
    ) -> FindingsPart:
        """A source's findings in hand, every one ok; ``remember(count, counts, rendering)`` keeps them
        once the JSON report has rendered them."""
        return cls(len(findings), findings=findings, remember=remember, all_ok=True)

    @classmethod
    def from_record(
        cls, count: int, counts: Counts, rendered: Rendering, build: Callable[[], Sequence[Finding]]
    ) -> FindingsPart:
        """A conforming part read back from what :meth:`conforming` remembered; ``build`` compares again."""
        return cls(count, counts=counts, build=build, rendered=rendered, all_ok=True)

    @classmethod
    def prerendered(
        cls,
        count: int,
        counts: Counts,
        rendered: Rendering,
        build: Callable[[], Sequence[Finding]],
        remember: Callable[[int, Counts, Rendering], None] | None = None,
    ) -> FindingsPart:
        """A conforming part whose rendering was made before any report asked for it (on two cores, see
        driftgate.check); ``remember`` keeps it, as :meth:`conforming`'s does, once a report renders it."""
        return cls(count, counts=counts, build=build, rendered=rendered, remember=remember, all_ok=True)

    @property
    def findings(self) -> Sequence[Finding]:
        if self._findings is None:
            assert self._build is not None
            self._findings = self._build()
        return self._findings

    @property
    def counts(self) -> Counts:
        if self._counts is None:
            self._counts = counted(self.findings)
        return self._counts

    def rendered(self, render: Callable[[Sequence[Finding]], Rendering]) -> Rendering:
        """The JSON report's rendering of these findings by ``render``: a conforming part's is made once
        (and remembered), any other part's each time it is asked for (it is not kept in memory)."""
        rendered = self._rendered
        if rendered is None:
            rendered = render(self.findings)
            if not self.all_ok:
                return rendered
            self._rendered = rendered
        remember, self._remember = self._remember, None  # kept once, by the first report that renders it
        if remember is not None:
            remember(self.count, self.counts, rendered)
        return rendered

    def memo(self, name: str, make: Callable[[Sequence[Finding]], Any]) -> Any:
        """Another rendering of these findings (``name`` says which, e.g. a fleet report's): made once for
        a conforming part, which a run shares between the databases equal to the same model."""
        if not self.all_ok:
            return make(self.findings)
        if name not in self._memo:
            self._memo[name] = make(self.findings)
        return self._memo[name]


class FindingParts(Sequence[Finding]):
    """A report's findings in order, kept as the parts the check made them in (see :class:`FindingsPart`).
    A conforming part is built only when iterated; the summary, the verdict and the JSON report read
    its kept counts and rendering instead.  Handed to another process (pickled) or copied, it is the
    plain tuple it stands for."""

    def __init__(self, parts: Iterable[FindingsPart]) -> None:
        self.parts = tuple(parts)

    def __len__(self) -> int:
        return sum(p.count for p in self.parts)

    @cached_property
    def _all(self) -> tuple[Finding, ...]:
        return tuple(chain.from_iterable(p.findings for p in self.parts))

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._all)

    @overload
    def __getitem__(self, index: int) -> Finding: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Finding, ...]: ...

    def __getitem__(self, index: int | slice) -> Finding | tuple[Finding, ...]:
        return self._all[index]

    def __add__(self, other: object) -> tuple[Finding, ...]:
        return self._all + tuple(other) if isinstance(other, Sequence) else NotImplemented

    def __radd__(self, other: object) -> tuple[Finding, ...]:
        return tuple(other) + self._all if isinstance(other, Sequence) else NotImplemented

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FindingParts):
            other = other._all
        return isinstance(other, Sequence) and self._all == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[tuple[Finding, ...]]]:
        return tuple, (self._all,)

    def __repr__(self) -> str:
        return f"FindingParts({len(self)} findings in {len(self.parts)} parts)"

    @property
    def counts(self) -> Counts:
        counts: Counts = Counter()
        for part in self.parts:  # merged in order: each key keeps its first appearance
            counts.update(part.counts)
        return counts

    @property
    def open_findings(self) -> Iterator[Finding]:
        """The findings of the parts not known to be all ok: every failed or accepted finding is here."""
        return chain.from_iterable(p.findings for p in self.parts if not p.all_ok)


def _open_findings(findings: Sequence[Finding]) -> Iterable[Finding]:
    """The findings that may fail or be accepted (a conforming part's are all ok, none accepted)."""
    return findings.open_findings if isinstance(findings, FindingParts) else findings


@dataclass(frozen=True)
class Report:
    database: str
    sources: tuple[SourceInfo, ...]
    findings: Sequence[Finding]  # a tuple, or FindingParts (built part by part only when iterated)
    started_at: str = ""
    tool_versions: dict[str, str] = field(default_factory=dict)
    gate_tag: str | None = None  # the baseline a stamp would record

    @cached_property  # asked for several times per report; 80,000 findings make each pass count
    def failed(self) -> tuple[Finding, ...]:
        # The findings that are not ok are picked in C (most of a large report is ok), then the few
        # accepted ones are dropped: the same as ``f.failed`` per finding, in two thirds of the time.
        findings = tuple(_open_findings(self.findings))
        not_ok = compress(findings, map(_NOT_OK, map(_STATUS, findings)))
        return tuple(f for f in not_ok if not f.accepted)

    @cached_property
    def blocking(self) -> tuple[Finding, ...]:
        """Findings that stop a stamp: only the baseline source gates (DESIGN 4)."""
        return tuple(f for f in self.failed if f.source == "baseline")

    @property
    def gate_pass(self) -> bool:
        return not self.failed

    @property
    def stamp_allowed(self) -> bool:
        return self.gate_tag is not None and not self.blocking

    def summary(self) -> dict[str, Any]:
        return dict(self._summary)  # a copy: callers may add to theirs

    @cached_property
    def _summary(self) -> dict[str, Any]:
        failed, checked = len(self.failed), len(self.findings)
        return {
            "checked": checked,
            "ok": checked - failed,
            "failed": failed,
            "accepted": sum(map(_ACCEPTED, _open_findings(self.findings))),
            "by_status": _tally(self.counts, 2),
            "by_kind": _tally(self.counts, 1),
            "by_source": _tally(self.counts, 0),
        }

    @cached_property
    def counts(self) -> Counts:
        """How many findings each (source, kind, status) has, in order of first appearance."""
        if isinstance(self.findings, FindingParts):
            return self.findings.counts
        return counted(self.findings)

    def gate_reasons(self) -> list[str]:
        return [f"{f.key} is {f.status}" for f in self.failed]

    def verdict(self) -> str:
        """The one line a user reads first."""
        failed = self.failed
        checks = plural(len(self.findings), "check")
        if self.gate_tag is not None:
            if not self.blocking and not failed:
                return f"baseline {self.gate_tag} may be stamped: {checks} conform"
            if not self.blocking:
                others = plural(len(failed), "finding")
                return f"baseline {self.gate_tag} may be stamped; {others} of other sources fail"
            return (
                f"baseline {self.gate_tag} is blocked by {plural(len(self.blocking), 'finding')} "
                f"({len(failed)} failing in all)"
            )
        if not failed:
            return f"conforms: {checks}, 0 failed"
        return f"drift: {len(failed)} of {checks} failed"


def apply_accept(findings: list[Finding], accept: set[str]) -> list[Finding]:
    """Mark findings the user accepted in config; they stay in the report."""
    if not accept:
        return findings
    return [f._replace(accepted=True) if f.status != "ok" and f.key in accept else f for f in findings]
