package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"versa/internal/kb"
)

// ListSystemSlugs returns the slugs of a topic's systems, sorted. It reads
// only the systems table's (topic, slug) index, for callers such as the
// sitemap that need no cells. An unknown topic is kb.ErrNotFound.
func (db *DB) ListSystemSlugs(ctx context.Context, topic string) ([]string, error) {
	return read(ctx, db, func(r *Reader) ([]string, error) { return r.ListSystemSlugs(ctx, topic) })
}

// ListSystemSlugs is DB.ListSystemSlugs within r's snapshot.
func (r *Reader) ListSystemSlugs(ctx context.Context, topic string) ([]string, error) {
	slugs := []string{}
	found := false
	// The outer join tells a topic without systems from no topic at all.
	err := queryRows(ctx, r.tx, `
		SELECT s.slug FROM topics t LEFT JOIN systems s ON s.topic = t.slug
		WHERE t.slug = ?
		ORDER BY s.slug`, []any{topic}, func(rows *sql.Rows) error {
		var slug sql.NullString
		if err := rows.Scan(&slug); err != nil {
			return err
		}
		found = true
		if slug.Valid {
			slugs = append(slugs, slug.String)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list system slugs of topic %q: %w", topic, err)
	}
	if !found {
		return nil, fmt.Errorf("topic %q: %w", topic, kb.ErrNotFound)
	}
	return slugs, nil
}

// ListSystemNames returns a topic's systems with their slug and name only,
// sorted as ListSystems sorts them: for links and pickers, which need no
// cells. An unknown topic is kb.ErrNotFound.
func (db *DB) ListSystemNames(ctx context.Context, topic string) ([]kb.System, error) {
	return read(ctx, db, func(r *Reader) ([]kb.System, error) { return r.ListSystemNames(ctx, topic) })
}

// ListSystemNames is DB.ListSystemNames within r's snapshot.
func (r *Reader) ListSystemNames(ctx context.Context, topic string) ([]kb.System, error) {
	out := []kb.System{}
	found := false
	err := queryRows(ctx, r.tx, `
		SELECT s.slug, s.name FROM topics t LEFT JOIN systems s ON s.topic = t.slug
		WHERE t.slug = ?
		ORDER BY s.name COLLATE NOCASE, s.slug`, []any{topic}, func(rows *sql.Rows) error {
		var slug, name sql.NullString
		if err := rows.Scan(&slug, &name); err != nil {
			return err
		}
		found = true
		if slug.Valid {
			out = append(out, kb.System{Topic: topic, Slug: slug.String, Name: name.String})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list system names of topic %q: %w", topic, err)
	}
	if !found {
		return nil, fmt.Errorf("topic %q: %w", topic, kb.ErrNotFound)
	}
	return out, nil
}
