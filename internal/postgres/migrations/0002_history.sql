-- The change history, as in the SQLite store (migrations/0005 to 0007):
-- a revision per content load that changed anything, and its changes.
-- Append-only: nothing deletes from these tables. UNIQUE (follows) makes
-- recording idempotent: two replicas loading the same content after the
-- same revision record it once (INSERT ... ON CONFLICT (follows) DO NOTHING).
CREATE TABLE history_revisions (
	seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- order of recording (gaps allowed)
	follows     BIGINT NOT NULL UNIQUE, -- the seq recorded before it, 0 for the first
	revision    TEXT NOT NULL,          -- the content revision id
	parent      TEXT NOT NULL,          -- the revision it followed, '' for a baseline
	recorded_at TIMESTAMPTZ NOT NULL,
	commit_id   TEXT NOT NULL,          -- git commit of the content folder, '' if none
	subject     TEXT NOT NULL,          -- that commit's subject line
	baseline    BOOLEAN NOT NULL,       -- nothing is listed as changed
	changes     INTEGER NOT NULL        -- how many rows in history_changes
);
CREATE INDEX history_revisions_time ON history_revisions (recorded_at);
CREATE INDEX history_revisions_revision ON history_revisions (revision text_pattern_ops);

CREATE TABLE history_changes (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- order within the history
	seq         BIGINT NOT NULL REFERENCES history_revisions (seq),
	kind        TEXT NOT NULL,          -- cell, feature_added, system_renamed, ... (internal/history)
	topic       TEXT NOT NULL,
	system      TEXT NOT NULL,          -- slug ('' when none); the new slug of a rename
	old_slug    TEXT NOT NULL,          -- the old slug of a renamed system
	feature     TEXT NOT NULL,
	category    TEXT NOT NULL,
	article     TEXT NOT NULL,
	old_name    TEXT NOT NULL,
	new_name    TEXT NOT NULL,
	updated     TIMESTAMPTZ,            -- an article's `updated`, NULL when none
	old_support TEXT NOT NULL, old_value TEXT NOT NULL, old_note TEXT NOT NULL, old_since TEXT NOT NULL,
	old_via     TEXT NOT NULL, old_source TEXT NOT NULL, old_checked TEXT NOT NULL,
	new_support TEXT NOT NULL, new_value TEXT NOT NULL, new_note TEXT NOT NULL, new_since TEXT NOT NULL,
	new_via     TEXT NOT NULL, new_source TEXT NOT NULL, new_checked TEXT NOT NULL
);
CREATE INDEX history_changes_seq ON history_changes (seq);
CREATE INDEX history_changes_topic ON history_changes (topic, id DESC);
CREATE INDEX history_changes_system_feature ON history_changes (topic, system, feature, id DESC);
CREATE INDEX history_changes_old_slug ON history_changes (topic, old_slug, id DESC) WHERE old_slug <> '';
CREATE INDEX history_changes_kind ON history_changes (topic, kind, id DESC);
