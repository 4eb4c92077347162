"""The comparison engine's equivalence rules (DESIGN 2 and 4), each tested both ways.

Every rule has an equal pair (no failing finding, whichever side is expected) and a
truly different pair (exactly the failing findings named by DESIGN 4's naming rules).
Schemas are built the way every expected source is: executed in the shadow database.
"""

from __future__ import annotations

import logging
import random
import sqlite3

import pytest

from driftgate.normalize import (
    canonical_default,
    canonical_expression,
    canonical_identifier,
    canonical_view,
    token_canonical,
)
from helpers import failing, findings

Failing = list[tuple[str, str, str]]


def _params(cases: dict[str, tuple]) -> list:
    return [pytest.param(*case, id=name) for name, case in cases.items()]


# --- equal pairs: no failing finding, in either direction --------------------------------------

EQUAL: dict[str, tuple[str, str]] = {
    # identifiers: case and every quoting style, in table, column and index names
    "identifier-case-and-quoting": (
        'CREATE TABLE "Users" ("Id" INTEGER PRIMARY KEY, `Email` TEXT NOT NULL, [Name] TEXT);\n'
        'CREATE INDEX "IX_Users_Name" ON "Users" ([Name]);\n'
        'CREATE TABLE [Posts] (id INTEGER PRIMARY KEY, "UserId" INTEGER REFERENCES `Users`("Id"));',
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);\n"
        "CREATE INDEX ix_users_name ON users (name);\n"
        "CREATE TABLE POSTS (ID INTEGER PRIMARY KEY, USERID INTEGER REFERENCES USERS(ID));",
    ),
    "identifier-ascii-case-folds": (
        'CREATE TABLE "USERS" ("Äpfel" TEXT, "ID" INTEGER); CREATE INDEX "IX_Über" ON "USERS" ("Äpfel");',
        'CREATE TABLE users ("Äpfel" TEXT, id INTEGER); CREATE INDEX "ix_Über" ON users ("Äpfel");',
    ),
    "whitespace-newlines-comments": (
        "CREATE TABLE t (\n\tid INTEGER PRIMARY KEY,   -- the key, COLLATE NOCASE is not here\n"
        "  a   TEXT\n  NOT NULL\n  DEFAULT 'x' ,\n  /* b, c */ b INTEGER\n);\n\n"
        "CREATE INDEX i\n  ON t (\n    a ,\n    b\n  );",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT 'x', b INTEGER); CREATE INDEX i ON t(a,b);",
    ),
    "default-function-spacing": (
        "CREATE TABLE t (a INTEGER DEFAULT (strftime('%s','now')));",
        "CREATE TABLE t (a INTEGER DEFAULT (strftime('%s', 'now')));",
    ),
    "default-function-case-and-double-parens": (
        "CREATE TABLE t (a INTEGER DEFAULT ((STRFTIME('%s','now'))));",
        "CREATE TABLE t (a INTEGER DEFAULT (strftime( '%s' , 'now' )));",
    ),
    "default-literal-in-parens": (
        "CREATE TABLE t (a INTEGER DEFAULT 0, b TEXT DEFAULT 'x', c TEXT DEFAULT CURRENT_TIMESTAMP, "
        "d INTEGER DEFAULT -1);",
        "CREATE TABLE t (a INTEGER DEFAULT (0), b TEXT DEFAULT ('x'), c TEXT DEFAULT (current_timestamp), "
        "d INTEGER DEFAULT (-1));",
    ),
    "default-true-is-1": (
        "CREATE TABLE t (a INTEGER DEFAULT TRUE);",
        "CREATE TABLE t (a INTEGER DEFAULT 1);",
    ),
    "default-false-is-0": (
        "CREATE TABLE t (a INTEGER DEFAULT false);",
        "CREATE TABLE t (a INTEGER DEFAULT 0);",
    ),
    "default-null-is-no-default": (
        "CREATE TABLE t (a TEXT DEFAULT NULL, b TEXT DEFAULT (NULL));",
        "CREATE TABLE t (a TEXT, b TEXT);",
    ),
    "default-double-quoted-string": (
        'CREATE TABLE t (a TEXT DEFAULT "abc");',
        "CREATE TABLE t (a TEXT DEFAULT 'abc');",
    ),
    "default-negative-integer-zero": (  # INTEGER 0 either way
        "CREATE TABLE t (a DEFAULT -0, b DEFAULT (- 0), c DEFAULT -00);",
        "CREATE TABLE t (a DEFAULT 0, b DEFAULT 0, c DEFAULT 0);",
    ),
    "default-bare-name-is-its-text": (  # SQLite stores DEFAULT abc as the string 'abc', as written
        "CREATE TABLE t (a DEFAULT abc, b DEFAULT AbC, c DEFAULT key, d DEFAULT a$b);",
        "CREATE TABLE t (a DEFAULT 'abc', b DEFAULT 'AbC', c DEFAULT \"key\", d DEFAULT 'a$b');",
    ),
    "default-bare-keywords-keep-their-meaning": (
        "CREATE TABLE t (a DEFAULT true, b DEFAULT False, c DEFAULT null, d DEFAULT current_date);",
        "CREATE TABLE t (a DEFAULT 1, b DEFAULT 0, c, d DEFAULT CURRENT_DATE);",
    ),
    "default-drizzle-timestamp-ms": (
        "CREATE TABLE t (a INTEGER DEFAULT (cast((julianday('now') - 2440587.5)*86400000 as integer)));",
        "CREATE TABLE t (a INTEGER DEFAULT (CAST((JULIANDAY('now') - 2440587.5) * 86400000 AS INTEGER)));",
    ),
    # foreign keys
    "fk-implicit-pk-target": (
        "CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES users);",
        "CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES users(id));",
    ),
    "fk-inline-vs-table-level": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id) ON DELETE CASCADE);",
        "CREATE TABLE p (id INTEGER PRIMARY KEY); "
        "CREATE TABLE t (c INTEGER, FOREIGN KEY (c) REFERENCES p(id) ON DELETE CASCADE);",
    ),
    "fk-drizzle-no-action-spelled-out": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id));",
        "CREATE TABLE `p` (`id` integer PRIMARY KEY NOT NULL);\n--> statement-breakpoint\n"
        "CREATE TABLE `t` (`c` integer, FOREIGN KEY (`c`) REFERENCES `p`(`id`) ON UPDATE no action "
        "ON DELETE no action);",
    ),
    "fk-action-case": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id) on delete set null);",
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id) ON DELETE SET NULL);",
    ),
    "fk-deferrable-inline-vs-table-level": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); "
        "CREATE TABLE t (c INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);",
        "CREATE TABLE p (id INTEGER PRIMARY KEY); "
        'CREATE TABLE t ("C" INTEGER, FOREIGN KEY ("C") REFERENCES p(id) deferrable initially deferred);',
    ),
    "fk-not-deferrable-spelled-out": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id) NOT DEFERRABLE);",
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id));",
    ),
    # a composite key is the pairs it maps (child column to parent column), in whichever order they are written
    "fk-composite-pairs-in-another-order": (
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y));\n"
        "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);",
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y));\n"
        "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES p(y, x) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED);",
    ),
    "fk-composite-implicit-target-vs-pairs-in-another-order": (
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y)); CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p);",
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y)); CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES p(y, x));",
    ),
    "fk-composite-drizzle-spelling-in-another-order": (
        "CREATE TABLE p (x, y, UNIQUE (x, y)); CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y));",
        "CREATE TABLE `p` (`x`, `y`, UNIQUE (`x`, `y`));\n--> statement-breakpoint\n"
        "CREATE TABLE `t` (`a`, `b`, FOREIGN KEY (`b`,`a`) REFERENCES `p`(`y`,`x`) ON UPDATE no action "
        "ON DELETE no action);",
    ),
    "fk-composite-two-keys-overlapping-columns": (
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y));\n"
        "CREATE TABLE t (a, b, c, FOREIGN KEY (a, b) REFERENCES p(x, y), FOREIGN KEY (b, c) REFERENCES p(x, y));",
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y));\n"
        "CREATE TABLE t (a, b, c, FOREIGN KEY (c, b) REFERENCES p(y, x), FOREIGN KEY (b, a) REFERENCES p(y, x));",
    ),
    "fk-composite-two-keys-on-one-column-set-crossed": (  # a to x and b to y; a to y and b to x
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y));\n"
        "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y), FOREIGN KEY (a, b) REFERENCES p(y, x));",
        "CREATE TABLE p (x, y, PRIMARY KEY (x, y));\n"
        "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES p(x, y), FOREIGN KEY (b, a) REFERENCES p(y, x));",
    ),
    # declared types
    "type-case": ("CREATE TABLE t (a integer);", "CREATE TABLE t (a INTEGER);"),
    "type-parameter-spacing": (
        "CREATE TABLE t (a VARCHAR(10), b DECIMAL(10, 2));",
        "CREATE TABLE t (a varchar( 10 ), b decimal(10,2));",
    ),
    "type-multiword": ("CREATE TABLE t (a UNSIGNED BIG INT);", "CREATE TABLE t (a unsigned  big\nint);"),
    # order
    "table-order": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p);",
        "CREATE TABLE t (c INTEGER REFERENCES p); CREATE TABLE p (id INTEGER PRIMARY KEY);",
    ),
    "column-order-not-compared": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);",
        "CREATE TABLE t (b INTEGER, a TEXT, id INTEGER PRIMARY KEY);",
    ),
    # indexes
    "index-asc-is-default": (
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a ASC, b);",
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a, b);",
    ),
    "index-if-not-exists": (
        "CREATE TABLE IF NOT EXISTS t (a); CREATE INDEX IF NOT EXISTS i ON t(a);",
        "CREATE TABLE t (a); CREATE INDEX i ON t(a);",
    ),
    "partial-where-qualified-by-own-table": (
        'CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a) WHERE "t"."a" > 0;',
        "CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a) where a>0;",
    ),
    "partial-where-spacing-and-case": (
        "CREATE TABLE t (a INTEGER, b TEXT); CREATE INDEX i ON t(a) WHERE b IS NOT NULL AND a IN (1,2);",
        "CREATE TABLE t (a INTEGER, b TEXT); CREATE INDEX i ON t(a) WHERE B is not null and A in ( 1 , 2 );",
    ),
    "expression-index-spacing-and-case": (
        "CREATE TABLE t (name TEXT); CREATE INDEX i ON t(lower(name));",
        "CREATE TABLE t (name TEXT); CREATE INDEX i ON t(LOWER( name ));",
    ),
    "expression-index-with-desc": (
        "CREATE TABLE t (name TEXT, b); CREATE INDEX i ON t(b, lower(name) DESC);",
        'CREATE TABLE t (name TEXT, b); CREATE INDEX i ON t("b", LOWER("name") desc);',
    ),
    "index-collation-case": (
        "CREATE TABLE t (a TEXT); CREATE INDEX i ON t(a COLLATE nocase);",
        "CREATE TABLE t (a TEXT); CREATE INDEX i ON t(a COLLATE NOCASE);",
    ),
    # collation
    "column-collation-case": (
        "CREATE TABLE t (a TEXT COLLATE nocase); CREATE INDEX i ON t(a);",
        "CREATE TABLE t (a TEXT COLLATE NOCASE); CREATE INDEX i ON t(a);",
    ),
    "column-collation-binary-is-default": (
        "CREATE TABLE t (a TEXT COLLATE BINARY);",
        "CREATE TABLE t (a TEXT);",
    ),
    # uniqueness
    "unique-column-set-order": (
        "CREATE TABLE t (a, b, UNIQUE (a, b));",
        "CREATE TABLE t (a, b, UNIQUE (b, a));",
    ),
    "unique-same-collation": (
        "CREATE TABLE t (a TEXT, UNIQUE (a COLLATE nocase));",
        "CREATE TABLE t (a TEXT, CONSTRAINT t_a_uq UNIQUE (A COLLATE NOCASE));",
    ),
    "primary-key-inline-vs-table-level": (
        "CREATE TABLE t (a TEXT PRIMARY KEY, b);",
        "CREATE TABLE t (a TEXT, b, PRIMARY KEY (a));",
    ),
    "unique-inline-vs-table-level": (
        "CREATE TABLE t (a TEXT UNIQUE);",
        "CREATE TABLE t (a TEXT, CONSTRAINT t_a_uq UNIQUE (a));",
    ),
    # ON CONFLICT: ABORT is SQLite's default; where the clause is written does not matter
    "on-conflict-abort-is-the-default": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY ON CONFLICT ABORT, a TEXT NOT NULL ON CONFLICT ABORT,\n"
        "  b TEXT UNIQUE ON CONFLICT abort, c, d, UNIQUE (c, d) ON CONFLICT ABORT);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b TEXT UNIQUE, c, d, UNIQUE (c, d));",
    ),
    "on-conflict-inline-vs-table-level": (
        "CREATE TABLE t (a TEXT NOT NULL on conflict replace, b TEXT CONSTRAINT u UNIQUE ON CONFLICT IGNORE,\n"
        "  c TEXT PRIMARY KEY ON CONFLICT FAIL);",
        "CREATE TABLE t (a TEXT NOT NULL ON CONFLICT REPLACE, b TEXT, c TEXT, UNIQUE (b) ON CONFLICT IGNORE,\n"
        "  PRIMARY KEY (c) ON CONFLICT FAIL);",
    ),
    "on-conflict-with-comments-inside-keywords": (
        "CREATE TABLE t (id INTEGER PRIMARY /* k */ KEY ON /* c */ CONFLICT REPLACE, a TEXT NOT /* n */ NULL\n"
        "  ON CONFLICT IGNORE);\nCREATE TABLE t2 (a, b, CONSTRAINT k PRIMARY/**/KEY (a, b) ON CONFLICT FAIL);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, a TEXT NOT NULL ON CONFLICT IGNORE);\n"
        "CREATE TABLE t2 (a, b, PRIMARY KEY (a, b) ON CONFLICT FAIL);",
    ),
    "unique-constraint-beside-an-index-of-the-same-keys": (  # redundant, not another uniqueness
        "CREATE TABLE t (a TEXT, b TEXT, UNIQUE (a, b)); CREATE UNIQUE INDEX x ON t (a, b);",
        "CREATE TABLE t (a TEXT, b TEXT); CREATE UNIQUE INDEX x ON t (a, b);",
    ),
    "unique-collation-inherited-from-the-column": (
        "CREATE TABLE t (a TEXT COLLATE NOCASE, b TEXT, UNIQUE (a, b)); CREATE UNIQUE INDEX x ON t (a, b);",
        "CREATE TABLE t (a TEXT COLLATE NOCASE, b TEXT, UNIQUE (a COLLATE NOCASE, b));\n"
        "CREATE UNIQUE INDEX x ON t (a, b);",
    ),
    # checks
    "check-spacing": ("CREATE TABLE t (a INTEGER, CHECK (a > 0));", "CREATE TABLE t (a INTEGER, CHECK(a>0));"),
    "check-qualified-by-own-table": (
        'CREATE TABLE t (a INTEGER, CHECK ("t"."a" > 0));',
        "CREATE TABLE t (a INTEGER, CHECK (a > 0));",
    ),
    "check-column-level-named-vs-table-level": (
        "CREATE TABLE t (a INTEGER CONSTRAINT positive CHECK (a > 0));",
        "CREATE TABLE t (a INTEGER, CHECK (A > 0));",
    ),
    "check-in-list-and-function": (
        "CREATE TABLE t (s TEXT, CHECK (s IN ('a','b') AND length(s) <= 10));",
        "CREATE TABLE t (s TEXT, CHECK (s in ( 'a' , 'b' ) and LENGTH(s)<=10));",
    ),
    "check-redundant-inner-parens": (
        "CREATE TABLE t (a INTEGER, b INTEGER, CHECK ((a > 0) AND (b > 0)));",
        "CREATE TABLE t (a INTEGER, b INTEGER, CHECK (a > 0 AND b > 0));",
    ),
    "check-is-true-spellings": (
        "CREATE TABLE t (a INTEGER, CHECK (a IS TRUE), CHECK (a = TRUE));",
        "CREATE TABLE t (a INTEGER, CHECK (a is (true)), CHECK (a = 1));",
    ),
    "check-true-on-the-left-of-is-is-1": (
        "CREATE TABLE t (a INTEGER, CHECK (TRUE IS a));",
        "CREATE TABLE t (a INTEGER, CHECK (1 IS a));",
    ),
    # nullability
    "integer-primary-key-never-null": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);",
        "CREATE TABLE `t` (`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL, `a` text);",
    ),
    "without-rowid-primary-key-is-not-null": (
        "CREATE TABLE t (a TEXT PRIMARY KEY, b) WITHOUT ROWID;",
        "CREATE TABLE t (a TEXT PRIMARY KEY NOT NULL, b) WITHOUT ROWID;",
    ),
    # table options
    "table-options-case": (
        "CREATE TABLE t (a TEXT PRIMARY KEY, b INTEGER) without rowid, strict;",
        "CREATE TABLE t (a TEXT PRIMARY KEY, b INTEGER) STRICT, WITHOUT ROWID;",
    ),
    # generated columns
    "generated-column-spelling": (
        "CREATE TABLE t (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2) VIRTUAL);",
        "CREATE TABLE t (a INTEGER, b INTEGER AS (A*2));",
    ),
    "generated-column-stored": (
        "CREATE TABLE t (a TEXT, b TEXT GENERATED ALWAYS AS (lower(a)) STORED);",
        "CREATE TABLE t (a TEXT, b TEXT AS (LOWER( a )) STORED);",
    ),
    # views and triggers
    "view-spacing-case-quoting": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a, b FROM t WHERE b > 1;",
        'CREATE TABLE t (a, b); CREATE VIEW IF NOT EXISTS "V" AS\n  select "a" , B\n  from T where b>1;',
    ),
    "view-column-alias-as-keyword": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a AS x, count(*) AS n FROM t AS s GROUP BY a;",
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a x, COUNT( * ) n FROM t s GROUP BY a;",
    ),
    "view-column-list-case-and-quoting": (
        "CREATE TABLE t (a, b); CREATE VIEW v(x, y) AS SELECT a, b FROM t;",
        'CREATE TABLE t (a, b); CREATE VIEW "V" ("X", [Y]) AS select A, "b" from t;',
    ),
    "view-cast-same-affinity": (
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT CAST(a AS VARCHAR(10)) AS s FROM t;",
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT cast(a as text) s FROM t;",
    ),
    "view-unparsable-select-falls-back-to-tokens": (
        "CREATE TABLE t (a); CREATE VIEW v(x) AS SELECT CAST(a AS) FROM t;",
        'CREATE TABLE t (a); CREATE VIEW v("X") AS select cast(A as) from T;',
    ),
    "fk-immediate-spellings-are-not-deferrable": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id) DEFERRABLE);",
        "CREATE TABLE p (id INTEGER PRIMARY KEY); "
        "CREATE TABLE t (c INTEGER REFERENCES p(id) DEFERRABLE INITIALLY IMMEDIATE);",
    ),
    "fk-immediate-vs-not-deferrable": (
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id) DEFERRABLE);",
        "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES p(id));",
    ),
    "trigger-spacing-case-quoting": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 1 WHERE rowid = "
        "new.rowid; END;",
        'CREATE TABLE t (a, b); CREATE TRIGGER IF NOT EXISTS "TR" after insert on "t"\nbegin\n'
        "  update t set b=1 where rowid=NEW.rowid;\nend;",
    ),
    "trigger-body-quoted-plain-names": (
        'CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE "t" SET "B" = 1 WHERE [a] = 2; END;',
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 1 WHERE `A` = 2; END;",
    ),
    "trigger-for-each-row-is-implied": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
    ),
    # unary + on an operand is kept (spelling aside); on a literal it changes nothing
    "unary-plus-spacing-and-parens": (
        "CREATE TABLE t (a INTEGER, CHECK (+a = '1')); CREATE INDEX i ON t(a) WHERE (+a = '1');\n"
        "CREATE VIEW v AS SELECT a FROM t WHERE +a = '1';",
        "CREATE TABLE t (a INTEGER, CHECK ( + A='1' )); CREATE INDEX i ON t(a) WHERE + a = '1';\n"
        "CREATE VIEW v AS SELECT a FROM t WHERE + A='1';",
    ),
    "unary-plus-on-literal": (
        "CREATE TABLE t (a INTEGER DEFAULT +1, CHECK (a > +0));",
        "CREATE TABLE t (a INTEGER DEFAULT 1, CHECK (a > 0));",
    ),
    # collation names are case-insensitive, however quoted, in every expression
    "collation-name-case-in-expressions": (
        "CREATE TABLE t (b TEXT, g INT AS (b = 'x' COLLATE nocase), c DEFAULT ('x' COLLATE nocase), "
        "CHECK (b <> 'x' COLLATE nocase));\n"
        "CREATE INDEX i ON t(b) WHERE b = 'x' COLLATE nocase;\n"
        "CREATE VIEW v AS SELECT b FROM t ORDER BY b COLLATE nocase;",
        "CREATE TABLE t (b TEXT, g INT AS (b = 'x' COLLATE NOCASE), c DEFAULT ('x' COLLATE \"NoCase\"), "
        "CHECK (b <> 'x' COLLATE 'NOCASE'));\n"
        "CREATE INDEX i ON t(b) WHERE b = 'x' COLLATE NOCASE;\n"
        "CREATE VIEW v AS SELECT b FROM t ORDER BY b COLLATE NoCase;",
    ),
    # an expression starting with replace( is an expression, not a REPLACE statement
    "replace-call-spelling": (
        "CREATE TABLE t (a TEXT DEFAULT (replace('ab','b','')), CHECK (replace(a,'x','') <> '' AND a > 0x10));\n"
        "CREATE INDEX i ON t(a) WHERE replace(a,'x','') <> '';",
        "CREATE TABLE t (a TEXT DEFAULT (REPLACE('ab', 'b', '')), CHECK (replace(T.A, 'x', '') <> '' AND a > 16));\n"
        "CREATE INDEX i ON t(a) WHERE REPLACE(a, 'x', '') <> '';",
    ),
    # a view's column names (pragma_table_info) compare as names: ASCII case aside
    "view-implicit-column-name-case": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT A+1, b FROM t;",
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a+1, B FROM t;",
    ),
    "view-order-asc-and-inner-join-are-defaults": (
        "CREATE TABLE t (a); CREATE TABLE u (a); "
        "CREATE VIEW v AS SELECT t.a FROM t INNER JOIN u ON u.a = t.a ORDER BY t.a ASC;",
        "CREATE TABLE t (a); CREATE TABLE u (a); CREATE VIEW v AS SELECT t.a FROM t JOIN u ON u.a = t.a ORDER BY t.a;",
    ),
    "view-broken-by-dropped-table": (  # SQLite cannot name its columns: compared by definition alone
        "CREATE TABLE t (a); CREATE TABLE d (a); CREATE VIEW v AS SELECT a FROM d; DROP TABLE d;",
        "CREATE TABLE t (a); CREATE TABLE d (b); CREATE VIEW v AS SELECT a FROM d; DROP TABLE d;",
    ),
    # an unparenthesised mix of =, IN, LIKE...: spelling aside, equal
    "check-equality-level-mix-spelling": (
        "CREATE TABLE t (a, b, CHECK (a = b IN (1, 2)), CHECK (a = b LIKE 'x%'));",
        "CREATE TABLE t (a, b, CHECK ((A=B in (1,2))), CHECK (a  =  b like 'x%'));",
    ),
    # =, IS, IN, LIKE, BETWEEN... are one level, read left to right; < binds tighter, a prefix NOT looser:
    # the unparenthesised spelling is the parenthesised one, wherever an expression is compared
    "check-precedence-written-out": (
        "CREATE TABLE t (a, b, c, CHECK (a = b IN (1, 2)), CHECK (a LIKE b = c), CHECK (a IS b = c),\n"
        "  CHECK (NOT a = b IN (1)), CHECK (a = b NOT IN (1)), CHECK (a < b LIKE c), CHECK (a = b ISNULL),\n"
        "  CHECK (a = NOT b = c), CHECK (a BETWEEN b = c AND 1), CHECK (a LIKE b ESCAPE 'x' = c));",
        "CREATE TABLE t (a, b, c, CHECK ((a = b) IN (1, 2)), CHECK ((a LIKE b) = c), CHECK ((a IS b) = c),\n"
        "  CHECK (NOT ((a = b) IN (1))), CHECK ((a = b) NOT IN (1)), CHECK ((a < b) LIKE c), CHECK ((a = b) ISNULL),\n"
        "  CHECK (a = (NOT (b = c))), CHECK (a BETWEEN (b = c) AND 1), CHECK ((a LIKE b ESCAPE 'x') = c));",
    ),
    "partial-index-precedence-written-out": (
        "CREATE TABLE t (a, b, c); CREATE INDEX i ON t(a) WHERE a = b IN (1, 2) AND a GLOB b = c;\n"
        "CREATE INDEX j ON t(b) WHERE a IS NOT b NOT IN (0) OR c <> a BETWEEN 0 AND 1;",
        "CREATE TABLE t (a, b, c); CREATE INDEX i ON t(a) WHERE (a = b) IN (1, 2) AND (a GLOB b) = c;\n"
        "CREATE INDEX j ON t(b) WHERE ((a IS NOT b) NOT IN (0)) OR ((c <> a) BETWEEN 0 AND 1);",
    ),
    "view-precedence-written-out": (  # aliased: unaliased, SQLite names a column by its text
        "CREATE TABLE t (a, b, c); CREATE VIEW v AS SELECT a = b IN (1, 2) AS x, a IS b = c AS y FROM t\n"
        "  WHERE a = NOT b = c AND CASE WHEN a = b LIKE c THEN 1 END;",
        "CREATE TABLE t (a, b, c); CREATE VIEW v AS SELECT (a = b) IN (1, 2) AS x, (a IS b) = c AS y FROM t\n"
        "  WHERE a = (NOT b = c) AND CASE WHEN (a = b) LIKE c THEN 1 END;",
    ),
    "default-generated-trigger-precedence-written-out": (
        "CREATE TABLE t (a, b, d DEFAULT (1 = 2 IN (0)), g AS (a = b IN (1, 2)));\n"
        "CREATE TRIGGER tr AFTER UPDATE ON t WHEN new.a = new.b IN (1) BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b, d DEFAULT ((1 = 2) IN (0)), g AS ((a = b) IN (1, 2)));\n"
        "CREATE TRIGGER tr AFTER UPDATE ON t WHEN (new.a = new.b) IN (1) BEGIN SELECT 1; END;",
    ),
    "trigger-default-timing-is-before": (  # with RAISE(IGNORE), the row is never inserted: BEFORE
        "CREATE TABLE t (a, b); CREATE TRIGGER tr BEFORE INSERT ON t BEGIN SELECT 1; END;\n"
        "CREATE TRIGGER IF NOT EXISTS main.tu BEFORE UPDATE OF a ON t BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tr INSERT ON t BEGIN SELECT 1; END;\n"
        "CREATE TRIGGER main.tu UPDATE OF a ON t BEGIN SELECT 1; END;",
    ),
    # UPDATE OF names a set of columns (it fires when any is updated); WHEN's condition is an expression
    "trigger-update-of-set-and-when-spelling": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE OF a, b ON t WHEN (new.a > 0) BEGIN SELECT 1; END;",
        'CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE OF "B", A, b ON t WHEN NEW.a>0 BEGIN SELECT 1; END;',
    ),
    # FTS5: the virtual table is schema; its shadow tables are not drift
    "fts5-virtual-table": (
        "CREATE VIRTUAL TABLE ft USING fts5(title, body);",
        'create virtual table "FT" using FTS5(title,body);',
    ),
    "fts5-with-sync-trigger": (
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT, body TEXT);\n"
        "CREATE VIRTUAL TABLE ft USING fts5(title, body, content='docs', content_rowid='id');\n"
        "CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN\n"
        "  INSERT INTO ft(rowid, title, body) VALUES (new.id, new.title, new.body);\nEND;",
        "CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT, body TEXT);\n"
        "CREATE VIRTUAL TABLE ft USING fts5(title, body, content='docs', content_rowid='id');\n"
        "CREATE TRIGGER docs_ai AFTER INSERT ON docs BEGIN "
        "INSERT INTO ft (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body); END;",
    ),
    # internal tables
    "internal-tables-ignored": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);\n"
        'CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, '
        "created_at numeric);\n"
        "CREATE INDEX dm_hash ON __drizzle_migrations(hash);\n"
        "INSERT INTO t (a) VALUES ('x');\nANALYZE;",
    ),
}


