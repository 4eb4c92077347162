"""The shadow replay in separate scratch databases gives exactly the model of one database.

SQLite rescans its schema table on every CREATE, so the replay splits statements that touch
disjoint objects into bins (driftgate.shadow.replay_bins). Each script here is replayed both ways,
with bins small enough that it really is split, and the models must be equal (locations included).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORRECTED_MIGRATIONS, LEGACY_SQL, PLAN_MIGRATIONS, SEQUENCE_MIGRATIONS
from driftgate.errors import InputError
from driftgate.model import Location
from driftgate.shadow import _VIEWS_AND_TRIGGERS, _touches, create_head, replay_bins, shadow_schema
from driftgate.sources.migrations import load_migrations
from driftgate.sources.statements import split_sql_script
from driftgate.sqlite_tokens import scan


def _generated(tables: int) -> str:
    out = []
    for t in range(tables):
        fk = f", FOREIGN KEY (c1) REFERENCES t{t - 1}(id)" if t else ""
        out.append(f"CREATE TABLE t{t} (id integer PRIMARY KEY, c1 integer, c2 text DEFAULT 'x'{fk});")
        out.append(f"CREATE INDEX t{t}_c2 ON t{t} (c2 DESC);")
    return "\n".join(out)


HAND_WRITTEN = """
CREATE TABLE parent (id integer PRIMARY KEY, code text UNIQUE);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent(id) ON DELETE CASCADE);
CREATE TABLE other (id integer PRIMARY KEY, note text);
CREATE VIEW v_other AS SELECT id, note FROM other;
CREATE TABLE lonely (a text, b text, UNIQUE (a, b));
CREATE INDEX lonely_b ON lonely (b) WHERE b IS NOT NULL;
CREATE VIEW a_first AS SELECT 1 AS one;
ALTER TABLE parent RENAME TO parents;
ALTER TABLE parents RENAME COLUMN code TO the_code;
CREATE TABLE keep (id integer PRIMARY KEY, parent integer REFERENCES parents);
CREATE TRIGGER other_note AFTER INSERT ON other BEGIN UPDATE lonely SET a = NEW.note; END;
DROP VIEW v_other;
CREATE VIEW v_other AS SELECT note FROM other;
CREATE VIRTUAL TABLE docs USING fts5(title, body);
CREATE TABLE rebuilt_new (id integer PRIMARY KEY, x integer NOT NULL DEFAULT 0);
INSERT INTO rebuilt_new SELECT id, 0 FROM other;
CREATE TABLE copy AS SELECT * FROM other;
CREATE TABLE ai (id integer PRIMARY KEY AUTOINCREMENT, v text);
CREATE TABLE ai2 (id integer PRIMARY KEY AUTOINCREMENT, v text);
"""


def _statements(sql: str) -> list:
    return split_sql_script(sql, Location("s.sql", 1))


def _scripts() -> dict[str, list]:
    def all_of(folder: Path) -> list:
        migrations = load_migrations(folder)
        return migrations.statements_up_to(migrations.entries[-1].tag)

    return {
        "legacy": _statements(LEGACY_SQL.read_text()),
        "plan": all_of(PLAN_MIGRATIONS),
        "corrected": all_of(CORRECTED_MIGRATIONS),
        "sequence": all_of(SEQUENCE_MIGRATIONS),
        "hand-written": _statements(HAND_WRITTEN),
        "generated": _statements(_generated(60)),
    }


def _bins(statements: list, size: int) -> list[list[int]] | None:
    touches = []
    for s in statements:
        tokens = scan(s.sql)
        assert tokens is not None
        touches.append(_touches(tokens, create_head(tokens.words)))
    return replay_bins(touches, size)


@pytest.mark.parametrize("name", ["legacy", "plan", "corrected", "sequence", "hand-written", "generated"])
def test_split_replay_equals_one_database(name: str) -> None:
    statements = _scripts()[name]
    assert _bins(statements, 2) is not None, "the script must really be split for this test to mean anything"
    assert shadow_schema(statements, bin_size=2) == shadow_schema(statements, bin_size=None)


def test_tables_and_their_indexes_stay_together_and_fk_parents_do_not_join() -> None:
    bins = _bins(_statements(_generated(60)), 10)
    assert bins is not None and all(len(b) == 10 for b in bins)  # 5 tables with their indexes per bin


def test_renamed_parent_joins_its_children() -> None:
    statements = _statements(HAND_WRITTEN)
    bins = _bins(statements, 2)
    assert bins is not None
    together = next(b for b in bins if 0 in b)  # CREATE TABLE parent
    assert {1, 7, 8, 9} <= set(together)  # child, both ALTERs and keep (REFERENCES parents)
    views_and_triggers = [i for i, s in enumerate(statements) if " VIEW " in s.sql or "TRIGGER" in s.sql]
    assert len({next(n for n, b in enumerate(bins) if i in b) for i in views_and_triggers}) == 1


def test_a_pragma_keeps_the_whole_script_in_one_database() -> None:
    assert _bins(_statements("PRAGMA legacy_alter_table = ON;\n" + _generated(10)), 2) is None


def test_an_error_reads_the_same_split_or_not() -> None:
    statements = _statements(
        _generated(10) + "\nCREATE INDEX broken ON nowhere (x);\n" + _generated(3).replace("t", "u")
    )
    messages = []
    for bin_size in (2, None):
        with pytest.raises(InputError) as caught:
            shadow_schema(statements, bin_size=bin_size)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "nowhere" in messages[0] and "s.sql:21" in messages[0]


EDGE_STATEMENTS = [
    'CREATE TABLE "Ünïcode" ("Straße" text REFERENCES "ÜBER"(id), x REFERENCES Parent);',
    'CREATE TABLE "sep\x1fname" (a integer REFERENCES "Sep\x1fParent" (id));',  # the joining separator inside a name
    "CREATE TABLE r (a integer REFERENCES",  # REFERENCES as the last token: nothing follows to be a target
    "CREATE TABLE r2 (a integer REFERENCES REFERENCES)",
    "CREATE TABLE Mixed (A integer REFERENCES Other(ID), b text REFERENCES [Third] (x), c REFERENCES `Fourth`)",
    "",
]


def _reference_touch_names(statement: str) -> tuple[set[str], set[str]]:
    """The rule _touches implements, token by token: the name after REFERENCES is a target, all else a name."""
    from driftgate.identifiers import fold_name

    tokens = scan(statement)
    assert tokens is not None
    names, targets = set(), set()
    for i, text in enumerate(tokens.texts):
        (targets if i > 0 and tokens.words[i - 1] == "REFERENCES" else names).add(fold_name(text))
    return names, targets


@pytest.mark.parametrize("name", ["legacy", "plan", "corrected", "sequence", "hand-written", "generated", "edge"])
def test_touched_names_are_each_token_folded_as_sqlite_folds_names(name: str) -> None:
    """_touches folds a statement's tokens in one string operation; it must equal folding each token."""
    sqls = EDGE_STATEMENTS if name == "edge" else [s.sql for s in _scripts()[name]]
    for sql in sqls:
        tokens = scan(sql)
        assert tokens is not None, sql
        touched = _touches(tokens, create_head(tokens.words))
        names = touched.names - {_VIEWS_AND_TRIGGERS}  # the marker that keeps views and triggers together
        assert (names, touched.fk_targets) == _reference_touch_names(sql), sql
    edge = scan(EDGE_STATEMENTS[0])
    assert edge is not None
    straße = _touches(edge, create_head(edge.words))
    if name == "edge":  # non-ASCII letters keep their case (SQLite folds ASCII only); targets are apart
        assert {"Ünïcode", "straße"} <= straße.names and straße.fk_targets == {"Über", "parent"}
