-- since= finds where the changes after a revision start (history_changes by
-- seq), and a revision by its id or a prefix of it, without a scan.
CREATE INDEX history_changes_seq ON history_changes (seq);
CREATE INDEX history_revisions_revision ON history_revisions (revision);
-- A comparison's list of some rows seeks each system's changes of those
-- features (and its own, feature '').
CREATE INDEX history_changes_system_feature ON history_changes (topic, system, feature, id DESC);
