"""Comparison: pure functions from (expected schema, actual schema) to findings.

One module per kind of schema object; :data:`COMPARATORS` is the chain they
run in.  A caller may put its own comparators first (``hooks``), as Alembic's
autogenerate lets a user hook run before the built-in comparators.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from driftgate.compare.columns import compare_columns, compare_primary_keys
from driftgate.compare.context import Comparison
from driftgate.compare.foreign_keys import compare_foreign_keys
from driftgate.compare.indexes import compare_indexes, compare_uniques
from driftgate.compare.objects import compare_checks, compare_table_options, compare_triggers, compare_views
from driftgate.compare.tables import compare_tables
from driftgate.findings import Finding, where
from driftgate.identifiers import ascii_upper, canonical_identifier, fold_name
from driftgate.model import Schema
from driftgate.sqlite_tokens import object_head, scan

Comparator = Callable[[Comparison], Iterable[Finding]]

COMPARATORS: tuple[Comparator, ...] = (
    compare_tables,
    compare_columns,
    compare_primary_keys,
    compare_indexes,
    compare_uniques,
    compare_foreign_keys,
    compare_checks,
    compare_table_options,
    compare_views,
    compare_triggers,
)


def compare_schemas(
    expected: Schema, actual: Schema, source: str, *, hooks: Sequence[Comparator] = ()
) -> list[Finding]:
    """Every item of both schemas, each as one finding (ok ones included)."""
    comparison = Comparison.of(expected, actual, source)
    findings: list[Finding] = []
    for comparator in (*hooks, *COMPARATORS):
        findings.extend(comparator(comparison))
    unread = list(_not_compared(comparison))
    if unread:
        # A table the source defines but could not read (a Drizzle option computed in JavaScript) is not
        # "unexpected" in the database, nor is what belongs to it: its not_compared finding stands for it.
        tables = {finding.object for finding in unread if finding.kind == "table"}
        findings = [f for f in findings if not (f.status == "unexpected" and f.table and fold_name(f.table) in tables)]
        findings.extend(unread)
    return _items_not_compared(comparison, findings)


def conforming_chunks(schema: Schema, source: str) -> list[list[Finding]]:
    """``schema`` compared with itself, one list of findings per comparator (in :data:`COMPARATORS` order):
    what :func:`compare_schemas` gives for a database equal to ``schema``, before it is joined.

    For a schema without statements or items it could not compare (:func:`can_share_conforming`), joining
    the lists gives ``compare_schemas(schema, schema, source)``; and for a split of its tables
    (:func:`split_tables`), each list is the first part's list followed by the second's: every comparator goes
    through the expected tables (their columns, keys, indexes, constraints) in order, finds each one's
    counterpart among the same tables, and goes through views and triggers apart from them; against itself
    nothing is unexpected.  The tests hold both to every schema of the fixtures, at every split.
    """
    comparison = Comparison.of(schema, schema, source)
    return [list(comparator(comparison)) for comparator in COMPARATORS]


def can_share_conforming(schema: Schema) -> bool:
    """Whether :func:`conforming_chunks` of ``schema`` joined is its conforming comparison (nothing in it is
    replaced by a not_compared finding, see :func:`compare_schemas`)."""
    return not schema.not_compared and not schema.items_not_compared


def split_tables(schema: Schema, first: int) -> tuple[Schema, Schema]:
    """``schema``'s first ``first`` tables with its views and triggers, and its other tables alone."""
    return (
        Schema(schema.tables[:first], schema.views, schema.triggers),
        Schema(schema.tables[first:]),
    )


def _items_not_compared(c: Comparison, findings: list[Finding]) -> list[Finding]:
    """A part the source could not know (a default computed in JavaScript) replaces its comparison."""
    if not c.expected.items_not_compared:
        return findings
    reasons = {(kind, obj): (reason, location) for kind, obj, reason, location in c.expected.items_not_compared}
    result: list[Finding] = []
    for finding in findings:
        found = reasons.get((finding.kind, finding.object))
        if found is not None and finding.status not in ("missing", "unexpected"):
            reason, location = found
            finding = finding._replace(
                status="not_compared",
                expected=None,
                message=f"not compared: {reason}",
                fix=None,
                location=where(location) or finding.location,
            )
        result.append(finding)
    return result


def _not_compared(c: Comparison) -> Iterable[Finding]:
    """Statements the source could not turn into schema are findings too: silence is never an option."""
    for sql, reason, location in c.expected.not_compared:
        kind, name = _statement_object(sql)
        yield Finding(
            source=c.source,
            kind=kind,
            table=name,
            object=name,
            status="not_compared",
            expected=" ".join(sql.split())[:200],
            actual=None,
            message=f"not compared: {reason}",
            fix=None,
            location=where(location),
        )


# The name of a CREATE whose name holds an unresolved ${...}: the tokenizer would see only "$".
_NAME_WITH_HOLE = re.compile(
    r"(?is)^\s*CREATE\s+(?:(?:TEMP|TEMPORARY|UNIQUE|VIRTUAL)\s+)*(TABLE|INDEX|VIEW|TRIGGER)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?([^\s(]*\$\{[^}]*\}[^\s(]*)"
)


def _statement_object(sql: str) -> tuple[str, str]:
    """(kind, name) of what a statement that could not be compared is about, by SQLite's token rules."""
    hole = _NAME_WITH_HOLE.match(sql)
    if hole:
        kind = hole.group(1).lower()
        return ("table" if kind == "table" else kind), hole.group(2)
    tokens = scan(sql)
    if tokens is None:  # unreadable text still deserves a finding: its words, a quoted one unquoted
        texts = sql.split()
        words, name_of = [ascii_upper(text) for text in texts], canonical_identifier
    else:  # a quoted token's text is what the quotes hold
        texts, words, name_of = tokens.texts, tokens.words, fold_name
    head = object_head(words)
    if head is not None:
        kind, at = head
        return kind, name_of(texts[at]) if at < len(texts) else "?"
    return "table", " ".join(texts[:4])
