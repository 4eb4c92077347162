"""What every comparator receives: the two schemas, the source label, matched table pairs."""

from __future__ import annotations

from dataclasses import dataclass, field

from driftgate.findings import Finding, where
from driftgate.model import Location, Schema, Table


@dataclass(frozen=True)
class Comparison:
    expected: Schema
    actual: Schema
    source: str
    pairs: tuple[tuple[Table, Table], ...] = field(default=())

    @classmethod
    def of(cls, expected: Schema, actual: Schema, source: str) -> Comparison:
        pairs = []
        for table in expected.tables:
            live = actual.table(table.name)
            if live is not None:
                pairs.append((table, live))
        return cls(expected, actual, source, tuple(pairs))

    def finding(
        self,
        kind: str,
        table: str | None,
        obj: str,
        status: str,
        *,
        expected: str | None = None,
        actual: str | None = None,
        message: str = "",
        fix: str | None = None,
        location: Location | None = None,
    ) -> Finding:
        # Values that do not apply are null (DESIGN 4): no expected for an unexpected item, etc.
        if status == "unexpected":
            expected = None
        if status == "missing":
            actual = None
        if status == "ok":
            fix = None
        return Finding(
            source=self.source,
            kind=kind,
            table=table,
            object=obj,
            status=status,
            expected=expected,
            actual=actual,
            message=message,
            fix=fix,
            location=where(location),
        )
