"""Names are data, never code: hostile names and defaults in every output (issue 10).

A corpus of names and defaults holding newlines, comment markers, quotes, terminal escape
sequences, bidi overrides and very long text sits both in the expected source and in the live
database.  Every output is then checked: terminal, JSON, HTML, pytest ids and failure text, and
the fix script, which is run on a copy of the database to show it does only what it says.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from cli import driftgate
from conftest import REPO
from driftgate.model import Location
from driftgate.report.safe import comment_only, markdown_text, printable
from driftgate.sources.statements import split_sql_script
from test_conformance_suite import pytest_in

HOSTILE = [
    "evil\nDROP TABLE u; --",
    "cr\rDROP TABLE u; --",
    "close*/ DROP TABLE u; /*",
    "dash -- dash",
    'dq"uote',
    "sq'uote",
    "\x1b[31mred\x1b[0m\x1b[2J",
    "rtl\u202eevil\u202c",
    "mark\u200f\u2066iso\u2069",
    "line\u2028sep",
    "<script>alert(1)</script>",
    "n" * 3000,
]
# What must never reach a terminal, a log or a viewer raw.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _expected_sql() -> str:
    """Tables the database lacks (hostile names), and hostile defaults and index names on `shared`."""
    statements = [f"CREATE TABLE {q('want ' + name)} ({q('col ' + name)} TEXT DEFAULT {s(name)});" for name in HOSTILE]
    statements.append("CREATE TABLE u (id INTEGER PRIMARY KEY);")
    columns = ", ".join(f"{q('c' + str(i))} TEXT DEFAULT {s(name)}" for i, name in enumerate(HOSTILE))
    statements.append(f"CREATE TABLE shared (id INTEGER PRIMARY KEY, {columns});")
    statements += [f"CREATE INDEX {q('ix ' + name)} ON shared (c0);" for name in HOSTILE[:4]]
    return "\n".join(statements) + "\n"


def _live_db(path: Path) -> Path:
    """The database: `u` (the victim), unexpected hostile tables, columns, indexes, views, triggers."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)")
    connection.execute("INSERT INTO u VALUES (1)")
    defaults = ", ".join(f"{q('c' + str(i))} TEXT DEFAULT {s(name[::-1])}" for i, name in enumerate(HOSTILE))
    extra = ", ".join(f"{q('extra ' + name)} TEXT" for name in HOSTILE)
    connection.execute(f"CREATE TABLE shared (id INTEGER PRIMARY KEY, {defaults}, {extra})")
    for name in HOSTILE:
        connection.execute(f"CREATE TABLE {q(name)} (x)")
        connection.execute(f"CREATE INDEX {q('live ix ' + name)} ON shared (c1)")
        connection.execute(f"CREATE VIEW {q('v ' + name)} AS SELECT {s(name)} AS {q(name)}")
        connection.execute(f"CREATE TRIGGER {q('tr ' + name)} AFTER INSERT ON u BEGIN SELECT {s(name)}; END")
    connection.commit()
    connection.close()
    return path


