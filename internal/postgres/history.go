package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"versa/internal/history"
)

// Record appends rev and its changes in one transaction unless a revision
// following rev.Follows is recorded already (by another replica, or this
// one before a restart): then it records nothing and reports false. It is
// ingest.History, with the semantics of internal/sqlite's.
func (db *DB) Record(ctx context.Context, rev history.Revision, changes []history.Change) (bool, error) {
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return false, err
	}
	defer cancel()
	if rev.RecordedAt.IsZero() {
		rev.RecordedAt = time.Now()
	}
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, classify("record history", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var seq int64
	err = tx.QueryRow(ctx, `INSERT INTO history_revisions (follows, revision, parent, recorded_at, commit_id, subject, baseline, changes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (follows) DO NOTHING RETURNING seq`,
		rev.Follows, rev.ID, rev.Parent, rev.RecordedAt.UTC(), rev.Commit, rev.Subject, rev.Baseline, len(changes)).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, classify("record history", err)
	}
	if len(changes) > 0 {
		// COPY numbers the rows in the order given, as the inserts of the
		// SQLite store do, and so do the ranks.
		b, err := bases(ctx, tx, changes)
		if err != nil {
			return false, classify("record history: ranks", err)
		}
		ranks := history.Ranks(changes, b)
		rows := make([][]any, len(changes))
		for i, c := range changes {
			var updated any
			if !c.Updated.IsZero() {
				updated = c.Updated.UTC()
			}
			rows[i] = []any{seq, c.Kind, c.Topic, c.System, c.OldSlug, c.Feature, c.Category, c.Article,
				c.OldName, c.NewName, updated,
				c.Old.Support, c.Old.Value, c.Old.Note, c.Old.Since, c.Old.Via, c.Old.Source, c.Old.Checked,
				c.New.Support, c.New.Value, c.New.Note, c.New.Since, c.New.Via, c.New.Source, c.New.Checked,
				ranks[i].Topic, ranks[i].System, ranks[i].Feature}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"history_changes"}, changeColumns, pgx.CopyFromRows(rows)); err != nil {
			return false, classify("record history: changes", err)
		}
	}
	if len(rev.State) > 0 {
		if _, err := keepState(ctx, tx, seq, []byte(rev.State)); err != nil {
			return false, classify("record history: state", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, classify("record history: commit", err)
	}
	return true, nil
}

// keepState stores state with seq, when seq is the latest revision, and
// drops the states of older revisions; it reports whether it stored it.
func keepState(ctx context.Context, tx pgx.Tx, seq int64, state []byte) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO history_states (seq, state)
		SELECT $1, $2 WHERE $1 = (SELECT MAX(seq) FROM history_revisions) ON CONFLICT (seq) DO NOTHING`, seq, state)
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	_, err = tx.Exec(ctx, `DELETE FROM history_states WHERE seq < $1`, seq)
	return err == nil, err
}

// State returns the state kept with the revision seq (Revision.State), or
// an error wrapping history.ErrNotFound when none is.
func (db *DB) State(ctx context.Context, seq int64) ([]byte, error) {
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	var state []byte
	err = db.pool.QueryRow(ctx, `SELECT state FROM history_states WHERE seq = $1`, seq).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("state of %d: %w", seq, history.ErrNotFound)
	}
	if err != nil {
		return nil, classify("state", err)
	}
	return state, nil
}

// SaveState keeps state with seq when seq is the latest revision and has
// none (recorded before states were kept); it reports whether it did.
func (db *DB) SaveState(ctx context.Context, seq int64, state []byte) (bool, error) {
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return false, err
	}
	defer cancel()
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return false, classify("save state", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	ok, err := keepState(ctx, tx, seq, state)
	if err != nil {
		return false, classify("save state", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, classify("save state: commit", err)
	}
	return ok, nil
}

var changeColumns = []string{"seq", "kind", "topic", "system", "old_slug", "feature", "category", "article",
	"old_name", "new_name", "updated",
	"old_support", "old_value", "old_note", "old_since", "old_via", "old_source", "old_checked",
	"new_support", "new_value", "new_note", "new_since", "new_via", "new_source", "new_checked",
	"topic_rank", "system_rank", "feature_rank"}

// bases reads the ranks of the newest recorded change of each group
// changes fall in (history.Ranks continues them): a statement a level,
// a seek a group.
func bases(ctx context.Context, tx pgx.Tx, changes []history.Change) (history.Bases, error) {
	b := history.Bases{Topic: map[string]int64{}, System: map[history.SystemKey]int64{}, Feature: map[history.FeatureKey]int64{}}
	topics, systems, features := history.RankGroups(changes)
	var ts, ss, fs [3][]string
	for _, t := range topics {
		ts[0] = append(ts[0], t)
	}
	for _, k := range systems {
		ss[0], ss[1] = append(ss[0], k.Topic), append(ss[1], k.System)
	}
	for _, k := range features {
		fs[0], fs[1], fs[2] = append(fs[0], k.Topic), append(fs[1], k.System), append(fs[2], k.Feature)
	}
	for _, level := range []struct {
		sql  string
		keys [3][]string
		n    int
		set  func(k [3]string, r int64)
	}{
		{`SELECT k.t, '', '', COALESCE((SELECT topic_rank FROM history_changes WHERE topic = k.t ORDER BY id DESC LIMIT 1), 0)
			FROM unnest($1::text[]) AS k(t)`, ts, 1, func(k [3]string, r int64) { b.Topic[k[0]] = r }},
		{`SELECT k.t, k.s, '', COALESCE((SELECT system_rank FROM history_changes WHERE topic = k.t AND system = k.s ORDER BY id DESC LIMIT 1), 0)
			FROM unnest($1::text[], $2::text[]) AS k(t, s)`, ss, 2, func(k [3]string, r int64) { b.System[history.SystemKey{Topic: k[0], System: k[1]}] = r }},
		{`SELECT k.t, k.s, k.f, COALESCE((SELECT feature_rank FROM history_changes WHERE topic = k.t AND system = k.s AND feature = k.f ORDER BY id DESC LIMIT 1), 0)
			FROM unnest($1::text[], $2::text[], $3::text[]) AS k(t, s, f)`, fs, 3, func(k [3]string, r int64) {
			b.Feature[history.FeatureKey{Topic: k[0], System: k[1], Feature: k[2]}] = r
		}},
	} {
		args := make([]any, level.n)
		for i := range args {
			args[i] = level.keys[i]
		}
		rows, err := tx.Query(ctx, level.sql, args...)
		if err != nil {
			return b, err
		}
		var k [3]string
		var r int64
		_, err = pgx.ForEachRow(rows, []any{&k[0], &k[1], &k[2], &r}, func() error {
			level.set(k, r)
			return nil
		})
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

const revisionColumns = `seq, follows, revision, parent, recorded_at, commit_id, subject, baseline, changes`

func scanRevision(sc interface{ Scan(...any) error }) (history.Revision, error) {
	var r history.Revision
	err := sc.Scan(&r.Seq, &r.Follows, &r.ID, &r.Parent, &r.RecordedAt, &r.Commit, &r.Subject, &r.Baseline, &r.Changes)
	r.RecordedAt = r.RecordedAt.UTC()
	return r, err
}

// Latest returns the newest recorded revision, or history.ErrNotFound.
func (db *DB) Latest(ctx context.Context) (history.Revision, error) {
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return history.Revision{}, err
	}
	defer cancel()
	r, err := scanRevision(db.pool.QueryRow(ctx, `SELECT `+revisionColumns+` FROM history_revisions ORDER BY seq DESC LIMIT 1`))
	if errors.Is(err, pgx.ErrNoRows) {
		return history.Revision{}, fmt.Errorf("latest revision: %w", history.ErrNotFound)
	}
	if err != nil {
		return history.Revision{}, classify("latest revision", err)
	}
	return r, nil
}

// FindRevision returns the newest revision whose id starts with id, or
// history.ErrNotFound.
func (db *DB) FindRevision(ctx context.Context, id string) (history.Revision, error) {
	if id == "" || strings.ContainsAny(id, "%_") {
		return history.Revision{}, fmt.Errorf("revision %q: %w", id, history.ErrNotFound)
	}
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return history.Revision{}, err
	}
	defer cancel()
	r, err := scanRevision(db.pool.QueryRow(ctx, `SELECT `+revisionColumns+` FROM history_revisions
		WHERE starts_with(revision, $1) ORDER BY seq DESC LIMIT 1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return history.Revision{}, fmt.Errorf("revision %q: %w", id, history.ErrNotFound)
	}
	if err != nil {
		return history.Revision{}, classify("find revision", err)
	}
	return r, nil
}

