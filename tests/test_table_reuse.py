"""A live table whose introspection rows equal an expected table's is that table (build_schema's ``known``).

Reuse must never change a finding: each case compares the findings of a check that reuses tables with
those of one that builds every live table afresh, and checks which tables were reused.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from driftgate.compare import compare_schemas
from driftgate.details import NO_DETAILS
from driftgate.identifiers import _ASCII_LOWER, _ASCII_UPPER, ascii_upper, fold_name
from driftgate.introspect import INTROSPECTION_SQL, _needs_details, build_schema, parse_document
from driftgate.model import Schema
from helpers import schema_of

BASE = """
CREATE TABLE users (id text PRIMARY KEY NOT NULL, email text NOT NULL COLLATE NOCASE, age integer DEFAULT 0,
  CONSTRAINT adult CHECK (age >= 18));
CREATE UNIQUE INDEX users_email_unique ON users (email);
CREATE INDEX users_lower ON users (lower(email)) WHERE age > 20;
CREATE TABLE posts (id integer PRIMARY KEY AUTOINCREMENT, author text REFERENCES users ON DELETE cascade
  DEFERRABLE INITIALLY DEFERRED, title text, slug text GENERATED ALWAYS AS (lower(title)) VIRTUAL);
CREATE INDEX posts_title ON posts (title DESC, author);
CREATE TABLE tags (name text PRIMARY KEY, n integer) WITHOUT ROWID;
CREATE TABLE plain (a integer, b text NOT NULL DEFAULT 'x') STRICT;
CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18;
CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN UPDATE posts SET title = title WHERE id = new.id; END;
"""
VIEWS_AND_TRIGGERS = {"adults", "posts_touch"}


def document_of(sql: str) -> dict:
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(sql)
        return parse_document(connection.execute(INTROSPECTION_SQL).fetchone()[0])
    finally:
        connection.close()


def reused(expected: Schema, live: Schema) -> set[str]:
    known = {id(t) for t in (*expected.tables, *expected.views, *expected.triggers)}
    return {t.name for t in (*live.tables, *live.views, *live.triggers) if id(t) in known}


def both_ways(expected: Schema, live_sql: str) -> tuple[Schema, Schema]:
    document = document_of(live_sql)
    return build_schema(document, known=expected.objects_by_key()), build_schema(document)


def test_a_database_built_from_the_same_script_reuses_every_table_and_finds_the_same() -> None:
    expected = schema_of(BASE)
    with_reuse, fresh = both_ways(expected, BASE)
    assert reused(expected, with_reuse) == {"users", "posts", "tags", "plain", *VIEWS_AND_TRIGGERS}
    assert reused(expected, fresh) == set()
    assert compare_schemas(expected, with_reuse, "sql") == compare_schemas(expected, fresh, "sql")
    assert all(f.status == "ok" for f in compare_schemas(expected, with_reuse, "sql"))
    assert with_reuse == expected  # every object is the expected one: a conforming record may stand for it


@pytest.mark.parametrize(
    ("old", "new", "rebuilt"),
    [
        ("age integer DEFAULT 0", "age integer DEFAULT 1", {"users"}),
        ("email text NOT NULL COLLATE NOCASE", "email text NOT NULL", {"users"}),
        ("CHECK (age >= 18)", "CHECK (age >= 21)", {"users"}),
        ("WHERE age > 20", "WHERE age > 21", {"users"}),
        ("(title DESC, author)", "(title, author)", {"posts"}),
        ("ON DELETE cascade", "ON DELETE set null", {"posts"}),
        ("DEFERRABLE INITIALLY DEFERRED", "", {"posts"}),
        ("AUTOINCREMENT", "", {"posts"}),
        ("lower(title)", "upper(title)", {"posts"}),
        (") WITHOUT ROWID", ")", {"tags"}),
        (") STRICT", ")", {"plain"}),
        ("b text NOT NULL DEFAULT 'x'", "b text DEFAULT 'x'", {"plain"}),
        # An index more on a table: the table's rows differ, though its CREATE TABLE does not.
        (") STRICT;", ") STRICT;\nCREATE INDEX plain_b ON plain (b);", {"plain"}),
        # Spelling only (same meaning): rebuilt, since the stored text differs, and still all ok.
        ("title text,", "TITLE   TEXT,", {"posts"}),
        # Views and triggers: taken only when their stored row is the same.
        ("WHERE age >= 18", "WHERE age >= 21", {"adults"}),
        ("SELECT id, email FROM", "select id,  email from", {"adults"}),
        ("SET title = title", "SET title = lower(title)", {"posts_touch"}),
        ("AFTER UPDATE ON posts", "AFTER UPDATE OF title ON posts", {"posts_touch"}),
    ],
)
def test_a_table_whose_rows_differ_is_built_afresh(old: str, new: str, rebuilt: set[str]) -> None:
    assert old in BASE
    expected = schema_of(BASE)
    with_reuse, fresh = both_ways(expected, BASE.replace(old, new, 1))
    assert reused(expected, with_reuse) == {"users", "posts", "tags", "plain", *VIEWS_AND_TRIGGERS} - rebuilt
    assert compare_schemas(expected, with_reuse, "sql") == compare_schemas(expected, fresh, "sql")
    assert with_reuse != expected


def test_an_implicit_foreign_key_target_follows_its_parent() -> None:
    """`REFERENCES users` means users' primary key: a child stored identically is another table if that changed."""
    expected = schema_of(BASE)
    live_sql = BASE.replace("id text PRIMARY KEY NOT NULL, email", "id text NOT NULL, email text PRIMARY KEY, e2", 1)
    with_reuse, fresh = both_ways(expected, live_sql)
    assert "posts" not in reused(expected, with_reuse)
    findings = compare_schemas(expected, with_reuse, "sql")
    assert findings == compare_schemas(expected, fresh, "sql")
    posts_fk = [f for f in findings if f.kind == "foreign_key" and f.table == "posts"]
    assert [f.status for f in posts_fk] == ["different"]


