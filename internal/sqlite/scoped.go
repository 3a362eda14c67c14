package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"versa/internal/kb"
)

// Scoped reads: the systems of a topic with only the cells a page shows.
// Unlike ListSystemCells, a feature with nothing stored has no cell at all
// (kb.System.Cell reads it as unknown), so a page of 300 rows of a topic of
// 25,000 features, or one feature across 500 systems, reads and allocates
// those cells alone, not a cell for every feature of every system.

// ListSystemsWith returns the systems of topic named by slugs, in that
// order (every system, sorted by name, when slugs is nil), with tags and
// aliases and the stored cells of the given features (of every feature
// when features is nil), in the topic's feature order; no sections. A
// missing system is kb.ErrNotFound with its slug in the message, as is an
// unknown topic.
func (db *DB) ListSystemsWith(ctx context.Context, topic string, slugs, features []string) ([]kb.System, error) {
	return read(ctx, db, func(r *Reader) ([]kb.System, error) { return r.ListSystemsWith(ctx, topic, slugs, features) })
}

// FindSystemWith is FindSystem with the stored cells of the given features
// only (every feature when features is nil), as ListSystemsWith reads them.
func (db *DB) FindSystemWith(ctx context.Context, topic, slug string, features []string) (kb.System, error) {
	return read(ctx, db, func(r *Reader) (kb.System, error) { return r.FindSystemWith(ctx, topic, slug, features) })
}

// ListSystemsWith is DB.ListSystemsWith within r's snapshot.
func (r *Reader) ListSystemsWith(ctx context.Context, topic string, slugs, features []string) ([]kb.System, error) {
	ss, _, err := r.scopedSystems(ctx, topic, slugs, features)
	if err != nil {
		return nil, fmt.Errorf("list systems of topic %q: %w", topic, err)
	}
	return ss, nil
}

// FindSystemWith is DB.FindSystemWith within r's snapshot.
func (r *Reader) FindSystemWith(ctx context.Context, topic, slug string, features []string) (kb.System, error) {
	ss, ids, err := r.scopedSystems(ctx, topic, []string{slug}, features)
	if err != nil {
		return kb.System{}, fmt.Errorf("find system %q in topic %q: %w", slug, topic, err)
	}
	s := ss[0]
	if s.Sections, err = r.sections(ctx, kb.AliasSystem, ids[0]); err != nil {
		return kb.System{}, fmt.Errorf("find system %q in topic %q: %w", slug, topic, err)
	}
	return s, nil
}

// scopedSystems reads the systems and cells of ListSystemsWith, and the
// systems' ids.
func (r *Reader) scopedSystems(ctx context.Context, topic string, slugs, features []string) ([]kb.System, []int64, error) {
	if err := r.topicExists(ctx, topic); err != nil {
		return nil, nil, err
	}
	sc := newSystemScope(topic, slugs, features)
	ss, ids, err := r.systemRows(ctx, sc)
	if err != nil {
		return nil, nil, err
	}
	index := systemIndex(ids)
	err = r.cellRows(ctx, sc, cellsQuery(sc, true),
		func(id int64, c kb.Cell) {
			if i, ok := index[id]; ok {
				ss[i].Cells = append(ss[i].Cells, c)
			}
		})
	if err != nil {
		return nil, nil, err
	}
	if err := r.tagsAndAliases(ctx, sc, ss, ids); err != nil {
		return nil, nil, err
	}
	if slugs == nil {
		return ss, ids, nil
	}
	// In the order asked.
	at := make(map[string]int, len(ss))
	for i, s := range ss {
		at[s.Slug] = i
	}
	out, outIDs := make([]kb.System, 0, len(slugs)), make([]int64, 0, len(slugs))
	for _, slug := range slugs {
		i, ok := at[slug]
		if !ok {
			return nil, nil, fmt.Errorf("system %q in topic %q: %w", slug, topic, kb.ErrNotFound)
		}
		out, outIDs = append(out, ss[i]), append(outIDs, ids[i])
	}
	return out, outIDs, nil
}

// topicExists is kb.ErrNotFound when there is no topic of that slug.
func (r *Reader) topicExists(ctx context.Context, topic string) error {
	var one int
	err := r.tx.QueryRowContext(ctx, `SELECT 1 FROM topics WHERE slug = ?`, topic).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("topic %q: %w", topic, kb.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("topic %q: %w", topic, err)
	}
	return nil
}

// DifferingFeatures returns the keys of the features whose cells do not all
// show the same value in the systems of topic named by slugs, in no order:
// the rows "differences only" keeps, as kb.Cell.Same compares (support and
// value; a feature a system does not mention is unknown). It reads support
// and value alone, in one pass, so a compare of 25,000 rows finds its few
// differing ones without building a cell of each.
func (db *DB) DifferingFeatures(ctx context.Context, topic string, slugs []string) ([]string, error) {
	return read(ctx, db, func(r *Reader) ([]string, error) { return r.DifferingFeatures(ctx, topic, slugs) })
}

// DifferingFeatures is DB.DifferingFeatures within r's snapshot.
func (r *Reader) DifferingFeatures(ctx context.Context, topic string, slugs []string) ([]string, error) {
	// Cells are the same when their supports and values are: MIN equals
	// MAX for both. A system with no row for the feature has the unknown
	// cell, so a feature with fewer rows than systems differs unless its
	// rows are unknown too. (MIN/MAX per column is about a fifth cheaper
	// than COUNT(DISTINCT support || value) on 125,000 cells.) The page
	// checks every row it shows again (kb.Cell.Same), so this is the set
	// of rows it considers, read without a cell built for each.
	var out []string
	err := queryRows(ctx, r.tx, `
		SELECT c.feature FROM systems s JOIN cells c ON c.system_id = s.id
		WHERE `+scopeWhere+`
		GROUP BY c.feature
		HAVING MIN(c.support) <> MAX(c.support) OR MIN(c.value) <> MAX(c.value)
			OR (COUNT(*) < ?3 AND (MAX(c.support) <> ?4 OR MAX(c.value) <> ''))`,
		[]any{topic, slugsJSON(slugs), len(slugs), string(kb.SupportUnknown)}, func(rows *sql.Rows) error {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			out = append(out, k)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("differing features of topic %q: %w", topic, err)
	}
	return out, nil
}
