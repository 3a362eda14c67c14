-- The loader's state of the content of the latest recorded revision (its
-- model, gzip'd JSON; internal/ingest/state.go), written with the revision
-- in the same transaction, so that the first load after a start diffs
-- against what was recorded last instead of recording a baseline. It is a
-- cache of what the history recorded, not history: a state is replaced
-- when the next revision is recorded (its changes stay, append-only).
CREATE TABLE history_states (
	seq   INTEGER PRIMARY KEY REFERENCES history_revisions (seq),
	state BLOB NOT NULL
);