@pytest.mark.parametrize(("expected_sql", "actual_sql"), _params(EQUAL))
def test_equal_pair_has_no_failing_finding(expected_sql: str, actual_sql: str) -> None:
    assert failing(expected_sql, actual_sql) == []


@pytest.mark.parametrize(("expected_sql", "actual_sql"), _params(EQUAL))
def test_equal_pair_reversed_has_no_failing_finding(expected_sql: str, actual_sql: str) -> None:
    assert failing(actual_sql, expected_sql) == []


# --- different pairs: exactly the named failing findings, in each direction ---------------------

P = "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE q (id INTEGER PRIMARY KEY);\n"
PXY = "CREATE TABLE p (x, y, PRIMARY KEY (x, y)); CREATE TABLE q (x, y, PRIMARY KEY (x, y));\n"

DIFFERENT: dict[str, tuple[str, str, Failing, Failing]] = {
    # defaults: literal types matter
    "default-string-1-vs-integer-1": (
        "CREATE TABLE t (a INTEGER DEFAULT '1');",
        "CREATE TABLE t (a INTEGER DEFAULT 1);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-1-vs-1.0": (
        "CREATE TABLE t (a REAL DEFAULT 1);",
        "CREATE TABLE t (a REAL DEFAULT 1.0);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-current-timestamp-vs-datetime-now": (
        "CREATE TABLE t (a TEXT DEFAULT CURRENT_TIMESTAMP);",
        "CREATE TABLE t (a TEXT DEFAULT (datetime('now')));",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-present-vs-absent": (
        "CREATE TABLE t (a INTEGER DEFAULT 0);",
        "CREATE TABLE t (a INTEGER);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-empty-string-vs-null": (
        "CREATE TABLE t (a TEXT DEFAULT '');",
        "CREATE TABLE t (a TEXT DEFAULT NULL);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-string-NULL-vs-null": (
        "CREATE TABLE t (a TEXT DEFAULT 'NULL');",
        "CREATE TABLE t (a TEXT);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-string-case": (
        "CREATE TABLE t (a TEXT DEFAULT 'abc');",
        "CREATE TABLE t (a TEXT DEFAULT 'ABC');",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-string-inner-spacing": (
        "CREATE TABLE t (a TEXT DEFAULT 'a b');",
        "CREATE TABLE t (a TEXT DEFAULT 'a  b');",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-true-vs-string-true": (
        "CREATE TABLE t (a INTEGER DEFAULT TRUE);",
        "CREATE TABLE t (a INTEGER DEFAULT 'true');",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-negative-real-zero": (  # -0.0 is left alone: only the INTEGER -0 is 0
        "CREATE TABLE t (a REAL DEFAULT -0.0);",
        "CREATE TABLE t (a REAL DEFAULT -0);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-bare-name-case": (
        "CREATE TABLE t (a DEFAULT abc);",
        "CREATE TABLE t (a DEFAULT ABC);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-bare-keywords-vs-their-text": (
        "CREATE TABLE t (a DEFAULT true, b DEFAULT null, c DEFAULT current_time);",
        "CREATE TABLE t (a DEFAULT 'true', b DEFAULT 'null', c DEFAULT 'current_time');",
        [("default", "t.a", "different"), ("default", "t.b", "different"), ("default", "t.c", "different")],
        [("default", "t.a", "different"), ("default", "t.b", "different"), ("default", "t.c", "different")],
    ),
    "default-strftime-format": (
        "CREATE TABLE t (a INTEGER DEFAULT (strftime('%s','now')));",
        "CREATE TABLE t (a INTEGER DEFAULT (strftime('%S','now')));",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-negative": (
        "CREATE TABLE t (a INTEGER DEFAULT -1);",
        "CREATE TABLE t (a INTEGER DEFAULT 1);",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    "default-cast-affinity": (
        "CREATE TABLE t (a DEFAULT (CAST('1' AS NUMERIC)));",
        "CREATE TABLE t (a DEFAULT (CAST('1' AS REAL)));",
        [("default", "t.a", "different")],
        [("default", "t.a", "different")],
    ),
    # foreign keys: matched by table and from-columns; object names the expected target
    "fk-on-delete-cascade-added": (
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id));",
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id) ON DELETE CASCADE);",
        [("foreign_key", "t(c)->p(id)", "different")],
        [("foreign_key", "t(c)->p(id)", "different")],
    ),
    "fk-on-update-changed": (
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id) ON UPDATE CASCADE);",
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id) ON UPDATE RESTRICT);",
        [("foreign_key", "t(c)->p(id)", "different")],
        [("foreign_key", "t(c)->p(id)", "different")],
    ),
    "fk-target-changed": (
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id));",
        P + "CREATE TABLE t (c INTEGER REFERENCES q(id));",
        [("foreign_key", "t(c)->p(id)", "different")],
        [("foreign_key", "t(c)->q(id)", "different")],
    ),
    "fk-implicit-target-named-by-pk": (
        P + "CREATE TABLE t (c INTEGER REFERENCES p);",
        P + "CREATE TABLE t (c INTEGER);",
        [("foreign_key", "t(c)->p(id)", "missing")],
        [("foreign_key", "t(c)->p(id)", "unexpected")],
    ),
    "fk-table-level-named-deferrable": (
        P + "CREATE TABLE t (c, CONSTRAINT fk FOREIGN KEY (c) REFERENCES p DEFERRABLE INITIALLY DEFERRED);",
        P + "CREATE TABLE t (c, FOREIGN KEY (c) REFERENCES p);",
        [("foreign_key", "t(c)->p(id)", "different")],
        [("foreign_key", "t(c)->p(id)", "different")],
    ),
    "fk-deferrable-initially-deferred": (
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);",
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id));",
        [("foreign_key", "t(c)->p(id)", "different")],
        [("foreign_key", "t(c)->p(id)", "different")],
    ),
    # a composite key: the pairs in another order are the same key, other pairs are another
    "fk-composite-pairs-crossed": (
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y));",
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(y, x));",
        [("foreign_key", "t(a,b)->p(x,y)", "different")],
        [("foreign_key", "t(a,b)->p(y,x)", "different")],
    ),
    "fk-composite-pairs-crossed-in-another-order": (
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y));",
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES p(x, y));",
        [("foreign_key", "t(a,b)->p(x,y)", "different")],
        [("foreign_key", "t(b,a)->p(x,y)", "different")],
    ),
    "fk-composite-implicit-target-in-another-order": (  # REFERENCES p is p(x, y): a to x, or b to x
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p);",
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES p);",
        [("foreign_key", "t(a,b)->p(x,y)", "different")],
        [("foreign_key", "t(b,a)->p(x,y)", "different")],
    ),
    "fk-composite-unresolved-implicit-target-in-another-order": (  # no primary key to pair with: the order
        "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES gone);",
        "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES gone);",
        [("foreign_key", "t(a,b)->gone(?,?)", "different")],
        [("foreign_key", "t(b,a)->gone(?,?)", "different")],
    ),
    "fk-composite-in-another-order-action-changed": (
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y));",
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES p(y, x) ON UPDATE CASCADE);",
        [("foreign_key", "t(a,b)->p(x,y)", "different")],
        [("foreign_key", "t(b,a)->p(y,x)", "different")],
    ),
    "fk-composite-in-another-order-deferrable-changed": (
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y));",
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES p(y, x) DEFERRABLE INITIALLY DEFERRED);",
        [("foreign_key", "t(a,b)->p(x,y)", "different")],
        [("foreign_key", "t(b,a)->p(y,x)", "different")],
    ),
    "fk-composite-in-another-order-target-changed": (
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y));",
        PXY + "CREATE TABLE t (a, b, FOREIGN KEY (b, a) REFERENCES q(y, x));",
        [("foreign_key", "t(a,b)->p(x,y)", "different")],
        [("foreign_key", "t(b,a)->q(y,x)", "different")],
    ),
    "fk-composite-two-keys-overlapping-one-crossed": (
        PXY + "CREATE TABLE t (a, b, c, FOREIGN KEY (a, b) REFERENCES p(x, y), FOREIGN KEY (b, c) REFERENCES p(x, y));",
        PXY + "CREATE TABLE t (a, b, c, FOREIGN KEY (b, a) REFERENCES p(y, x), FOREIGN KEY (c, b) REFERENCES p(x, y));",
        [("foreign_key", "t(b,c)->p(x,y)", "different")],
        [("foreign_key", "t(c,b)->p(x,y)", "different")],
    ),
    # declared types
    "type-int-vs-integer": (
        "CREATE TABLE t (a INT);",
        "CREATE TABLE t (a INTEGER);",
        [("type", "t.a", "different")],
        [("type", "t.a", "different")],
    ),
    "type-length": (
        "CREATE TABLE t (a VARCHAR(10));",
        "CREATE TABLE t (a VARCHAR(20));",
        [("type", "t.a", "different")],
        [("type", "t.a", "different")],
    ),
    "type-none-vs-text": (
        "CREATE TABLE t (a);",
        "CREATE TABLE t (a TEXT);",
        [("type", "t.a", "different")],
        [("type", "t.a", "different")],
    ),
    # nullability
    "notnull-plain": (
        "CREATE TABLE t (a TEXT NOT NULL);",
        "CREATE TABLE t (a TEXT);",
        [("notnull", "t.a", "different")],
        [("notnull", "t.a", "different")],
    ),
    "notnull-int-primary-key-is-not-a-rowid-alias": (
        "CREATE TABLE t (id INT PRIMARY KEY NOT NULL);",
        "CREATE TABLE t (id INT PRIMARY KEY);",
        [("notnull", "t.id", "different")],
        [("notnull", "t.id", "different")],
    ),
    "notnull-integer-primary-key-desc-is-not-a-rowid-alias": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY DESC NOT NULL);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY DESC);",
        [("notnull", "t.id", "different")],
        [("notnull", "t.id", "different")],
    ),
    # indexes: matched by name, keys in order
    "index-desc-vs-asc": (
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a DESC, b);",
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a ASC, b);",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "index-column-order": (
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a, b);",
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(b, a);",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "index-extra-column": (
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a);",
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a, b);",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "index-partial-vs-full": (
        "CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a) WHERE a > 0;",
        "CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a);",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "index-partial-predicate": (
        "CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a) WHERE a > 0;",
        "CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a) WHERE a >= 0;",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "expression-index-function": (
        "CREATE TABLE t (name TEXT); CREATE INDEX i ON t(lower(name));",
        "CREATE TABLE t (name TEXT); CREATE INDEX i ON t(upper(name));",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "expression-index-vs-column": (
        "CREATE TABLE t (name TEXT); CREATE INDEX i ON t(lower(name));",
        "CREATE TABLE t (name TEXT); CREATE INDEX i ON t(name);",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "index-collation": (
        "CREATE TABLE t (a TEXT); CREATE INDEX i ON t(a COLLATE NOCASE);",
        "CREATE TABLE t (a TEXT); CREATE INDEX i ON t(a);",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "index-dropped": (
        "CREATE TABLE t (a); CREATE INDEX i ON t(a);",
        "CREATE TABLE t (a);",
        [("index", "i", "missing")],
        [("index", "i", "unexpected")],
    ),
    "index-unique-vs-plain": (
        "CREATE TABLE t (a); CREATE UNIQUE INDEX i ON t(a);",
        "CREATE TABLE t (a); CREATE INDEX i ON t(a);",
        [("index", "i", "different"), ("unique", "t(a)", "missing")],
        [("index", "i", "different"), ("unique", "t(a)", "unexpected")],
    ),
    # collation: no COLLATE is BINARY; an index on the column inherits it
    "column-collation-nocase": (
        "CREATE TABLE t (a TEXT COLLATE NOCASE); CREATE INDEX i ON t(a);",
        "CREATE TABLE t (a TEXT); CREATE INDEX i ON t(a);",
        [("collation", "t.a", "different"), ("index", "i", "different")],
        [("collation", "t.a", "different"), ("index", "i", "different")],
    ),
    "column-collation-nocase-vs-rtrim": (
        "CREATE TABLE t (a TEXT COLLATE NOCASE);",
        "CREATE TABLE t (a TEXT COLLATE RTRIM);",
        [("collation", "t.a", "different")],
        [("collation", "t.a", "different")],
    ),
    "column-collate-inside-default-is-not-the-columns": (
        "CREATE TABLE t (a TEXT COLLATE NOCASE DEFAULT 'x');",
        "CREATE TABLE t (a TEXT DEFAULT ('x' COLLATE NOCASE));",
        [("collation", "t.a", "different"), ("default", "t.a", "different")],
        [("collation", "t.a", "different"), ("default", "t.a", "different")],
    ),
    "column-collation-with-unique": (
        "CREATE TABLE t (a TEXT COLLATE NOCASE UNIQUE);",
        "CREATE TABLE t (a TEXT UNIQUE);",
        [("collation", "t.a", "different"), ("unique", "t(a)", "different")],
        [("collation", "t.a", "different"), ("unique", "t(a)", "different")],
    ),
    # primary keys
    "primary-key-order": (
        "CREATE TABLE t (a TEXT, b, PRIMARY KEY (a, b));",
        "CREATE TABLE t (a TEXT, b, PRIMARY KEY (b, a));",
        [("primary_key", "t.a,b", "different")],
        [("primary_key", "t.b,a", "different")],
    ),
    "primary-key-dropped": (
        "CREATE TABLE t (a TEXT PRIMARY KEY);",
        "CREATE TABLE t (a TEXT);",
        [("primary_key", "t.a", "missing")],
        [("primary_key", "t.a", "unexpected")],
    ),
    "primary-key-collation": (
        "CREATE TABLE t (a TEXT, b, PRIMARY KEY (a COLLATE NOCASE));",
        "CREATE TABLE t (a TEXT, b, PRIMARY KEY (a));",
        [("primary_key", "t.a", "different")],
        [("primary_key", "t.a", "different")],
    ),
    # uniqueness: column sets
    "unique-legacy-inline-vs-drizzle-named-index": (
        "CREATE TABLE t (a TEXT UNIQUE);",
        "CREATE TABLE t (a TEXT); CREATE UNIQUE INDEX t_a_unique ON t(a);",
        [("index", "t_a_unique", "unexpected")],
        [("index", "t_a_unique", "missing")],
    ),
    "unique-collation": (
        "CREATE TABLE users (email TEXT, UNIQUE (email COLLATE NOCASE));",
        "CREATE TABLE users (email TEXT UNIQUE);",
        [("unique", "users(email)", "different")],
        [("unique", "users(email)", "different")],
    ),
    "unique-also-under-another-collation": (  # the database enforces a stricter uniqueness besides
        "CREATE TABLE t (a TEXT, b TEXT); CREATE UNIQUE INDEX x ON t (a, b);",
        "CREATE TABLE t (a TEXT, b TEXT, UNIQUE (a, b COLLATE RTRIM)); CREATE UNIQUE INDEX x ON t (a, b);",
        [("unique", "t(a,b)", "different")],
        [("unique", "t(a,b)", "different")],
    ),
    # ON CONFLICT: what a clashing or NULL insert does instead of failing (a silent REPLACE deletes rows)
    "notnull-on-conflict": (
        "CREATE TABLE t (a TEXT NOT NULL);",
        "CREATE TABLE t (a TEXT NOT NULL ON CONFLICT IGNORE);",
        [("notnull", "t.a", "different")],
        [("notnull", "t.a", "different")],
    ),
    "unique-on-conflict": (
        "CREATE TABLE t (a TEXT UNIQUE);",
        "CREATE TABLE t (a TEXT UNIQUE ON CONFLICT REPLACE);",
        [("unique", "t(a)", "different")],
        [("unique", "t(a)", "different")],
    ),
    "primary-key-on-conflict-rowid-alias": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY, a);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, a);",
        [("primary_key", "t.id", "different")],
        [("primary_key", "t.id", "different")],
    ),
    "primary-key-on-conflict-composite": (
        "CREATE TABLE t (a, b, PRIMARY KEY (a, b));",
        "CREATE TABLE t (a, b, PRIMARY KEY (a, b) ON CONFLICT IGNORE);",
        [("primary_key", "t.a,b", "different")],
        [("primary_key", "t.a,b", "different")],
    ),
    "primary-key-on-conflict-behind-a-comment": (
        "CREATE TABLE t (a, b, PRIMARY /* k */ KEY (a, b) ON CONFLICT IGNORE);",
        "CREATE TABLE t (a, b, PRIMARY KEY (a, b));",
        [("primary_key", "t.a,b", "different")],
        [("primary_key", "t.a,b", "different")],
    ),
    "unique-dropped": (
        "CREATE TABLE t (a TEXT UNIQUE);",
        "CREATE TABLE t (a TEXT);",
        [("unique", "t(a)", "missing")],
        [("unique", "t(a)", "unexpected")],
    ),
    "unique-column-set": (
        "CREATE TABLE t (a, b, c, UNIQUE (a, b));",
        "CREATE TABLE t (a, b, c, UNIQUE (a, c));",
        [("unique", "t(a,b)", "missing"), ("unique", "t(a,c)", "unexpected")],
        [("unique", "t(a,b)", "unexpected"), ("unique", "t(a,c)", "missing")],
    ),
    # checks: compared by canonical expression
    "check-operator": (
        "CREATE TABLE t (a INTEGER, CHECK (a > 0));",
        "CREATE TABLE t (a INTEGER, CHECK (a >= 0));",
        [("check", 't("a" > 0)', "missing"), ("check", 't("a" >= 0)', "unexpected")],
        [("check", 't("a" > 0)', "unexpected"), ("check", 't("a" >= 0)', "missing")],
    ),
    "check-dropped": (
        "CREATE TABLE t (a INTEGER CHECK (a > 0));",
        "CREATE TABLE t (a INTEGER);",
        [("check", 't("a" > 0)', "missing")],
        [("check", 't("a" > 0)', "unexpected")],
    ),
    "check-needed-parens": (
        "CREATE TABLE t (a, b, c, CHECK ((a = 1 OR b = 2) AND c = 3));",
        "CREATE TABLE t (a, b, c, CHECK (a = 1 OR b = 2 AND c = 3));",
        [
            ("check", 't(("a" = 1 OR "b" = 2) AND "c" = 3)', "missing"),
            ("check", 't("a" = 1 OR "b" = 2 AND "c" = 3)', "unexpected"),
        ],
        [
            ("check", 't(("a" = 1 OR "b" = 2) AND "c" = 3)', "unexpected"),
            ("check", 't("a" = 1 OR "b" = 2 AND "c" = 3)', "missing"),
        ],
    ),
    "check-is-true-vs-is-1": (
        "CREATE TABLE t (a INTEGER, CHECK (a IS TRUE));",
        "CREATE TABLE t (a INTEGER, CHECK (a IS 1));",
        [("check", 't("a" IS TRUE)', "missing"), ("check", 't("a" IS 1)', "unexpected")],
        [("check", 't("a" IS TRUE)', "unexpected"), ("check", 't("a" IS 1)', "missing")],
    ),
    "check-is-not-false-vs-is-not-0": (
        "CREATE TABLE t (a INTEGER, CHECK (a IS NOT FALSE));",
        "CREATE TABLE t (a INTEGER, CHECK (a IS NOT 0));",
        [("check", 't(NOT "a" IS FALSE)', "missing"), ("check", 't("a" IS NOT 0)', "unexpected")],
        [("check", 't(NOT "a" IS FALSE)', "unexpected"), ("check", 't("a" IS NOT 0)', "missing")],
    ),
    # names: SQLite folds ASCII letters only; ß is not ss and Ü is not ü
    "table-sharp-s-vs-ss": (
        'CREATE TABLE "straße" (a);',
        'CREATE TABLE "strasse" (a);',
        [("table", "straße", "missing"), ("table", "strasse", "unexpected")],
        [("table", "straße", "unexpected"), ("table", "strasse", "missing")],
    ),
    "table-non-ascii-case": (
        'CREATE TABLE "Über" (a);',
        'CREATE TABLE "über" (a);',
        [("table", "Über", "missing"), ("table", "über", "unexpected")],
        [("table", "Über", "unexpected"), ("table", "über", "missing")],
    ),
    "column-non-ascii-case": (
        'CREATE TABLE t ("Über" TEXT);',
        'CREATE TABLE t ("über" TEXT);',
        [("column", "t.Über", "missing"), ("column", "t.über", "unexpected")],
        [("column", "t.Über", "unexpected"), ("column", "t.über", "missing")],
    ),
    # tables and columns: a missing or unexpected table is one finding
    "table-missing-with-everything": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t, b TEXT UNIQUE COLLATE NOCASE "
        "DEFAULT 'x', CHECK (b <> '')) ;\nCREATE INDEX iu ON u(b DESC) WHERE b IS NOT NULL;",
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        [("table", "u", "missing")],
        [("table", "u", "unexpected")],
    ),
    "column-added": (
        "CREATE TABLE t (a INTEGER);",
        "CREATE TABLE t (a INTEGER, b TEXT NOT NULL DEFAULT 'x' COLLATE NOCASE);",
        [("column", "t.b", "unexpected")],
        [("column", "t.b", "missing")],
    ),
    # table options
    "without-rowid": (
        "CREATE TABLE t (a TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;",
        "CREATE TABLE t (a TEXT PRIMARY KEY NOT NULL);",
        [("table_option", "t", "different")],
        [("table_option", "t", "different")],
    ),
    "strict": (
        "CREATE TABLE t (a INTEGER) STRICT;",
        "CREATE TABLE t (a INTEGER);",
        [("table_option", "t", "different")],
        [("table_option", "t", "different")],
    ),
    "autoincrement": (
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        [("table_option", "t", "different")],
        [("table_option", "t", "different")],
    ),
    # generated columns
    "generated-expression": (
        "CREATE TABLE t (a INTEGER, b INTEGER AS (a * 2));",
        "CREATE TABLE t (a INTEGER, b INTEGER AS (a * 3));",
        [("column", "t.b", "different")],
        [("column", "t.b", "different")],
    ),
    "generated-virtual-vs-stored": (
        "CREATE TABLE t (a INTEGER, b INTEGER AS (a * 2) VIRTUAL);",
        "CREATE TABLE t (a INTEGER, b INTEGER AS (a * 2) STORED);",
        [("column", "t.b", "different")],
        [("column", "t.b", "different")],
    ),
    # views and triggers
    "view-select": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a FROM t WHERE b = 'x';",
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a FROM t WHERE b = 'X';",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-other-column": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a AS x FROM t;",
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT b AS x FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-column-list-names": (
        "CREATE TABLE t (a, b); CREATE VIEW v(x) AS SELECT a FROM t;",
        "CREATE TABLE t (a, b); CREATE VIEW v(y) AS SELECT a FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-column-list-vs-none": (
        "CREATE TABLE t (a, b); CREATE VIEW v(x) AS SELECT a FROM t;",
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-cast-datetime-vs-datetime-function": (
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT CAST(a AS DATETIME) AS d FROM t;",
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT datetime(a) AS d FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-cast-affinity": (
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT CAST(a AS NUMERIC) AS n FROM t;",
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT CAST(a AS REAL) AS n FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-is-true-vs-is-1": (
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t WHERE a IS TRUE;",
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t WHERE a IS 1;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-unparsable-select-column-list": (
        "CREATE TABLE t (a); CREATE VIEW v(x) AS SELECT CAST(a AS) FROM t;",
        "CREATE TABLE t (a); CREATE VIEW v(y) AS SELECT CAST(a AS) FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "fk-deferred-vs-immediate": (
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED);",
        P + "CREATE TABLE t (c INTEGER REFERENCES p(id) DEFERRABLE INITIALLY IMMEDIATE);",
        [("foreign_key", "t(c)->p(id)", "different")],
        [("foreign_key", "t(c)->p(id)", "different")],
    ),
    # +a has no affinity: with 1 stored, a = '1' is 1 but +a = '1' is 0
    "check-unary-plus": (
        "CREATE TABLE t (a INTEGER, CHECK (a = '1'));",
        "CREATE TABLE t (a INTEGER, CHECK (+a = '1'));",
        [("check", "t(\"a\" = '1')", "missing"), ("check", "t(+ a = '1')", "unexpected")],
        [("check", "t(\"a\" = '1')", "unexpected"), ("check", "t(+ a = '1')", "missing")],
    ),
    "partial-index-unary-plus": (
        "CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a) WHERE a = '1';",
        "CREATE TABLE t (a INTEGER); CREATE INDEX i ON t(a) WHERE +a = '1';",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "view-unary-plus": (
        "CREATE TABLE t (a INTEGER); CREATE VIEW v AS SELECT a FROM t WHERE a = '1';",
        "CREATE TABLE t (a INTEGER); CREATE VIEW v AS SELECT a FROM t WHERE +a = '1';",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    # SQLite reads =, IN, LIKE... left to right: a = b IN (1, 2) is (a = b) IN (1, 2)
    "check-precedence-in": (
        "CREATE TABLE t (a, b, CHECK (a = b IN (1, 2)));",
        "CREATE TABLE t (a, b, CHECK (a = (b IN (1, 2))));",
        [("check", 't(("a" = "b") IN (1, 2))', "missing"), ("check", 't("a" = ("b" IN (1, 2)))', "unexpected")],
        [("check", 't(("a" = "b") IN (1, 2))', "unexpected"), ("check", 't("a" = ("b" IN (1, 2)))', "missing")],
    ),
    "check-precedence-like-then-equals": (
        "CREATE TABLE t (a, b, c, CHECK (a LIKE b = c));",
        "CREATE TABLE t (a, b, c, CHECK (a LIKE (b = c)));",
        [("check", 't(("a" LIKE "b") = "c")', "missing"), ("check", 't("a" LIKE ("b" = "c"))', "unexpected")],
        [("check", 't(("a" LIKE "b") = "c")', "unexpected"), ("check", 't("a" LIKE ("b" = "c"))', "missing")],
    ),
    "check-precedence-is-then-equals": (
        "CREATE TABLE t (a, b, c, CHECK (a IS b = c));",
        "CREATE TABLE t (a, b, c, CHECK (a IS (b = c)));",
        [("check", 't(("a" IS "b") = "c")', "missing"), ("check", 't("a" IS ("b" = "c"))', "unexpected")],
        [("check", 't(("a" IS "b") = "c")', "unexpected"), ("check", 't("a" IS ("b" = "c"))', "missing")],
    ),
    "check-precedence-prefix-not": (  # NOT takes the whole chain: NOT ((a = b) IN (1))
        "CREATE TABLE t (a, b, CHECK (NOT a = b IN (1)));",
        "CREATE TABLE t (a, b, CHECK (NOT a = (b IN (1))));",
        [("check", 't(NOT ("a" = "b") IN (1))', "missing"), ("check", 't(NOT "a" = ("b" IN (1)))', "unexpected")],
        [("check", 't(NOT ("a" = "b") IN (1))', "unexpected"), ("check", 't(NOT "a" = ("b" IN (1)))', "missing")],
    ),
    # sqlglot reads the first as (a < (NOT b IN (1))) IS c, in parentheses of its own: it is not SQLite's
    "check-precedence-hidden-by-the-parsers-parentheses": (
        "CREATE TABLE t (a, b, c, CHECK (a < b NOT IN (1) IS c));",
        "CREATE TABLE t (a, b, c, CHECK ((a < (NOT b IN (1))) IS c));",
        [
            ("check", 't(("a" < (NOT "b" IN (1))) IS "c")', "unexpected"),
            ("check", 't((NOT ("a" < "b") IN (1)) IS "c")', "missing"),
        ],
        [
            ("check", 't(("a" < (NOT "b" IN (1))) IS "c")', "missing"),
            ("check", 't((NOT ("a" < "b") IN (1)) IS "c")', "unexpected"),
        ],
    ),
    "check-precedence-between-low": (  # a BETWEEN b = c AND 1 is a BETWEEN (b = c) AND 1
        "CREATE TABLE t (a, b, c, CHECK (a BETWEEN b = c AND 1));",
        "CREATE TABLE t (a, b, c, CHECK (a BETWEEN b AND 1 = c));",
        [
            ("check", 't("a" BETWEEN ("b" = "c") AND 1)', "missing"),
            ("check", 't(("a" BETWEEN "b" AND 1) = "c")', "unexpected"),
        ],
        [
            ("check", 't("a" BETWEEN ("b" = "c") AND 1)', "unexpected"),
            ("check", 't(("a" BETWEEN "b" AND 1) = "c")', "missing"),
        ],
    ),
    # (a = b) NOT IN (1) against a = (NOT (b IN (1))): sqlglot reads both as one tree
    "partial-index-precedence-not-in-vs-prefix-not": (
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a) WHERE a = b NOT IN (1);",
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a) WHERE a = NOT b IN (1);",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "view-precedence-in": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a = b IN (1, 2) AS x FROM t;",
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a = (b IN (1, 2)) AS x FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "default-generated-trigger-precedence": (
        "CREATE TABLE t (a, b, d DEFAULT (1 = 2 IN (0)), g AS (a = b IN (1, 2)));\n"
        "CREATE TRIGGER tr AFTER UPDATE ON t WHEN new.a = new.b IN (1) BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b, d DEFAULT (1 = (2 IN (0))), g AS (a = (b IN (1, 2))));\n"
        "CREATE TRIGGER tr AFTER UPDATE ON t WHEN new.a = (new.b IN (1)) BEGIN SELECT 1; END;",
        [("column", "t.g", "different"), ("default", "t.d", "different"), ("trigger", "tr", "different")],
        [("column", "t.g", "different"), ("default", "t.d", "different"), ("trigger", "tr", "different")],
    ),
    "partial-index-precedence-like": (
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a) WHERE a = b LIKE 'x%';",
        "CREATE TABLE t (a, b); CREATE INDEX i ON t(a) WHERE a = (b LIKE 'x%');",
        [("index", "i", "different")],
        [("index", "i", "different")],
    ),
    "view-precedence-less-than-like": (
        "CREATE TABLE t (a, b, c); CREATE VIEW v AS SELECT a < b LIKE c AS x FROM t;",
        "CREATE TABLE t (a, b, c); CREATE VIEW v AS SELECT a < (b LIKE c) AS x FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    # unaliased, SELECT a+1 names its column "a+1", SELECT a + 1 "a + 1": queries naming it break
    "view-implicit-column-name-spacing": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a+1 FROM t;",
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT a + 1 FROM t;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-star-over-other-columns": (
        "CREATE TABLE t (a, b); CREATE VIEW v AS SELECT * FROM t;",
        "CREATE TABLE t (a, c); CREATE VIEW v AS SELECT * FROM t;",
        [("column", "t.b", "missing"), ("column", "t.c", "unexpected"), ("view", "v", "different")],
        [("column", "t.b", "unexpected"), ("column", "t.c", "missing"), ("view", "v", "different")],
    ),
    "collation-name-in-expressions": (
        "CREATE TABLE t (b TEXT, CHECK (b <> 'x' COLLATE nocase)); "
        "CREATE VIEW v AS SELECT b FROM t ORDER BY b COLLATE nocase;",
        "CREATE TABLE t (b TEXT, CHECK (b <> 'x' COLLATE rtrim)); "
        "CREATE VIEW v AS SELECT b FROM t ORDER BY b COLLATE RTRIM;",
        [
            ("check", "t(\"b\" <> 'x' COLLATE NOCASE)", "missing"),
            ("check", "t(\"b\" <> 'x' COLLATE RTRIM)", "unexpected"),
            ("view", "v", "different"),
        ],
        [
            ("check", "t(\"b\" <> 'x' COLLATE NOCASE)", "unexpected"),
            ("check", "t(\"b\" <> 'x' COLLATE RTRIM)", "missing"),
            ("view", "v", "different"),
        ],
    ),
    "replace-call-arguments": (
        "CREATE TABLE t (a TEXT DEFAULT (replace('ab','b','')), CHECK (replace(a, 'x', '') <> ''));",
        "CREATE TABLE t (a TEXT DEFAULT (replace('ab','B','')), CHECK (replace(a, 'X', '') <> ''));",
        [
            ("check", "t(REPLACE(\"a\", 'X', '') <> '')", "unexpected"),
            ("check", "t(REPLACE(\"a\", 'x', '') <> '')", "missing"),
            ("default", "t.a", "different"),
        ],
        [
            ("check", "t(REPLACE(\"a\", 'X', '') <> '')", "missing"),
            ("check", "t(REPLACE(\"a\", 'x', '') <> '')", "unexpected"),
            ("default", "t.a", "different"),
        ],
    ),
    "view-order-desc-vs-asc": (
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t ORDER BY a ASC;",
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t ORDER BY a DESC;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-left-join-vs-inner-join": (
        "CREATE TABLE t (a); CREATE TABLE u (a); CREATE VIEW v AS SELECT t.a FROM t INNER JOIN u ON u.a = t.a;",
        "CREATE TABLE t (a); CREATE TABLE u (a); CREATE VIEW v AS SELECT t.a FROM t LEFT JOIN u ON u.a = t.a;",
        [("view", "v", "different")],
        [("view", "v", "different")],
    ),
    "view-dropped": (
        "CREATE TABLE t (a); CREATE VIEW v AS SELECT a FROM t;",
        "CREATE TABLE t (a);",
        [("view", "v", "missing")],
        [("view", "v", "unexpected")],
    ),
    "trigger-body": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET b = 2; END;",
        [("trigger", "tr", "different")],
        [("trigger", "tr", "different")],
    ),
    "trigger-body-quoted-name-with-space": (
        'CREATE TABLE t ("a b", a); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT "a b" FROM t; END;',
        'CREATE TABLE t ("a b", a); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT a b FROM t; END;',
        [("trigger", "tr", "different")],
        [("trigger", "tr", "different")],
    ),
    "trigger-body-quoted-keyword-vs-keyword": (
        'CREATE TABLE t ("true", a); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT "true" FROM t; END;',
        'CREATE TABLE t ("true", a); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT true FROM t; END;',
        [("trigger", "tr", "different")],
        [("trigger", "tr", "different")],
    ),
    "trigger-timing": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tr BEFORE INSERT ON t BEGIN SELECT 1; END;",
        [("trigger", "tr", "different")],
        [("trigger", "tr", "different")],
    ),
    "trigger-default-timing-vs-after": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tr INSERT ON t BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
        [("trigger", "tr", "different")],
        [("trigger", "tr", "different")],
    ),
    "trigger-update-of-other-columns": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE OF a ON t BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE OF a, b ON t BEGIN SELECT 1; END;",
        [("trigger", "tu", "different")],
        [("trigger", "tu", "different")],
    ),
    "trigger-when-condition": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE ON t WHEN (new.a > 0) BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE ON t WHEN new.a >= 0 BEGIN SELECT 1; END;",
        [("trigger", "tu", "different")],
        [("trigger", "tu", "different")],
    ),
    "trigger-when-against-none": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE ON t WHEN new.a > 0 BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b); CREATE TRIGGER tu AFTER UPDATE ON t BEGIN SELECT 1; END;",
        [("trigger", "tu", "different")],
        [("trigger", "tu", "different")],
    ),
    "trigger-dropped": (
        "CREATE TABLE t (a, b); CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;",
        "CREATE TABLE t (a, b);",
        [("trigger", "tr", "missing")],
        [("trigger", "tr", "unexpected")],
    ),
    # FTS5: the virtual table is one finding; ft_data, ft_idx, ft_content, ... never are
    "fts5-table-missing": (
        "CREATE TABLE t (a); CREATE VIRTUAL TABLE ft USING fts5(title, body);",
        "CREATE TABLE t (a);",
        [("table", "ft", "missing")],
        [("table", "ft", "unexpected")],
    ),
    "fts5-options": (
        "CREATE VIRTUAL TABLE ft USING fts5(title, body, tokenize='porter');",
        "CREATE VIRTUAL TABLE ft USING fts5(title, body);",
        [("table_option", "ft", "different")],
        [("table_option", "ft", "different")],
    ),
}