def test_the_live_side_s_locations_are_never_read() -> None:
    """A reused table carries the expected source's locations: comparison takes locations from the expected side."""
    expected = schema_of(BASE)
    fresh = build_schema(document_of(BASE))
    assert all(t.location is None for t in (*fresh.tables, *fresh.views, *fresh.triggers))
    assert compare_schemas(expected, expected, "sql") == compare_schemas(expected, fresh, "sql")


CORPUS_SQL = sorted(
    p
    for p in (Path(__file__).resolve().parents[1] / "fixtures").rglob("*.sql")
    if "node_modules" not in p.parts and p.stat().st_size < 2_000_000
)


def test_a_text_without_any_detail_keyword_has_no_details() -> None:
    """The keyword gate before the tokenizer drops nothing: checked on every CREATE TABLE in fixtures/."""
    from driftgate.ddl import table_details

    gated = read = 0
    for path in CORPUS_SQL:
        connection = sqlite3.connect(":memory:")
        try:
            connection.executescript(path.read_text(encoding="utf-8"))
        except sqlite3.Error:
            continue  # libSQL-only or deliberately broken fixtures
        finally:
            rows = connection.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'table'").fetchall()
            columns = {
                name: connection.execute(f"SELECT *, 0 FROM pragma_table_xinfo('{name}')").fetchall()
                for name, _ in rows
            }
            connection.close()
        for name, sql in rows:
            hidden = [[None, None, None, None, None, None, None, r[6]] for r in columns[name]]
            if _needs_details(sql, hidden):
                read += 1
            else:
                gated += 1
                details = table_details(sql, name)
                # An FK's NOT DEFERRABLE is what introspection assumes for a key it has no entry for.
                deferrable = {k: v for k, v in details.deferrable.items() if v != "NOT DEFERRABLE"}
                assert deferrable == NO_DETAILS.deferrable, f"{path}: {name}"
                assert dataclasses.replace(details, deferrable={}) == NO_DETAILS, f"{path}: {name}"
    assert gated > 50 and read > 10  # the corpus exercises both sides of the gate


@pytest.mark.parametrize(
    "clause",
    [
        "a text COLLATE NOCASE",
        "a text, CHECK (a <> '')",
        "a text REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED",
        "a integer PRIMARY KEY AUTOINCREMENT",
    ],
)
def test_a_text_with_a_detail_keyword_is_read(clause: str) -> None:
    from driftgate.ddl import table_details

    sql = f"CREATE TABLE t ({clause})"
    assert _needs_details(sql, [])
    assert table_details(sql, "t") != NO_DETAILS


@pytest.mark.parametrize(
    "name", ["users", "Users", "USER_ID", "Über", "ÜBER", "straße", "İd", "\u212aelvin", "Ça_va", "a\u0130b", "ﬀ", ""]
)
def test_fast_ascii_folding_is_sqlite_s_folding(name: str) -> None:
    assert fold_name(name) == name.translate(_ASCII_LOWER)
    assert ascii_upper(name) == name.translate(_ASCII_UPPER)


