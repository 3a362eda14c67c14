-- The content read model. Every table below is emptied and refilled by each
-- content load: internal/sqlite ReplaceContent deletes from them by name, in
-- one transaction. Tables for user data (pinned snapshots, ...) belong in
-- later migrations, which loads never touch; they must not reference these
-- tables with foreign keys, and should name content by topic and slug, since
-- the integer ids below are handed out afresh by every load.
--
-- A load writes tens of megabytes, so the schema is shaped for it:
-- - systems and articles get integer ids in load order, and what hangs off
--   them (cells, sections, tags, article systems) is keyed by those ids, so
--   that inserts append to B-trees instead of comparing long text keys;
-- - only the small definition tables (categories, features, systems) have
--   foreign keys: a table in a foreign key is emptied row by row, the others
--   by freeing their pages (the loader validates references, and
--   ReplaceContent checks that cells name features of their topic);
-- - large columns (html, text, items, matrices) come last, so that queries
--   that do not select them skip their bytes.

CREATE TABLE topics (
	slug    TEXT PRIMARY KEY,
	title   TEXT NOT NULL,
	summary TEXT NOT NULL,
	path    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE categories (
	topic    TEXT NOT NULL REFERENCES topics (slug),
	key      TEXT NOT NULL,
	position INTEGER NOT NULL, -- in topic.yaml
	title    TEXT NOT NULL,
	PRIMARY KEY (topic, key)
) WITHOUT ROWID;

CREATE TABLE features (
	topic       TEXT NOT NULL REFERENCES topics (slug),
	key         TEXT NOT NULL,
	position    INTEGER NOT NULL, -- in topic.yaml: the order of rows and cells
	name        TEXT NOT NULL,
	category    TEXT NOT NULL,
	type        TEXT NOT NULL,
	description TEXT NOT NULL,
	PRIMARY KEY (topic, key)
) WITHOUT ROWID;

CREATE TABLE systems (
	id       INTEGER PRIMARY KEY,
	topic    TEXT NOT NULL REFERENCES topics (slug),
	slug     TEXT NOT NULL,
	name     TEXT NOT NULL,
	homepage TEXT NOT NULL,
	summary  TEXT NOT NULL,
	path     TEXT NOT NULL,
	UNIQUE (topic, slug)
);

-- Only cells that say something are stored; readers fill the other features
-- of the topic with unknown cells.
CREATE TABLE cells (
	system_id INTEGER NOT NULL,
	feature   TEXT NOT NULL,
	support   TEXT NOT NULL,
	value     TEXT NOT NULL,
	note      TEXT NOT NULL,
	since     TEXT NOT NULL,
	via       TEXT NOT NULL,
	source    TEXT NOT NULL,
	PRIMARY KEY (system_id, feature)
) WITHOUT ROWID;

CREATE TABLE articles (
	id       INTEGER PRIMARY KEY,
	topic    TEXT NOT NULL,
	slug     TEXT NOT NULL,
	title    TEXT NOT NULL,
	summary  TEXT NOT NULL,
	-- UTC, fixed width (2006-01-02T15:04:05.000000000Z) so text order is time order.
	updated  TEXT NOT NULL,
	path     TEXT NOT NULL,
	matrices TEXT NOT NULL, -- JSON array of matrices, '' when none
	html     TEXT NOT NULL,
	UNIQUE (topic, slug)
);

-- Covers article lists, newest first: read from the table, a list would read
-- every article's html on the way.
CREATE INDEX articles_list ON articles (updated DESC, title, topic, slug, summary, path);

-- The systems an article is about (slugs of its topic), in front matter order.
CREATE TABLE article_systems (
	article_id INTEGER NOT NULL,
	position   INTEGER NOT NULL,
	system     TEXT NOT NULL,
	PRIMARY KEY (article_id, position)
) WITHOUT ROWID;

-- The `##` sections of a system's or an article's body, in order. owner_id
-- is a systems.id or an articles.id, as owner_kind says.
CREATE TABLE sections (
	id         INTEGER PRIMARY KEY,
	owner_kind TEXT NOT NULL CHECK (owner_kind IN ('system', 'article')),
	owner_id   INTEGER NOT NULL,
	position   INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	heading    TEXT NOT NULL,
	anchor     TEXT NOT NULL,
	html       TEXT NOT NULL,
	text       TEXT NOT NULL,
	items      TEXT NOT NULL -- JSON array of strings, '' when none
);

-- owner_id leads so that most comparisons are of integers. Not UNIQUE: the
-- loader numbers positions itself, and a unique index costs a second search
-- per insert.
CREATE INDEX sections_owner ON sections (owner_id, owner_kind, position);

-- Tags of systems and articles, in file order.
CREATE TABLE tags (
	owner_id   INTEGER NOT NULL,
	owner_kind TEXT NOT NULL CHECK (owner_kind IN ('system', 'article')),
	position   INTEGER NOT NULL,
	topic      TEXT NOT NULL,
	tag        TEXT NOT NULL,
	PRIMARY KEY (owner_id, owner_kind, position)
) WITHOUT ROWID;

-- Old slugs of systems and articles, which redirect to the current ones.
CREATE TABLE aliases (
	topic     TEXT NOT NULL,
	kind      TEXT NOT NULL CHECK (kind IN ('system', 'article')),
	from_slug TEXT NOT NULL,
	to_slug   TEXT NOT NULL,
	position  INTEGER NOT NULL, -- in the owner's `aliases`
	PRIMARY KEY (topic, kind, from_slug)
) WITHOUT ROWID;

-- Problems of the last load, in the order they were reported.
CREATE TABLE problems (
	id   INTEGER PRIMARY KEY,
	path TEXT NOT NULL,
	line INTEGER NOT NULL,
	msg  TEXT NOT NULL
);

-- The revision being served; no row until content was loaded once.
CREATE TABLE content_meta (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	revision  TEXT NOT NULL,
	loaded_at TEXT NOT NULL -- UTC, same format as articles.updated
);