@pytest.mark.parametrize(("expected_sql", "actual_sql", "forward", "backward"), _params(DIFFERENT))
def test_different_pair_fails_exactly(expected_sql: str, actual_sql: str, forward: Failing, backward: Failing) -> None:
    assert failing(expected_sql, actual_sql) == sorted(forward)


@pytest.mark.parametrize(("expected_sql", "actual_sql", "forward", "backward"), _params(DIFFERENT))
def test_different_pair_reversed_fails_exactly(
    expected_sql: str, actual_sql: str, forward: Failing, backward: Failing
) -> None:
    assert failing(actual_sql, expected_sql) == sorted(backward)


# --- rules whose ok findings and messages matter too --------------------------------------------


def _by_kind(expected_sql: str, actual_sql: str, kind: str) -> list[tuple[str, str, str]]:
    return [(f.object, f.status, f.message) for f in findings(expected_sql, actual_sql) if f.kind == kind]


LEGACY_UNIQUE = "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT UNIQUE);"
DRIZZLE_UNIQUE = (
    "CREATE TABLE `users` (`id` integer PRIMARY KEY NOT NULL, `username` text);\n--> statement-breakpoint\n"
    "CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);"
)


def test_view_column_names_shown_only_when_they_differ() -> None:
    table = "CREATE TABLE t (a, b); "
    ok = _by_kind(table + "CREATE VIEW v AS SELECT a+1 FROM t;", table + "CREATE VIEW v AS SELECT A+1 FROM t;", "view")
    assert ok == [("v", "ok", "view matches")]
    [view] = [
        f
        for f in findings(
            table + "CREATE VIEW v AS SELECT a+1 FROM t;", table + "CREATE VIEW v AS SELECT a + 1 FROM t;"
        )
        if f.kind == "view"
    ]
    assert (view.status, view.message) == ("different", "view v names its columns differently")
    assert view.expected == 'SELECT "a" + 1 FROM "t" -- columns: "a+1"'
    assert view.actual == 'SELECT "a" + 1 FROM "t" -- columns: "a + 1"'
    [same] = [
        f
        for f in findings(table + "CREATE VIEW v AS SELECT a FROM t;", table + "CREATE VIEW v AS SELECT a FROM t;")
        if f.kind == "view"
    ]
    assert same.expected == same.actual == 'SELECT "a" FROM "t"'