// Revisions returns recorded revisions, newest first; limit <= 0 means all.
func (db *DB) Revisions(ctx context.Context, limit, offset int) ([]history.Revision, error) {
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	var lim any // NULL: LIMIT ALL
	if limit > 0 {
		lim = limit
	}
	rows, err := db.pool.Query(ctx, `SELECT `+revisionColumns+` FROM history_revisions ORDER BY seq DESC LIMIT $1 OFFSET $2`, lim, max(offset, 0))
	if err != nil {
		return nil, classify("revisions", err)
	}
	defer rows.Close()
	var out []history.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, classify("revisions", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, classify("revisions", err)
	}
	return out, nil
}

// Changes returns the changes q selects, newest first, with their
// revisions. The conditions are those of history.Query, ANDed, as plain
// ORs: the planner has statistics and the indexes of migration 0002.
//
// A page at an offset is not counted to: seekPage finds the id it starts
// at, as in the SQLite store, and the page is read from there (Before).
func (db *DB) Changes(ctx context.Context, q history.Query) ([]history.Entry, error) {
	if q.Offset > 0 {
		var err error
		if q, err = db.seekPage(ctx, q); err != nil {
			return nil, err
		}
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	conds := changeConds(q, arg)
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var lim any // NULL: LIMIT ALL
	if q.Limit > 0 {
		lim = q.Limit
	}
	limit, offset := arg(lim), arg(max(q.Offset, 0))
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	rows, err := db.pool.Query(ctx, `SELECT c.id, c.seq, c.kind, c.topic, c.system, c.old_slug, c.feature, c.category, c.article,
		c.old_name, c.new_name, c.updated,
		c.old_support, c.old_value, c.old_note, c.old_since, c.old_via, c.old_source, c.old_checked,
		c.new_support, c.new_value, c.new_note, c.new_since, c.new_via, c.new_source, c.new_checked,
		r.follows, r.revision, r.parent, r.recorded_at, r.commit_id, r.subject, r.baseline, r.changes
		FROM history_changes c JOIN history_revisions r ON r.seq = c.seq`+where+
		` ORDER BY c.id DESC LIMIT `+limit+` OFFSET `+offset, args...)
	if err != nil {
		return nil, classify("changes", err)
	}
	defer rows.Close()
	var out []history.Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, classify("changes", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, classify("changes", err)
	}
	return out, nil
}

// seekPage returns q with its Offset turned into the Before of the page's
// start (history.PageStart), found from the ranks of the groups q walks
// and a count of the renames among them; past the end, a Before of 1. A
// query not made of groups, or whose since= time does not start a run of
// revisions, keeps its Offset. See internal/sqlite's.
func (db *DB) seekPage(ctx context.Context, q history.Query) (history.Query, error) {
	walks, ok := q.Walks()
	if !ok {
		return q, nil
	}
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return q, err
	}
	defer cancel()
	if !q.SinceTime.IsZero() {
		var gap bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM history_revisions
			WHERE seq > (SELECT MIN(seq) FROM history_revisions WHERE recorded_at > $1) AND recorded_at <= $1)`, q.SinceTime.UTC()).Scan(&gap); err != nil {
			return q, classify("changes: since", err)
		}
		if gap {
			return q, nil
		}
	}
	end := q.Before
	if end == 0 {
		if err := db.pool.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM history_changes`).Scan(&end); err != nil {
			return q, classify("changes: last id", err)
		}
	}
	// $1 is the id the counts stop below.
	args := []any{nil}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	topic := arg(q.Topic)
	var counts []string
	for _, w := range walks {
		var c string
		switch w.Of {
		case history.TopicWalk:
			c = `(SELECT topic_rank FROM history_changes WHERE topic = ` + topic + ` AND id < $1 ORDER BY id DESC LIMIT 1)`
		case history.SystemWalk:
			c = `(SELECT system_rank FROM history_changes WHERE topic = ` + topic + ` AND system = ` + arg(w.System) + ` AND id < $1 ORDER BY id DESC LIMIT 1)`
		case history.FeatureWalk:
			c = `(SELECT feature_rank FROM history_changes WHERE topic = ` + topic + ` AND system = ` + arg(w.System) +
				` AND feature = ` + arg(w.Feature) + ` AND id < $1 ORDER BY id DESC LIMIT 1)`
		}
		counts = append(counts, "COALESCE("+c+", 0)")
	}
	if len(q.Systems) > 0 {
		counts = append(counts, `(SELECT COUNT(*) FROM history_changes c WHERE c.topic = `+topic+` AND c.id < $1 AND `+renamesOutsideWalks(q, arg)+`)`)
	}
	sql := `SELECT ` + strings.Join(counts, " + ")
	count := func(ctx context.Context, id int64) (int64, error) {
		args[0] = id
		var n int64
		err := db.pool.QueryRow(ctx, sql, args...).Scan(&n)
		return n, classify("changes: count", err)
	}
	return history.SeekPage(ctx, q, end, count)
}

