"""`driftgate pull` round-trips every corpus schema through the real drizzle-kit generate.

For each live schema: pull, generate with drizzle-kit 0.31.11, apply the database steps the pull
printed, and check the generated baseline against the database.  Whatever fails must be an object the
pull listed as not expressible; everything else conforms.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from tests.conftest import LEGACY_SQL, build_file_db, load_remote
from tests.pull_helpers import CORPUS, round_trip

from driftgate.model import fold_name
from driftgate.pull import read_plan
from driftgate.pull.choose import PullPlan
from driftgate.urls import parse_database_url

CASES = sorted(p.stem for p in CORPUS.glob("*.sql"))


def _file_db(tmp_path: Path, script: str) -> Path:
    return build_file_db(tmp_path / "live.db", script)


def _apply_to_file(path: Path):
    def apply(steps: list[str]) -> None:
        connection = sqlite3.connect(path)
        for step in steps:
            connection.execute(step.split("  -- ")[0])
        connection.commit()
        connection.close()

    return apply


def _listed(plan: PullPlan) -> tuple[set[str], set[tuple[str, str]]]:
    """Objects the pull said it cannot express: by name, and (table, kind) for parts of a table."""
    names = {fold_name(item.name) for item in plan.not_expressible}
    parts = set()
    for item in plan.not_expressible:
        if item.table is not None:
            kind = {"table option": "table_option", "foreign key": "foreign_key"}.get(item.kind, item.kind)
            parts.add((fold_name(item.table), kind))
    return names, parts


def _assert_only_listed_fail(failing: list[dict], plan: PullPlan) -> None:
    names, parts = _listed(plan)
    unlisted = [
        f
        for f in failing
        if fold_name(f["object"]) not in names and (fold_name(f["table"] or ""), f["kind"]) not in parts
    ]
    assert not unlisted, "\n".join(f"{f['kind']} {f['object']}: {f['message']}" for f in unlisted)
    # Nothing is listed for nothing: every listed object really is absent from what drizzle generates.
    failing_names = {fold_name(f["object"]) for f in failing} | {fold_name(f["table"] or "") for f in failing}
    for item in plan.not_expressible:
        assert fold_name(item.name) in failing_names or fold_name(item.table or "") in failing_names, item


@pytest.mark.parametrize("case", CASES)
def test_corpus_round_trips_through_drizzle_kit(case: str, tmp_path: Path) -> None:
    script = (CORPUS / f"{case}.sql").read_text(encoding="utf-8")
    db = _file_db(tmp_path, script)
    url = f"file:{db}"
    plan = read_plan(parse_database_url(url), casing="camelCase", idiomatic=False, timeout=30)
    flags = ("--single-file",) if case in ("defaults", "odd_identifiers") else ()
    result = round_trip(url, tmp_path, *flags, apply_steps=_apply_to_file(db))
    _assert_only_listed_fail(result.failing(), plan)
    for item in plan.not_expressible:
        assert repr(item.name) in result.pull.out
        assert item.sql.strip() in (tmp_path / "schema" / "NOT_EXPRESSIBLE.md").read_text(encoding="utf-8")


def test_legacy_schema_round_trips_over_real_sqld(sqld, tmp_path: Path) -> None:
    load_remote(sqld.http_url, LEGACY_SQL.read_text(encoding="utf-8"))

    def apply(steps: list[str]) -> None:
        load_remote(sqld.http_url, "\n".join(s.split("  -- ")[0] for s in steps))

    result = round_trip(sqld.ws_url, tmp_path, "--casing", "snake_case", apply_steps=apply)
    assert result.check.code == 0, result.check.out
    assert not result.failing()
    assert 'user_id: text("user_id")' in (tmp_path / "schema" / "history_user.ts").read_text(encoding="utf-8")
