-- Each change's running counts, as in the SQLite store (migrations/0011;
-- internal/history/rank.go): of its topic, of its system (or, for system
-- '', of the topic's rows) and of its system's feature, so that a page deep
-- in a list seeks instead of counting. A system's seek needs its changes
-- in order of id, which history_changes_system_feature does not give.
ALTER TABLE history_changes
	ADD COLUMN topic_rank BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN system_rank BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN feature_rank BIGINT NOT NULL DEFAULT 0;
UPDATE history_changes c SET topic_rank = r.t, system_rank = r.s, feature_rank = r.f
FROM (SELECT id,
		ROW_NUMBER() OVER (PARTITION BY topic ORDER BY id) AS t,
		SUM(ranked) OVER (PARTITION BY topic, system ORDER BY id) AS s,
		SUM(ranked) OVER (PARTITION BY topic, system, feature ORDER BY id) AS f
	FROM (SELECT id, topic, system, feature,
		CASE WHEN system <> '' OR kind IN ('feature_added', 'feature_removed', 'feature_changed',
			'category_added', 'category_removed', 'category_changed') THEN 1 ELSE 0 END AS ranked
		FROM history_changes) AS k) AS r
WHERE r.id = c.id;
CREATE INDEX history_changes_system ON history_changes (topic, system, id DESC);
