"""The Drizzle corpus (fixtures/drizzle-corpus): real drizzle-kit output, and the reader held to it.

Per case, two tests:
- the committed generated.sql is byte for byte what the real drizzle-kit 0.31.11 generates now
  (so the corpus can never drift from the tool it stands for);
- the TypeScript reader's schema equals the schema of that SQL, both through the shadow database,
  every finding ok, and every name (tables, columns, indexes, constraints) spelled the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from conftest import EXAMPLE
from driftgate.compare import compare_schemas
from driftgate.findings import Finding
from driftgate.model import Schema
from driftgate.sources import sql_source
from drizzle_corpus import (
    CORPUS,
    GENERATE_TIME_DEFAULTS,
    GENERATED,
    NOT_COMPARABLE,
    case_dirs,
    config_casing,
    generate_sql,
    generate_time_values,
    mask_generate_time,
    schema_path,
)

CASES = case_dirs()
CASE_IDS = [case.name for case in CASES]


def test_corpus_is_large_enough() -> None:
    # Issue 9 asks for at least 40 cases; a lost folder must not shrink the corpus unnoticed.
    assert len(CASES) >= 40, f"{len(CASES)} corpus cases, 40 expected at least"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_generated_sql_is_what_drizzle_kit_writes(tmp_path: Path, case: Path) -> None:
    committed = (case / GENERATED).read_text(encoding="utf-8")
    started = datetime.now(UTC).replace(microsecond=0)
    regenerated = generate_sql(case, tmp_path)
    finished = datetime.now(UTC) + timedelta(seconds=1)
    if case.name in GENERATE_TIME_DEFAULTS:
        # Values drizzle-kit computed while it ran: each one is an instant of this very run.
        values = generate_time_values(regenerated)
        assert len(values) == len(GENERATE_TIME_DEFAULTS[case.name]), values
        for value in values:
            instant = (
                datetime.fromtimestamp(int(value) / 1000, UTC) if value.isdigit() else datetime.fromisoformat(value)
            )
            assert started <= instant <= finished, f"{value} is not the time drizzle-kit ran"
        regenerated, committed = mask_generate_time(regenerated), mask_generate_time(committed)
    assert regenerated == committed, (
        f"{case.name}: drizzle-kit now writes different SQL; run `.venv/bin/python tests/drizzle_corpus.py "
        f"{case.name}` and review the diff"
    )


def _constraint_names(table_sql: str | None) -> list[str]:
    """Names of CONSTRAINT clauses inside one CREATE TABLE (FK, PK, UNIQUE, CHECK)."""
    if not table_sql:
        return []
    tree = sqlglot.parse_one(table_sql, read="sqlite")
    return sorted(c.name for c in tree.find_all(exp.Constraint))


def names_of(schema: Schema) -> list[str]:
    """Every name drizzle chose, spelled exactly (SQLite matches names case-insensitively; drizzle users don't)."""
    names: list[str] = []
    for table in schema.tables:
        names.append(f"table {table.name}")
        names.extend(f"column {table.name}.{c.name}" for c in table.columns)
        names.extend(f"index {table.name}.{i.name}" for i in table.indexes if not i.is_auto)
        names.extend(f"constraint {table.name}.{n}" for n in _constraint_names(table.definition))
    names.extend(f"view {view.name}" for view in schema.views)
    return sorted(names)


def _readable(findings: list[Finding]) -> str:
    return "\n".join(
        f"  {f.kind} {f.object}: {f.status}"
        + (f"\n    drizzle-kit: {f.actual}" if f.actual is not None else "")
        + (f"\n    reader:      {f.expected}" if f.expected is not None else "")
        + (f"\n    {f.message}" if f.message else "")
        + (f"\n    at {f.location}" if f.location else "")
        for f in findings
    )


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_reader_reads_what_drizzle_kit_generates(case: Path) -> None:
    # Imported here so the byte-for-byte tests above run even where the reader is absent.
    from driftgate.sources.drizzle import drizzle_source

    kit = sql_source([case / GENERATED]).schema()
    read = drizzle_source([schema_path(case)], casing=config_casing(case)).schema()
    # The reader's schema is the expected side, drizzle-kit's the actual side.
    findings = compare_schemas(read, kit, "drizzle")
    excused = NOT_COMPARABLE.get(case.name, ())

    def about_excused(f: Finding) -> bool:
        return any(item in f"{f.object} {f.expected} {f.message}" for item in excused)

    for item in excused:
        # The reader cannot know these: it must say so, not guess and not stay silent.
        assert any(f.status == "not_compared" and item in f"{f.object} {f.expected} {f.message}" for f in findings), (
            f"{case.name}: {item} is not reported as not_compared"
        )
    different = [
        f
        for f in findings
        if f.status != "ok" and f.object not in excused and not (f.status == "not_compared" and about_excused(f))
    ]
    assert not different, f"{case.name}: the reader disagrees with drizzle-kit:\n{_readable(different)}"
    assert findings, f"{case.name}: nothing compared"

    # An excused item may be absent on the reader's side (a query-builder view); every other name must match.
    def excused_name(name: str) -> bool:
        item = name.split(" ", 1)[1]
        return any(item == e or item.startswith(f"{e}.") for e in excused)

    read_names, kit_names = ([n for n in names_of(s) if not excused_name(n)] for s in (read, kit))
    assert read_names == kit_names, f"{case.name}: names spelled differently"


@pytest.mark.parametrize("project", ["plan", "corrected"])
def test_reader_reads_the_examples_schema_as_its_baseline(project: str) -> None:
    # The example's baselines are real drizzle-kit output (test_fixtures_are_real.py checks that).
    from driftgate.sources.drizzle import drizzle_source

    folder = EXAMPLE / project
    kit = sql_source([folder / "migrations" / "0000_baseline.sql"]).schema()
    read = drizzle_source([folder / "schema"]).schema()
    findings = compare_schemas(read, kit, "drizzle")
    different = [f for f in findings if f.status != "ok"]
    assert not different, f"{project}: the reader disagrees with the baseline:\n{_readable(different)}"
    assert names_of(read) == names_of(kit)


def _kit_schema(tmp_path: Path, sql: str) -> Schema:
    path = tmp_path / "changed.sql"
    path.write_text(sql, encoding="utf-8")
    return sql_source([path]).schema()


def test_the_equality_check_fails_for_a_different_schema(tmp_path: Path) -> None:
    # The other direction of the corpus check: a schema that differs in one key part is caught.
    original = (CORPUS / "29-index-desc-asc" / GENERATED).read_text(encoding="utf-8")
    changed = original.replace('("logged_at" desc)', '("logged_at")', 1)
    assert changed != original
    kit = _kit_schema(tmp_path, original)
    findings = compare_schemas(_kit_schema(tmp_path, changed), kit, "drizzle")
    assert [(f.kind, f.object) for f in findings if f.status != "ok"] == [("index", "log_entries_recent_idx")]
    assert all(f.status == "ok" for f in compare_schemas(kit, kit, "drizzle"))


def test_the_name_check_catches_a_name_sqlite_would_match(tmp_path: Path) -> None:
    # SQLite (and so the model comparison) matches ownerId and ownerid; a drizzle user's code does not.
    original = (CORPUS / "02-column-names-omitted" / GENERATED).read_text(encoding="utf-8")
    changed = original.replace("`ownerId`", "`ownerid`")
    kit, other = _kit_schema(tmp_path, original), _kit_schema(tmp_path, changed)
    assert all(f.status == "ok" for f in compare_schemas(other, kit, "drizzle"))
    assert names_of(other) != names_of(kit)
    assert names_of(kit) == names_of(_kit_schema(tmp_path, original))
