package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"versa/internal/kb"
)

// The statements that drop one system, article or topic, children first.
// Each takes the topic as ?1 and, for systems and articles, the slug as ?2.
var (
	dropSystemSQL = []string{
		`DELETE FROM cells WHERE system_id IN (SELECT id FROM systems WHERE topic = ?1 AND slug = ?2)`,
		`DELETE FROM sections WHERE owner_kind = 'system' AND owner_id IN (SELECT id FROM systems WHERE topic = ?1 AND slug = ?2)`,
		`DELETE FROM tags WHERE owner_kind = 'system' AND owner_id IN (SELECT id FROM systems WHERE topic = ?1 AND slug = ?2)`,
		`DELETE FROM aliases WHERE topic = ?1 AND kind = 'system' AND to_slug = ?2`,
		`DELETE FROM systems WHERE topic = ?1 AND slug = ?2`,
	}
	dropArticleSQL = []string{
		`DELETE FROM article_systems WHERE article_id IN (SELECT id FROM articles WHERE topic = ?1 AND slug = ?2)`,
		`DELETE FROM sections WHERE owner_kind = 'article' AND owner_id IN (SELECT id FROM articles WHERE topic = ?1 AND slug = ?2)`,
		`DELETE FROM tags WHERE owner_kind = 'article' AND owner_id IN (SELECT id FROM articles WHERE topic = ?1 AND slug = ?2)`,
		`DELETE FROM aliases WHERE topic = ?1 AND kind = 'article' AND to_slug = ?2`,
		`DELETE FROM articles WHERE topic = ?1 AND slug = ?2`,
	}
	dropTopicSQL = []string{
		`DELETE FROM cells WHERE system_id IN (SELECT id FROM systems WHERE topic = ?1)`,
		`DELETE FROM article_systems WHERE article_id IN (SELECT id FROM articles WHERE topic = ?1)`,
		`DELETE FROM sections WHERE owner_kind = 'system' AND owner_id IN (SELECT id FROM systems WHERE topic = ?1)`,
		`DELETE FROM sections WHERE owner_kind = 'article' AND owner_id IN (SELECT id FROM articles WHERE topic = ?1)`,
		`DELETE FROM tags WHERE topic = ?1`,
		`DELETE FROM aliases WHERE topic = ?1`,
		`DELETE FROM features WHERE topic = ?1`,
		`DELETE FROM categories WHERE topic = ?1`,
		`DELETE FROM systems WHERE topic = ?1`,
		`DELETE FROM articles WHERE topic = ?1`,
		`DELETE FROM topics WHERE slug = ?1`,
	}
)

// ApplyContent changes the content in one transaction, for an incremental
// load: it deletes what drop names, inserts what fill streams into the sink
// (topics, then systems, then articles, as for LoadContent), replaces the
// problems with those fill returns and moves the revision on. Readers see
// the content before or after, never a mix. If anything fails, nothing
// changes, and fill's error is returned wrapped, for errors.Is.
func (db *DB) ApplyContent(ctx context.Context, revision string, drop kb.Drop, fill func(sink kb.Sink) ([]kb.Problem, error)) error {
	if err := applyContent(ctx, db.db, revision, drop, fill); err != nil {
		return fmt.Errorf("apply content change: %w", err)
	}
	return nil
}

func applyContent(ctx context.Context, sdb *sql.DB, revision string, drop kb.Drop, fill func(sink kb.Sink) ([]kb.Problem, error)) error {
	tx, err := sdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()

	run := func(stmts []string, args ...any) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("drop: %w", err)
			}
		}
		return nil
	}
	for _, t := range drop.Topics {
		if err := run(dropTopicSQL, t); err != nil {
			return err
		}
	}
	for _, k := range drop.Systems {
		if err := run(dropSystemSQL, k.Topic, k.Slug); err != nil {
			return err
		}
	}
	for _, k := range drop.Articles {
		if err := run(dropArticleSQL, k.Topic, k.Slug); err != nil {
			return err
		}
	}

	l, err := newLoader(ctx, tx)
	if err != nil {
		return err
	}
	defer l.close()
	// New rows take ids after the ones that stay.
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM systems`).Scan(&l.lastSystem); err != nil {
		return fmt.Errorf("read ids: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM articles`).Scan(&l.lastArticle); err != nil {
		return fmt.Errorf("read ids: %w", err)
	}
	problems, err := fill(l.sink(ctx))
	if err != nil {
		return err
	}
	if err := l.flush(ctx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM problems`); err != nil {
		return fmt.Errorf("delete problems: %w", err)
	}
	if err := insertProblems(ctx, tx, problems); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO content_meta (id, revision, loaded_at) VALUES (1, ?, ?)`,
		revision, formatTime(time.Now())); err != nil {
		return fmt.Errorf("set revision: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
