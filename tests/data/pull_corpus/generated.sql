-- Generated columns, stored and virtual.
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  price REAL NOT NULL,
  qty INTEGER NOT NULL DEFAULT 1,
  total REAL GENERATED ALWAYS AS (price * qty) STORED,
  label TEXT AS (upper(substr('item-' || id, 1, 10))) VIRTUAL,
  data TEXT,
  kind TEXT GENERATED ALWAYS AS (json_extract(data, '$.kind'))
);
CREATE INDEX items_kind ON items (kind);
