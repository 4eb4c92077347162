-- Partial indexes, expression keys, collated keys.
CREATE TABLE docs (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, deleted_at INTEGER, score REAL, slug TEXT);
CREATE INDEX docs_live ON docs (title) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX docs_slug_live ON docs (slug) WHERE deleted_at IS NULL AND slug <> '';
CREATE INDEX docs_lower_title ON docs (lower(title));
CREATE INDEX docs_len_desc ON docs (length(body) DESC, score);
CREATE INDEX docs_title_nocase ON docs (title COLLATE NOCASE DESC);
CREATE INDEX docs_json ON docs (json_extract(body, '$.a.b')) WHERE score > 0.5;
