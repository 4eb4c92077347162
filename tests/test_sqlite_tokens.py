"""The statement reader of the shadow replay (driftgate.sqlite_tokens): SQLite's token rules, without sqlglot.

Three kinds of proof:
- each rule, both ways (a quoted name is one token, a doubled quote inside it is not its end; ...);
- SQLite itself: the names it gives a table and its columns are the texts read here, and what is read
  as unreadable here SQLite refuses too;
- every script the tests know (the example, the drizzle corpus, the pull corpus, the large project):
  the locations and the replay's grouping are exactly what sqlglot's tokens gave before.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from driftgate.model import Location
from driftgate.shadow import Locations, _touches, create_head, replay_bins
from driftgate.sources.statements import SqlStatement, split_sql_script
from driftgate.sqlite_tokens import StatementTokens, matching_paren, scan, top_level_starts


def tokens(sql: str) -> StatementTokens:
    scanned = scan(sql)
    assert scanned is not None, sql
    return scanned


def pairs(sql: str) -> list[tuple[str, str]]:
    scanned = tokens(sql)
    return list(zip(scanned.texts, scanned.words, strict=True))


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('"a""b"', [('a"b', "")]),  # a doubled quote is one quote, not the name's end
        ('"a" "b"', [("a", ""), ("b", "")]),  # two names side by side stay two
        ("`c``d`", [("c`d", "")]),
        ("[e f]", [("e f", "")]),  # brackets: spaces inside, no escapes
        ("'g''h'", [("g'h", "")]),
        ("x'AB'", [("AB", "")]),  # a blob, not the word x
        ("xa 'AB'", [("xa", "XA"), ("AB", "")]),  # a word, then a string
        ("x 'AB'", [("x", "X"), ("AB", "")]),
        (
            ".5 a.b 1.5e3 0x1F 12",
            [(".5", ".5"), ("a", "A"), (".", "."), ("b", "B"), ("1.5e3", "1.5E3"), ("0x1F", "0X1F"), ("12", "12")],
        ),
        ("a$b $b ?1 :c @d", [("a$b", "A$B"), ("$b", "$B"), ("?1", "?1"), (":c", ":C"), ("@d", "@D")]),
        ("a||b", [("a", "A"), ("||", "||"), ("b", "B")]),
        (
            "a->>'x' a<>b!=c",
            [("a", "A"), ("->>", "->>"), ("x", ""), ("a", "A"), ("<>", "<>"), ("b", "B"), ("!=", "!="), ("c", "C")],
        ),
        ("a -- b 'c\nd", [("a", "A"), ("d", "D")]),  # a comment runs to the line's end, quotes and all
        ("a /* b\n 'c */ d /* e", [("a", "A"), ("d", "D")]),  # and a block comment may end the text unclosed
        ("'a -- b' \"/* c\"", [("a -- b", ""), ("/* c", "")]),  # but not inside a string or a name
        ("Über ünïcode€x", [("Über", "ÜBER"), ("ünïcode€x", "üNïCODE€X")]),  # any non-ASCII character is a letter
        ("ındex INDEX", [("ındex", "ıNDEX"), ("INDEX", "INDEX")]),  # keywords are ASCII: no Unicode upper case
        ("create\tTable\f\rt", [("create", "CREATE"), ("Table", "TABLE"), ("t", "T")]),
        ("", []),
    ],
)
def test_each_rule(sql: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(sql) == expected


UNREADABLE = ["'open", '"open', "`open", "[open", "[a]]", "a ! b", "a\vb", "a { b", "a ^ b", "a # b", "a \\ b"]


@pytest.mark.parametrize("sql", UNREADABLE)
def test_what_sqlite_cannot_read_is_unreadable_here_too(sql: str) -> None:
    assert scan(sql) is None
    with pytest.raises(sqlite3.Error):
        sqlite3.connect(":memory:").execute(f"CREATE TABLE t (x DEFAULT ({sql}))")


def test_a_token_s_line_is_the_line_it_starts_on() -> None:
    scanned = tokens("CREATE TABLE t (\n  \"multi\nline\" int,\n  b text DEFAULT 'x\n\ny', c int)")
    lines = {text: scanned.line(i) for i, text in enumerate(scanned.texts)}
    assert (lines["CREATE"], lines["multi\nline"], lines["b"], lines["x\n\ny"], lines["c"]) == (1, 2, 4, 4, 6)


def test_parentheses_and_commas() -> None:
    words = tokens("t (a, b (1, 2), c) , d").words
    assert matching_paren(words, 1) == 12 and matching_paren(words, 5) == 9
    assert top_level_starts(words, 2, 12) == [(2, 3), (4, 10), (11, 12)]
    assert top_level_starts(words) == [(0, 13), (14, 15)]
    assert matching_paren(tokens("(a").words, 0) == 1  # unclosed: the last token


HOSTILE_TABLES = [
    'CREATE TABLE "a""b" (`c``d` int, [e f] text, \'g\'\'h\' x, "new\nline" int)',
    'CREATE TABLE [we`ird */] ("--" int, "/*" text, \'str\' blob, x$y real)',
    "CREATE TABLE Über (ünïcode int, straße text, ındex int)",
    "CREATE TABLE IF NOT EXISTS main.t (a -- a comment, with a comma\n int, /* b, */ b)",
    "CREATE TABLE t2 (a int DEFAULT (x'00'), b DEFAULT .5, c DEFAULT -0x10, CONSTRAINT k PRIMARY KEY (a, b))",
    'CREATE TEMP TABLE "temp" ("" int, "x\ty" int)',
]


@pytest.mark.parametrize("sql", HOSTILE_TABLES)
def test_sqlite_names_the_table_and_its_columns_as_read_here(sql: str) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute(sql)
    schema = "temp" if " TEMP " in sql else "main"
    (table,) = [r[0] for r in connection.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")]
    columns = [r[1] for r in connection.execute(f"PRAGMA {schema}.table_xinfo({_quoted(table)})")]
    scanned = tokens(sql)
    head = create_head(scanned.words)
    assert head is not None and scanned.texts[head[1]] == table
    words = scanned.words
    open_at = words.index("(", head[1])
    firsts = [first for first, _ in top_level_starts(words, open_at + 1, matching_paren(words, open_at))]
    assert [scanned.texts[first] for first in firsts if words[first] != "CONSTRAINT"] == columns


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _corpus() -> list[tuple[str, list[SqlStatement]]]:
    files = sorted(
        [*REPO.glob("fixtures/**/*.sql"), *REPO.glob("tests/data/**/*.sql")], key=lambda p: str(p.relative_to(REPO))
    )
    return [(str(f), split_sql_script(f.read_text(encoding="utf-8"), Location(str(f), 1))) for f in files]


def _from_sqlglot(sql: str) -> StatementTokens:
    """sqlglot's tokens as this module's: what the replay read before."""
    from driftgate.ddl import token_word
    from driftgate.normalize import tokenize

    found = tokenize(sql)
    return StatementTokens(sql, [t.text for t in found], [token_word(t) for t in found], [t.start for t in found])


def test_the_corpus_is_read_as_sqlglot_read_it() -> None:
    """Locations and the replay's grouping, statement by statement and script by script, against sqlglot's
    tokens (a multi-line quoted name's line aside: sqlglot gives the line it ends on, SQLite's reading the
    one it starts on, which both sides use here)."""
    corpus = _corpus()
    assert len(corpus) > 100 and sum(len(statements) for _, statements in corpus) > 400
    for name, statements in corpus:
        here, before = Locations(), Locations()
        touches_here, touches_before = [], []
        for statement in statements:
            for locations, touches, read in ((here, touches_here, tokens), (before, touches_before, _from_sqlglot)):
                scanned = read(statement.sql)
                head = create_head(scanned.words)
                locations.record(statement, scanned, head)
                touches.append(_touches(scanned, head))
        assert here._where == before._where, name
        for size in (2, 7, 200):
            assert replay_bins(touches_here, size) == replay_bins(touches_before, size), (name, size)
        for mine, theirs in zip(touches_here, touches_before, strict=True):
            assert (mine.verb, mine.created, mine.fk_targets, mine.renamed_to) == (
                theirs.verb,
                theirs.created,
                theirs.fk_targets,
                theirs.renamed_to,
            ), name


def test_a_plain_schema_is_replayed_and_checked_without_sqlglot(tmp_path: Path) -> None:
    """The read needs no parser: a schema whose defaults are plain and whose texts match never imports sqlglot,
    on one core and with the CLI's helper, small and large enough to be shared with it (1,000 statements)."""
    lines = []
    for t in range(260):
        fk = f", FOREIGN KEY (b) REFERENCES t{t - 1}(id)" if t else ""
        columns = f"id integer PRIMARY KEY, a text NOT NULL DEFAULT '', b integer DEFAULT 0{fk}"
        lines.append(f"CREATE TABLE t{t} ({columns});")
        lines.append(f"CREATE INDEX t{t}_a ON t{t} (a);")
        lines.append(f"CREATE UNIQUE INDEX t{t}_b ON t{t} (b DESC);")
        lines.append(f"CREATE INDEX t{t}_ab ON t{t} (a, b);")
    program = (
        "import sys\n"
        "sys.argv = ['driftgate', 'check', '--db', 'file:live.db', '--sql', 'schema.sql']\n"
        "try:\n    from driftgate.cli import main\n    main()\n"  # the command (driftgate's run() leaves at once)
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('exit', code, 'sqlglot' in sys.modules)\n"
    )
    for tables in (10, 260):
        folder = tmp_path / str(tables)
        folder.mkdir()
        (folder / "schema.sql").write_text("\n".join(lines[: tables * 4]))
        sqlite3.connect(folder / "live.db").executescript((folder / "schema.sql").read_text())
        (folder / "pyproject.toml").write_text("[tool.driftgate]\n")
        env = {"DRIFTGATE_CACHE_DIR": str(folder / "cache"), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
        outputs = []
        for fork in ("0", "1"):
            done = subprocess.run(
                [sys.executable, "-c", program],
                cwd=folder,
                env={**env, "DRIFTGATE_FORK": fork, "DRIFTGATE_CACHE_DIR": str(folder / f"cache{fork}")},
                capture_output=True,
                text=True,
            )
            assert done.stdout.splitlines()[-1] == "exit 0 False", (tables, fork, done.stdout + done.stderr)
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1] and "driftgate verdict: conforms" in outputs[0]
