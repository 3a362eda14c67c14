package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"versa/internal/kb"
)

// ListSystems returns the systems of a topic sorted by name (ignoring case),
// each with one cell per feature in the topic's order, tags and aliases, but
// no sections. An unknown topic is kb.ErrNotFound.
func (db *DB) ListSystems(ctx context.Context, topic string) ([]kb.System, error) {
	return read(ctx, db, func(r *Reader) ([]kb.System, error) { return r.ListSystems(ctx, topic) })
}

// ListSystemCells is ListSystems reading the cells of the given features
// only; every other cell is left unknown. A page that shows a few columns
// of a large topic (400 systems by 550 features) reads those alone.
func (db *DB) ListSystemCells(ctx context.Context, topic string, features []string) ([]kb.System, error) {
	return read(ctx, db, func(r *Reader) ([]kb.System, error) { return r.ListSystemCells(ctx, topic, features) })
}

// FindSystem returns one system with its cells, tags, aliases and sections.
func (db *DB) FindSystem(ctx context.Context, topic, slug string) (kb.System, error) {
	return read(ctx, db, func(r *Reader) (kb.System, error) { return r.FindSystem(ctx, topic, slug) })
}

// CompareSystems returns the systems named by slugs, in that order, with
// their cells, tags and aliases. A missing system is kb.ErrNotFound with its
// slug in the message.
func (db *DB) CompareSystems(ctx context.Context, topic string, slugs []string) ([]kb.System, error) {
	return read(ctx, db, func(r *Reader) ([]kb.System, error) { return r.CompareSystems(ctx, topic, slugs) })
}

// ListSystems is DB.ListSystems within r's snapshot.
func (r *Reader) ListSystems(ctx context.Context, topic string) ([]kb.System, error) {
	ss, _, err := r.systems(ctx, topic, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("list systems of topic %q: %w", topic, err)
	}
	return ss, nil
}

// ListSystemCells is DB.ListSystemCells within r's snapshot.
func (r *Reader) ListSystemCells(ctx context.Context, topic string, features []string) ([]kb.System, error) {
	if features == nil {
		features = []string{} // nil means every feature to r.systems
	}
	ss, _, err := r.systems(ctx, topic, nil, features)
	if err != nil {
		return nil, fmt.Errorf("list systems of topic %q: %w", topic, err)
	}
	return ss, nil
}

// FindSystem is DB.FindSystem within r's snapshot.
func (r *Reader) FindSystem(ctx context.Context, topic, slug string) (kb.System, error) {
	ss, ids, err := r.systems(ctx, topic, []string{slug}, nil)
	if err != nil {
		return kb.System{}, fmt.Errorf("find system %q in topic %q: %w", slug, topic, err)
	}
	if len(ss) == 0 {
		return kb.System{}, fmt.Errorf("system %q in topic %q: %w", slug, topic, kb.ErrNotFound)
	}
	s := ss[0]
	if s.Sections, err = r.sections(ctx, kb.AliasSystem, ids[0]); err != nil {
		return kb.System{}, fmt.Errorf("find system %q in topic %q: %w", slug, topic, err)
	}
	var params string
	if err := r.tx.QueryRowContext(ctx, `SELECT params FROM systems WHERE id = ?`, ids[0]).Scan(&params); err != nil {
		return kb.System{}, fmt.Errorf("find system %q in topic %q: params: %w", slug, topic, err)
	}
	if s.Params, err = decodeParams(params); err != nil {
		return kb.System{}, fmt.Errorf("find system %q in topic %q: params: %w", slug, topic, err)
	}
	return s, nil
}

// CompareSystems is DB.CompareSystems within r's snapshot.
func (r *Reader) CompareSystems(ctx context.Context, topic string, slugs []string) ([]kb.System, error) {
	if slugs == nil {
		slugs = []string{} // nil means every system to r.systems
	}
	ss, _, err := r.systems(ctx, topic, slugs, nil)
	if err != nil {
		return nil, fmt.Errorf("compare systems in topic %q: %w", topic, err)
	}
	bySlug := make(map[string]kb.System, len(ss))
	for _, s := range ss {
		bySlug[s.Slug] = s
	}
	out := make([]kb.System, 0, len(slugs))
	for _, slug := range slugs {
		s, ok := bySlug[slug]
		if !ok {
			return nil, fmt.Errorf("system %q in topic %q: %w", slug, topic, kb.ErrNotFound)
		}
		out = append(out, s)
	}
	return out, nil
}

