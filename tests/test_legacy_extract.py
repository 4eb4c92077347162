"""Extracting the DDL that legacy TypeScript/JavaScript code sends to a libSQL client."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli import driftgate
from driftgate.errors import InputError
from driftgate.model import Location
from driftgate.sources.legacy import extract_legacy_statements
from driftgate.sources.statements import SqlStatement, is_ddl, split_sql_script

DATA = Path(__file__).parent / "data" / "legacy"


def extract(tmp_path: Path, source: str, name: str = "db.ts") -> list[SqlStatement]:
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return extract_legacy_statements([path])


def found(statements: list[SqlStatement]) -> list[tuple[str, int | None]]:
    return [(s.sql, s.location.line) for s in statements]


def check(tmp_path: Path, source: str, executed: list[str]) -> set[tuple[str, str, str]]:
    """``driftgate check --legacy`` of ``source`` against a database built by ``executed`` (the SQL the
    real code sends): (kind, object, status) of each finding that is not ok."""
    database = tmp_path / "truth.db"
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as connection:
        for sql in executed:
            connection.execute(sql)
    code, out = tmp_path / "app.ts", tmp_path / "report.json"
    code.write_text(source, encoding="utf-8")
    run = driftgate("check", "--legacy", code, "--db", f"file:{database}", "--json", out, "--quiet", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    return {(f["kind"], f["object"], f["status"]) for f in run.json(out)["findings"] if f["status"] != "ok"}


# --- the forms the first argument can take ----------------------------------


def test_template_literal(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "async function init(db) {\n"
        "  await db.execute(`\n"
        "    CREATE TABLE users (\n"
        "      id INTEGER PRIMARY KEY\n"
        "    )\n"
        "  `);\n"
        "}\n",
    )
    assert found(statements) == [("CREATE TABLE users (\n      id INTEGER PRIMARY KEY\n    )", 3)]
    assert statements[0].location == Location(str(tmp_path / "db.ts"), 3)
    assert statements[0].unresolved == ()


def test_template_literal_reads_crlf_and_cr_as_lf(tmp_path: Path) -> None:
    path = tmp_path / "db.ts"
    path.write_bytes(b"db.execute(`CREATE TABLE x (\r\n  a TEXT DEFAULT 'l1\r\nl2\rl3'\r\n)`);\r\n")
    statements = extract_legacy_statements([path])
    assert found(statements) == [("CREATE TABLE x (\n  a TEXT DEFAULT 'l1\nl2\nl3'\n)", 1)]


def test_single_quoted_string(tmp_path: Path) -> None:
    statements = extract(tmp_path, "db.execute('CREATE TABLE t (a TEXT DEFAULT \\'x\\')');\n")
    assert found(statements) == [("CREATE TABLE t (a TEXT DEFAULT 'x')", 1)]


def test_double_quoted_string(tmp_path: Path) -> None:
    statements = extract(tmp_path, '\n\nawait client.execute("CREATE INDEX t_a ON t(a)");\n')
    assert found(statements) == [("CREATE INDEX t_a ON t(a)", 3)]


def test_concatenation_keeps_each_part_on_its_line(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        'db.exec("CREATE TABLE a (x INTEGER);" +\n'
        "  ('CREATE TABLE b (' + `y TEXT` + ');') +\n"
        '  "ALTER TABLE a ADD COLUMN z TEXT");\n',
    )
    assert found(statements) == [
        ("CREATE TABLE a (x INTEGER);", 1),
        ("CREATE TABLE b (y TEXT);", 2),
        ("ALTER TABLE a ADD COLUMN z TEXT", 3),
    ]


def test_const_used_by_name_points_at_the_const(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const CREATE_USERS = `CREATE TABLE users (id INTEGER PRIMARY KEY)`;\n"
        "export async function init(db: Client) {\n"
        "  const createPosts: string = 'CREATE TABLE posts (id INTEGER PRIMARY KEY)' as const;\n"
        "  await db.execute(CREATE_USERS);\n"
        "  await db.execute(createPosts);\n"
        "}\n",
    )
    assert found(statements) == [
        ("CREATE TABLE users (id INTEGER PRIMARY KEY)", 1),
        ("CREATE TABLE posts (id INTEGER PRIMARY KEY)", 3),
    ]


def test_array_given_to_batch(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "await this.client.batch(\n"
        "  [\n"
        '    "CREATE TABLE a (x)",\n'
        '    { sql: "CREATE TABLE b (y)", args: [] },\n'
        '    { sql: "INSERT INTO a VALUES (?)", args: [1] },\n'
        "  ],\n"
        '  "write",\n'
        ");\n",
    )
    assert found(statements) == [("CREATE TABLE a (x)", 3), ("CREATE TABLE b (y)", 4)]


def test_array_const_given_to_batch(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const SCHEMA = [\n"
        "  `CREATE TABLE a (x)`,\n"
        "  'CREATE UNIQUE INDEX a_x ON a(x)',\n"
        "] as const;\n"
        "const MORE = [...SCHEMA, 'DROP TABLE old'];\n"
        "export const init = (db) => db.batch(MORE, 'write');\n",
    )
    assert found(statements) == [
        ("CREATE TABLE a (x)", 2),
        ("CREATE UNIQUE INDEX a_x ON a(x)", 3),
        ("DROP TABLE old", 5),
    ]


def test_sql_args_object(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const sql = 'CREATE TABLE c (z)';\n"
        "await db.execute({\n"
        '  sql: "CREATE TABLE b (y)",\n'
        "  args: {},\n"
        "});\n"
        "await db.execute({ sql, args: [] });\n",
    )
    assert found(statements) == [("CREATE TABLE b (y)", 3), ("CREATE TABLE c (z)", 1)]


def test_for_of_loop_over_const_array(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const MIGRATIONS = [\n"
        "  'CREATE TABLE a (x)',\n"
        "  { sql: 'CREATE TABLE b (y)', args: [] },\n"
        "];\n"
        "class Store {\n"
        "  async init() {\n"
        "    for (const statement of MIGRATIONS) {\n"
        "      await this.client.execute(statement);\n"
        "    }\n"
        "  }\n"
        "}\n",
    )
    assert found(statements) == [("CREATE TABLE a (x)", 2), ("CREATE TABLE b (y)", 3)]


LOOP_VARIABLE_TWICE = """const tables = ['a', 'b'];
for (const t of tables) {
  await db.execute(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, created_at INTEGER)`);
}
for (const t of tables) {
  await db.execute(`CREATE INDEX idx_${t}_created ON ${t}(created_at)`);
}
"""


def test_loop_variable_takes_one_element_wherever_it_occurs(tmp_path: Path) -> None:
    statements = extract(tmp_path, LOOP_VARIABLE_TWICE)
    assert [s.sql for s in statements][2:] == [
        "CREATE INDEX idx_a_created ON a(created_at)",
        "CREATE INDEX idx_b_created ON b(created_at)",
    ]
    executed = [s.sql for s in statements]  # what the real code sends, as node runs it
    assert check(tmp_path, LOOP_VARIABLE_TWICE, executed) == set()
    assert ("index", "idx_b_created", "missing") in check(tmp_path, LOOP_VARIABLE_TWICE, executed[:3])


def test_too_many_texts_are_not_compared(tmp_path: Path) -> None:
    names = ", ".join(f"'t{i}'" for i in range(17))
    statements = extract(
        tmp_path,
        f"const A = [{names}];\nfor (const a of A) for (const b of A)\n"
        "  db.execute(`CREATE TABLE ${a}_${b} (x)`);\n",
    )
    assert len(statements) == 1 and statements[0].location.line == 3
    assert statements[0].unresolved and "more than 256 texts" in statements[0].reason


def test_for_each_over_const_array(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const TABLES = ['a', 'b'];\nTABLES.forEach((t) => db.run(`CREATE TABLE ${t} (id)`));\n",
    )
    assert found(statements) == [("CREATE TABLE a (id)", 2), ("CREATE TABLE b (id)", 2)]


def test_other_client_methods_and_non_client_calls(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        'db.prepare("CREATE TABLE p (x)").run();\n'
        'sqlite.exec("DROP INDEX i");\n'
        'console.log("CREATE TABLE not_sql (x)");\n'
        'execute("CREATE TABLE no_object (x)");\n'
        "sql`CREATE TABLE tagged (x)`;\n",
        name="db.js",
    )
    assert found(statements) == [
        ("CREATE TABLE p (x)", 1),
        ("DROP INDEX i", 2),
        # DDL that goes who knows where is not silenced: it is not_compared where it is written
        ("CREATE TABLE no_object (x)", 4),
        ("CREATE TABLE tagged (x)", 5),
    ]
    assert [bool(s.unresolved) for s in statements] == [False, True, True, True]
    assert "cannot tell how this SQL reaches the database" in statements[3].reason


def test_regex_exec_is_not_a_client_call(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const CREATE_USERS = 'CREATE TABLE users (id INTEGER PRIMARY KEY)';\n"
        "const name = /CREATE TABLE (\\w+)/.exec(CREATE_USERS)?.[1];\n"
        "await db.execute(CREATE_USERS);\n",
    )
    assert found(statements) == [("CREATE TABLE users (id INTEGER PRIMARY KEY)", 1)]  # once, not twice


def test_class_fields(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "export class Repo {\n"
        "  private static readonly DDL = 'CREATE TABLE repo (id)';\n"
        "  private readonly table = 'items';\n"
        "  async init() {\n"
        "    await this.db.execute(Repo.DDL);\n"
        "    await this.db.execute(`CREATE TABLE ${this.table} (id)`);\n"
        "  }\n"
        "}\n",
    )
    assert found(statements) == [("CREATE TABLE repo (id)", 2), ("CREATE TABLE items (id)", 6)]


# --- splitting, filtering and ${...} ----------------------------------------


def test_multi_statement_template_split_with_lines(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "// schema\n"
        "await db.executeMultiple(`\n"
        "  -- tables\n"
        "  CREATE TABLE a (x TEXT DEFAULT 'a;b');\n"
        "  INSERT INTO a VALUES ('seed');\n"
        "\n"
        "  CREATE TABLE b (\n"
        "    y INTEGER\n"
        "  ); CREATE INDEX b_y ON b(y);\n"
        "`);\n",
    )
    assert found(statements) == [
        ("CREATE TABLE a (x TEXT DEFAULT 'a;b');", 4),
        ("CREATE TABLE b (\n    y INTEGER\n  );", 7),
        ("CREATE INDEX b_y ON b(y);", 9),
    ]


