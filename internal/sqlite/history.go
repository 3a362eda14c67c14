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
	if len(changes) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO history_changes (seq, kind, topic, system, old_slug, feature, category, article,
			old_name, new_name, updated,
			old_support, old_value, old_note, old_since, old_via, old_source, old_checked,
			new_support, new_value, new_note, new_since, new_via, new_source, new_checked)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return false, fmt.Errorf("record history: %w", err)
		}
		defer stmt.Close()
		for _, c := range changes {
			updated := ""
			if !c.Updated.IsZero() {
				updated = formatTime(c.Updated)
			}
			if _, err := stmt.ExecContext(ctx, seq, c.Kind, c.Topic, c.System, c.OldSlug, c.Feature, c.Category, c.Article,
				c.OldName, c.NewName, updated,
				c.Old.Support, c.Old.Value, c.Old.Note, c.Old.Since, c.Old.Via, c.Old.Source, c.Old.Checked,
				c.New.Support, c.New.Value, c.New.Note, c.New.Since, c.New.Via, c.New.Source, c.New.Checked); err != nil {
				return false, fmt.Errorf("record history: %w", err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("record history: %w", err)
	}
	return true, nil
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
func (db *DB) Changes(ctx context.Context, q history.Query) ([]history.Entry, error) {
	var where []string
	var args []any
	in := func(col string, vals []string) string {
		for _, v := range vals {
			args = append(args, v)
		}
		return col + " IN (" + strings.TrimSuffix(strings.Repeat("?,", len(vals)), ",") + ")"
	}
	if q.Topic != "" {
		where = append(where, "c.topic = ?")
		args = append(args, q.Topic)
	}
	if len(q.Systems) > 0 {
		// old_slug <> '' lets SQLite use the partial index on old_slug.
		cond := in("c.system", q.Systems) + " OR (" + in("c.old_slug", q.Systems) + " AND c.old_slug <> '')"
		if q.Rows {
			cond += " OR " + in("c.kind", history.RowKinds)
		}
		where = append(where, "("+cond+")")
	}
	if len(q.Features) > 0 {
		where = append(where, "("+in("c.feature", q.Features)+" OR "+in("c.kind", history.SystemKinds)+")")
	}
	if q.SinceSeq > 0 {
		where = append(where, "c.seq > ?")
		args = append(args, q.SinceSeq)
	}
	if !q.SinceTime.IsZero() {
		where = append(where, "c.seq IN (SELECT seq FROM history_revisions WHERE recorded_at > ?)")
		args = append(args, formatTime(q.SinceTime))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.db.QueryContext(ctx, `SELECT c.id, c.seq, c.kind, c.topic, c.system, c.old_slug, c.feature, c.category, c.article,
		c.old_name, c.new_name, c.updated,
		c.old_support, c.old_value, c.old_note, c.old_since, c.old_via, c.old_source, c.old_checked,
		c.new_support, c.new_value, c.new_note, c.new_since, c.new_via, c.new_source, c.new_checked,
		r.follows, r.revision, r.parent, r.recorded_at, r.commit_id, r.subject, r.baseline, r.changes
		FROM history_changes c JOIN history_revisions r ON r.seq = c.seq`+cond+` ORDER BY c.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, q.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("changes: %w", err)
	}
	defer rows.Close()
	var out []history.Entry
	for rows.Next() {
		var e history.Entry
		c := &e.Change
		var updated, at string
		if err := rows.Scan(&c.ID, &c.Seq, &c.Kind, &c.Topic, &c.System, &c.OldSlug, &c.Feature, &c.Category, &c.Article,
			&c.OldName, &c.NewName, &updated,
			&c.Old.Support, &c.Old.Value, &c.Old.Note, &c.Old.Since, &c.Old.Via, &c.Old.Source, &c.Old.Checked,
			&c.New.Support, &c.New.Value, &c.New.Note, &c.New.Since, &c.New.Via, &c.New.Source, &c.New.Checked,
			&e.Revision.Follows, &e.Revision.ID, &e.Revision.Parent, &at, &e.Revision.Commit, &e.Revision.Subject, &e.Revision.Baseline, &e.Revision.Changes); err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		e.Revision.Seq = c.Seq
		if updated != "" {
			if c.Updated, err = parseTime(updated); err != nil {
				return nil, fmt.Errorf("changes: %w", err)
			}
		}
		if e.Revision.RecordedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("changes: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