// systems returns the systems of topic whose slug is in slugs (all of them
// when slugs is nil), sorted by name, with cells (of the given features
// only, the rest unknown, when features is not nil), tags and aliases, and
// their ids: a few queries however many systems there are. An unknown topic
// is kb.ErrNotFound.
func (r *Reader) systems(ctx context.Context, topic string, slugs, features []string) ([]kb.System, []int64, error) {
	keys, err := r.featureKeys(ctx, topic)
	if err != nil {
		return nil, nil, err
	}
	scope := newSystemScope(topic, slugs, features)
	ss, ids, err := r.systemRows(ctx, scope)
	if err != nil || len(ss) == 0 {
		return ss, nil, err
	}
	for i := range ss {
		ss[i].Cells = make([]kb.Cell, len(keys))
		for j, k := range keys {
			ss[i].Cells[j] = kb.Cell{Feature: k, Support: kb.SupportUnknown}
		}
	}
	position := make(map[string]int, len(keys))
	for i, k := range keys {
		position[k] = i
	}
	index := systemIndex(ids)
	err = r.cellRows(ctx, scope, cellsQuery(scope, false),
		func(id int64, c kb.Cell) {
			i, ok := index[id]
			j, known := position[c.Feature]
			if ok && known {
				ss[i].Cells[j] = c
			}
		})
	if err != nil {
		return nil, nil, err
	}
	if err := r.tagsAndAliases(ctx, scope, ss, ids); err != nil {
		return nil, nil, err
	}
	return ss, ids, nil
}

// systemScope is what a read of systems asks for: the systems of a topic
// named by slugs (every one when nil) and the cells of the given features
// (every one when nil), as the query arguments ?1, ?2 and ?3.
type systemScope struct {
	topic                string
	filter, onlyFeatures sql.NullString
}

func newSystemScope(topic string, slugs, features []string) systemScope {
	sc := systemScope{topic: topic}
	if slugs != nil {
		sc.filter = sql.NullString{String: slugsJSON(slugs), Valid: true}
	}
	if features != nil {
		// Each once: a key repeated would read its cell twice.
		var once []string
		for _, f := range features {
			if !slices.Contains(once, f) {
				once = append(once, f)
			}
		}
		sc.onlyFeatures = sql.NullString{String: slugsJSON(once), Valid: true}
	}
	return sc
}

func (sc systemScope) args() []any { return []any{sc.topic, sc.filter, sc.onlyFeatures} }

// scopeWhere picks the systems s of a scope.
const scopeWhere = `s.topic = ?1 AND (?2 IS NULL OR s.slug IN (SELECT value FROM json_each(?2)))`

// cellsQuery selects the cells of a scope's systems, in the topic's
// feature order when ordered (cells of features the topic lacks are then
// left out). With features, the (system_id, feature) key finds each cell, a
// few lookups a system: CROSS JOIN keeps SQLite from reordering the join,
// and the two forms are two queries because an "?3 IS NULL OR c.feature IN
// (...)" makes it scan every cell of each system instead.
func cellsQuery(sc systemScope, ordered bool) string {
	const cols = `SELECT c.system_id, c.feature, c.support, c.value, c.note, c.since, c.via, c.source, c.checked`
	from := ` FROM systems s JOIN cells c ON c.system_id = s.id`
	if sc.onlyFeatures.Valid {
		from = ` FROM systems s CROSS JOIN json_each(?3) j CROSS JOIN cells c ON c.system_id = s.id AND c.feature = j.value`
	}
	order := ""
	if ordered {
		from += ` JOIN features f ON f.topic = s.topic AND f.key = c.feature`
		order = ` ORDER BY c.system_id, f.position`
	}
	return cols + from + ` WHERE ` + scopeWhere + order
}

