-- Pinned snapshots, as in the SQLite store (migrations/0002_snapshots.sql).
-- data is json, not jsonb: json keeps the text as written, so a snapshot
-- reads back byte for byte on every replica.
CREATE TABLE snapshots (
	id         TEXT PRIMARY KEY, -- a hash of url and data
	created_at TIMESTAMPTZ NOT NULL,
	revision   TEXT NOT NULL,    -- the content revision it was pinned from
	url        TEXT NOT NULL,    -- the compare path and query
	topic      TEXT NOT NULL,
	size       INTEGER NOT NULL, -- bytes of data
	data       JSON NOT NULL
);