def test_non_ddl_with_placeholders_is_ignored(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "async function f(db, x, id, mode) {\n"
        "  await db.execute(`PRAGMA journal_mode = ${mode}`);\n"
        "  await db.execute(`INSERT INTO t VALUES (${x})`);\n"
        "  await db.execute(`SELECT * FROM t WHERE id = ${id}`);\n"
        "  await db.execute('BEGIN');\n"
        "}\n",
    )
    assert statements == []


def test_ddl_with_unresolved_placeholder(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "export async function createTable(db, table) {\n"
        "  await db.execute(`CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY)`);\n"
        "}\n",
    )
    assert found(statements) == [("CREATE TABLE IF NOT EXISTS ${table} (id INTEGER PRIMARY KEY)", 2)]
    assert statements[0].unresolved == ("table",)


def test_unresolved_placeholder_belongs_to_its_statement(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "function f(db, name) {\n"
        "  db.exec(`CREATE TABLE fixed (x); CREATE INDEX ${name.trim()} ON fixed(x);`);\n"
        '  db.exec("CREATE TABLE " + prefix() + "_log (x)");\n'
        "}\n",
    )
    assert [s.unresolved for s in statements] == [(), ("name.trim()",), ("prefix()",)]
    assert statements[2].sql == "CREATE TABLE ${prefix()}_log (x)"