// systemIndex maps each system id to its place in ids.
func systemIndex(ids []int64) map[int64]int {
	index := make(map[int64]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	return index
}

// systemRows reads the systems of a scope, sorted by name, without cells,
// tags or aliases, and their ids.
func (r *Reader) systemRows(ctx context.Context, sc systemScope) ([]kb.System, []int64, error) {
	ss := []kb.System{}
	var ids []int64
	err := queryRows(ctx, r.tx, `
		SELECT s.id, s.slug, s.name, s.homepage, s.summary, s.path FROM systems s
		WHERE `+scopeWhere+`
		ORDER BY s.name COLLATE NOCASE, s.slug`, sc.args()[:2], func(rows *sql.Rows) error {
		var id int64
		s := kb.System{Topic: sc.topic}
		if err := rows.Scan(&id, &s.Slug, &s.Name, &s.Homepage, &s.Summary, &s.Path); err != nil {
			return err
		}
		ss = append(ss, s)
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("systems: %w", err)
	}
	return ss, ids, nil
}

// cellRows runs a query of cells (system id, feature, support, value, note,
// since, via, source, checked) over a scope's arguments and calls add for
// each.
func (r *Reader) cellRows(ctx context.Context, sc systemScope, query string, add func(id int64, c kb.Cell)) error {
	args := sc.args()
	if !sc.onlyFeatures.Valid {
		args = args[:2] // the query has no ?3
	}
	err := queryRows(ctx, r.tx, query, args, func(rows *sql.Rows) error {
		var id int64
		var support, checked string
		var c kb.Cell
		if err := rows.Scan(&id, &c.Feature, &support, &c.Value, &c.Note, &c.Since, &c.Via, &c.Source, &checked); err != nil {
			return err
		}
		c.Support = kb.Support(support)
		var err error
		if c.Checked, err = kb.ParseChecked(checked); err != nil {
			return fmt.Errorf("cell %s: checked %q: %w", c.Feature, checked, err)
		}
		add(id, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("cells: %w", err)
	}
	return nil
}

// tagsAndAliases fills the tags and aliases of the systems ss (of ids),
// read in a scope.
func (r *Reader) tagsAndAliases(ctx context.Context, sc systemScope, ss []kb.System, ids []int64) error {
	args := sc.args()[:2]
	tags, err := lists[int64](ctx, r.tx, `
		SELECT t.owner_id, t.tag FROM systems s
		JOIN tags t ON t.owner_kind = 'system' AND t.owner_id = s.id
		WHERE `+scopeWhere+`
		ORDER BY t.owner_id, t.position`, args...)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	aliases, err := lists[string](ctx, r.tx, `
		SELECT to_slug, from_slug FROM aliases
		WHERE topic = ?1 AND kind = 'system' AND (?2 IS NULL OR to_slug IN (SELECT value FROM json_each(?2)))
		ORDER BY to_slug, position`, args...)
	if err != nil {
		return fmt.Errorf("aliases: %w", err)
	}
	for i := range ss {
		ss[i].Tags = tags[ids[i]]
		ss[i].Aliases = aliases[ss[i].Slug]
	}
	return nil
}

// sections returns the sections of a system or an article (kind is
// kb.AliasSystem or kb.AliasArticle) in order.
func (r *Reader) sections(ctx context.Context, kind string, id int64) ([]kb.Section, error) {
	var out []kb.Section
	err := queryRows(ctx, r.tx, `
		SELECT kind, heading, anchor, html, text, items FROM sections
		WHERE owner_kind = ? AND owner_id = ?
		ORDER BY position`, []any{kind, id}, func(rows *sql.Rows) error {
		var s kb.Section
		var k, items string
		if err := rows.Scan(&k, &s.Heading, &s.Anchor, &s.HTML, &s.Text, &items); err != nil {
			return err
		}
		s.Kind = kb.SectionKind(k)
		var err error
		if s.Items, err = decodeJSON[string](items); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	return out, nil
}

// lists runs a query whose rows are (owner, value), ordered by owner, and
// groups the values by owner.
func lists[K comparable](ctx context.Context, tx *sql.Tx, query string, args ...any) (map[K][]string, error) {
	m := make(map[K][]string)
	err := queryRows(ctx, tx, query, args, func(rows *sql.Rows) error {
		var owner K
		var v string
		if err := rows.Scan(&owner, &v); err != nil {
			return err
		}
		m[owner] = append(m[owner], v)
		return nil
	})
	return m, err
}
