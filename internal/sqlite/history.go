package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"versa/internal/history"
)

// Record appends rev and its changes in one transaction unless a revision
// following rev.Follows is recorded already (by another server, or this one
// before a restart): then it reports false.
//
// Each change is recorded with its ranks (history.Ranks), which continue
// those of its groups: read from the indexes, but for the groups this DB
// recorded in last when nothing was recorded since (db.ranks).
func (db *DB) Record(ctx context.Context, rev history.Revision, changes []history.Change) (bool, error) {
	db.ranks.mu.Lock()
	defer db.ranks.mu.Unlock()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	defer tx.Rollback()
	if rev.RecordedAt.IsZero() {
		rev.RecordedAt = time.Now()
	}
	var seq int64
	err = tx.QueryRowContext(ctx, `INSERT INTO history_revisions (follows, revision, parent, recorded_at, commit_id, subject, baseline, changes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (follows) DO NOTHING RETURNING seq`,
		rev.Follows, rev.ID, rev.Parent, formatTime(rev.RecordedAt), rev.Commit, rev.Subject, rev.Baseline, len(changes)).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	// The revision's insert holds the write lock: the last id stays.
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM history_changes`).Scan(&last); err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	known := db.ranks.take(last)
	b, err := bases(ctx, tx, changes, known)
	if err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	ranks := history.Ranks(changes, b)
	next := last + int64(len(changes))
	recorded, recordedRanks := changes, ranks // for the cache, once committed
	if err := insertChanges(ctx, tx, seq, changes, ranks); err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	if len(rev.State) > 0 {
		if _, err := keepState(ctx, tx, seq, []byte(rev.State)); err != nil {
			return false, fmt.Errorf("record history: %w", err)
		}
	}
	var got int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM history_changes`).Scan(&got); err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	if got == next {
		db.ranks.keep(next, b, recorded, recordedRanks)
	}
	return true, nil
}

