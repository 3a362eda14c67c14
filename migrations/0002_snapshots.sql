-- Pinned snapshots: user data. A snapshot holds the whole compare view it
-- pinned as JSON, so it never needs the content tables: it names its topic
-- by slug and has no foreign key into them (their ids change with every
-- load), and content loads, which delete from the content tables by name,
-- never touch it.
CREATE TABLE snapshots (
	id         TEXT PRIMARY KEY, -- a hash of url and data
	created_at TEXT NOT NULL,    -- UTC, same format as articles.updated
	revision   TEXT NOT NULL,    -- the content revision it was pinned from
	url        TEXT NOT NULL,    -- the compare path and query
	topic      TEXT NOT NULL,
	size       INTEGER NOT NULL, -- bytes of data
	data       TEXT NOT NULL CHECK (json_valid(data))
);
