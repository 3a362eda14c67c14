package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"versa/internal/kb"
)

// ListArticles returns the articles matching f, newest first (then by
// title), with their systems and tags but without HTML, matrices, aliases
// and sections.
func (db *DB) ListArticles(ctx context.Context, f kb.ArticleFilter) ([]kb.Article, error) {
	return read(ctx, db, func(r *Reader) ([]kb.Article, error) { return r.ListArticles(ctx, f) })
}

// ListTags returns the distinct tags of the articles of a topic, or of every
// topic when topic is empty, sorted.
func (db *DB) ListTags(ctx context.Context, topic string) ([]string, error) {
	return read(ctx, db, func(r *Reader) ([]string, error) { return r.ListTags(ctx, topic) })
}

// FindArticle returns one whole article: with HTML, matrices and sections.
func (db *DB) FindArticle(ctx context.Context, topic, slug string) (kb.Article, error) {
	return read(ctx, db, func(r *Reader) (kb.Article, error) { return r.FindArticle(ctx, topic, slug) })
}

// ListArticles is DB.ListArticles within r's snapshot.
func (r *Reader) ListArticles(ctx context.Context, f kb.ArticleFilter) ([]kb.Article, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, fmt.Errorf("list articles: limit %d, offset %d: %w", f.Limit, f.Offset, kb.ErrInvalid)
	}
	as, err := r.articles(ctx, f, "")
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return as, nil
}

