"""Items only the database has: one wording for every kind, and a fix that names the item safely."""

from __future__ import annotations

from helpers import findings


def test_unexpected_items_of_every_kind_say_what_and_how_to_drop() -> None:
    expected = "CREATE TABLE t (a INTEGER);"
    actual = (
        'CREATE TABLE t (a INTEGER, "b c" TEXT); CREATE INDEX ix ON t ("b c"); '
        "CREATE VIEW v AS SELECT a FROM t; CREATE TABLE u (x);"
    )
    got = {(f.kind, f.object): f for f in findings(expected, actual) if f.status == "unexpected"}
    assert set(got) == {("column", "t.b c"), ("index", "ix"), ("view", "v"), ("table", "u")}
    for (kind, obj), finding in got.items():
        name = obj.split(".")[-1] if kind == "column" else obj
        assert finding.message == f"the database has {kind} {obj}, which sql does not define"
        assert finding.expected is None and finding.actual
        assert name in (finding.fix or "")
    assert got[("column", "t.b c")].fix == '-- add b c to the schema, or (destructive) ALTER TABLE t DROP COLUMN "b c";'
    assert got[("index", "ix")].fix == "-- add index ix to the schema, or DROP INDEX ix;"
    assert got[("view", "v")].fix == "-- DROP VIEW v;"
    assert got[("table", "u")].fix == "-- add u to the schema, or (destructive) DROP TABLE u;"


def test_the_same_items_on_both_sides_are_not_unexpected() -> None:
    both = 'CREATE TABLE t (a INTEGER, "b c" TEXT); CREATE INDEX ix ON t ("b c"); CREATE VIEW v AS SELECT a FROM t;'
    assert [f for f in findings(both, both) if f.status != "ok"] == []