def test_drizzle_unique_against_legacy_database_holds_but_index_is_missing() -> None:
    every = findings(DRIZZLE_UNIQUE, LEGACY_UNIQUE, "baseline")
    assert [(f.object, f.status) for f in every if f.kind == "unique"] == [("users(username)", "ok")]
    [index] = [f for f in every if f.kind == "index"]
    assert (index.object, index.status, index.table) == ("users_username_unique", "missing", "users")
    assert "holds" in index.message and "users_username_unique" in index.message
    assert sorted((f.kind, f.object, f.status) for f in every if f.status != "ok") == [
        ("index", "users_username_unique", "missing")
    ]


def test_legacy_unique_against_drizzle_database_holds_but_index_is_unexpected() -> None:
    every = findings(LEGACY_UNIQUE, DRIZZLE_UNIQUE, "legacy")
    assert [(f.object, f.status) for f in every if f.kind == "unique"] == [("users(username)", "ok")]
    assert sorted((f.kind, f.object, f.status) for f in every if f.status != "ok") == [
        ("index", "users_username_unique", "unexpected")
    ]


def test_autoindexes_are_never_index_findings() -> None:
    sql = "CREATE TABLE t (a TEXT PRIMARY KEY, b TEXT UNIQUE, c, d, UNIQUE (c, d));"
    every = findings(sql, sql)
    assert all(f.status == "ok" for f in every)
    assert not any(f.kind == "index" for f in every)
    assert not any("sqlite_autoindex" in f.object for f in every)
    assert sorted(f.object for f in every if f.kind == "unique") == ["t(b)", "t(c,d)"]


