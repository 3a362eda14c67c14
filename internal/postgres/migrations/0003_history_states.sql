-- The loader's state of the content of the latest recorded revision, as in
-- the SQLite store (migrations/0010): written with the revision in the same
-- transaction, replaced when the next revision is recorded (a cache of what
-- the history recorded, not history: its changes stay, append-only).
CREATE TABLE history_states (
	seq   BIGINT PRIMARY KEY REFERENCES history_revisions (seq),
	state BYTEA NOT NULL
);
