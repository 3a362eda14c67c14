package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"versa/internal/kb"
)

// ResolveAlias returns the current slug of the system or article (kind is
// kb.AliasSystem or kb.AliasArticle) that an old slug of a topic stands for,
// or kb.ErrNotFound.
func (db *DB) ResolveAlias(ctx context.Context, topic, kind, from string) (string, error) {
	return read(ctx, db, func(r *Reader) (string, error) { return r.ResolveAlias(ctx, topic, kind, from) })
}

// ResolveAlias is DB.ResolveAlias within r's snapshot.
func (r *Reader) ResolveAlias(ctx context.Context, topic, kind, from string) (string, error) {
	if kind != kb.AliasSystem && kind != kb.AliasArticle {
		return "", fmt.Errorf("resolve alias: kind %q: %w", kind, kb.ErrInvalid)
	}
	var to string
	err := r.tx.QueryRowContext(ctx, `SELECT to_slug FROM aliases WHERE topic = ? AND kind = ? AND from_slug = ?`,
		topic, kind, from).Scan(&to)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s alias %q in topic %q: %w", kind, from, topic, kb.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("resolve %s alias %q in topic %q: %w", kind, from, topic, err)
	}
	return to, nil
}