def test_unique_column_order_is_ok_not_silent() -> None:
    assert _by_kind("CREATE TABLE t (a, b, UNIQUE (a, b));", "CREATE TABLE t (a, b, UNIQUE (b, a));", "unique") == [
        ("t(a,b)", "ok", "uniqueness holds")
    ]


@pytest.mark.parametrize(
    ("expected_sql", "actual_sql"),
    [
        pytest.param(
            "CREATE TABLE t (a TEXT PRIMARY KEY NOT NULL);",
            "CREATE TABLE t (a TEXT PRIMARY KEY);",
            id="drizzle-not-null-vs-legacy-nullable",
        ),
        pytest.param(
            "CREATE TABLE t (a TEXT PRIMARY KEY);",
            "CREATE TABLE t (a TEXT PRIMARY KEY NOT NULL);",
            id="legacy-nullable-vs-not-null-database",
        ),
    ],
)
def test_nullable_legacy_primary_key_explains_the_quirk(expected_sql: str, actual_sql: str) -> None:
    assert failing(expected_sql, actual_sql) == [("notnull", "t.a", "different")]
    [(_obj, _status, message)] = [n for n in _by_kind(expected_sql, actual_sql, "notnull") if n[1] != "ok"]
    assert "legacy quirk" in message
    assert "PRIMARY KEY" in message


