-- Hugo-style front matter an article may have: `weight` (kb.Article.Order;
-- 0 when not given) orders the articles listed on a system's page, lower
-- first and unweighted last, as Hugo does; `linkTitle` (kb.Article.ShortTitle,
-- '' when not given) is the title lists show.
ALTER TABLE articles ADD COLUMN weight INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN short_title TEXT NOT NULL DEFAULT '';

-- Lists read both, so the index that covers article lists takes them too
-- (a column added last is read past the row's html otherwise).
DROP INDEX articles_list;
CREATE INDEX articles_list ON articles (updated DESC, title, topic, slug, summary, path, weight, short_title);
