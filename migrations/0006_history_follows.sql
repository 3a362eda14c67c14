-- A recorded revision follows the one recorded before it, and at most one
-- can follow each: two servers recording the same load record it once, as
-- UNIQUE (revision, parent) made sure, but the same change made again after
-- a revert (A -> B -> A -> B) is recorded again, which that refused. The
-- table is rebuilt with every row it has; history is never dropped.
CREATE TABLE history_revisions_next (
	seq         INTEGER PRIMARY KEY,  -- order of recording
	follows     INTEGER NOT NULL,     -- the seq of the revision it followed, 0 for the first
	revision    TEXT NOT NULL,        -- the content revision id
	parent      TEXT NOT NULL,        -- the content revision it followed, '' for the first
	recorded_at TEXT NOT NULL,        -- UTC, same format as articles.updated
	commit_id   TEXT NOT NULL,        -- git commit of the content folder, '' if none
	subject     TEXT NOT NULL,        -- that commit's subject line
	baseline    INTEGER NOT NULL,     -- 1: nothing is listed as changed
	changes     INTEGER NOT NULL,     -- how many rows in history_changes
	UNIQUE (follows)
);
INSERT INTO history_revisions_next (seq, follows, revision, parent, recorded_at, commit_id, subject, baseline, changes)
	SELECT r.seq, COALESCE((SELECT MAX(p.seq) FROM history_revisions p WHERE p.seq < r.seq), 0),
		r.revision, r.parent, r.recorded_at, r.commit_id, r.subject, r.baseline, r.changes
	FROM history_revisions r;
DROP INDEX history_revisions_time;
DROP TABLE history_revisions;
ALTER TABLE history_revisions_next RENAME TO history_revisions;
CREATE INDEX history_revisions_time ON history_revisions (recorded_at);
