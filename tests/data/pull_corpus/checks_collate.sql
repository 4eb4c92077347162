-- CHECK constraints (column, table, named, nested parentheses) and collations.
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  handle TEXT COLLATE RTRIM CHECK (length(handle) BETWEEN 3 AND 30),
  balance INTEGER NOT NULL DEFAULT 0 CONSTRAINT positive CHECK (balance >= 0),
  kind TEXT CHECK (kind IN ('a', 'b', 'c''d')),
  CONSTRAINT handle_or_email CHECK ((handle IS NOT NULL) OR (email <> '')),
  CHECK (balance < 1000000)
);
