"""Three-way notes (``--drizzle`` with ``--migrations``): a foreign key is one item however each source orders
its column pairs, and stays another item when its pairs differ."""

from __future__ import annotations

import pytest

from driftgate.compare import compare_schemas
from driftgate.model import Location, Schema
from driftgate.shadow import shadow_schema
from driftgate.sources.statements import split_sql_script
from driftgate.three_way import annotate

PARENT = "CREATE TABLE p (x integer, y integer, PRIMARY KEY (x, y));\n"
NO_KEY = PARENT + "CREATE TABLE t (a integer, b integer);\n"
GENERATE = "no migration carries this change: run drizzle-kit generate"
CARRIED = "the baseline migration carries this too (see the baseline finding)"


def schema(sql: str) -> Schema:
    return shadow_schema(split_sql_script(sql, Location("schema.sql", 1)))


def with_key(pairs: str) -> str:
    return PARENT + f"CREATE TABLE t (a integer, b integer, FOREIGN KEY {pairs});\n"


def note_of_the_drizzle_key_finding(drizzle: str, baseline: str, live: str) -> str:
    findings = compare_schemas(schema(drizzle), schema(live), "drizzle")
    annotated = annotate(findings, schema(drizzle), schema(baseline), schema(baseline), [])
    (key,) = [f for f in annotated if f.kind == "foreign_key" and f.failed]
    return key.message


@pytest.mark.parametrize(
    ("baseline", "note"),
    [
        # The baseline declares the database's key, in the same order or the other: the schema files dropped
        # it, and no migration does.
        (with_key("(a, b) REFERENCES p(x, y)"), GENERATE),
        (with_key("(b, a) REFERENCES p(y, x)"), GENERATE),
        # A baseline whose key maps a to y and b to x declares another key: like the schema files, it lacks
        # the database's one.
        (with_key("(a, b) REFERENCES p(y, x)"), CARRIED),
        (NO_KEY, CARRIED),
    ],
)
def test_a_key_the_database_has_and_the_schema_files_lack(baseline: str, note: str) -> None:
    message = note_of_the_drizzle_key_finding(NO_KEY, baseline, with_key("(a, b) REFERENCES p(x, y)"))
    assert message.endswith(note), message


@pytest.mark.parametrize("baseline_pairs", ["(a, b) REFERENCES p(x, y)", "(b, a) REFERENCES p(y, x)"])
def test_a_key_the_schema_files_and_the_baseline_both_declare(baseline_pairs: str) -> None:
    message = note_of_the_drizzle_key_finding(with_key("(a, b) REFERENCES p(x, y)"), with_key(baseline_pairs), NO_KEY)
    assert message.endswith(CARRIED), message


def test_a_key_whose_names_cannot_be_read_back_is_compared_by_its_name() -> None:
    odd = 'CREATE TABLE "p(1)" (x integer, y integer, PRIMARY KEY (x, y));\n'
    live = odd + 'CREATE TABLE t (a integer, b integer, FOREIGN KEY (a, b) REFERENCES "p(1)"(x, y));\n'
    same_order = odd + 'CREATE TABLE t (a integer, b integer, FOREIGN KEY (a, b) REFERENCES "p(1)"(x, y));\n'
    drizzle = odd + "CREATE TABLE t (a integer, b integer);\n"
    assert note_of_the_drizzle_key_finding(drizzle, same_order, live).endswith(GENERATE)