// insertChanges inserts the changes of revision seq with their ranks.
func insertChanges(ctx context.Context, tx *sql.Tx, seq int64, changes []history.Change, ranks []history.Rank) error {
	// Many rows a statement: a statement's run costs more than a row's,
	// and the full batch's statement is prepared once (its parse of 2,500
	// parameters cost a quarter of the recording).
	const batch = 100
	const columns = 28
	insert := func(rows int) string {
		row := "(" + marks(columns) + ")"
		return `INSERT INTO history_changes (seq, kind, topic, system, old_slug, feature, category, article,
			old_name, new_name, updated,
			old_support, old_value, old_note, old_since, old_via, old_source, old_checked,
			new_support, new_value, new_note, new_since, new_via, new_source, new_checked,
			topic_rank, system_rank, feature_rank)
			VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
	}
	var full *sql.Stmt
	args := make([]any, 0, min(batch, len(changes))*columns)
	for len(changes) > 0 {
		part := changes[:min(batch, len(changes))]
		changes = changes[len(part):]
		partRanks := ranks[:len(part)]
		ranks = ranks[len(part):]
		args = args[:0]
		for i, c := range part {
			updated := ""
			if !c.Updated.IsZero() {
				updated = formatTime(c.Updated)
			}
			r := partRanks[i]
			args = append(args, seq, c.Kind, c.Topic, c.System, c.OldSlug, c.Feature, c.Category, c.Article,
				c.OldName, c.NewName, updated,
				c.Old.Support, c.Old.Value, c.Old.Note, c.Old.Since, c.Old.Via, c.Old.Source, c.Old.Checked,
				c.New.Support, c.New.Value, c.New.Note, c.New.Since, c.New.Via, c.New.Source, c.New.Checked,
				r.Topic, r.System, r.Feature)
		}
		if len(part) < batch {
			if _, err := tx.ExecContext(ctx, insert(len(part)), args...); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, insert(batch)); err != nil {
				return err
			}
			defer full.Close()
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// rankCache holds, under mu, the ranks of the newest change of each group
// a DB recorded in, as of last, the id of the last change it recorded:
// the next recording, when no other writer recorded since (the last id is
// still last), seeks only the groups it does not hold. Its recordings
// come one after the other (mu); a failed one empties it.
type rankCache struct {
	mu   sync.Mutex
	last int64
	b    history.Bases
}

// take returns the bases held when last is still the last change id, and
// empties the cache (keep fills it again once the recording commits).
func (c *rankCache) take(last int64) history.Bases {
	b := c.b
	if c.last == 0 || c.last != last || b.Topic == nil {
		b = history.Bases{Topic: map[string]int64{}, System: map[history.SystemKey]int64{}, Feature: map[history.FeatureKey]int64{}}
	}
	c.last, c.b = 0, history.Bases{}
	return b
}

// keep holds b, with the ranks of changes recorded after it, as of last.
func (c *rankCache) keep(last int64, b history.Bases, changes []history.Change, ranks []history.Rank) {
	for i, ch := range changes {
		b.Topic[ch.Topic] = ranks[i].Topic
		b.System[history.SystemKey{Topic: ch.Topic, System: ch.System}] = ranks[i].System
		b.Feature[history.FeatureKey{Topic: ch.Topic, System: ch.System, Feature: ch.Feature}] = ranks[i].Feature
	}
	c.last, c.b = last, b
}

// bases adds to b, which holds some groups, the ranks of the newest
// recorded change of each other group changes fall in (history.Ranks
// continues them): a seek in the group's index each (seekRanks).
func bases(ctx context.Context, tx *sql.Tx, changes []history.Change, b history.Bases) (history.Bases, error) {
	if len(changes) == 0 {
		return b, nil
	}
	topics, systems, features := history.RankGroups(changes)
	topics = slices.DeleteFunc(topics, func(k string) bool { _, ok := b.Topic[k]; return ok })
	systems = slices.DeleteFunc(systems, func(k history.SystemKey) bool { _, ok := b.System[k]; return ok })
	features = slices.DeleteFunc(features, func(k history.FeatureKey) bool { _, ok := b.Feature[k]; return ok })
	if err := seekRanks(ctx, tx, 1, len(topics), "topic_rank", "history_changes_topic",
		func(a []any, i int) []any { return append(a, topics[i]) },
		func(i int, r int64) { b.Topic[topics[i]] = r }); err != nil {
		return b, fmt.Errorf("ranks: %w", err)
	}
	if err := seekRanks(ctx, tx, 2, len(systems), "system_rank", "history_changes_system",
		func(a []any, i int) []any { return append(a, systems[i].Topic, systems[i].System) },
		func(i int, r int64) { b.System[systems[i]] = r }); err != nil {
		return b, fmt.Errorf("ranks: %w", err)
	}
	if err := seekRanks(ctx, tx, 3, len(features), "feature_rank", "history_changes_system_feature",
		func(a []any, i int) []any {
			return append(a, features[i].Topic, features[i].System, features[i].Feature)
		},
		func(i int, r int64) { b.Feature[features[i]] = r }); err != nil {
		return b, fmt.Errorf("ranks: %w", err)
	}
	return b, nil
}

// seekRanks reads the ranks of groups groups of n key columns (key(i)
// appends group i's), batch groups a statement (the full batch's prepared
// once), each answered with its place in the batch: set(i, rank).
func seekRanks(ctx context.Context, tx *sql.Tx, n, groups int, rank, index string, key func(args []any, i int) []any, set func(i int, rank int64)) error {
	const batch = 500
	match := []string{"topic = v.column2", "system = v.column3", "feature = v.column4"}[:n]
	query := func(rows int) string {
		row := "(" + marks(n+1) + ")"
		return `SELECT v.column1, COALESCE((SELECT ` + rank + ` FROM history_changes INDEXED BY ` + index + ` WHERE ` + strings.Join(match, " AND ") +
			` ORDER BY id DESC LIMIT 1), 0) FROM (VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", rows), ",") + `) AS v`
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, min(batch, groups)*(n+1))
	for start := 0; start < groups; start += batch {
		end := min(start+batch, groups)
		args = args[:0]
		for i := start; i < end; i++ {
			args = key(append(args, i), i)
		}
		var rows *sql.Rows
		var err error
		switch {
		case end-start < batch:
			rows, err = tx.QueryContext(ctx, query(end-start), args...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, query(batch)); err != nil {
				return err
			}
			fallthrough
		default:
			rows, err = full.QueryContext(ctx, args...)
		}
		if err != nil {
			return err
		}
		var i int
		var r int64
		for rows.Next() {
			if err := rows.Scan(&i, &r); err != nil {
				rows.Close()
				return err
			}
			set(i, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// keepState stores state with seq, when seq is the latest revision, and
// drops the states of older revisions; it reports whether it stored it.
func keepState(ctx context.Context, tx *sql.Tx, seq int64, state []byte) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO history_states (seq, state)
		SELECT ?, ? WHERE ? = (SELECT MAX(seq) FROM history_revisions) ON CONFLICT (seq) DO NOTHING`, seq, state, seq)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM history_states WHERE seq < ?`, seq)
	return err == nil, err
}

// State returns the state kept with the revision seq (Revision.State), or
// an error wrapping history.ErrNotFound when none is (an older revision, or
// one recorded before states were kept).
func (db *DB) State(ctx context.Context, seq int64) ([]byte, error) {
	var state []byte
	err := db.db.QueryRowContext(ctx, `SELECT state FROM history_states WHERE seq = ?`, seq).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("state of %d: %w", seq, history.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("state of %d: %w", seq, err)
	}
	return state, nil
}

// SaveState keeps state with seq when seq is the latest revision and has
// none (it was recorded before states were kept): it reports whether it
// did.
func (db *DB) SaveState(ctx context.Context, seq int64, state []byte) (bool, error) {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("save state: %w", err)
	}
	defer tx.Rollback()
	ok, err := keepState(ctx, tx, seq, state)
	if err != nil {
		return false, fmt.Errorf("save state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("save state: %w", err)
	}
	return ok, nil
}

const revisionColumns = `seq, follows, revision, parent, recorded_at, commit_id, subject, baseline, changes`

func scanRevision(sc interface{ Scan(...any) error }) (history.Revision, error) {
	var r history.Revision
	var at string
	if err := sc.Scan(&r.Seq, &r.Follows, &r.ID, &r.Parent, &at, &r.Commit, &r.Subject, &r.Baseline, &r.Changes); err != nil {
		return r, err
	}
	t, err := parseTime(at)
	r.RecordedAt = t
	return r, err
}

// Latest returns the newest recorded revision, or history.ErrNotFound.
func (db *DB) Latest(ctx context.Context) (history.Revision, error) {
	r, err := scanRevision(db.db.QueryRowContext(ctx, `SELECT `+revisionColumns+` FROM history_revisions ORDER BY seq DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("latest revision: %w", history.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("latest revision: %w", err)
	}
	return r, nil
}

// FindRevision returns the newest revision whose id starts with id.
func (db *DB) FindRevision(ctx context.Context, id string) (history.Revision, error) {
	if id == "" || strings.ContainsAny(id, "%_") {
		return history.Revision{}, fmt.Errorf("revision %q: %w", id, history.ErrNotFound)
	}
	r, err := scanRevision(db.db.QueryRowContext(ctx, `SELECT `+revisionColumns+` FROM history_revisions
		WHERE revision >= ? AND revision < ? ORDER BY seq DESC LIMIT 1`, id, id+"\xff"))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("revision %q: %w", id, history.ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("find revision: %w", err)
	}
	return r, nil
}

// Revisions returns recorded revisions, newest first.
func (db *DB) Revisions(ctx context.Context, limit, offset int) ([]history.Revision, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.db.QueryContext(ctx, `SELECT `+revisionColumns+` FROM history_revisions ORDER BY seq DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("revisions: %w", err)
	}
	defer rows.Close()
	var out []history.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("revisions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Changes returns the changes q selects, newest first, with their
// revisions.
//
// A page reads in the order of an index and stops when it is full: a
// topic's list walks (topic, id); a list of systems is the union of a walk
// per slug (with Features, per slug and feature), of the old slugs and of
// the topic's rows, each stopping at the page's end, so a system with few
// changes among many costs what it has.
// since= becomes a lower bound on id, which every walk seeks to.
//
// A page at an offset is not counted to: seekPage finds the id it starts
// at, and the page is read as the older link of the page before it asks
// it (Before).
func (db *DB) Changes(ctx context.Context, q history.Query) ([]history.Entry, error) {
	if q.Offset > 0 {
		var err error
		if q, err = db.seekPage(ctx, q); err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	cond, args := changePage(q)
	rows, err := db.db.QueryContext(ctx, `SELECT c.id, c.seq, c.kind, c.topic, c.system, c.old_slug, c.feature, c.category, c.article,
		c.old_name, c.new_name, c.updated,
		c.old_support, c.old_value, c.old_note, c.old_since, c.old_via, c.old_source, c.old_checked,
		c.new_support, c.new_value, c.new_note, c.new_since, c.new_via, c.new_source, c.new_checked,
		r.follows, r.revision, r.parent, r.recorded_at, r.commit_id, r.subject, r.baseline, r.changes
		FROM history_changes c JOIN history_revisions r ON r.seq = c.seq`+cond+` ORDER BY c.id DESC`,
		append(args, limit, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	var out []history.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// seekPage returns q with its Offset turned into the Before of the page's
// start (history.PageStart), which it finds from the ranks of the groups q
// walks (history.Query.Walks) and a count of the renames among them; past
// the end, a Before of 1 (no change is older). A query not made of groups,
// or whose since= time does not start a run of revisions (a clock set
// back between two), keeps its Offset and is counted.
func (db *DB) seekPage(ctx context.Context, q history.Query) (history.Query, error) {
	walks, ok := q.Walks()
	if !ok {
		return q, nil
	}
	if !q.SinceTime.IsZero() {
		t := formatTime(q.SinceTime)
		var gap bool
		if err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM history_revisions
			WHERE seq > (SELECT MIN(seq) FROM history_revisions WHERE recorded_at > ?) AND recorded_at <= ?)`, t, t).Scan(&gap); err != nil {
			return q, err
		}
		if gap {
			return q, nil
		}
	}
	end := q.Before
	if end == 0 {
		if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM history_changes`).Scan(&end); err != nil {
			return q, err
		}
	}
	// The count of the changes below an id: a rank a walk, and the renames
	// under old slugs that no walk has.
	var counts []string
	var args []any
	var below []int // where the id goes in args
	for _, w := range walks {
		switch w.Of {
		case history.TopicWalk:
			counts = append(counts, `(SELECT topic_rank FROM history_changes INDEXED BY history_changes_topic WHERE topic = ? AND id < ? ORDER BY id DESC LIMIT 1)`)
			args = append(args, q.Topic, nil)
		case history.SystemWalk:
			counts = append(counts, `(SELECT system_rank FROM history_changes INDEXED BY history_changes_system WHERE topic = ? AND system = ? AND id < ? ORDER BY id DESC LIMIT 1)`)
			args = append(args, q.Topic, w.System, nil)
		case history.FeatureWalk:
			counts = append(counts, `(SELECT feature_rank FROM history_changes INDEXED BY history_changes_system_feature WHERE topic = ? AND system = ? AND feature = ? AND id < ? ORDER BY id DESC LIMIT 1)`)
			args = append(args, q.Topic, w.System, w.Feature, nil)
		}
		below = append(below, len(args)-1)
	}
	if len(q.Systems) > 0 {
		c, cargs := renamesOutsideWalks(q)
		counts = append(counts, `(SELECT COUNT(*) FROM history_changes INDEXED BY history_changes_old_slug WHERE `+c+` AND id < ?)`)
		args = append(append(args, cargs...), nil)
		below = append(below, len(args)-1)
	}
	for i, c := range counts {
		counts[i] = "COALESCE(" + c + ", 0)"
	}
	stmt, err := db.db.PrepareContext(ctx, `SELECT `+strings.Join(counts, " + "))
	if err != nil {
		return q, err
	}
	defer stmt.Close()
	count := func(ctx context.Context, id int64) (int64, error) {
		for _, i := range below {
			args[i] = id
		}
		var n int64
		err := stmt.QueryRowContext(ctx, args...).Scan(&n)
		return n, err
	}
	return history.SeekPage(ctx, q, end, count)
}

// renamesOutsideWalks is the condition of the changes q lists under an
// old slug of its systems that none of its walks has (a rename whose new
// slug is not one of q's systems), with its arguments.
func renamesOutsideWalks(q history.Query) (string, []any) {
	conds := []string{"topic = ?", "old_slug IN (" + marks(len(q.Systems)) + ")", "old_slug <> ''"}
	args := append([]any{q.Topic}, strs(q.Systems)...)
	walked := "system IN (" + marks(len(q.Systems)) + ")"
	wargs := strs(q.Systems)
	rows := "system = '' AND kind IN (" + marks(len(history.RowKinds)) + ")"
	rargs := strs(history.RowKinds)
	if len(q.Features) > 0 {
		conds = append(conds, "(feature IN ("+marks(len(q.Features))+") OR kind IN ("+marks(len(history.SystemKinds))+"))")
		args = append(append(args, strs(q.Features)...), strs(history.SystemKinds)...)
		walked += " AND (feature IN (" + marks(len(q.Features)) + ") OR feature = '')"
		wargs = append(wargs, strs(q.Features)...)
		rows += " AND feature IN (" + marks(len(q.Features)) + ")"
		rargs = append(rargs, strs(q.Features)...)
	}
	if q.Rows {
		walked = "(" + walked + ") OR (" + rows + ")"
		wargs = append(wargs, rargs...)
	}
	conds = append(conds, "NOT ("+walked+")")
	return strings.Join(conds, " AND "), append(args, wargs...)
}

// changeFilter is what every walk of a change query keeps, on the columns
// of table p ("" or an alias with its dot).
func changeFilter(q history.Query, p string) ([]string, []any) {
	var conds []string
	var args []any
	if q.Topic != "" {
		conds = append(conds, p+"topic = ?")
		args = append(args, q.Topic)
	}
	if len(q.Features) > 0 {
		conds = append(conds, "("+p+"feature IN ("+marks(len(q.Features))+") OR "+p+"kind IN ("+marks(len(history.SystemKinds))+"))")
		args = append(args, strs(q.Features)...)
		args = append(args, strs(history.SystemKinds)...)
	}
	// Changes are numbered in the order they were recorded, so the
	// changes after a revision start at the first id of the next one.
	const none = "9223372036854775807"
	if q.SinceSeq > 0 {
		conds = append(conds, p+"seq > ?", p+"id >= COALESCE((SELECT id FROM history_changes WHERE seq > ? ORDER BY seq LIMIT 1), "+none+")")
		args = append(args, q.SinceSeq, q.SinceSeq)
	}
	if !q.SinceTime.IsZero() {
		t := formatTime(q.SinceTime)
		conds = append(conds, p+"seq IN (SELECT seq FROM history_revisions WHERE recorded_at > ?)",
			p+"id >= COALESCE((SELECT id FROM history_changes WHERE seq >= (SELECT MIN(seq) FROM history_revisions WHERE recorded_at > ?) ORDER BY seq LIMIT 1), "+none+")")
		args = append(args, t, t)
	}
	if q.Before > 0 {
		conds = append(conds, p+"id < ?")
		args = append(args, q.Before)
	}
	return conds, args
}

// where joins conditions into a WHERE clause ("" for none).
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// changePage is the condition that picks the page's change ids, with its
// arguments (the page's LIMIT and OFFSET follow them). The ids are found
// first, from the index alone, so that an offset (of a query seekPage
// cannot seek: one without a topic, say) skips index entries rather than
// joined rows.
func changePage(q history.Query) (string, []any) {
	if len(q.Systems) == 0 {
		conds, args := changeFilter(q, "")
		return " WHERE c.id IN (SELECT id FROM history_changes" + where(conds) + " ORDER BY id DESC LIMIT ? OFFSET ?)", args
	}
	walks, args := systemWalks(q)
	return " WHERE c.id IN (SELECT id FROM (" + strings.Join(walks, " UNION ") + ") ORDER BY id DESC LIMIT ? OFFSET ?)", args
}

// systemWalks are the index walks of a query scoped to systems: one per
// slug, one of old slugs (renames) and, with Rows, one of the topic's rows,
// each as far as the page's end at most.
func systemWalks(q history.Query) ([]string, []any) {
	end := -1
	if q.Limit > 0 {
		end = q.Offset + q.Limit
	}
	var walks []string
	var args []any
	walk := func(index, c string, vals ...any) {
		conds, fargs := changeFilter(q, "")
		walks = append(walks, "SELECT id FROM (SELECT id FROM history_changes INDEXED BY "+index+where(append(conds, c))+" ORDER BY id DESC LIMIT ?)")
		args = append(append(append(args, fargs...), vals...), end)
	}
	// With Features, a system's walk seeks its rows of those features
	// and its own changes (feature ''), rather than reading past the rest.
	// (The planner is told which index each walk takes: without
	// statistics it may pick one that does not give the order.)
	index, features := "history_changes_system", ""
	var fvals []any
	if len(q.Features) > 0 {
		index, features = "history_changes_system_feature", " AND feature IN ("+marks(len(q.Features)+1)+")"
		fvals = append(strs(q.Features), "")
	}
	for _, sys := range q.Systems {
		walk(index, "system = ?"+features, append([]any{sys}, fvals...)...)
	}
	walk("history_changes_old_slug", "old_slug IN ("+marks(len(q.Systems))+") AND old_slug <> ''", strs(q.Systems)...) // renames: few
	if q.Rows {
		rows := "system = '' AND kind IN (" + marks(len(history.RowKinds)) + ")"
		vals := strs(history.RowKinds)
		if len(q.Features) > 0 {
			rows += " AND feature IN (" + marks(len(q.Features)) + ")"
			vals = append(vals, strs(q.Features)...)
		}
		walk(index, rows, vals...)
	}
	return walks, args
}

// scanEntry reads one row of the change query.
func scanEntry(rows *sql.Rows) (history.Entry, error) {
	var e history.Entry
	c := &e.Change
	var updated, at string
	if err := rows.Scan(&c.ID, &c.Seq, &c.Kind, &c.Topic, &c.System, &c.OldSlug, &c.Feature, &c.Category, &c.Article,
		&c.OldName, &c.NewName, &updated,
		&c.Old.Support, &c.Old.Value, &c.Old.Note, &c.Old.Since, &c.Old.Via, &c.Old.Source, &c.Old.Checked,
		&c.New.Support, &c.New.Value, &c.New.Note, &c.New.Since, &c.New.Via, &c.New.Source, &c.New.Checked,
		&e.Revision.Follows, &e.Revision.ID, &e.Revision.Parent, &at, &e.Revision.Commit, &e.Revision.Subject, &e.Revision.Baseline, &e.Revision.Changes); err != nil {
		return e, err
	}
	e.Revision.Seq = c.Seq
	var err error
	if updated != "" {
		if c.Updated, err = parseTime(updated); err != nil {
			return e, err
		}
	}
	e.Revision.RecordedAt, err = parseTime(at)
	return e, err
}

// marks is n comma-separated placeholders.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func strs(vals []string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}
