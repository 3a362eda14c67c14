package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"versa/internal/history"
)

// Record appends rev and its changes in one transaction unless a revision
// following rev.Follows is recorded already (by another server, or this one
// before a restart): then it reports false.
func (db *DB) Record(ctx context.Context, rev history.Revision, changes []history.Change) (bool, error) {
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
	// Many rows a statement: a statement's run costs more than a row's,
	// and the full batch's statement is prepared once (its parse of 2,500
	// parameters cost a quarter of the recording).
	const batch = 100
	const columns = 25
	insert := func(rows int) string {
		row := "(" + marks(columns) + ")"
		return `INSERT INTO history_changes (seq, kind, topic, system, old_slug, feature, category, article,
			old_name, new_name, updated,
			old_support, old_value, old_note, old_since, old_via, old_source, old_checked,
			new_support, new_value, new_note, new_since, new_via, new_source, new_checked)
			VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
	}
	var full *sql.Stmt
	args := make([]any, 0, min(batch, len(changes))*columns)
	for len(changes) > 0 {
		part := changes[:min(batch, len(changes))]
		changes = changes[len(part):]
		args = args[:0]
		for _, c := range part {
			updated := ""
			if !c.Updated.IsZero() {
				updated = formatTime(c.Updated)
			}
			args = append(args, seq, c.Kind, c.Topic, c.System, c.OldSlug, c.Feature, c.Category, c.Article,
				c.OldName, c.NewName, updated,
				c.Old.Support, c.Old.Value, c.Old.Note, c.Old.Since, c.Old.Via, c.Old.Source, c.Old.Checked,
				c.New.Support, c.New.Value, c.New.Note, c.New.Since, c.New.Via, c.New.Source, c.New.Checked)
		}
		if len(part) < batch {
			if _, err := tx.ExecContext(ctx, insert(len(part)), args...); err != nil {
				return false, fmt.Errorf("record history: %w", err)
			}
			continue
		}
		if full == nil {
			if full, err = tx.PrepareContext(ctx, insert(batch)); err != nil {
				return false, fmt.Errorf("record history: %w", err)
			}
			defer full.Close()
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return false, fmt.Errorf("record history: %w", err)
		}
	}
	if len(rev.State) > 0 {
		if _, err := keepState(ctx, tx, seq, []byte(rev.State)); err != nil {
			return false, fmt.Errorf("record history: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	return true, nil
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
func (db *DB) Changes(ctx context.Context, q history.Query) ([]history.Entry, error) {
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
// first, from the index alone, so that an offset skips index entries
// rather than joined rows.
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