// ListTags is DB.ListTags within r's snapshot.
func (r *Reader) ListTags(ctx context.Context, topic string) ([]string, error) {
	query := `SELECT DISTINCT tag FROM tags WHERE owner_kind = 'article' ORDER BY tag`
	var args []any
	if topic != "" {
		query = `SELECT DISTINCT tag FROM tags WHERE owner_kind = 'article' AND topic = ? ORDER BY tag`
		args = append(args, topic)
	}
	tags := []string{}
	err := queryRows(ctx, r.tx, query, args, func(rows *sql.Rows) error {
		var tag string
		if err := rows.Scan(&tag); err != nil {
			return err
		}
		tags = append(tags, tag)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	return tags, nil
}

// FindArticle is DB.FindArticle within r's snapshot.
func (r *Reader) FindArticle(ctx context.Context, topic, slug string) (kb.Article, error) {
	var id int64
	var html, matrices, params string
	err := r.tx.QueryRowContext(ctx, `SELECT id, html, matrices, params FROM articles WHERE topic = ? AND slug = ?`,
		topic, slug).Scan(&id, &html, &matrices, &params)
	if errors.Is(err, sql.ErrNoRows) {
		return kb.Article{}, fmt.Errorf("article %q in topic %q: %w", slug, topic, kb.ErrNotFound)
	}
	if err != nil {
		return kb.Article{}, fmt.Errorf("find article %q in topic %q: %w", slug, topic, err)
	}
	as, err := r.articles(ctx, kb.ArticleFilter{Topic: topic}, slug)
	if err != nil {
		return kb.Article{}, fmt.Errorf("find article %q in topic %q: %w", slug, topic, err)
	}
	if len(as) == 0 { // cannot be, within one snapshot; but never return nothing
		return kb.Article{}, fmt.Errorf("article %q in topic %q: %w", slug, topic, kb.ErrNotFound)
	}
	a := as[0]
	a.HTML = html
	if a.Matrices, err = decodeJSON[kb.Matrix](matrices); err != nil {
		return kb.Article{}, fmt.Errorf("find article %q in topic %q: %w", slug, topic, err)
	}
	if a.Params, err = decodeParams(params); err != nil {
		return kb.Article{}, fmt.Errorf("find article %q in topic %q: params: %w", slug, topic, err)
	}
	aliases, err := lists[string](ctx, r.tx, `
		SELECT to_slug, from_slug FROM aliases
		WHERE topic = ? AND kind = 'article' AND to_slug = ?
		ORDER BY position`, topic, slug)
	if err != nil {
		return kb.Article{}, fmt.Errorf("find article %q in topic %q: aliases: %w", slug, topic, err)
	}
	a.Aliases = aliases[slug]
	if a.Sections, err = r.sections(ctx, kb.AliasArticle, id); err != nil {
		return kb.Article{}, fmt.Errorf("find article %q in topic %q: %w", slug, topic, err)
	}
	return a, nil
}

// articlePage returns a common table expression "page" holding the id,
// topic, slug, title, summary, updated and path of the articles matching f
// (and slug, if not empty) in list order, with its arguments. The same page
// is joined to systems and tags, so that each is one query.
func articlePage(f kb.ArticleFilter, slug string) (string, []any) {
	var where []string
	var args []any
	switch {
	case slug != "":
		// One article: its (topic, slug) index finds it.
		where = append(where, "a.topic = ?", "a.slug = ?")
		args = append(args, f.Topic, slug)
	case f.Topic != "":
		// The unary + keeps SQLite off the (topic, slug) index, which would
		// read each article's row, html and all, and sort them: walking the
		// covering articles_list index in order stops at the page's end.
		where = append(where, "+a.topic = ?")
		args = append(args, f.Topic)
	}
	if f.Tag != "" {
		where = append(where, `EXISTS (SELECT 1 FROM tags t
			WHERE t.owner_kind = 'article' AND t.owner_id = a.id AND t.tag = ?)`)
		args = append(args, f.Tag)
	}
	if f.System != "" {
		// Driven by article_systems_by_system: the few articles that name
		// the system, rather than a probe for every article.
		where = append(where, `a.id IN (SELECT s.article_id FROM article_systems s WHERE s.system = ?)`)
		args = append(args, f.System)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	limit := -1 // no limit
	if f.Limit > 0 {
		limit = f.Limit
	}
	args = append(args, limit, f.Offset)
	return `WITH page AS (
		SELECT a.id, a.topic, a.slug, a.title, a.summary, a.updated, a.path, a.weight, a.short_title FROM articles a
		` + cond + `
		ORDER BY ` + articleOrder(f, "a.") + `
		LIMIT ? OFFSET ?
	) `, args
}

// articleOrder is the ORDER BY of a list of articles (see
// kb.ArticleFilter.ByWeight), its columns prefixed with table.
func articleOrder(f kb.ArticleFilter, table string) string {
	order := strings.NewReplacer("t.", table).Replace("t.updated DESC, t.title, t.topic, t.slug")
	if f.ByWeight {
		order = strings.NewReplacer("t.", table).Replace("t.weight = 0, t.weight, ") + order
	}
	return order
}

// articles returns the articles matching f (and slug, if not empty) with
// their systems and tags, without HTML, matrices, aliases and sections.
func (r *Reader) articles(ctx context.Context, f kb.ArticleFilter, slug string) ([]kb.Article, error) {
	page, args := articlePage(f, slug)
	as := []kb.Article{}
	var ids []int64
	err := queryRows(ctx, r.tx, page+`
		SELECT id, topic, slug, title, summary, updated, path, weight, short_title FROM page
		ORDER BY `+articleOrder(f, ""), args, func(rows *sql.Rows) error {
		var id int64
		var a kb.Article
		var updated string
		if err := rows.Scan(&id, &a.Topic, &a.Slug, &a.Title, &a.Summary, &updated, &a.Path, &a.Order, &a.ShortTitle); err != nil {
			return err
		}
		var err error
		if a.Updated, err = parseTime(updated); err != nil {
			return err
		}
		as = append(as, a)
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return as, nil
	}

	systems, err := lists[int64](ctx, r.tx, page+`
		SELECT s.article_id, s.system FROM page p
		JOIN article_systems s ON s.article_id = p.id
		ORDER BY s.article_id, s.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("systems: %w", err)
	}
	tags, err := lists[int64](ctx, r.tx, page+`
		SELECT t.owner_id, t.tag FROM page p
		JOIN tags t ON t.owner_kind = 'article' AND t.owner_id = p.id
		ORDER BY t.owner_id, t.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	for i := range as {
		as[i].Systems = systems[ids[i]]
		as[i].Tags = tags[ids[i]]
	}
	return as, nil
}