def test_a_check_whose_texts_all_match_never_imports_the_parser(tmp_path: Path) -> None:
    """A warm check of a conforming database reads no CREATE text: sqlglot (0.17 s to import) stays unloaded.
    A cold one leaves it to the CLI's replay helper, which imports it while the CLI imports the check and
    replays the small script whole (driftgate.replay_helper); with forking turned off, the CLI imports it.
    One database never loads the fleet machinery either."""
    (tmp_path / "schema.sql").write_text(BASE.replace("GENERATED ALWAYS AS (lower(title)) VIRTUAL", ""))
    sqlite3.connect(tmp_path / "live.db").executescript((tmp_path / "schema.sql").read_text())
    (tmp_path / "pyproject.toml").write_text("[tool.driftgate]\n")
    program = (
        "import sys\n"
        "sys.argv = ['driftgate', 'check', '--db', 'file:live.db', '--sql', 'schema.sql']\n"
        "try:\n    from driftgate.cli import main\n    main()\n"  # the command (driftgate's run() leaves at once)
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('exit', code, 'sqlglot' in sys.modules, 'aiohttp' in sys.modules, 'driftgate.fleet' in sys.modules)\n"
    )
    env = {"DRIFTGATE_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    one_core = {**env, "DRIFTGATE_FORK": "0", "DRIFTGATE_CACHE_DIR": str(tmp_path / "cache-one-core")}
    alone = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=one_core, capture_output=True, text=True)
    cold = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert alone.stdout.splitlines()[-1] == "exit 0 True False False", alone.stdout + alone.stderr
    assert cold.stdout.splitlines()[-1] == "exit 0 False False False", cold.stdout + cold.stderr
    assert warm.stdout.splitlines()[-1] == "exit 0 False False False", warm.stdout + warm.stderr
    assert alone.stdout.splitlines()[:-1] == cold.stdout.splitlines()[:-1] == warm.stdout.splitlines()[:-1]


def test_a_database_spelled_otherwise_has_its_live_model_built_by_the_cli_helper(tmp_path: Path) -> None:
    """A database whose CREATE texts are not the expected ones (a legacy database against drizzle's DDL)
    needs the parser to be read.  A cold check has the CLI's helper, which has the parser, build its live
    model too: the CLI never imports the parser, and reports what one core reports.  Drifted too."""
    schema = BASE.replace("GENERATED ALWAYS AS (lower(title)) VIRTUAL", "")
    (tmp_path / "schema.sql").write_text(schema)
    respelled = schema.replace("CREATE TABLE users (", "create table `users`  (").replace("age >= 18)", "age>=18)")
    drifted = respelled.replace("DEFAULT 0", "DEFAULT 1")
    for name, sql in (("live", respelled), ("drifted", drifted)):
        sqlite3.connect(tmp_path / f"{name}.db").executescript(sql)
    (tmp_path / "pyproject.toml").write_text("[tool.driftgate]\n")

    def check(db: str, out: str, **env: str) -> str:
        program = (
            "import sys\n"
            f"sys.argv = ['driftgate', 'check', '--db', 'file:{db}', '--sql', 'schema.sql', '--json', '{out}']\n"
            "try:\n    from driftgate.cli import main\n    main()\n"  # the command (driftgate's run() leaves at once)
            "except SystemExit as exit:\n    code = exit.code\n"
            "print('exit', code, 'sqlglot' in sys.modules)\n"
        )
        cache = str(tmp_path / f"cache-{out}")
        environ = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "DRIFTGATE_CACHE_DIR": cache, **env}
        done = subprocess.run(
            [sys.executable, "-c", program], cwd=tmp_path, env=environ, capture_output=True, text=True
        )
        return done.stdout.splitlines()[-1] if done.stdout else done.stderr

    def report(out: str) -> str:
        return "\n".join(line for line in (tmp_path / out).read_text().splitlines() if '"started_at"' not in line)

    assert check("live.db", "alone.json", DRIFTGATE_FORK="0") == "exit 0 True"  # one core: the CLI reads it
    assert check("live.db", "helped.json") == "exit 0 False"  # the helper built the live model
    assert report("helped.json") == report("alone.json")
    assert check("drifted.db", "drifted-alone.json", DRIFTGATE_FORK="0").startswith("exit 1")
    assert check("drifted.db", "drifted-helped.json").startswith("exit 1")
    assert report("drifted-helped.json") == report("drifted-alone.json")
    assert '"status": "different"' in report("drifted-helped.json")