def test_const_placeholder_is_inlined(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const TABLE = 'accounts';\n"
        "const SUFFIX = `_v${2}`;\n"
        "async function init(db) {\n"
        "  await db.execute(`CREATE TABLE ${TABLE}${SUFFIX} (id INTEGER)`);\n"
        "}\n",
    )
    assert found(statements) == [("CREATE TABLE accounts_v2 (id INTEGER)", 4)]
    assert statements[0].unresolved == ()


def test_parameter_shadowing_a_const_is_not_inlined(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const table = 'global';\nfunction f(db, table) {\n  return db.execute(`DROP TABLE ${table}`);\n}\n",
    )
    assert found(statements) == [("DROP TABLE ${table}", 3)]
    assert statements[0].unresolved == ("table",)


def test_unknowable_argument_is_skipped(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "const a = b; const b = a;\n"
        "function run(db, sql) {\n"
        "  db.execute(sql);\n"
        "  db.execute(build());\n"
        "  db.execute(a);\n"
        "}\n",
    )
    assert statements == []


UNFOLLOWED = """const SCHEMA = ['CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)'];
for (let i = 0; i < SCHEMA.length; i++) await db.execute(SCHEMA[i]);
const more = [];
more.push(`CREATE INDEX idx_users_email ON users(email)`);
await db.batch(more);
"""


