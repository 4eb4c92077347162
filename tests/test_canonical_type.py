"""Declared types: equal spellings compare equal, different types (as SQLite reads them) do not."""

from __future__ import annotations

import sqlite3

import pytest

from driftgate.normalize import canonical_type


@pytest.mark.parametrize(
    ("left", "right"),
    [("integer", "INTEGER"), ("varchar( 10 )", "VARCHAR(10)"), ("NUMERIC(10 , 2)", "numeric(10,2)"), ("", "")],
)
def test_same_type_spelled_differently(left: str, right: str) -> None:
    assert canonical_type(left) == canonical_type(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [("INT", "INTEGER"), ("ınt", "int"), ("TEXT", "VARCHAR"), ("NUMERIC(10,2)", "NUMERIC(10,3)"), ("", "BLOB")],
)
def test_different_types_stay_different(left: str, right: str) -> None:
    assert canonical_type(left) != canonical_type(right)


def test_dotless_i_is_no_integer_to_sqlite() -> None:
    """Why the fold is ASCII only: "ınteger PRIMARY KEY" is no rowid alias, so it accepts NULL."""
    connection = sqlite3.connect(":memory:")
    connection.execute('CREATE TABLE dotless (id "ınteger" PRIMARY KEY)')
    connection.execute("CREATE TABLE ascii (id INTEGER PRIMARY KEY)")
    connection.execute("INSERT INTO dotless VALUES (NULL)")
    connection.execute("INSERT INTO ascii VALUES (NULL)")
    assert connection.execute("SELECT id FROM dotless").fetchone() == (None,)
    assert connection.execute("SELECT id FROM ascii").fetchone() == (1,)
    assert canonical_type("ınteger") != canonical_type("INTEGER")
