"""Small helpers for comparison tests: SQL text in, model or findings out."""

from __future__ import annotations

from driftgate.compare import compare_schemas
from driftgate.findings import Finding
from driftgate.model import Location, Schema
from driftgate.shadow import shadow_schema
from driftgate.sources.statements import split_sql_script


def schema_of(sql: str) -> Schema:
    """The model of a script, read the way every expected source is: through the shadow database."""
    return shadow_schema(split_sql_script(sql, Location("test.sql", 1)))


def findings(expected_sql: str, actual_sql: str, source: str = "sql") -> list[Finding]:
    return compare_schemas(schema_of(expected_sql), schema_of(actual_sql), source)


def failing(expected_sql: str, actual_sql: str) -> list[tuple[str, str, str]]:
    """(kind, object, status) of every finding that is not ok, sorted."""
    return sorted((f.kind, f.object, f.status) for f in findings(expected_sql, actual_sql) if f.status != "ok")
