-- Key and table forms: nullable text keys, INT (not a rowid alias) keys, DESC keys, untyped and sized types.
CREATE TABLE legacy_keys (code TEXT PRIMARY KEY, label VARCHAR(255) NOT NULL, note);
CREATE TABLE int_keys (id INT PRIMARY KEY, v BOOLEAN DEFAULT 1, amount DECIMAL(10, 2));
CREATE TABLE desc_key (id INTEGER PRIMARY KEY DESC, v TEXT);
CREATE TABLE counters (id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL DEFAULT 0);
CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
CREATE TABLE strict_t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, n ANY) STRICT;
CREATE TABLE uniques (a TEXT, b TEXT, c TEXT UNIQUE, UNIQUE (a, b), UNIQUE (b));