def test_plain_notnull_difference_does_not_mention_the_quirk() -> None:
    [(_obj, status, message)] = _by_kind("CREATE TABLE t (a TEXT NOT NULL);", "CREATE TABLE t (a TEXT);", "notnull")
    assert status == "different" and "quirk" not in message


def test_missing_table_is_one_finding_with_nothing_repeated() -> None:
    expected = (
        "CREATE TABLE t (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t, b TEXT UNIQUE, CHECK (b <> ''));\n"
        "CREATE INDEX iu ON u(b);"
    )
    every = findings(expected, "CREATE TABLE t (id INTEGER PRIMARY KEY);")
    about_u = [(f.kind, f.object, f.status) for f in every if f.table == "u" or f.object.startswith("u")]
    assert about_u == [("table", "u", "missing")]


def test_column_order_is_not_a_finding() -> None:
    every = findings("CREATE TABLE t (a, b);", "CREATE TABLE t (b, a);")
    assert all(f.status == "ok" for f in every)
    assert sorted(f.object for f in every if f.kind == "column") == ["t.a", "t.b"]


def test_fk_object_names_resolved_implicit_target() -> None:
    sql_implicit = "CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES users);"
    sql_explicit = "CREATE TABLE users (id INTEGER PRIMARY KEY); CREATE TABLE t (c INTEGER REFERENCES users(id));"
    assert [(o, s) for o, s, _m in _by_kind(sql_implicit, sql_explicit, "foreign_key")] == [("t(c)->users(id)", "ok")]


def test_composite_implicit_fk_target_is_the_composite_primary_key() -> None:
    parent = "CREATE TABLE p (x, y, PRIMARY KEY (x, y));"
    implicit = parent + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p);"
    explicit = parent + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(x, y));"
    swapped = parent + "CREATE TABLE t (a, b, FOREIGN KEY (a, b) REFERENCES p(y, x));"
    assert [(o, s) for o, s, _m in _by_kind(implicit, explicit, "foreign_key")] == [("t(a,b)->p(x,y)", "ok")]
    assert failing(implicit, swapped) == [("foreign_key", "t(a,b)->p(x,y)", "different")]


@pytest.mark.parametrize(
    "actual_sql",
    [
        pytest.param("CREATE VIRTUAL TABLE ft USING fts5(title, body);", id="same"),
        pytest.param("", id="absent"),
    ],
)
def test_fts5_shadow_tables_never_produce_findings(actual_sql: str) -> None:
    expected_sql = "CREATE VIRTUAL TABLE ft USING fts5(title, body);"
    every = findings(expected_sql, "CREATE TABLE t (a);" + actual_sql) + findings(
        "CREATE TABLE t (a);" + actual_sql, expected_sql
    )
    shadows = ("ft_data", "ft_idx", "ft_content", "ft_docsize", "ft_config")
    assert not [f for f in every if any(s in f.object or s == f.table for s in shadows)]


def test_fts5_virtual_table_itself_matches() -> None:
    sql = "CREATE VIRTUAL TABLE ft USING fts5(title, body);"
    every = findings(sql, sql)
    assert ("table", "ft", "ok") in [(f.kind, f.object, f.status) for f in every]
    assert ("table_option", "ft", "ok") in [(f.kind, f.object, f.status) for f in every]
    assert sorted(f.object for f in every if f.kind == "column") == ["ft.body", "ft.title"]
    assert all(f.status == "ok" for f in every)


def test_internal_tables_never_produce_findings() -> None:
    expected = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);"
    actual = (
        expected + 'CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, '
        "created_at numeric); INSERT INTO t DEFAULT VALUES; ANALYZE;"
    )
    every = findings(expected, actual) + findings(actual, expected)
    assert all(f.status == "ok" for f in every)
    internal = ("sqlite_", "__drizzle_migrations")
    assert not [f for f in every if any(i in f.object or i in (f.table or "") for i in internal)]


def test_collation_finding_names_binary_default() -> None:
    [(obj, status, _m)] = _by_kind("CREATE TABLE t (a TEXT COLLATE NOCASE);", "CREATE TABLE t (a TEXT);", "collation")
    assert (obj, status) == ("t.a", "different")
    [f] = [
        f
        for f in findings("CREATE TABLE t (a TEXT COLLATE NOCASE);", "CREATE TABLE t (a TEXT);")
        if f.kind == "collation"
    ]
    assert (f.expected, f.actual) == ("NOCASE", "BINARY")


def test_check_object_uses_canonical_expression() -> None:
    every = findings("CREATE TABLE t (a INTEGER, CHECK (a > 0));", 'CREATE TABLE t (a INTEGER, CHECK ("t"."A">0));')
    assert [(f.object, f.status) for f in every if f.kind == "check"] == [
        (f"t({canonical_expression('a > 0', 't')})", "ok")
    ]


# --- the canonical forms themselves -------------------------------------------------------------

SAME_DEFAULT = [
    ("(strftime('%s','now'))", "strftime('%s', 'now')"),
    ("strftime('%s','now')", "STRFTIME( '%s' ,'now' )"),
    ("((strftime('%s','now')))", "(strftime('%s', 'now'))"),
    ("TRUE", "1"),
    ("true", "(1)"),
    ("FALSE", "0"),
    ('"abc"', "'abc'"),
    ('"it\'s"', "'it''s'"),
    ("current_timestamp", "CURRENT_TIMESTAMP"),
    ("(CURRENT_TIMESTAMP)", "CURRENT_TIMESTAMP"),
    ("-1", "(-1)"),
    ("- 1", "-1"),
    ("(unixepoch() * 1000)", "unixepoch()*1000"),
    ("lower(hex(randomblob(16)))", "LOWER(HEX(RANDOMBLOB(16)))"),
    ("date('now', '+1 day')", "DATE('now','+1 day')"),
    ("CAST(a AS VARCHAR(10))", "cast(a as text)"),
    ("CAST(a AS INT)", "CAST(a AS INTEGER)"),
    ("CAST(a AS UNSIGNED BIG INT)", "CAST(a AS INTEGER)"),
]

DIFFERENT_DEFAULT = [
    ("'1'", "1"),
    ("1", "1.0"),
    ("'0'", "0"),
    ("CURRENT_TIMESTAMP", "datetime('now')"),
    ("CURRENT_DATE", "date('now')"),
    ("CURRENT_TIME", "time('now')"),
    ("datetime('now')", "datetime('now', 'localtime')"),
    ("strftime('%s','now')", "strftime('%S','now')"),
    ("strftime('%Y-%m-%d %H:%M:%f','now')", "strftime('%Y-%m-%d %H:%M:%S','now')"),
    ("'abc'", "'ABC'"),
    ("'a b'", "'a  b'"),
    ("'true'", "TRUE"),
    ("''", "NULL"),
    ("'NULL'", "NULL"),
    ("-1", "1"),
    ("1e3", "1000"),
    ("X'00'", "'00'"),
    ("abs(random())", "random()"),
    ("CAST(a AS NUMERIC)", "CAST(a AS REAL)"),
    ("CAST(a AS BOOLEAN)", "CAST(a AS INTEGER)"),
    ("CAST(a AS STRING)", "CAST(a AS TEXT)"),
    ("CAST(a AS DATETIME)", "datetime(a)"),
    ("CAST(a AS BLOB)", "CAST(a AS TEXT)"),
]


@pytest.mark.parametrize(("left", "right"), SAME_DEFAULT)
def test_canonical_default_equal(left: str, right: str) -> None:
    assert canonical_default(left) == canonical_default(right)


@pytest.mark.parametrize(("left", "right"), DIFFERENT_DEFAULT)
def test_canonical_default_different(left: str, right: str) -> None:
    assert canonical_default(left) != canonical_default(right)


@pytest.mark.parametrize("text", ["NULL", "null", "(NULL)", " NULL ", None])
def test_canonical_default_null_is_no_default(text: str | None) -> None:
    assert canonical_default(text) is None


@pytest.mark.parametrize("text", ["''", "'NULL'", "0", "'null'"])
def test_canonical_default_null_like_values_are_defaults(text: str) -> None:
    assert canonical_default(text) is not None


SAME_EXPRESSION = [
    ('"t"."a" > 0', "a>0"),
    ("T.A > 0", "a > 0"),
    ('"A" > 0', "a > 0"),
    ("[a] > 0", "`a` > 0"),
    ("(a > 0)", "a > 0"),
    ("((a > 0) AND (b < 1))", "a > 0 AND b < 1"),
    ("(a) > (0)", "a > 0"),
    ("a IN ('x','y')", "a in ( 'x' , 'y' )"),
    ("length(a) > 0", "LENGTH( a ) > 0"),
    ("a BETWEEN 1 AND 10", "a between 1 and 10"),
    ("a != 1", "a <> 1"),
    ("a == 1", "a = 1"),
    ("a IS NOT NULL", "a NOTNULL"),
    ("lower(name)", "LOWER( name )"),
    ("a IN (FALSE, TRUE)", "a IN (0, 1)"),
    ("typeof(a) = 'integer'", "TYPEOF(a)='integer'"),
    ("NOT (a)", "NOT a"),
    ("a IS TRUE", "a is (true)"),
    ("a IS NOT DISTINCT FROM TRUE", "a IS TRUE"),
    ("a = TRUE", "a = 1"),
    ("TRUE IS a", "1 IS a"),
    ("a IS (NOT TRUE)", "a IS (NOT 1)"),
    ("mod(a, 2) = 1", "MOD( a,2 ) = 1"),
    ("mod(a + 1, 2)", "mod((a + 1), 2)"),
    ("a = b IN (1, 2)", "(A = B in (1,2))"),
    ("(a = b) IN (1, 2)", "((a = b)) IN (1, 2)"),
    ("a = (b IN (1, 2))", "a = ((b IN (1, 2)))"),
]

DIFFERENT_EXPRESSION = [
    ("a > 0", "a >= 0"),
    ('"u"."a" > 0', "a > 0"),
    ("lower(name)", "upper(name)"),
    ("a - (b - c)", "a - b - c"),
    ("a * (b + c)", "a * b + c"),
    ("(a = 1 OR b = 2) AND c = 3", "a = 1 OR b = 2 AND c = 3"),
    ("NOT (a AND b)", "NOT a AND b"),
    ("-(a + b)", "-a + b"),
    ("a = 'x'", "a = 'X'"),
    ("a LIKE 'x%'", "a GLOB 'x%'"),
    ("a -> '$.x'", "a ->> '$.x'"),
    ("json_extract(a, '$.x')", "a -> '$.x'"),
    ("a || b", "concat(a, b)"),
    ("a IS b", "a = b"),
    ("CAST(a AS NUMERIC) = a", "CAST(a AS REAL) = a"),
    ("a IS TRUE", "a IS 1"),
    ("a IS FALSE", "a IS 0"),
    ("a IS NOT TRUE", "a IS NOT 1"),
    ("a IS NOT FALSE", "a IS NOT 0"),
    ("a IS (TRUE)", "a IS (1)"),
    ("a IS TRUE COLLATE nocase", "a IS 1 COLLATE nocase"),
    # % converts its operands to INTEGER, mod() does not: mod(5.5, 2) is 1.5, 5.5 % 2 is 1.0
    ("mod(a, 2) = 1", "a % 2 = 1"),
    ("mod(a + 1, 2)", "(a + 1) % 2"),
    # one precedence level, left to right in SQLite (sqlglot binds IN, LIKE... tighter)
    ("a = b IN (1, 2)", "a = (b IN (1, 2))"),
    ("a = b LIKE 'x%'", "a = (b LIKE 'x%')"),
    ("a < b LIKE c", "a < (b LIKE c)"),
    ("a = b NOT IN (1)", "a = (b NOT IN (1))"),
    ("a = b BETWEEN 1 AND 2", "a = (b BETWEEN 1 AND 2)"),
]


@pytest.mark.parametrize(("left", "right"), SAME_EXPRESSION)
def test_canonical_expression_equal(left: str, right: str) -> None:
    assert canonical_expression(left, "t") == canonical_expression(right, "t")


@pytest.mark.parametrize(("left", "right"), DIFFERENT_EXPRESSION)
def test_canonical_expression_different(left: str, right: str) -> None:
    assert canonical_expression(left, "t") != canonical_expression(right, "t")


def test_canonical_expression_reads_a_leading_call_as_an_expression(caplog: pytest.LogCaptureFixture) -> None:
    # Alone, sqlglot reads "replace(...)" as a REPLACE statement, with a warning on stderr.
    with caplog.at_level(logging.WARNING):
        canonical = canonical_expression("replace( b ,'y','z') = 'w'", "t")
    assert canonical == canonical_expression("REPLACE(t.b, 'y', 'z') = 'w'", "t") == "REPLACE(\"b\", 'y', 'z') = 'w'"
    assert caplog.records == []


def test_canonical_expression_keeps_other_tables_qualification() -> None:
    assert canonical_expression('"u"."a" > 0', "t") == canonical_expression("u.a > 0", "t")
    assert canonical_expression("u.a > 0", "t") != canonical_expression("a > 0", "t")
    assert canonical_expression("t.a > 0") != canonical_expression("a > 0")  # no table given: nothing dropped


def test_canonical_expression_unparsable_falls_back_to_tokens() -> None:
    # sqlglot cannot parse this; the fallback still ignores case and spacing, but not meaning.
    weird = "a MATCH 'x' ESCAPE"
    assert canonical_expression(weird) == canonical_expression("A  match 'x'  escape")
    assert canonical_expression(weird) != canonical_expression("a MATCH 'y' ESCAPE")


