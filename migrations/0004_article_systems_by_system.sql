-- The articles that name a system (its page lists them): without this index
-- the query probes article_systems once for every article of the folder.
CREATE INDEX article_systems_by_system ON article_systems (system, article_id);
