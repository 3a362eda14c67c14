package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"versa/internal/kb"
)

// PutPin stores s unless a pin with its id exists, and reports
// whether it stored it. Ids are derived from the data, so an existing one
// already holds the same view.
func (db *DB) PutPin(ctx context.Context, s kb.Pin) (bool, error) {
	if s.ID == "" || len(s.Data) == 0 {
		return false, fmt.Errorf("put pin: empty id or data: %w", kb.ErrInvalid)
	}
	// ON CONFLICT (id), not OR IGNORE, which would skip a row failing
	// its CHECK without a word.
	res, err := db.db.ExecContext(ctx, `INSERT INTO snapshots (id, created_at, revision, url, topic, size, data)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		s.ID, formatTime(s.CreatedAt), s.Revision, s.URL, s.Topic, len(s.Data), string(s.Data))
	if err != nil {
		return false, fmt.Errorf("put pin %s: %w", s.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("put pin %s: %w", s.ID, err)
	}
	return n == 1, nil
}

// GetPin returns the pin with the given id, or kb.ErrNotFound.
func (db *DB) GetPin(ctx context.Context, id string) (kb.Pin, error) {
	s := kb.Pin{ID: id}
	var created, data string
	err := db.db.QueryRowContext(ctx, `SELECT created_at, revision, url, topic, data FROM snapshots WHERE id = ?`, id).
		Scan(&created, &s.Revision, &s.URL, &s.Topic, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return kb.Pin{}, fmt.Errorf("pin %s: %w", id, kb.ErrNotFound)
	}
	if err != nil {
		return kb.Pin{}, fmt.Errorf("get pin %s: %w", id, err)
	}
	if s.CreatedAt, err = parseTime(created); err != nil {
		return kb.Pin{}, fmt.Errorf("get pin %s: %w", id, err)
	}
	s.Data = []byte(data)
	return s, nil
}

// CountPins returns how many pins are stored.
func (db *DB) CountPins(ctx context.Context) (int, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM snapshots`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pins: %w", err)
	}
	return n, nil
}
