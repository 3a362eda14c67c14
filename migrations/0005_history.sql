-- Content history: user data, append-only. A content load that changes
-- anything appends one revision and its changes; content loads, rebuilds
-- and later migrations never delete from these tables. They name content by
-- topic and slug and have no foreign key into the content tables.
CREATE TABLE history_revisions (
	seq         INTEGER PRIMARY KEY,  -- order of recording
	revision    TEXT NOT NULL,        -- the content revision id
	parent      TEXT NOT NULL,        -- the revision it followed, '' for a baseline
	recorded_at TEXT NOT NULL,        -- UTC, same format as articles.updated
	commit_id   TEXT NOT NULL,        -- git commit of the content folder, '' if none
	subject     TEXT NOT NULL,        -- that commit's subject line
	baseline    INTEGER NOT NULL,     -- 1: nothing is listed as changed
	changes     INTEGER NOT NULL,     -- how many rows in history_changes
	UNIQUE (revision, parent)         -- recording is idempotent per revision
);

CREATE TABLE history_changes (
	id          INTEGER PRIMARY KEY,  -- order within the history
	seq         INTEGER NOT NULL,     -- history_revisions.seq
	kind        TEXT NOT NULL,        -- cell, feature_added, system_renamed, ... (internal/history)
	topic       TEXT NOT NULL,
	system      TEXT NOT NULL,        -- slug ('' when none); the new slug of a rename
	old_slug    TEXT NOT NULL,        -- the old slug of a renamed system or article
	feature     TEXT NOT NULL,
	category    TEXT NOT NULL,
	article     TEXT NOT NULL,
	old_name    TEXT NOT NULL,
	new_name    TEXT NOT NULL,
	updated     TEXT NOT NULL,        -- an article's `updated`, '' when none
	old_support TEXT NOT NULL, old_value TEXT NOT NULL, old_note TEXT NOT NULL, old_since TEXT NOT NULL,
	old_via     TEXT NOT NULL, old_source TEXT NOT NULL, old_checked TEXT NOT NULL,
	new_support TEXT NOT NULL, new_value TEXT NOT NULL, new_note TEXT NOT NULL, new_since TEXT NOT NULL,
	new_via     TEXT NOT NULL, new_source TEXT NOT NULL, new_checked TEXT NOT NULL
);

-- Change pages, newest first: a topic's, and a system's (by new or old slug).
CREATE INDEX history_changes_topic ON history_changes (topic, id DESC);
CREATE INDEX history_changes_system ON history_changes (topic, system, id DESC);
CREATE INDEX history_changes_old_slug ON history_changes (topic, old_slug, id DESC) WHERE old_slug <> '';
CREATE INDEX history_revisions_time ON history_revisions (recorded_at);