def test_ddl_reaching_the_database_unseen_is_not_compared(tmp_path: Path) -> None:
    statements = extract(tmp_path, UNFOLLOWED)
    assert found(statements) == [
        ("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)", 1),
        ("CREATE INDEX idx_users_email ON users(email)", 4),
    ]
    assert all("cannot tell how this SQL reaches the database" in s.reason for s in statements)
    executed = [s.sql for s in statements]  # what node sends
    not_compared = {("table", "users", "not_compared"), ("index", "idx_users_email", "not_compared")}
    assert not_compared <= check(tmp_path, UNFOLLOWED, executed)
    assert not_compared <= check(tmp_path, UNFOLLOWED, [])  # never read as conforming


FOLLOWED = """const SCHEMA = [
  'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)',
  'CREATE INDEX idx_users_email ON users(email)',
];
await db.executeMultiple(SCHEMA.join(';\\n'));
const MORE = { posts: 'CREATE TABLE posts (id INTEGER PRIMARY KEY)' };
for (const ddl of Object.values(MORE)) await db.execute(ddl);
await db.batch(['a', 'b'].map((t) => ({ sql: `CREATE TABLE ${t} (x)`, args: [] })));
await db.execute(`
  CREATE VIEW v AS SELECT 1
`.trim());
"""


def test_join_values_map_and_trim_of_known_text_are_read(tmp_path: Path) -> None:
    statements = extract(tmp_path, FOLLOWED)
    assert found(statements) == [
        ("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);", 2),
        ("CREATE INDEX idx_users_email ON users(email)", 3),
        ("CREATE TABLE posts (id INTEGER PRIMARY KEY)", 6),
        ("CREATE TABLE a (x)", 8),
        ("CREATE TABLE b (x)", 8),
        ("CREATE VIEW v AS SELECT 1", 10),
    ]
    assert not any(s.unresolved for s in statements)
    executed = [s.sql for s in statements]  # what node sends
    assert check(tmp_path, FOLLOWED, executed) == set()
    assert ("index", "idx_users_email", "missing") in check(tmp_path, FOLLOWED, executed[:1] + executed[2:])


def test_messages_and_unread_ddl_text_are_not_statements(tmp_path: Path) -> None:
    statements = extract(
        tmp_path,
        "/** Runs CREATE TABLE users (id INTEGER PRIMARY KEY) at startup. */\n"
        "console.error('CREATE TABLE users (id INTEGER) failed');\n"
        "logger.warn(`DROP TABLE ${name}`);\n"
        "throw new Error('ALTER TABLE users ADD COLUMN x failed');\n"
        "const OLD = 'CREATE TABLE old (x)';\n"
        "if (err) report('CREATE TABLE failed: ' + err);\n"
        "if (sql.startsWith('CREATE TABLE')) count++;\n",
    )
    assert statements == []


# --- inputs and errors -------------------------------------------------------


DROP_IN_RESET = """export class Store {
  async ensureSchema() {
    await db.execute('CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT)');
  }
  async resetForTests() {
    await db.execute('DROP TABLE IF EXISTS users');
  }
}
"""


def test_drop_is_not_compared_and_does_not_erase_the_expected_table(tmp_path: Path) -> None:
    statements = extract(tmp_path, DROP_IN_RESET)
    assert found(statements)[1] == ("DROP TABLE IF EXISTS users", 6)
    assert statements[1].unresolved and "cannot tell whether this DROP runs" in statements[1].reason
    created = "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT)"
    assert check(tmp_path, DROP_IN_RESET, [created]) == {("table", "users", "not_compared")}
    missing = check(tmp_path, DROP_IN_RESET, ["CREATE TABLE other (x)"])
    assert ("table", "users", "missing") in missing


def test_directory_input() -> None:
    statements = extract_legacy_statements([DATA / "app"])
    assert [(Path(s.location.file).relative_to(DATA).as_posix(), s.location.line) for s in statements] == [
        ("app/db/schema.ts", 7),
        ("app/db/seed.mjs", 2),
        ("app/legacy.js", 5),
        ("app/legacy.js", 6),
    ]
    assert statements[0].sql.startswith("CREATE TABLE IF NOT EXISTS users (\n")
    assert [s.sql for s in statements[1:]] == [
        "CREATE TABLE IF NOT EXISTS seeds (name TEXT PRIMARY KEY)",
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, author INTEGER REFERENCES users(id))",
        "CREATE INDEX posts_author ON posts(author)",
    ]