def _objects(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        return set(connection.execute("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"))


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    db = _live_db(root / "live.db")
    (root / "expected.sql").write_text(_expected_sql(), encoding="utf-8")
    run = driftgate(
        "check",
        "--db",
        db,
        "--sql",
        root / "expected.sql",
        "--json",
        root / "r.json",
        "--html",
        root / "r.html",
        cwd=root,
    )
    return {"root": root, "db": db, "run": run}


def test_check_runs_and_finds_drift(checked: dict) -> None:
    assert checked["run"].code == 1, checked["run"].err


def test_terminal_has_no_raw_escapes(checked: dict) -> None:
    run = checked["run"]
    assert not RAW.search(run.out + run.err)
    assert "sql:table:" + printable("evil\nDROP TABLE u; --") in run.out  # shown, escaped


def test_json_keeps_names_exactly_and_writes_nothing_raw(checked: dict) -> None:
    text = (checked["root"] / "r.json").read_text(encoding="utf-8")
    assert not RAW.search(text)
    objects = {f["object"] for f in json.loads(text)["findings"]}
    assert set(HOSTILE) <= objects  # the data itself is kept, escaped only as JSON escapes it
    assert "live ix evil\nDROP TABLE u; --" in objects


def test_html_escapes_markup_and_shows_controls(checked: dict) -> None:
    html = (checked["root"] / "r.html").read_text(encoding="utf-8")
    assert not RAW.search(html)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "rtl\\u202eevil\\u202c" in html and "\\x1b[31mred" in html


def _statements(script: str) -> list[str]:
    return [st.sql for st in split_sql_script(script, Location("fix.sql", 1))]


def test_fix_script_does_only_what_it_says(checked: dict) -> None:
    root, db = checked["root"], checked["db"]
    script = (root / "r.fix.sql").read_bytes().decode("utf-8")  # no newline translation: \r is data
    statements = _statements(script)
    assert statements, "the script has statements to run"
    # SQLite's reading: no statement drops u (a newline inside a quoted name is part of the name) ...
    assert not [st for st in statements if re.match(r"DROP\s+TABLE\s+u\b", st, re.IGNORECASE)]
    # ... and a statement whose names hold line breaks or escapes is shown escaped in a comment above it.
    for st in statements:
        if RAW.search(st.replace("\n", "")) or "\n" in st.strip().split("(")[0]:
            before_statement = script[: script.index(st)].rstrip("\n").rsplit("\n", 1)[-1]
            assert before_statement.startswith("-- ") and printable(st) in before_statement
    copy = root / "copy.db"
    shutil.copy(db, copy)
    before = _objects(copy)
    with sqlite3.connect(copy) as connection:
        connection.executescript(script)
        assert connection.execute("SELECT count(*) FROM u").fetchone() == (1,)  # the victim survives
    after = _objects(copy)
    dropped = {name for kind, name in before - after}
    dropped_by_script = {
        name for name in dropped if any(st.upper().startswith("DROP") and q(name) in st for st in statements)
    }
    assert dropped == dropped_by_script  # nothing disappears that a statement does not name
    assert ("table", "u") in after and all(("table", name) in after for name in HOSTILE)  # advice never ran
    created = {name for kind, name in after - before}
    assert {"want " + name for name in HOSTILE} <= created  # and what it says it creates is there


def test_pytest_ids_and_failure_text_have_no_raw_escapes(checked: dict, tmp_path: Path) -> None:
    root = checked["root"]
    shutil.copytree(REPO / "conformance", tmp_path / "conformance")
    shutil.copy(checked["db"], tmp_path / "live.db")
    shutil.copy(root / "expected.sql", tmp_path / "expected.sql")
    (tmp_path / "pyproject.toml").write_text('[tool.driftgate]\ndb_url = "file:live.db"\nsql = ["expected.sql"]\n')
    code, out = pytest_in(tmp_path, "conformance", "-p", "no:xdist", "-rf")
    assert code == 1, out[-3000:]
    assert not RAW.search(out)
    assert "test_table[sql:want evil\\\\nDROP TABLE u; --]" in out  # pytest escapes the backslash once more
    assert "\nDROP TABLE u" not in out  # the failure text shows names escaped, fixes included


def test_a_fleet_s_terminal_html_and_markdown_have_no_raw_escapes(checked: dict, tmp_path: Path) -> None:
    """The same hostile schema over two databases: the fleet page and summary escape as one database's do."""
    for name in ("one.db", "two.db"):
        shutil.copy(checked["db"], tmp_path / name)
    run = driftgate(
        "check", "--db", "one.db", "--db", "two.db", "--sql", checked["root"] / "expected.sql",
        "--html", "fleet.html", "--markdown", "fleet.md", "--json", "fleet.json", cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 1, run.err
    assert not RAW.search(run.out + run.err)
    html = (tmp_path / "fleet.html").read_text(encoding="utf-8")
    assert not RAW.search(html) and "\\x1b[31mred" in html  # shown, not raw
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not RAW.search((tmp_path / "fleet.md").read_text(encoding="utf-8"))
    assert not RAW.search((tmp_path / "fleet.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", HOSTILE)
def test_comment_only_keeps_every_line_a_comment(name: str) -> None:
    text = comment_only(f"-- add {name} to the schema, or DROP TABLE {q(name)};")
    assert all(line.startswith("--") for line in text.split("\n"))
    assert not RAW.search(text)
    with sqlite3.connect(":memory:") as connection:  # SQLite agrees: nothing to run
        assert _statements(text) == [] or connection.executescript(text) is not None


@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_text_is_inert(name: str) -> None:
    text = markdown_text(name)
    assert not RAW.search(text) and "\n" not in text
    assert not re.search(r"(?<!\\)[<>|`*_\[\]]", text)


def test_nul_in_an_expected_source_is_bad_input_naming_the_line(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    (tmp_path / "e.sql").write_text('CREATE TABLE t (x);\nCREATE TABLE "a\x00b" (x);\n', encoding="utf-8")
    run = driftgate("check", "--db", db, "--sql", tmp_path / "e.sql", cwd=tmp_path)
    assert run.code == 2 and f"{tmp_path / 'e.sql'}:2:" in run.err and "Traceback" not in run.err


@pytest.mark.parametrize(
    ("sql", "escaped"),
    [
        ("CREATE TABLE t (\n  a text\n);", False),  # line breaks between tokens: shown as written
        ("-- it's\nCREATE TABLE t (a text DEFAULT 'x')", False),  # a quote in a comment quotes nothing
        ('CREATE TABLE "a\nb" (x)', True),  # a name spanning lines
        ("CREATE TABLE [a\nb] (x)", True),
        ("CREATE TABLE `a\nb` (x)", True),
        ("INSERT INTO t VALUES ('x\ny')", True),  # a string spanning lines
        ("CREATE TABLE 'a\nb", True),  # unterminated: SQLite cannot read it either
        ("CREATE TABLE t (a)", False),
        ('CREATE TABLE "t\x1b[2J" (a)', True),  # no line break, but an escape sequence
    ],
)
def test_sql_is_shown_escaped_only_when_a_line_break_is_quoted_or_a_character_unsafe(sql: str, escaped: bool) -> None:
    from driftgate.report.safe import needs_escaping

    assert needs_escaping(sql) is escaped


@pytest.mark.parametrize(
    ("sql", "kind", "name"),
    [
        ('CREATE TABLE "My Table" (a)', "table", "my table"),
        ("CREATE INDEX IF NOT EXISTS [Ix] ON t (a)", "index", "ix"),
        ('CREATE VIEW main."v""q" AS SELECT 1', "view", 'v"q'),
        ("CREATE TRIGGER `t``r` AFTER INSERT ON t BEGIN SELECT 1; END", "trigger", "t`r"),
        ("CREATE TABLE t${suffix} (a)", "table", "t${suffix}"),  # an unresolved name: as written
        ("CREATE TABLE 'unterminated", "table", "'unterminated"),  # unreadable: its words
        ("PRAGMA foo = 1", "table", "PRAGMA foo = 1"),
    ],
)
def test_a_statement_not_compared_is_named_by_sqlite_s_token_rules(sql: str, kind: str, name: str) -> None:
    from driftgate.compare import _statement_object

    assert _statement_object(sql) == (kind, name)