# --- =, IS, IN, LIKE, BETWEEN... grouped as SQLite groups them: SQLite itself is asked ----------------
# One precedence level, left to right; <, <=, >, >= one tighter, a prefix NOT looser (SQLite's parse.y).

PRECEDENCE_PAIRS = [
    ("a = b IN (1, 2)", "(a = b) IN (1, 2)"),
    ("a = b IN (1, 2)", "a = (b IN (1, 2))"),
    ("a LIKE b = c", "(a LIKE b) = c"),
    ("a LIKE b = c", "a LIKE (b = c)"),
    ("a = b LIKE c", "(a = b) LIKE c"),
    ("a = b LIKE c ESCAPE '!'", "(a = b) LIKE c ESCAPE '!'"),
    ("a IS b = c", "(a IS b) = c"),
    ("a IS b = c", "a IS (b = c)"),
    ("a IS NOT b = c", "(a IS NOT b) = c"),
    ("NOT a = b IN (1)", "NOT ((a = b) IN (1))"),
    ("NOT a = b IN (1)", "NOT a = (b IN (1))"),
    ("a = b NOT IN (1)", "(a = b) NOT IN (1)"),
    ("a = b NOT IN (1)", "a = NOT b IN (1)"),
    ("a = NOT b = c", "a = (NOT (b = c))"),
    ("a = NOT b = c", "(a = NOT b) = c"),
    ("a < b IN (1)", "(a < b) IN (1)"),
    ("a < b IN (1)", "a < (b IN (1))"),
    ("a LIKE b < c", "a LIKE (b < c)"),
    ("a LIKE b < c", "(a LIKE b) < c"),
    ("c = a IN (1) < b", "((c = a) IN (1)) < b"),
    ("c = a IN (1) < b", "c = ((a IN (1)) < b)"),
    ("a BETWEEN 0 AND 1 < c", "a BETWEEN 0 AND (1 < c)"),
    ("a BETWEEN 0 AND 1 < c", "(a BETWEEN 0 AND 1) < c"),
    ("a = b BETWEEN 0 AND 1", "(a = b) BETWEEN 0 AND 1"),
    ("a = b BETWEEN 0 AND 1", "a = (b BETWEEN 0 AND 1)"),
    ("a BETWEEN b = c AND 1", "a BETWEEN (b = c) AND 1"),
    ("a = b ISNULL", "(a = b) ISNULL"),
    ("a = b NOT NULL", "(a = b) NOT NULL"),
    ("a = b NOT NULL", "a = (b NOT NULL)"),
    ("a = b = c", "(a = b) = c"),
    ("a = b = c", "a = (b = c)"),
    ("a GLOB b = c", "(a GLOB b) = c"),
    ("a = b GLOB c", "a = (b GLOB c)"),
    ("a < b NOT IN (1) IS c", "((a < b) NOT IN (1)) IS c"),
    ("a < b NOT IN (1) IS c", "(a < (NOT b IN (1))) IS c"),
    ("a = b < c", "a = (b < c)"),
    ("a = b < c", "(a = b) < c"),
    ("lower(a) = b COLLATE nocase IN ('x')", "(lower(a) = (b COLLATE nocase)) IN ('x')"),
    ("a || 'x' = -b IN (1)", "((a || 'x') = (-b)) IN (1)"),
]
_GRID = (
    "WITH g(v) AS (VALUES (0), (1), (2), (NULL), ('1'), ('x%')) "
    "SELECT a.v AS a, b.v AS b, c.v AS c FROM g AS a, g AS b, g AS c"
)


def _sqlite_values(connection: sqlite3.Connection, expression: str) -> list[tuple]:
    """The expression's value (and type) for every a, b, c of the grid, as SQLite computes it."""
    return connection.execute(f"SELECT ({expression}), typeof({expression}) FROM ({_GRID})").fetchall()


def test_sqlite_reads_the_equality_level_left_to_right() -> None:
    with sqlite3.connect(":memory:") as connection:
        row = connection.execute(
            "SELECT 2 = 2 IN (1), (2 = 2) IN (1), 2 = (2 IN (1)), 2 = 1 NOT IN (1), 2 = NOT 1 IN (1), "
            "1 LIKE 2 = 2, (1 LIKE 2) = 2, 1 LIKE (2 = 2)"
        ).fetchone()
    assert row == (1, 1, 0, 1, 0, 0, 0, 1)


def test_precedence_pairs_cover_both_answers() -> None:
    with sqlite3.connect(":memory:") as connection:
        answers = {_sqlite_values(connection, a) == _sqlite_values(connection, b) for a, b in PRECEDENCE_PAIRS}
    assert answers == {True, False}


@pytest.mark.parametrize(("left", "right"), PRECEDENCE_PAIRS)
def test_precedence_compares_as_sqlite_groups(left: str, right: str) -> None:
    with sqlite3.connect(":memory:") as connection:
        same = _sqlite_values(connection, left) == _sqlite_values(connection, right)
    assert (canonical_expression(left, "t") == canonical_expression(right, "t")) is same
    if not same:  # nor in a view (which keeps parentheses SQLite does not need: only different pairs here)
        view = "CREATE VIEW v AS SELECT {} AS x FROM t"
        assert canonical_view(view.format(left)) != canonical_view(view.format(right))


# Operators of the two levels: (text, takes a right operand, level: 1 the equality level, 2 comparisons).
CHAIN_OPERATORS = [
    ("=", True, 1), ("<>", True, 1), ("IS", True, 1), ("IS NOT", True, 1), ("LIKE", True, 1), ("NOT GLOB", True, 1),
    ("BETWEEN 0 AND", True, 1), ("IN (1, 2)", False, 1), ("NOT IN (0)", False, 1), ("ISNULL", False, 1),
    ("NOT NULL", False, 1), ("<", True, 2), (">=", True, 2),
]  # fmt: skip
CHAIN_OPERANDS = ["a", "b", "c", "0", "1", "'1'", "lower(a)", "-b", "a || 'x'", "(a + 1)", "c COLLATE nocase"]


def _chain(rng: random.Random) -> list:
    """A random chain, as items: operands, operators (tuples) and prefix NOTs (not after IS: IS NOT is one)."""
    items: list = [rng.choice(CHAIN_OPERANDS)]
    for _ in range(rng.randint(1, 4)):
        operator = rng.choice(CHAIN_OPERATORS)
        items.append(operator)
        if operator[1]:
            if rng.random() < 0.15 and not operator[0].startswith("IS"):
                items.append("NOT")
            items.append(rng.choice(CHAIN_OPERANDS))
    return items


def _sqlite_tree(items: list) -> object:
    """SQLite's grouping of a chain: precedence climbing, left to right, NOT taking all that follows."""
    at = 0

    def climb(least: int) -> object:
        nonlocal at
        item, at = items[at], at + 1
        left = ("NOT", climb(1)) if item == "NOT" else item
        while at < len(items) and items[at][2] >= least:
            operator, at = items[at], at + 1
            left = (operator[0], left, climb(operator[2] + 1)) if operator[1] else (operator[0], left)
        return left

    return climb(1)


def _written_out(tree: object, top: bool = True) -> str:
    """Every operation that is an operand of another in parentheses."""
    if isinstance(tree, str):
        return tree
    assert isinstance(tree, tuple)
    if tree[0] == "NOT":
        text = "NOT " + _written_out(tree[1])
    else:
        text = " ".join([_written_out(tree[1], False), tree[0], *(_written_out(t, False) for t in tree[2:])])
    return text if top else f"({text})"


def _text(items: list) -> str:
    return " ".join(item if isinstance(item, str) else item[0] for item in items)


def test_random_chains_compare_as_sqlite_groups_them() -> None:
    rng = random.Random(5)
    regrouped = 0
    with sqlite3.connect(":memory:") as connection:
        for _ in range(150):
            items = _chain(rng)
            text, written = _text(items), _written_out(_sqlite_tree(items))
            values = _sqlite_values(connection, text)
            assert values == _sqlite_values(connection, written), (text, written)  # the reference is SQLite's
            assert canonical_expression(text, "t") == canonical_expression(written, "t"), (text, written)
            # Another grouping of the same chain: compared equal only when SQLite computes the same.
            operands = [i for i, item in enumerate(items) if isinstance(item, str) and item != "NOT"]
            if len(operands) < 2:
                continue
            first, last = sorted(rng.sample(operands, 2))
            other = _text([*items[:first], f"({_text(items[first : last + 1])})", *items[last + 1 :]])
            try:
                other_values = _sqlite_values(connection, other)
            except sqlite3.Error:
                continue
            regrouped += 1
            if canonical_expression(other, "t") == canonical_expression(text, "t"):
                assert other_values == values, (text, other)
    assert regrouped > 100


def test_canonical_view_column_list() -> None:
    plain = canonical_view("CREATE VIEW v(x, y) AS SELECT a, b FROM t")
    assert plain == canonical_view('CREATE VIEW "V" ("X", [Y]) AS select a, B from T')
    assert plain != canonical_view("CREATE VIEW v(x, z) AS SELECT a, b FROM t")
    assert plain != canonical_view("CREATE VIEW v(y, x) AS SELECT a, b FROM t")
    assert plain != canonical_view("CREATE VIEW v AS SELECT a, b FROM t")
    assert canonical_view('CREATE VIEW v("Über") AS SELECT a FROM t') != canonical_view(
        'CREATE VIEW v("über") AS SELECT a FROM t'
    )


def test_canonical_view_casts_by_affinity() -> None:
    def view(select: str) -> str:
        return canonical_view(f"CREATE VIEW v AS {select}")

    assert view("SELECT CAST(a AS DATETIME) FROM t") != view("SELECT datetime(a) FROM t")
    assert view("SELECT CAST(a AS NUMERIC) FROM t") != view("SELECT CAST(a AS REAL) FROM t")
    assert view("SELECT CAST(a AS BOOLEAN) FROM t") != view("SELECT CAST(a AS INTEGER) FROM t")
    assert view("SELECT CAST(a AS VARCHAR(10)) FROM t") == view("SELECT cast(a as TEXT) FROM t")
    assert view("SELECT CAST(a AS DATETIME) FROM t") == view("SELECT CAST(a AS NUMERIC) FROM t")


def test_canonical_view_keeps_mod_a_call() -> None:
    # Not through the shadow database: its libSQL has no mod().  % and mod() differ on REAL operands.
    def view(select: str) -> str:
        return canonical_view(f"CREATE VIEW v AS {select}")

    assert view("SELECT mod(a, 2) AS r FROM t") == view("SELECT MOD(a,2) r FROM t")
    assert view("SELECT mod(a, 2) AS r FROM t") != view("SELECT a % 2 AS r FROM t")


def test_canonical_view_unparsable_falls_back_to_tokens() -> None:
    # sqlglot cannot parse CAST(a AS), which SQLite accepts (BLOB affinity).
    weird = "CREATE VIEW v(x) AS SELECT CAST(a AS) FROM t"
    assert canonical_view(weird) == canonical_view('CREATE VIEW IF NOT EXISTS "V"("X") AS  select cast(A as) from t')
    assert canonical_view(weird) != canonical_view("CREATE VIEW v(y) AS SELECT CAST(a AS) FROM t")
    assert canonical_view(weird) != canonical_view("CREATE VIEW v AS SELECT CAST(a AS) FROM t")
    assert canonical_view(weird) != canonical_view("CREATE VIEW v(x) AS SELECT CAST(b AS) FROM t")


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ('"t"', "t"),
        ("[T]", "t"),
        ("`Tr`", "TR"),
        ('"new"."a"', "NEW.a"),
        ('"a""b"', '[a"b]'),
        ('"Über"', "Über"),
        ('"a b"', "[A B]"),
    ],
)
def test_token_canonical_quoted_name_equal(left: str, right: str) -> None:
    assert token_canonical(left) == token_canonical(right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ('"a b"', "a b"),
        ('"a.b"', "a.b"),
        ('"select"', "select"),
        ('"true"', "true"),
        ('"1a"', "1a"),
        ('"a""b"', "a b"),
        ('"a"', "'a'"),
        ('"Über"', "über"),
    ],
)
def test_token_canonical_quoted_name_different(left: str, right: str) -> None:
    assert token_canonical(left) != token_canonical(right)


def test_canonical_identifier_folds_ascii_only() -> None:
    assert canonical_identifier('"USERS"') == canonical_identifier("users") == "users"
    assert canonical_identifier("[Straße]") == "straße" != canonical_identifier("strasse")
    assert canonical_identifier("Über") == "Über" != canonical_identifier("über")
    assert canonical_expression('"Über" > 0') != canonical_expression('"über" > 0')
    assert canonical_expression('"ABC" > 0') == canonical_expression("abc > 0")


def test_ascii_names_are_case_folded() -> None:
    assert failing('CREATE TABLE "USERS" ("ID" INTEGER);', "CREATE TABLE users (id INTEGER);") == []
    assert failing("CREATE TABLE users (id INTEGER);", 'CREATE TABLE "USERS" ("ID" INTEGER);') == []


def test_missing_table_fix_creates_its_indexes_too() -> None:
    expected = "CREATE TABLE t (a TEXT, b TEXT); CREATE INDEX t_a ON t (a DESC); CREATE UNIQUE INDEX t_b ON t (b);"
    (finding,) = [f for f in findings(expected, "", "baseline") if f.status != "ok"]
    assert (finding.kind, finding.object, finding.status) == ("table", "t", "missing")
    assert finding.fix is not None
    lines = finding.fix.splitlines()
    assert lines[0].startswith("CREATE TABLE t")
    assert "CREATE INDEX t_a ON t (a DESC);" in lines and "CREATE UNIQUE INDEX t_b ON t (b);" in lines


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (
            "CREATE TABLE t (id INTEGER PRIMARY KEY NOT NULL, a TEXT);",
            "CREATE TABLE t (id INTEGER PRIMARY KEY DESC NOT NULL, a TEXT);",
        ),
        ("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);", "CREATE TABLE t (id INT PRIMARY KEY NOT NULL, a TEXT);"),
        (
            "CREATE TABLE t (a TEXT, b TEXT, PRIMARY KEY (a DESC, b));",
            "CREATE TABLE t (a TEXT, b TEXT, PRIMARY KEY (a, b));",
        ),
    ],
)
def test_primary_key_rowid_alias_and_order_differences_are_found(left: str, right: str) -> None:
    for expected, actual in ((left, right), (right, left)):
        assert ("primary_key", "t." + ("id" if "id" in left else "a,b"), "different") in failing(expected, actual)


