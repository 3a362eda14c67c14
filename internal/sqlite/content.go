package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"versa/internal/kb"
)

// deleteContentSQL empties the content tables, naming each: tables that later
// migrations add for user data are never touched by a load. Children go
// before parents so that foreign key checks find nothing to object to.
const deleteContentSQL = `
DELETE FROM cells;
DELETE FROM article_systems;
DELETE FROM sections;
DELETE FROM tags;
DELETE FROM aliases;
DELETE FROM features;
DELETE FROM categories;
DELETE FROM systems;
DELETE FROM articles;
DELETE FROM topics;
DELETE FROM problems;
DELETE FROM content_meta;
`

// ReplaceContent replaces all content with c and its load's problems, in one
// transaction: readers see the old content or the new one, never a mix. If
// anything fails, the old content stays.
func (db *DB) ReplaceContent(ctx context.Context, c *kb.Content, problems []kb.Problem) error {
	if c == nil {
		return fmt.Errorf("replace content: nil content: %w", kb.ErrInvalid)
	}
	return db.LoadContent(ctx, c.Revision, func(sink kb.Sink) ([]kb.Problem, error) {
		for _, t := range c.Topics {
			if err := sink.Topic(t); err != nil {
				return nil, err
			}
		}
		for _, s := range c.Systems {
			if err := sink.System(s); err != nil {
				return nil, err
			}
		}
		for _, a := range c.Articles {
			if err := sink.Article(a); err != nil {
				return nil, err
			}
		}
		return problems, nil
	})
}

// LoadContent replaces all content in one transaction, like ReplaceContent,
// but takes the new content as a stream: fill hands every topic, then every
// system, then the articles to sink (content.Stream does), and returns the
// load's problems. Rows go to SQLite while the rest is still being parsed,
// so a cold load overlaps parsing and writing and never holds all of it in
// memory. If fill or any insert fails, the old content stays, and fill's
// error is returned wrapped, for errors.Is.
func (db *DB) LoadContent(ctx context.Context, revision string, fill func(sink kb.Sink) ([]kb.Problem, error)) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	defer conn.Close()

	// A load writes tens of megabytes. A bigger cache (8 MiB, back to
	// SQLite's 2 MB default afterwards) keeps the pages being filled; 64
	// MiB was no faster (the 10,000-article corpus built in 3.9 s with it,
	// 3.1 s with 8 MiB, medians of 3) and held 85 MiB more at the peak of a
	// cold build (390 -> 303 MiB). The checkpoint that would copy the pages
	// into the database file before the commit returns runs after it, in
	// the background, so that a load returns as soon as the new content is
	// visible.
	defer func() {
		_, err := conn.ExecContext(context.Background(), `PRAGMA cache_size = -2000; PRAGMA wal_autocheckpoint = 1000`)
		if err != nil {
			// Never hand the pool a connection with the settings below.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -8192; PRAGMA wal_autocheckpoint = 0`); err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	if err := loadContent(ctx, conn, revision, fill); err != nil {
		return fmt.Errorf("load content: %w", err)
	}
	db.checkpointSoon()
	return nil
}

func loadContent(ctx context.Context, conn *sql.Conn, revision string, fill func(sink kb.Sink) ([]kb.Problem, error)) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, deleteContentSQL); err != nil {
		return fmt.Errorf("delete old content: %w", err)
	}
	l, err := newLoader(ctx, tx)
	if err != nil {
		return err
	}
	defer l.close()
	problems, err := fill(l.sink(ctx))
	if err != nil {
		return err
	}
	if err := l.flush(ctx); err != nil {
		return err
	}
	if err := insertProblems(ctx, tx, problems); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO content_meta (id, revision, loaded_at) VALUES (1, ?, ?)`,
		revision, formatTime(time.Now())); err != nil {
		return fmt.Errorf("insert revision: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// SetProblems replaces the problems only. It is for a reload that failed
// validation: the old content keeps serving, and the status shows why the new
// one was refused.
//
// refused names the revision of the folder that had the problems. The
// revision being served stays, and Revision reports both, so that the next
// load knows the store holds good content to protect.
func (db *DB) SetProblems(ctx context.Context, refused string, problems []kb.Problem) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set problems: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM problems`); err != nil {
		return fmt.Errorf("set problems: delete: %w", err)
	}
	if err := insertProblems(ctx, tx, problems); err != nil {
		return fmt.Errorf("set problems: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE content_meta SET refused = ? WHERE id = 1`, refused); err != nil {
		return fmt.Errorf("set problems: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set problems: commit: %w", err)
	}
	return nil
}

