package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"versa/internal/kb"
)

// ListTopics returns every topic sorted by title, with its categories and
// features in file order.
func (db *DB) ListTopics(ctx context.Context) ([]kb.Topic, error) {
	return read(ctx, db, func(r *Reader) ([]kb.Topic, error) { return r.ListTopics(ctx) })
}

// ListTopicNames returns every topic sorted by title with its slug, title,
// summary and path only: for lists and links, which need no features.
func (db *DB) ListTopicNames(ctx context.Context) ([]kb.Topic, error) {
	return read(ctx, db, func(r *Reader) ([]kb.Topic, error) { return r.ListTopicNames(ctx) })
}

// FindTopic returns one topic with its categories and features.
func (db *DB) FindTopic(ctx context.Context, slug string) (kb.Topic, error) {
	return read(ctx, db, func(r *Reader) (kb.Topic, error) { return r.FindTopic(ctx, slug) })
}

// ListTopics is DB.ListTopics within r's snapshot.
func (r *Reader) ListTopics(ctx context.Context) ([]kb.Topic, error) {
	ts, err := r.topics(ctx, nil, true)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	return ts, nil
}

// ListTopicNames is DB.ListTopicNames within r's snapshot.
func (r *Reader) ListTopicNames(ctx context.Context) ([]kb.Topic, error) {
	ts, err := r.topics(ctx, nil, false)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	return ts, nil
}

// FindTopic is DB.FindTopic within r's snapshot.
func (r *Reader) FindTopic(ctx context.Context, slug string) (kb.Topic, error) {
	ts, err := r.topics(ctx, &slug, true)
	if err != nil {
		return kb.Topic{}, fmt.Errorf("find topic %q: %w", slug, err)
	}
	if len(ts) == 0 {
		return kb.Topic{}, fmt.Errorf("topic %q: %w", slug, kb.ErrNotFound)
	}
	return ts[0], nil
}

// topics returns the topic named by slug, or all when slug is nil, sorted by
// title, with categories and features when full.
func (r *Reader) topics(ctx context.Context, slug *string, full bool) ([]kb.Topic, error) {
	var arg sql.NullString
	if slug != nil {
		arg = sql.NullString{String: *slug, Valid: true}
	}
	ts := []kb.Topic{}
	index := make(map[string]int)
	err := queryRows(ctx, r.tx, `
		SELECT slug, title, summary, path FROM topics
		WHERE ?1 IS NULL OR slug = ?1
		ORDER BY title, slug`, []any{arg}, func(rows *sql.Rows) error {
		var t kb.Topic
		if err := rows.Scan(&t.Slug, &t.Title, &t.Summary, &t.Path); err != nil {
			return err
		}
		index[t.Slug] = len(ts)
		ts = append(ts, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 || !full {
		return ts, nil
	}

	err = queryRows(ctx, r.tx, `
		SELECT topic, key, title FROM categories
		WHERE ?1 IS NULL OR topic = ?1
		ORDER BY topic, position`, []any{arg}, func(rows *sql.Rows) error {
		var topic string
		var c kb.Category
		if err := rows.Scan(&topic, &c.Key, &c.Title); err != nil {
			return err
		}
		if i, ok := index[topic]; ok {
			ts[i].Categories = append(ts[i].Categories, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}

	err = queryRows(ctx, r.tx, `
		SELECT topic, key, name, category, description, type FROM features
		WHERE ?1 IS NULL OR topic = ?1
		ORDER BY topic, position`, []any{arg}, func(rows *sql.Rows) error {
		var topic, typ string
		var f kb.Feature
		if err := rows.Scan(&topic, &f.Key, &f.Name, &f.Category, &f.Description, &typ); err != nil {
			return err
		}
		f.Type = kb.FeatureType(typ)
		if i, ok := index[topic]; ok {
			ts[i].Features = append(ts[i].Features, f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	return ts, nil
}

// featureKeys returns the feature keys of a topic in order, or
// kb.ErrNotFound if there is no such topic.
func (r *Reader) featureKeys(ctx context.Context, topic string) ([]string, error) {
	var keys []string
	found := false
	// The outer join tells a topic without features from no topic at all.
	err := queryRows(ctx, r.tx, `
		SELECT f.key FROM topics t LEFT JOIN features f ON f.topic = t.slug
		WHERE t.slug = ?
		ORDER BY f.position`, []any{topic}, func(rows *sql.Rows) error {
		var key sql.NullString
		if err := rows.Scan(&key); err != nil {
			return err
		}
		found = true
		if key.Valid {
			keys = append(keys, key.String)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("features of topic %q: %w", topic, err)
	}
	if !found {
		return nil, fmt.Errorf("topic %q: %w", topic, kb.ErrNotFound)
	}
	return keys, nil
}

// queryRows runs a query and calls scan for each row.
func queryRows(ctx context.Context, tx *sql.Tx, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