def test_directory_skips_node_modules_and_declarations(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "index.js").write_text('db.execute("CREATE TABLE dep (x)");\n')
    (tmp_path / "api.d.ts").write_text("export declare const x: string;\n")
    (tmp_path / "b.cjs").write_text('db.execute("CREATE TABLE b (x)");\n')
    (tmp_path / "a.tsx").write_text('db.execute("CREATE TABLE a (x)");\nexport const V = () => <div>hi</div>;\n')
    # JSX in a .js file: the TypeScript grammar rejects it, the TSX one accepts it
    (tmp_path / "c.js").write_text('export const W = () => <p>{db.run("DROP TABLE c")}</p>;\n')
    statements = extract_legacy_statements([tmp_path])
    assert [(Path(s.location.file).name, s.sql) for s in statements] == [
        ("a.tsx", "CREATE TABLE a (x)"),
        ("b.cjs", "CREATE TABLE b (x)"),
        ("c.js", "DROP TABLE c"),
    ]


def test_directory_reads_every_suffix_the_parser_knows(tmp_path: Path) -> None:
    for name in ("a.mts", "b.cts", "c.jsx"):
        (tmp_path / name).write_text(f'db.execute("CREATE TABLE {name[0]} (x)");\n')
    (tmp_path / "d.d.mts").write_text("export declare const x: string;\n")
    statements = extract_legacy_statements([tmp_path])
    assert [(Path(s.location.file).name, s.sql) for s in statements] == [
        ("a.mts", "CREATE TABLE a (x)"),
        ("b.cts", "CREATE TABLE b (x)"),
        ("c.jsx", "CREATE TABLE c (x)"),
    ]


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ts"
    with pytest.raises(InputError, match="no such file or directory") as error:
        extract_legacy_statements([missing])
    assert str(error.value) == f"{missing}: no such file or directory"


def test_directory_without_sources(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("nothing here\n")
    with pytest.raises(InputError) as error:
        extract_legacy_statements([tmp_path])
    assert str(error.value).startswith(f"{tmp_path}: ")


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.ts"
    path.write_text("const ok = 1;\n\nfunction broken( {\n  return 2;\n}\n")
    with pytest.raises(InputError) as error:
        extract_legacy_statements([path])
    message = str(error.value)
    assert message.startswith(f"{path}:3: TypeScript syntax error near '")
    assert "function broken(" in message


# --- statements.py -----------------------------------------------------------


def test_split_keeps_trigger_as_one_statement() -> None:
    script = (
        "CREATE TABLE t (a INTEGER, b TEXT);\n"
        "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN\n"
        "  UPDATE t SET b = 'x;' WHERE a = new.a;\n"
        "  DELETE FROM t WHERE a < 0;\n"
        "END;\n"
    )
    statements = split_sql_script(script, Location("schema.sql", 10))
    assert [(s.sql, s.location) for s in statements] == [
        ("CREATE TABLE t (a INTEGER, b TEXT);", Location("schema.sql", 10)),
        (
            (
                "CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN\n"
                "  UPDATE t SET b = 'x;' WHERE a = new.a;\n"
                "  DELETE FROM t WHERE a < 0;\n"
                "END;"
            ),
            Location("schema.sql", 11),
        ),
    ]


def test_split_drops_comments_and_breakpoints() -> None:
    script = (
        "-- leading comment\n"
        "CREATE TABLE a (x)\n"
        "--> statement-breakpoint\n"
        "/* block; comment */\n"
        "CREATE INDEX a_x ON a(x);--> statement-breakpoint\n"
        ";\n"
        "-- only a comment;\n"
    )
    statements = split_sql_script(script, Location("0000_init.sql"))
    assert [(s.sql, s.location.line) for s in statements] == [
        ("CREATE TABLE a (x)", 2),
        ("CREATE INDEX a_x ON a(x);", 5),
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CREATE TABLE t (x)", True),
        ("  -- note\n/* x */ alter table t add column y", True),
        ("drop index i", True),
        ("PRAGMA foreign_keys = ON", False),
        ("INSERT INTO created VALUES (1)", False),
        ("CREATED_AT", False),
        ("-- CREATE TABLE t (x)", False),
    ],
)
def test_is_ddl(sql: str, expected: bool) -> None:
    assert is_ddl(sql) is expected
