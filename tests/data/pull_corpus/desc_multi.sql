-- DESC keys and multi-column indexes, unique and not.
CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, at INTEGER NOT NULL, actor TEXT, seq INTEGER);
CREATE INDEX events_kind_at ON events (kind, at DESC);
CREATE INDEX events_at_desc ON events (at DESC);
CREATE UNIQUE INDEX events_actor_seq ON events (actor ASC, seq DESC);
CREATE INDEX events_three ON events (actor, kind, at);
