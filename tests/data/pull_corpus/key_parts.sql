-- Keys whose parts are not their columns as declared: DESC or a COLLATE of their own (listed, not lost),
-- beside keys that inherit their column's collation (declared by naming the column: nothing listed).
CREATE TABLE pk_desc (a INTEGER NOT NULL, b TEXT NOT NULL, v TEXT, PRIMARY KEY (a DESC, b));
CREATE TABLE pk_nocase (a TEXT NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a COLLATE NOCASE, b)) WITHOUT ROWID;
CREATE TABLE pk_one_nocase (code TEXT NOT NULL, v TEXT, PRIMARY KEY (code COLLATE NOCASE));
CREATE TABLE unique_nocase (id INTEGER PRIMARY KEY, email TEXT NOT NULL, UNIQUE (email COLLATE NOCASE));
CREATE TABLE unique_pair_rtrim (id INTEGER PRIMARY KEY, a TEXT, b TEXT, UNIQUE (a, b COLLATE RTRIM));
CREATE TABLE inherited (tag TEXT COLLATE NOCASE NOT NULL, v TEXT COLLATE NOCASE NOT NULL, w TEXT COLLATE NOCASE UNIQUE, PRIMARY KEY (tag, v));
CREATE TABLE inherited_one (code TEXT COLLATE NOCASE NOT NULL PRIMARY KEY, a TEXT COLLATE RTRIM, b TEXT, UNIQUE (a, b));
-- ON CONFLICT clauses, which drizzle never writes: listed (ABORT, the default, is no clause at all).
CREATE TABLE conflicts (id INTEGER PRIMARY KEY ON CONFLICT REPLACE, a TEXT NOT NULL ON CONFLICT IGNORE, b TEXT UNIQUE ON CONFLICT REPLACE, c TEXT NOT NULL ON CONFLICT ABORT);
CREATE TABLE conflicts_pair (a TEXT NOT NULL, b TEXT NOT NULL, PRIMARY KEY (a, b) ON CONFLICT IGNORE);
