-- Each change's running counts (internal/history/rank.go): the changes of
-- its topic so far, itself included; the changes of its system (or, for
-- System '', of the topic's rows: features and categories) so far; and
-- those of its system's feature. A page deep in a list seeks through them
-- instead of counting the changes before it. The recorded changes are
-- numbered here in the order of their ids, as Record numbers new ones.
ALTER TABLE history_changes ADD COLUMN topic_rank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE history_changes ADD COLUMN system_rank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE history_changes ADD COLUMN feature_rank INTEGER NOT NULL DEFAULT 0;
UPDATE history_changes SET topic_rank = r.t, system_rank = r.s, feature_rank = r.f
FROM (SELECT id,
		ROW_NUMBER() OVER (PARTITION BY topic ORDER BY id) AS t,
		SUM(ranked) OVER (PARTITION BY topic, system ORDER BY id) AS s,
		SUM(ranked) OVER (PARTITION BY topic, system, feature ORDER BY id) AS f
	FROM (SELECT id, topic, system, feature,
		system <> '' OR kind IN ('feature_added', 'feature_removed', 'feature_changed',
			'category_added', 'category_removed', 'category_changed') AS ranked
		FROM history_changes)) AS r
WHERE r.id = history_changes.id;
-- The indexes of the lists carry the rank they seek by, so that a seek,
-- and the recording's read of where each group's counts stand, stop at
-- the index.
DROP INDEX history_changes_topic;
CREATE INDEX history_changes_topic ON history_changes (topic, id DESC, topic_rank);
DROP INDEX history_changes_system;
CREATE INDEX history_changes_system ON history_changes (topic, system, id DESC, system_rank);
DROP INDEX history_changes_system_feature;
CREATE INDEX history_changes_system_feature ON history_changes (topic, system, feature, id DESC, feature_rank);