// Revision returns the revision being served, when it was loaded and the
// current problems; kb.ErrNotFound if content was never loaded.
func (db *DB) Revision(ctx context.Context) (kb.Revision, error) {
	return read(ctx, db, func(r *Reader) (kb.Revision, error) { return r.Revision(ctx) })
}

// ListProblems returns the current problems in the order they were reported,
// whether or not content was ever loaded.
func (db *DB) ListProblems(ctx context.Context) ([]kb.Problem, error) {
	return read(ctx, db, func(r *Reader) ([]kb.Problem, error) { return r.ListProblems(ctx) })
}

// Revision is DB.Revision within r's snapshot.
func (r *Reader) Revision(ctx context.Context) (kb.Revision, error) {
	var rev kb.Revision
	var loaded string
	err := r.tx.QueryRowContext(ctx, `SELECT revision, loaded_at, refused FROM content_meta WHERE id = 1`).Scan(&rev.ID, &loaded, &rev.Refused)
	if errors.Is(err, sql.ErrNoRows) {
		return kb.Revision{}, fmt.Errorf("content revision: %w", kb.ErrNotFound)
	}
	if err != nil {
		return kb.Revision{}, fmt.Errorf("content revision: %w", err)
	}
	if rev.LoadedAt, err = parseTime(loaded); err != nil {
		return kb.Revision{}, fmt.Errorf("content revision: %w", err)
	}
	ps, err := r.ListProblems(ctx)
	if err != nil {
		return kb.Revision{}, err
	}
	if len(ps) > 0 {
		rev.Problems = ps
	}
	return rev, nil
}

