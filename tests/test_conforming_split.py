"""A conforming comparison split between two processes is the comparison made whole, byte for byte.

A large cold check has its replay helper compare the last tables of the expected model with themselves
and render their findings while this process does the first ones (driftgate.replay_helper,
driftgate.compare.conforming_chunks): the report joins the two comparator by comparator.  That is exact
only if every comparator's findings for a schema against itself are the findings of the first tables
followed by those of the others; these tests hold that to every schema the other tests and the fixtures
replay, at every split, for the findings and for their JSON rendering.
"""

from __future__ import annotations

import pytest

from conftest import REPO
from driftgate.compare import can_share_conforming, compare_schemas, conforming_chunks, split_tables
from driftgate.model import Location, Schema
from driftgate.report.json_report import rendered_findings
from driftgate.shadow import shadow_schema
from driftgate.sources.migrations import load_migrations
from driftgate.sources.statements import split_sql_script
from test_equivalence import DIFFERENT, EQUAL
from test_hostile_names import _expected_sql
from test_shadow_bins import HAND_WRITTEN, _generated


def _scripts() -> dict[str, list]:
    scripts: dict[str, list] = {}
    for name, (first, second) in EQUAL.items():
        scripts[f"equal-{name}-a"] = split_sql_script(first, Location("a.sql", 1))
        scripts[f"equal-{name}-b"] = split_sql_script(second, Location("b.sql", 1))
    for name, (first, second, _a, _b) in DIFFERENT.items():
        scripts[f"different-{name}-a"] = split_sql_script(first, Location("a.sql", 1))
        scripts[f"different-{name}-b"] = split_sql_script(second, Location("b.sql", 1))
    scripts["hand-written"] = split_sql_script(HAND_WRITTEN, Location("h.sql", 1))
    scripts["hostile-names"] = split_sql_script(_expected_sql(), Location("hostile.sql", 1))  # escaped per piece
    scripts["generated"] = split_sql_script(_generated(60), Location("g.sql", 1))
    for journal in sorted((REPO / "fixtures").rglob("_journal.json")):
        folder = load_migrations(journal.parent.parent)
        scripts[str(journal.parent.parent.relative_to(REPO))] = folder.statements_up_to(folder.entries[-1].tag)
    for sql in sorted((REPO / "tests" / "data").rglob("*.sql")):
        scripts[str(sql.relative_to(REPO))] = split_sql_script(sql.read_text(), Location(sql.name, 1))
    return scripts


def _schemas() -> list:
    found = []
    for name, statements in _scripts().items():
        try:
            schema = shadow_schema(statements)
        except Exception:  # noqa: BLE001 - scripts that do not replay (bad input cases) have no model to split
            continue
        if schema.tables and can_share_conforming(schema):
            found.append(pytest.param(schema, id=name))
    return found


SCHEMAS = _schemas()


def test_the_corpus_is_large_and_varied() -> None:
    """Enough schemas, with views, triggers, indexes and foreign keys among them, for the rule to mean much."""
    assert len(SCHEMAS) >= 150, len(SCHEMAS)
    schemas: list[Schema] = [p.values[0] for p in SCHEMAS]
    assert sum(1 for s in schemas if s.views) >= 5 and sum(1 for s in schemas if s.triggers) >= 5
    assert sum(1 for s in schemas if any(t.foreign_keys for t in s.tables)) >= 20
    assert max(len(s.tables) for s in schemas) >= 40


@pytest.mark.parametrize("schema", SCHEMAS)
def test_every_split_joins_to_the_whole_comparison(schema: Schema) -> None:
    whole = compare_schemas(schema, schema, "baseline")
    chunks = conforming_chunks(schema, "baseline")
    assert [f for chunk in chunks for f in chunk] == whole
    assert all(f.status == "ok" for f in whole)
    rendered = bytes(rendered_findings(whole))
    for first in range(len(schema.tables) + 1):
        head, tail = split_tables(schema, first)
        pairs = list(zip(conforming_chunks(head, "baseline"), conforming_chunks(tail, "baseline"), strict=True))
        assert [a + b for a, b in pairs] == chunks, first
        pieces = [bytes(rendered_findings(part)) for pair in pairs for part in pair if part]
        assert b",\n".join(pieces) == rendered, first


def test_a_schema_with_a_statement_it_could_not_compare_is_not_shared() -> None:
    schema = shadow_schema(split_sql_script("CREATE TABLE t (a);", Location("t.sql", 1)))
    assert can_share_conforming(schema)
    unread = Schema(schema.tables, not_compared=(("CREATE TABLE ${x} (a)", "unresolved", None),))
    assert not can_share_conforming(unread)
    items = Schema(schema.tables, items_not_compared=(("default", "t.a", "computed in JavaScript", None),))
    assert not can_share_conforming(items)
