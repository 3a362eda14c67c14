-- Free data from Hugo-style front matter (`params:`), kept as JSON ('' when
-- a file has none) on systems and articles: the API gives it back as
-- `params`, the pages do not show it.
ALTER TABLE systems ADD COLUMN params TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN params TEXT NOT NULL DEFAULT '';

-- The read model of a store migrated here lacks what this and the earlier
-- content columns (0008 checked, 0009 weight and short_title) hold until its
-- next full load: naming no revision makes the next start load the folder
-- in full rather than reuse what is stored. The content served until then
-- stays as it is.
UPDATE content_meta SET revision = '' WHERE id = 1;