// ListProblems is DB.ListProblems within r's snapshot.
func (r *Reader) ListProblems(ctx context.Context) ([]kb.Problem, error) {
	rows, err := r.tx.QueryContext(ctx, `SELECT path, line, msg FROM problems ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list problems: %w", err)
	}
	defer rows.Close()
	ps := []kb.Problem{}
	for rows.Next() {
		var p kb.Problem
		if err := rows.Scan(&p.Path, &p.Line, &p.Msg); err != nil {
			return nil, fmt.Errorf("list problems: %w", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list problems: %w", err)
	}
	return ps, nil
}

func insertProblems(ctx context.Context, tx *sql.Tx, problems []kb.Problem) error {
	if len(problems) == 0 {
		return nil
	}
	ins, err := newInserter(ctx, tx, "problems", []string{"id", "path", "line", "msg"})
	if err != nil {
		return err
	}
	defer ins.close()
	for i, p := range problems {
		if err := ins.add(ctx, i+1, p.Path, p.Line, p.Msg); err != nil {
			return err
		}
	}
	return ins.flush(ctx)
}

// stored reports whether a cell is worth a row: the others read back as the
// unknown cells they are.
func stored(c kb.Cell) bool {
	return c.Known() || c.Note != "" || c.Since != "" || c.Via != "" || c.Source != "" || !c.Checked.IsZero()
}

// loader holds the inserters of one content load.
type loader struct {
	topics, categories, features, systems, cells *inserter
	articles, articleSystems, sections, tags     *inserter
	aliases                                      *inserter
	all                                          []*inserter

	// featureKeys holds each topic's feature keys, to check cells against.
	tx                      *sql.Tx
	featureKeys             map[string]map[string]bool
	lastSystem, lastArticle int64
	topicsDone              bool
}

func newLoader(ctx context.Context, tx *sql.Tx) (*loader, error) {
	l := &loader{tx: tx, featureKeys: map[string]map[string]bool{}}
	for _, p := range []struct {
		dst   **inserter
		table string
		cols  []string
	}{
		{&l.topics, "topics", []string{"slug", "title", "summary", "path"}},
		{&l.categories, "categories", []string{"topic", "key", "position", "title"}},
		{&l.features, "features", []string{"topic", "key", "position", "name", "category", "type", "description"}},
		{&l.systems, "systems", []string{"id", "topic", "slug", "name", "homepage", "summary", "path", "params"}},
		{&l.cells, "cells", []string{"system_id", "feature", "support", "value", "note", "since", "via", "source", "checked"}},
		{&l.articles, "articles", []string{"id", "topic", "slug", "title", "summary", "updated", "path", "matrices", "html", "weight", "short_title", "params"}},
		{&l.articleSystems, "article_systems", []string{"article_id", "position", "system"}},
		{&l.sections, "sections", []string{"owner_kind", "owner_id", "position", "kind", "heading", "anchor", "html", "text", "items"}},
		{&l.tags, "tags", []string{"owner_kind", "owner_id", "position", "topic", "tag"}},
		{&l.aliases, "aliases", []string{"topic", "kind", "from_slug", "to_slug", "position"}},
	} {
		ins, err := newInserter(ctx, tx, p.table, p.cols)
		if err != nil {
			l.close()
			return nil, err
		}
		*p.dst = ins
		l.all = append(l.all, ins)
	}
	return l, nil
}

func (l *loader) close() {
	for _, ins := range l.all {
		ins.close()
	}
}

// flush inserts the rows still buffered, parents first.
func (l *loader) flush(ctx context.Context) error {
	for _, ins := range l.all {
		if err := ins.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// sink returns the kb.Sink a load's content is streamed into. It checks
// the references the schema leaves to the loader (see
// migrations/0001_init.sql), so that a loader bug fails the load with a
// clear message instead of storing cells no page would show. Systems and
// articles get ids in the order they come, so every insert appends to its
// B-tree.
func (l *loader) sink(ctx context.Context) kb.Sink {
	return kb.Sink{
		Topic: func(t kb.Topic) error {
			if l.topicsDone {
				return fmt.Errorf("topic %q after systems or articles: %w", t.Slug, kb.ErrInvalid)
			}
			keys := make(map[string]bool, len(t.Features))
			for _, f := range t.Features {
				keys[f.Key] = true
			}
			l.featureKeys[t.Slug] = keys
			// The topic goes in at once: its categories and features refer to it.
			if err := l.topics.add(ctx, t.Slug, t.Title, t.Summary, t.Path); err != nil {
				return err
			}
			if err := l.topics.flush(ctx); err != nil {
				return err
			}
			return l.addTopic(ctx, t)
		},
		System: func(s kb.System) error {
			keys, err := l.topicOf(ctx, "system", s.Topic, s.Slug)
			if err != nil {
				return err
			}
			for _, cell := range s.Cells {
				if stored(cell) && !keys[cell.Feature] {
					return fmt.Errorf("system %q in topic %q: cell of unknown feature %q: %w", s.Slug, s.Topic, cell.Feature, kb.ErrInvalid)
				}
			}
			l.lastSystem++
			return l.addSystem(ctx, l.lastSystem, s)
		},
		Article: func(a kb.Article) error {
			if _, err := l.topicOf(ctx, "article", a.Topic, a.Slug); err != nil {
				return err
			}
			l.lastArticle++
			return l.addArticle(ctx, l.lastArticle, a)
		},
	}
}

// topicOf returns the feature keys of a system's or article's topic. The
// first call flushes the topics, which the rows that follow refer to.
func (l *loader) topicOf(ctx context.Context, what, topic, slug string) (map[string]bool, error) {
	if !l.topicsDone {
		l.topicsDone = true
		for _, ins := range []*inserter{l.topics, l.categories, l.features} {
			if err := ins.flush(ctx); err != nil {
				return nil, err
			}
		}
	}
	keys, ok := l.featureKeys[topic]
	if ok {
		return keys, nil
	}
	// An incremental load adds systems and articles to topics it was not
	// sent: read those topics' feature keys from the store.
	var exists bool
	if err := l.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM topics WHERE slug = ?)`, topic).Scan(&exists); err != nil {
		return nil, fmt.Errorf("%s %q: read topic %q: %w", what, slug, topic, err)
	}
	if !exists {
		return nil, fmt.Errorf("%s %q: unknown topic %q: %w", what, slug, topic, kb.ErrInvalid)
	}
	keys = map[string]bool{}
	err := queryRows(ctx, l.tx, `SELECT key FROM features WHERE topic = ?`, []any{topic}, func(rows *sql.Rows) error {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		keys[k] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s %q: read features of %q: %w", what, slug, topic, err)
	}
	l.featureKeys[topic] = keys
	return keys, nil
}

// addTopic adds the categories and features of a topic.
func (l *loader) addTopic(ctx context.Context, t kb.Topic) error {
	for i, c := range t.Categories {
		if err := l.categories.add(ctx, t.Slug, c.Key, i, c.Title); err != nil {
			return err
		}
	}
	for i, f := range t.Features {
		if err := l.features.add(ctx, t.Slug, f.Key, i, f.Name, f.Category, string(f.Type), f.Description); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) addSystem(ctx context.Context, id int64, s kb.System) error {
	params, err := encodeParams(s.Params)
	if err != nil {
		return fmt.Errorf("system %s params: %w", s.Path, err)
	}
	if err := l.systems.add(ctx, id, s.Topic, s.Slug, s.Name, s.Homepage, s.Summary, s.Path, params); err != nil {
		return err
	}
	for _, c := range s.Cells {
		if !stored(c) {
			continue
		}
		if err := l.cells.add(ctx, id, c.Feature, string(c.Support), c.Value, c.Note, c.Since, c.Via, c.Source, c.CheckedDate()); err != nil {
			return err
		}
	}
	if err := l.addOwned(ctx, kb.AliasSystem, id, s.Topic, s.Slug, s.Tags, s.Aliases, s.Sections); err != nil {
		return fmt.Errorf("system %q in topic %q: %w", s.Slug, s.Topic, err)
	}
	return nil
}

func (l *loader) addArticle(ctx context.Context, id int64, a kb.Article) error {
	matrices, err := encodeJSON(a.Matrices)
	if err != nil {
		return fmt.Errorf("article %q in topic %q: encode matrices: %w", a.Slug, a.Topic, err)
	}
	params, err := encodeParams(a.Params)
	if err != nil {
		return fmt.Errorf("article %s params: %w", a.Path, err)
	}
	if err := l.articles.add(ctx, id, a.Topic, a.Slug, a.Title, a.Summary, formatTime(a.Updated), a.Path, matrices, a.HTML, a.Order, a.ShortTitle, params); err != nil {
		return err
	}
	for i, sys := range a.Systems {
		if err := l.articleSystems.add(ctx, id, i, sys); err != nil {
			return err
		}
	}
	if err := l.addOwned(ctx, kb.AliasArticle, id, a.Topic, a.Slug, a.Tags, a.Aliases, a.Sections); err != nil {
		return fmt.Errorf("article %q in topic %q: %w", a.Slug, a.Topic, err)
	}
	return nil
}

// addOwned adds what systems and articles both have: tags, aliases and
// sections. kind is kb.AliasSystem or kb.AliasArticle.
func (l *loader) addOwned(ctx context.Context, kind string, id int64, topic, slug string, tags, aliases []string, sections []kb.Section) error {
	for i, tag := range tags {
		if err := l.tags.add(ctx, kind, id, i, topic, tag); err != nil {
			return err
		}
	}
	for i, from := range aliases {
		if err := l.aliases.add(ctx, topic, kind, from, slug, i); err != nil {
			return err
		}
	}
	for i, sec := range sections {
		items, err := encodeJSON(sec.Items)
		if err != nil {
			return fmt.Errorf("section %d: encode items: %w", i, err)
		}
		if err := l.sections.add(ctx, kind, id, i, string(sec.Kind), sec.Heading, sec.Anchor, sec.HTML, sec.Text, items); err != nil {
			return err
		}
	}
	return nil
}

// encodeParams is a file's free front matter data as stored: JSON, or ”
// for none.
func encodeParams(p map[string]any) (string, error) {
	if len(p) == 0 {
		return "", nil
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// decodeParams reads what encodeParams stored.
func decodeParams(s string) (map[string]any, error) {
	if s == "" {
		return nil, nil
	}
	var p map[string]any
	err := json.Unmarshal([]byte(s), &p)
	return p, err
}
