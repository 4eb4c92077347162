-- Views (with and without a column list) and triggers.
CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0, updated_at INTEGER);
CREATE TABLE audit (id INTEGER PRIMARY KEY, post_id INTEGER, action TEXT);
CREATE VIEW published_posts AS SELECT id, title FROM posts WHERE published = 1;
CREATE VIEW post_counts (state, n) AS SELECT published, count(*) FROM posts GROUP BY published;
CREATE TRIGGER posts_touch AFTER UPDATE ON posts BEGIN UPDATE posts SET updated_at = unixepoch() WHERE id = NEW.id; END;
CREATE TRIGGER posts_audit AFTER DELETE ON posts BEGIN INSERT INTO audit (post_id, action) VALUES (OLD.id, 'delete'); END;
CREATE TABLE gone (id INTEGER PRIMARY KEY);
CREATE VIEW over_gone AS SELECT id FROM gone;
DROP TABLE gone;
CREATE VIEW typed AS SELECT id, CAST(published AS TEXT) AS state, title || '!' AS shout FROM posts;