def test_primary_key_spellings_of_a_rowid_alias_are_equal() -> None:
    left = "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);"
    right = 'CREATE TABLE "T" ("ID" integer NOT NULL, a TEXT, PRIMARY KEY ("id" ASC));'
    assert failing(left, right) == [] and failing(right, left) == []


def test_two_foreign_keys_on_the_same_columns_are_paired_by_target() -> None:
    parents = "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE q (id INTEGER PRIMARY KEY);"
    one = parents + "CREATE TABLE t (c INTEGER REFERENCES p(id));"
    two = parents + "CREATE TABLE t (c INTEGER REFERENCES p(id) REFERENCES q(id));"
    assert failing(one, two) == [("foreign_key", "t(c)->q(id)", "unexpected")]
    assert failing(two, one) == [("foreign_key", "t(c)->q(id)", "missing")]
    assert failing(two, two) == []


# Composite foreign keys, each against SQLite's behaviour: p holds (1, 2); t's rows are checked against it.
FK_PAIRS = [
    ("FOREIGN KEY (a, b) REFERENCES p(x, y)", "FOREIGN KEY (b, a) REFERENCES p(y, x)"),
    ("FOREIGN KEY (a, b) REFERENCES p(x, y)", "FOREIGN KEY (a, b) REFERENCES p(y, x)"),
    ("FOREIGN KEY (a, b) REFERENCES p(x, y)", "FOREIGN KEY (b, a) REFERENCES p(x, y)"),
    ("FOREIGN KEY (a, b) REFERENCES p", "FOREIGN KEY (b, a) REFERENCES p(y, x)"),
    ("FOREIGN KEY (a, b) REFERENCES p", "FOREIGN KEY (b, a) REFERENCES p"),
    (
        "FOREIGN KEY (a, b) REFERENCES p(x, y) ON DELETE CASCADE",
        "FOREIGN KEY (b, a) REFERENCES p(y, x) ON DELETE CASCADE",
    ),
    (
        "FOREIGN KEY (a, b) REFERENCES p(x, y) ON UPDATE CASCADE",
        "FOREIGN KEY (b, a) REFERENCES p(y, x) ON UPDATE CASCADE",
    ),
    ("FOREIGN KEY (a, b) REFERENCES p(x, y) ON UPDATE CASCADE", "FOREIGN KEY (b, a) REFERENCES p(y, x)"),
    ("FOREIGN KEY (a, b) REFERENCES p(x, y)", "FOREIGN KEY (b, a) REFERENCES p(y, x) DEFERRABLE INITIALLY DEFERRED"),
]
_FK_PARENT = "CREATE TABLE p (x, y, PRIMARY KEY (x, y));"


def _fk_behaviour(clause: str) -> list[str]:
    """What SQLite does with t's foreign key: each child row inserted (and when it fails), then p updated and
    deleted (what is left of t, or the failure)."""
    outcome: list[str] = []
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(_FK_PARENT)
        connection.execute(f"CREATE TABLE t (a, b, {clause})")
        connection.execute("INSERT INTO p VALUES (1, 2)")
        for statement in (
            "INSERT INTO t VALUES (1, 2)",
            "INSERT INTO t VALUES (2, 1)",
            "UPDATE p SET x = 5",
            "DELETE FROM p",
        ):
            connection.execute("BEGIN")
            try:
                connection.execute(statement)
            except sqlite3.IntegrityError:
                outcome.append("refused")
                connection.execute("ROLLBACK")
                continue
            try:
                connection.execute("COMMIT")
            except sqlite3.IntegrityError:
                outcome.append("refused at commit")
                connection.execute("ROLLBACK")
                continue
            outcome.append(repr(connection.execute("SELECT a, b FROM t ORDER BY a").fetchall()))
    finally:
        connection.close()
    return outcome


def test_fk_pairs_cover_both_answers() -> None:
    assert {_fk_behaviour(left) == _fk_behaviour(right) for left, right in FK_PAIRS} == {True, False}


@pytest.mark.parametrize(("left", "right"), FK_PAIRS)
def test_composite_foreign_keys_compare_as_sqlite_enforces_them(left: str, right: str) -> None:
    same = _fk_behaviour(left) == _fk_behaviour(right)
    expected, actual = (f"{_FK_PARENT} CREATE TABLE t (a, b, {clause});" for clause in (left, right))
    assert (failing(expected, actual) == []) is same
    assert (failing(actual, expected) == []) is same


def test_libsql_vector_index_shadow_tables_are_not_drift() -> None:
    schema = "CREATE TABLE docs (id INTEGER PRIMARY KEY, emb F32_BLOB(3)); "
    with_index = schema + "CREATE INDEX docs_emb_idx ON docs (libsql_vector_idx(emb));"
    assert failing(with_index, with_index) == []
    objects = {f.object for f in findings(with_index, with_index)}
    assert "docs_emb_idx" in objects and not any("shadow" in o for o in objects)
    assert failing(with_index, schema) == [("index", "docs_emb_idx", "missing")]


# --- literals by value (DESIGN 2, "Literals"), in every place an expression appears --------------

# Each pair: SQLite is asked whether the two literals hold the same value of the same storage class.
LITERAL_PAIRS = [
    ("1.50", "1.5"),
    ("15e-1", "1.5"),
    ("1.5E0", "1.50"),
    ("1e3", "1000.0"),
    (".5", "0.5"),
    ("0x10", "16"),
    ("0X1f", "31"),
    ("0xFFFFFFFFFFFFFFFF", "-1"),
    ("00012", "12"),
    ("1.", "1.0"),
    ("9223372036854775808", "9223372036854775808.0"),
    ("X'CAFE'", "x'cafe'"),
    ("'it''s'", "'it''s'"),
    ("1", "1.0"),
    ("1e3", "1000"),
    ("0x10", "16.0"),
    ("9223372036854775807", "9223372036854775807.0"),
    ("X'CAFE'", "X'CAFF'"),
    ("X'00'", "'00'"),
    ("'1'", "1"),
    ("0.1", "0.10000000000000001"),
    ("0.1", "0.1000000000000001"),
    ("'abc'", "'ABC'"),
]


def _sqlite_same(left: str, right: str) -> bool:
    import sqlite3

    with sqlite3.connect(":memory:") as connection:
        same = connection.execute(f"SELECT ({left}) = ({right}) AND typeof({left}) = typeof({right})").fetchone()[0]
    return bool(same)


def test_literal_pairs_cover_both_answers() -> None:
    answers = {_sqlite_same(left, right) for left, right in LITERAL_PAIRS}
    assert answers == {True, False}


@pytest.mark.parametrize(("left", "right"), LITERAL_PAIRS)
def test_literals_compare_as_sqlite_stores_them(left: str, right: str) -> None:
    same = _sqlite_same(left, right)
    assert (canonical_expression(left) == canonical_expression(right)) is same
    assert (canonical_default(left) == canonical_default(right)) is same
    assert (token_canonical(left) == token_canonical(right)) is same  # trigger bodies and fallbacks
    assert (canonical_expression(f"a > {left}", "t") == canonical_expression(f"a > {right}", "t")) is same


# Every place a literal sits in stored DDL; {v} is the literal.
LITERAL_PLACES = {
    "default": "CREATE TABLE t (a REAL DEFAULT ({v}));",
    "check": "CREATE TABLE t (a REAL CHECK (a <> {v}));",
    "partial-where": "CREATE TABLE t (a REAL); CREATE INDEX i ON t (a) WHERE a <> {v};",
    "index-expression": "CREATE TABLE t (a REAL); CREATE INDEX i ON t (a + {v});",
    "generated-column": "CREATE TABLE t (a REAL, g REAL GENERATED ALWAYS AS (a + {v}));",
    "view": "CREATE TABLE t (a REAL); CREATE VIEW v AS SELECT a + {v} AS x FROM t;",
    "trigger": "CREATE TABLE t (a REAL); CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = {v}; END;",
}
SAME_SPELLINGS = [
    ("1.50", "15e-1"),
    ("1e3", "1000.0"),
    (".5", "0.5"),
    ("0x10", "16"),
    ("X'CAFE'", "x'cafe'"),
    ("1.5 /* a note */", "1.5"),
    ("1.5 -- a note\n", "1.5"),
    ("/* ) */ 'it''s'", "'it''s'"),
]
DIFFERENT_VALUES = [("1", "1.0"), ("0x10", "16.0"), ("X'CAFE'", "X'CAFF'"), ("1e3", "1000"), ("'1'", "1")]


def _literal_cases(pairs: list[tuple[str, str]]) -> list:
    return [
        pytest.param(template.format(v=left), template.format(v=right), id=f"{place}:{left.strip()}~{right}")
        for place, template in LITERAL_PLACES.items()
        for left, right in pairs
    ]


@pytest.mark.parametrize(("expected_sql", "actual_sql"), _literal_cases(SAME_SPELLINGS))
def test_literal_spellings_are_equal_everywhere(expected_sql: str, actual_sql: str) -> None:
    assert failing(expected_sql, actual_sql) == []
    assert failing(actual_sql, expected_sql) == []


@pytest.mark.parametrize(("expected_sql", "actual_sql"), _literal_cases(DIFFERENT_VALUES))
def test_literal_values_that_differ_fail_everywhere(expected_sql: str, actual_sql: str) -> None:
    assert failing(expected_sql, actual_sql) != []
    assert failing(actual_sql, expected_sql) != []


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [('"it\'s"', "'it''s'", True), ('"abc"', "'abc'", True), ('"abc"', "'abd'", False)],
)
def test_double_quoted_default_is_a_string_by_its_characters(left: str, right: str, same: bool) -> None:
    result = failing(f"CREATE TABLE t (a TEXT DEFAULT {left});", f"CREATE TABLE t (a TEXT DEFAULT {right});")
    assert (result == []) is same


@pytest.mark.parametrize(
    ("expected_sql", "actual_sql", "expected_kind", "actual_kind"),
    [
        ("CREATE VIRTUAL TABLE ft USING fts5(a, b);", "CREATE TABLE ft (a, b);", "virtual", "table"),
        ("CREATE TABLE ft (a, b);", "CREATE VIRTUAL TABLE ft USING fts5(a, b);", "table", "virtual"),
    ],
)
def test_table_kind_virtual_against_ordinary_is_the_table_finding(
    expected_sql: str, actual_sql: str, expected_kind: str, actual_kind: str
) -> None:
    """The table finding itself says which kind each side has (table_option alone would hide the cause)."""
    table = [f for f in findings(expected_sql, actual_sql) if f.kind == "table"]
    assert [(f.object, f.status, f.expected, f.actual) for f in table] == [
        ("ft", "different", expected_kind, actual_kind)
    ]
    same = [f for f in findings(expected_sql, expected_sql) if f.kind == "table"]
    assert [(f.object, f.status) for f in same] == [("ft", "ok")]


PLAIN_LITERALS = [
    "0", "7", "007", "00", "0000000000000000000001", "9223372036854775807", "9223372036854775808",
    "123456789012345678901234567890", "''", "'abc'", "'a b'", "'a\"b'", "'%_'", "'ü'", "'0'", "'NULL'",
    "'CURRENT_TIMESTAMP'", "'['", "'{}'", "'{\"a\":1}'", "'$1'", "'é\u2028x'", "'  '", "'-- not a comment'",
    "'/* nor this */'", "'`x`'", "'[y]'", "'?'", "':name'", "'x'  ",
]  # fmt: skip


@pytest.mark.parametrize("text", PLAIN_LITERALS)
def test_plain_literals_skip_the_parser_and_get_its_answer(text: str) -> None:
    from driftgate.normalize import (
        _PLAIN_INTEGER,
        _PLAIN_STRING,
        _prepare,
        canonical_expression,
        canonical_tree_expression,
    )

    prepared = _prepare(text)
    assert _PLAIN_INTEGER.fullmatch(prepared) or _PLAIN_STRING.fullmatch(prepared)
    for literal_columns in (True, False):
        assert canonical_expression(text, literal_columns=literal_columns) == canonical_tree_expression(
            prepared, None, literal_columns
        )


def test_random_plain_literals_agree_with_the_parser() -> None:
    import random

    from driftgate.normalize import _prepare, canonical_expression, canonical_tree_expression

    rng = random.Random(11)
    alphabet = [chr(c) for c in range(0x20, 0x7F) if chr(c) not in "'\\"] + ["é", "ß", "中", "\u00a0", "😀"]
    texts = ["".join(rng.choice("0123456789") for _ in range(rng.randint(1, 25))) for _ in range(150)]
    texts += ["'" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) + "'" for _ in range(300)]
    for text in texts:
        assert canonical_expression(text, literal_columns=True) == canonical_tree_expression(_prepare(text), None, True)


@pytest.mark.parametrize("text", ["'a''b'", "'a\\b'", "'\t'", "1.5", "-1", "+1", "0x10", "x'00'", "(0)", "'a' || 'b'"])
def test_other_literals_go_through_the_parser(text: str) -> None:
    from driftgate.normalize import _PLAIN_INTEGER, _PLAIN_STRING, _prepare

    assert not _PLAIN_INTEGER.fullmatch(_prepare(text)) and not _PLAIN_STRING.fullmatch(_prepare(text))


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [("007", "7", True), ("0", "(0)", True), ("'7'", "7", False), ("'abc'", "'ABC'", False), ("''", "NULL", False)],
)
def test_plain_default_spellings_both_ways(a: str, b: str, equal: bool) -> None:
    from driftgate.normalize import canonical_default

    assert (canonical_default(a) == canonical_default(b)) is equal
