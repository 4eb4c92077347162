"""Legacy DDL whose failure the application ignores (a try/catch, a ``.catch``): replayed as the code runs it.

``try { ALTER TABLE users ADD COLUMN name TEXT } catch {}`` lets the app start on old and new databases; on a
fresh one SQLite refuses the ALTER (the CREATE TABLE already has the column) and the app goes on.  The
replay does the same: a tolerated statement is applied where SQLite accepts it and skipped where SQLite
refuses it (a refused statement changes nothing), wherever it is replayed: split or whole, here or in the
replay helper, in ``extract``'s reference file and in an example database.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from pathlib import Path

import pytest

from cli import Run, driftgate
from driftgate.cache import cache_key
from driftgate.compare import compare_schemas
from driftgate.embedded import build_database
from driftgate.model import Location, Schema
from driftgate.shadow import _touches, create_head, replay_bins, shadow_schema
from driftgate.sources.legacy import extract_legacy_statements
from driftgate.sources.statements import SqlStatement, split_sql_script
from driftgate.sqlite_tokens import scan

CREATE = "CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, email TEXT, name TEXT)"
ALTER = "ALTER TABLE users ADD COLUMN name TEXT"
REFUSED = "duplicate column name: name"


def app(*body: str) -> str:
    """A module whose init() sends the CREATE TABLE (line 2), then ``body`` from line 3 on."""
    return "export async function init(db) {\n  await db.execute(`" + CREATE + "`);\n" + "".join(body) + "}\n"


def write(tmp_path: Path, source: str, name: str = "app.ts") -> Path:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


def statements_of(tmp_path: Path, source: str) -> list[SqlStatement]:
    return extract_legacy_statements([write(tmp_path, source)])


def database(tmp_path: Path, *executed: str, name: str = "live.db") -> Path:
    path = tmp_path / name
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as connection:
        for sql in executed:
            connection.execute(sql)
    connection.close()
    return path


def check(tmp_path: Path, db: Path, *args: str | Path, env: dict[str, str] | None = None) -> tuple[Run, dict]:
    out = tmp_path / "report.json"
    out.unlink(missing_ok=True)
    run = driftgate("check", *args, "--db", f"file:{db}", "--json", out, "--quiet", cwd=tmp_path, env=env)
    return run, (run.json(out) if out.exists() else {})


def failing(report: dict) -> set[tuple[str, str, str]]:
    return {(f["kind"], f["object"], f["status"]) for f in report["findings"] if f["status"] != "ok"}


def located(report: dict, kind: str, name: str) -> str:
    return next(f["location"] for f in report["findings"] if f["kind"] == kind and f["object"] == name)


# --- what the reader takes for a guard --------------------------------------------------------------

TOLERATING = {
    "try/catch": f"  try {{\n    await db.execute(`{ALTER}`);\n  }} catch {{\n    // column already exists\n  }}\n",
    ".catch": f'  db.execute("{ALTER}").catch(() => {{}});\n',
    "await .catch": f'  await db.execute("{ALTER}").catch((e) => console.warn(e));\n',
    "conditional rethrow": (
        f'  try {{ await db.execute("{ALTER}"); }}\n'
        '  catch (e) { if (!String(e).includes("duplicate column")) throw e; }\n'
    ),
    "rethrow caught further out": (
        f'  try {{ try {{ await db.execute("{ALTER}"); }} catch (e) {{ throw e; }} }}\n  catch {{}}\n'
    ),
    ".then(f).catch": f'  await (db.execute("{ALTER}") as Promise<unknown>).then(() => {{}}).catch(console.error);\n',
    "handler declared in the file": f'  await db.execute("{ALTER}").catch(ignore);\n',
    "batch of one": f'  try {{ await db.batch(["{ALTER}"], "write"); }} catch {{}}\n',
}
NOT_TOLERATING = {
    "unconditional rethrow": f'  try {{ await db.execute("{ALTER}"); }} catch (e) {{ throw e; }}\n',
    "finally alone": f'  try {{ await db.execute("{ALTER}"); }} finally {{}}\n',
    ".catch that rethrows": f'  await db.execute("{ALTER}").catch((e) => {{ throw e; }});\n',
    ".catch that rejects again": f'  await db.execute("{ALTER}").catch((e) => Promise.reject(e));\n',
    "handler from elsewhere": f'  await new Promise((ok, reject) => db.execute("{ALTER}").then(ok).catch(reject));\n',
    "caught in the catch block": f'  try {{ await db.execute("SELECT 1"); }} catch {{ await db.run("{ALTER}"); }}\n',
    "try around a call of the function": "  try { await addName(db); } catch {}\n",
    "batch of two": f'  try {{ await db.batch(["{ALTER}", "CREATE INDEX e ON users (email)"]); }} catch {{}}\n',
    "two statements in one text": (
        f'  try {{ await db.executeMultiple("{ALTER}; CREATE INDEX e ON users (email)"); }} catch {{}}\n'
    ),
}
HELPERS = f'function ignore() {{}}\nasync function addName(db) {{ await db.execute("{ALTER}"); }}\n'


@pytest.mark.parametrize("guard", TOLERATING)
def test_a_guarded_statement_is_tolerated_and_says_where(tmp_path: Path, guard: str) -> None:
    statements = statements_of(tmp_path, app(TOLERATING[guard]) + HELPERS)
    alter = next(s for s in statements if s.sql == ALTER)
    assert alter.tolerated == "app.ts:3 catches its error"  # the line of the try, or of the .catch
    assert all(not s.tolerated for s in statements if s.sql != ALTER)


@pytest.mark.parametrize("guard", NOT_TOLERATING)
def test_a_statement_whose_failure_reaches_the_caller_is_not_tolerated(tmp_path: Path, guard: str) -> None:
    statements = statements_of(tmp_path, app(NOT_TOLERATING[guard]) + HELPERS)
    assert any(s.sql == ALTER for s in statements)
    assert [s.tolerated for s in statements] == [""] * len(statements)


def test_the_guard_named_is_the_one_that_catches(tmp_path: Path) -> None:
    source = (
        "export async function init(db) {\n"
        "  try {\n"  # 2: catches what the inner handler rethrows
        "    try { await db.execute('ALTER TABLE a ADD COLUMN b TEXT'); } catch (e) { throw e; }\n"
        "    await db\n"
        "      .execute('ALTER TABLE a ADD COLUMN c TEXT')\n"
        "      .catch(() => {});\n"  # 6
        "  } catch (e) { log(e); }\n"
        "  for (const s of ['ALTER TABLE a ADD COLUMN d TEXT', 'ALTER TABLE a ADD COLUMN e TEXT']) {\n"
        "    try { await db.batch([s]); } catch {}\n"  # 9: each batch holds one statement
        "  }\n"
        "}\n"
    )
    assert [(s.sql, s.tolerated) for s in statements_of(tmp_path, source)] == [
        ("ALTER TABLE a ADD COLUMN b TEXT", "app.ts:2 catches its error"),
        ("ALTER TABLE a ADD COLUMN c TEXT", "app.ts:6 catches its error"),
        ("ALTER TABLE a ADD COLUMN d TEXT", "app.ts:9 catches its error"),
        ("ALTER TABLE a ADD COLUMN e TEXT", "app.ts:9 catches its error"),
    ]


def test_a_changed_guard_is_another_cache_key(tmp_path: Path) -> None:
    keys = {
        cache_key(statements_of(tmp_path, app(body)), ())
        for body in (
            f'  await db.execute("{ALTER}");\n',
            f'  await db.execute("{ALTER}").catch(() => {{}});\n',
            f'\n  await db.execute("{ALTER}").catch(() => {{}});\n',  # the same guard, a line further down
        )
    }
    assert len(keys) == 3


# --- check: the replay ------------------------------------------------------------------------------


@pytest.mark.parametrize("guard", ["try/catch", ".catch", "conditional rethrow"])
def test_a_refused_guarded_alter_is_skipped_and_the_column_stays_at_its_create(tmp_path: Path, guard: str) -> None:
    write(tmp_path, app(TOLERATING[guard]))
    run, report = check(tmp_path, database(tmp_path, CREATE), "--legacy", "app.ts")
    assert run.code == 0, run.err
    assert located(report, "column", "users.name") == "app.ts:2"
    assert located(report, "type", "users.name") == "app.ts:2"
    # A database without the column still lacks it: skipping the ALTER lets nothing through.
    run, report = check(tmp_path, database(tmp_path, CREATE.replace(", name TEXT", "")), "--legacy", "app.ts")
    assert run.code == 1 and ("column", "users.name", "missing") in failing(report), run.err


def test_an_unconditional_rethrow_is_still_a_sql_error(tmp_path: Path) -> None:
    write(tmp_path, app(NOT_TOLERATING["unconditional rethrow"]))
    run, _ = check(tmp_path, database(tmp_path, CREATE), "--legacy", "app.ts")
    assert run.code == 2
    assert run.err.strip() == f"driftgate: error: app.ts:3: SQL error: {REFUSED} (in: {ALTER})", run.err


def test_a_guarded_alter_that_applies_is_expected(tmp_path: Path) -> None:
    write(tmp_path, app(TOLERATING[".catch"].replace("name TEXT", "nickname TEXT")))
    run, report = check(tmp_path, database(tmp_path, CREATE), "--legacy", "app.ts")
    assert run.code == 1 and failing(report) == {("column", "users.nickname", "missing")}, run.err
    assert located(report, "column", "users.nickname") == "app.ts:3"
    with_it = database(tmp_path, CREATE, ALTER.replace("name", "nickname"))
    run, report = check(tmp_path, with_it, "--legacy", "app.ts")
    assert run.code == 0, run.err
    assert located(report, "column", "users.nickname") == "app.ts:3"  # an applied ALTER is where it is defined


def test_a_guarded_statement_refused_for_another_reason_is_skipped_too(tmp_path: Path) -> None:
    on_nothing = "ALTER TABLE archive ADD COLUMN note TEXT"
    write(tmp_path, app(f'  await db.execute("{on_nothing}").catch(() => {{}});\n'))
    run, report = check(tmp_path, database(tmp_path, CREATE), "--legacy", "app.ts")
    assert run.code == 0 and not failing(report), run.err
    assert not any(f["table"] == "archive" for f in report["findings"])
    write(tmp_path, app(f'  await db.execute("{on_nothing}");\n'))
    run, _ = check(tmp_path, database(tmp_path, CREATE), "--legacy", "app.ts")
    assert run.code == 2
    assert run.err.strip() == f"driftgate: error: app.ts:3: SQL error: no such table: archive (in: {on_nothing})"


def _tolerate(statements: list[SqlStatement], *indexes: int) -> list[SqlStatement]:
    return [
        dataclasses.replace(s, tolerated="s.sql:1 catches its error") if i in indexes else s
        for i, s in enumerate(statements)
    ]


def _column_line(model: Schema, table: str, column: str) -> int | None:
    found = next(t for t in model.tables if t.name == table)
    location = next(c.location for c in found.columns if c.name == column)
    assert location is not None
    return location.line


def test_locations_follow_what_was_applied() -> None:
    script = split_sql_script(
        "CREATE TABLE t (a integer, b text);\n"  # 1
        "ALTER TABLE t ADD COLUMN b text;\n"  # 2: tolerated, refused
        "ALTER TABLE t DROP COLUMN b;\n"  # 3
        "ALTER TABLE t ADD COLUMN b text;\n"  # 4: tolerated, applied
        "ALTER TABLE t ADD COLUMN b text;\n"  # 5: tolerated, refused
        "CREATE TABLE t (a integer, b text, c text);\n"  # 6: tolerated, refused (t exists)
        "CREATE TABLE u (x integer);\n"  # 7
        "ALTER TABLE u ADD COLUMN y text;\n"  # 8: tolerated, applied
        "ALTER TABLE u ADD COLUMN y text;\n",  # 9: tolerated, refused
        Location("s.sql", 1),
    )
    model = shadow_schema(_tolerate(script, 1, 3, 4, 5, 7, 8))
    table = next(t for t in model.tables if t.name == "t")
    assert [c.name for c in table.columns] == ["a", "b"] and table.location == Location("s.sql", 1)
    assert _column_line(model, "t", "a") == 1 and _column_line(model, "t", "b") == 4
    assert _column_line(model, "u", "y") == 8
    assert model == shadow_schema(_tolerate(script, 1, 3, 4, 5, 7, 8), bin_size=None)


# --- split and whole, with the helper and without ---------------------------------------------------


def large_app(tables: int) -> str:
    """Four statements a table: CREATE TABLE (line 2 + 4t), an index, a refused guarded ALTER (the column is
    in the CREATE) and an applied one; a guarded ALTER of a table that is never created at the end."""
    lines = ["export async function init(db) {"]
    for t in range(tables):
        lines += [
            f"  await db.execute(`CREATE TABLE IF NOT EXISTS t{t} (id INTEGER PRIMARY KEY, name TEXT, n REAL)`);",
            f"  await db.execute('CREATE INDEX IF NOT EXISTS t{t}_name ON t{t} (name)');",
            f"  try {{ await db.execute('ALTER TABLE t{t} ADD COLUMN name TEXT'); }} catch {{}}",
            f"  await db.execute('ALTER TABLE t{t} ADD COLUMN added{t} TEXT').catch(() => {{}});",
        ]
    lines += ["  await db.execute('ALTER TABLE nowhere ADD COLUMN x TEXT').catch(() => {});", "}", ""]
    return "\n".join(lines)


def large_database(path: Path, tables: int, *, without: int | None = None) -> Path:
    """What the app builds (an added column left out of table ``without``)."""
    executed = []
    for t in range(tables):
        executed += [
            f"CREATE TABLE t{t} (id INTEGER PRIMARY KEY, name TEXT, n REAL)",
            f"CREATE INDEX t{t}_name ON t{t} (name)",
        ]
        if t != without:
            executed.append(f"ALTER TABLE t{t} ADD COLUMN added{t} TEXT")
    return database(path.parent, *executed, name=path.name)


def test_split_and_whole_replays_give_one_model(tmp_path: Path) -> None:
    statements = statements_of(tmp_path, large_app(60))
    assert len(statements) == 241 and sum(bool(s.tolerated) for s in statements) == 121
    touches = []
    for statement in statements:
        tokens = scan(statement.sql)
        assert tokens is not None
        touches.append(_touches(tokens, create_head(tokens.words)))
    bins = replay_bins(touches, 200)
    assert bins is not None, "the script must really be split for this test to mean anything"
    for t in (0, 29, 59):  # a tolerated ALTER is replayed in the scratch database of the table it alters
        together = next(b for b in bins if 4 * t in b)
        assert {4 * t + 2, 4 * t + 3} <= set(together)
    split, whole = shadow_schema(statements), shadow_schema(statements, bin_size=None)
    assert split == whole and split.table_keys == whole.table_keys
    assert _column_line(split, "t29", "name") == 2 + 4 * 29  # the refused ALTER: the CREATE's line
    assert _column_line(split, "t29", "added29") == 5 + 4 * 29  # the applied one: its own
    assert {t.name for t in split.tables} == {f"t{t}" for t in range(60)}


def _report_text(run: Run, tmp_path: Path) -> str:
    assert run.code in (0, 1), run.err
    return re.sub(r'"started_at": "[^"]*",', "", (tmp_path / "report.json").read_text(encoding="utf-8"))


def test_the_replay_helper_changes_nothing(tmp_path: Path) -> None:
    """A script the CLI shares with its replay helper (1,000 statements or more), tolerated statements in
    every part of it: the report is the one a check without the helper (DRIFTGATE_FORK=0) writes."""
    tables = 260
    write(tmp_path, large_app(tables))
    db = large_database(tmp_path / "live.db", tables, without=250)
    args = ("--legacy", "app.ts", "--no-cache")
    helped = _report_text(check(tmp_path, db, *args)[0], tmp_path)
    alone = _report_text(check(tmp_path, db, *args, env={"DRIFTGATE_FORK": "0"})[0], tmp_path)
    assert helped == alone
    report = json.loads(helped)
    assert failing(report) == {("column", "t250.added250", "missing")}
    assert located(report, "column", "t250.name") == f"app.ts:{2 + 4 * 250}"
    assert located(report, "column", "t10.added10") == f"app.ts:{5 + 4 * 10}"


# --- extract and the example database ---------------------------------------------------------------


def test_extract_comments_out_what_sqlite_refuses_and_replays_to_the_same_model(tmp_path: Path) -> None:
    source = app(
        TOLERATING["try/catch"],  # 3-7: refused (duplicate column)
        '  await db.execute("ALTER TABLE users ADD COLUMN nickname TEXT").catch(() => {});\n',  # 8: applied
        '  await db.execute(`ALTER TABLE "odd\nname" ADD COLUMN x TEXT`).catch(() => {});\n',  # 9-10: refused
    )
    path = write(tmp_path, source)
    assert driftgate("extract", "--legacy", "app.ts", "-o", "legacy.sql", cwd=tmp_path).code == 0
    text = (tmp_path / "legacy.sql").read_text(encoding="utf-8")
    assert (
        "\n-- app.ts:4\n"
        f"-- driftgate: app.ts:3 catches its error (SQLite refuses it after the statements above: {REFUSED})\n"
        f"-- {ALTER};\n"
    ) in text
    assert "\n-- app.ts:8\nALTER TABLE users ADD COLUMN nickname TEXT;\n" in text
    # A name with a line break stays inside the comments: in SQLite's message, and in the statement.
    assert (
        "\n-- app.ts:9\n"
        "-- driftgate: app.ts:10 catches its error (SQLite refuses it after the statements above: "
        "no such table: odd\\nname)\n"
        '-- ALTER TABLE "odd\n-- name" ADD COLUMN x TEXT;\n'
    ) in text
    assert driftgate("extract", "--legacy", "app.ts", "-o", "legacy.sql", "--check", cwd=tmp_path).code == 0
    legacy = shadow_schema(extract_legacy_statements([path]))
    replayed = shadow_schema(split_sql_script(text, Location("legacy.sql", 1)))
    assert legacy.table_keys == replayed.table_keys and legacy.object_keys == replayed.object_keys
    assert all(f.status == "ok" for f in compare_schemas(legacy, replayed, "sql"))
    assert [c.name for c in legacy.tables[0].columns] == ["id", "email", "name", "nickname"]
    # The file checks a database as --legacy does.
    db = database(tmp_path, CREATE, "ALTER TABLE users ADD COLUMN nickname TEXT")
    assert check(tmp_path, db, "--sql", "legacy.sql")[0].code == 0
    assert check(tmp_path, db, "--legacy", "app.ts")[0].code == 0


def test_an_example_database_skips_what_sqlite_refuses(tmp_path: Path) -> None:
    """The pytest plugin's example database (driftgate.embedded) is built as the replay replays."""
    write(tmp_path, app(TOLERATING["try/catch"], TOLERATING[".catch"].replace("name", "nick")))
    built = build_database(extract_legacy_statements([tmp_path / "app.ts"]), tmp_path / "example.db")
    with sqlite3.connect(built) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(users)")]
    connection.close()
    assert columns == ["id", "email", "name", "nick"]
    run, report = check(tmp_path, built, "--legacy", "app.ts")
    assert run.code == 0 and not failing(report), run.err


def test_a_served_example_database_leaves_out_what_sqlite_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqld_binary_ok: None
) -> None:
    """--driftgate-sqld's server is loaded in one batch, all or nothing: a refused tolerated statement is left
    out of it rather than undo the others."""
    import libsql_client

    from driftgate.testing import free_port, serve_database

    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{free_port()}")  # no engine: the local sqld
    write(tmp_path, app(TOLERATING["try/catch"], TOLERATING[".catch"].replace("name", "nick")))
    server, _ = serve_database(extract_legacy_statements([tmp_path / "app.ts"]), tmp_path / "served")
    try:
        with libsql_client.create_client_sync(server.http_url) as client:
            columns = [row[1] for row in client.execute("PRAGMA table_info(users)").rows]
    finally:
        server.stop()
    assert columns == ["id", "email", "name", "nick"]