// renamesOutsideWalks is the condition of the changes q lists under an
// old slug of its systems that none of its walks has (a rename whose new
// slug is not one of q's systems), its values bound by arg.
func renamesOutsideWalks(q history.Query, arg func(any) string) string {
	s := arg(q.Systems)
	conds := []string{"c.old_slug = ANY(" + s + ")", "c.old_slug <> ''"}
	walked := "c.system = ANY(" + s + ")"
	f := ""
	if len(q.Features) > 0 {
		f = arg(q.Features)
		conds = append(conds, "(c.feature = ANY("+f+") OR c.kind = ANY("+arg(history.SystemKinds)+"))")
		walked += " AND (c.feature = ANY(" + f + ") OR c.feature = '')"
	}
	if q.Rows {
		rows := "c.system = '' AND c.kind = ANY(" + arg(history.RowKinds) + ")"
		if f != "" {
			rows += " AND c.feature = ANY(" + f + ")"
		}
		walked = "(" + walked + ") OR (" + rows + ")"
	}
	return strings.Join(append(conds, "NOT ("+walked+")"), " AND ")
}

// changeConds is the WHERE of a change query, its values bound by arg.
func changeConds(q history.Query, arg func(any) string) []string {
	var conds []string
	if q.Topic != "" {
		conds = append(conds, "c.topic = "+arg(q.Topic))
	}
	if len(q.Systems) > 0 {
		s := arg(q.Systems)
		or := "c.system = ANY(" + s + ") OR (c.old_slug = ANY(" + s + ") AND c.old_slug <> '')"
		if q.Rows {
			or += " OR c.kind = ANY(" + arg(history.RowKinds) + ")"
		}
		conds = append(conds, "("+or+")")
	}
	if len(q.Features) > 0 {
		conds = append(conds, "(c.feature = ANY("+arg(q.Features)+") OR c.kind = ANY("+arg(history.SystemKinds)+"))")
	}
	if q.SinceSeq > 0 {
		conds = append(conds, "c.seq > "+arg(q.SinceSeq))
	}
	if !q.SinceTime.IsZero() {
		conds = append(conds, "c.seq IN (SELECT seq FROM history_revisions WHERE recorded_at > "+arg(q.SinceTime.UTC())+")")
	}
	if q.Before > 0 {
		conds = append(conds, "c.id < "+arg(q.Before))
	}
	return conds
}

// scanEntry reads one row of the change query.
func scanEntry(rows pgx.Rows) (history.Entry, error) {
	var e history.Entry
	c := &e.Change
	var updated *time.Time
	if err := rows.Scan(&c.ID, &c.Seq, &c.Kind, &c.Topic, &c.System, &c.OldSlug, &c.Feature, &c.Category, &c.Article,
		&c.OldName, &c.NewName, &updated,
		&c.Old.Support, &c.Old.Value, &c.Old.Note, &c.Old.Since, &c.Old.Via, &c.Old.Source, &c.Old.Checked,
		&c.New.Support, &c.New.Value, &c.New.Note, &c.New.Since, &c.New.Via, &c.New.Source, &c.New.Checked,
		&e.Revision.Follows, &e.Revision.ID, &e.Revision.Parent, &e.Revision.RecordedAt, &e.Revision.Commit,
		&e.Revision.Subject, &e.Revision.Baseline, &e.Revision.Changes); err != nil {
		return e, err
	}
	if updated != nil {
		c.Updated = updated.UTC()
	}
	e.Revision.Seq = c.Seq
	e.Revision.RecordedAt = e.Revision.RecordedAt.UTC()
	return e, nil
}
