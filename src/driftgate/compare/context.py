"""What every comparator receives: the two schemas, the source label, matched table pairs."""

from __future__ import annotations

from dataclasses import dataclass, field

from driftgate.findings import Finding, new_finding, where
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
        return new_finding(
            self.source,
            kind,
            table,
            obj,
            status,
            message,
            expected=expected,
            actual=actual,
            fix=fix,
            location=where(location),
        )

    def unexpected(self, kind: str, table: str, obj: str, what: str, actual: str, fix: str) -> Finding:
        """An item only the database has: ``what`` names it in the message (e.g. "index ix_users_email")."""
        message = f"the database has {what}, which {self.source} does not define"
        return self.finding(kind, table, obj, "unexpected", actual=actual, message=message, fix=fix)
