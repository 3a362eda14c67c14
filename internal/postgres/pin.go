package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"versa/internal/kb"
)

// PutPin stores s unless a pin with its id exists, and reports whether it
// stored it. Ids are derived from the data, so two replicas pinning the
// same view write one row.
func (db *DB) PutPin(ctx context.Context, s kb.Pin) (bool, error) {
	if s.ID == "" || len(s.Data) == 0 {
		return false, fmt.Errorf("put pin: empty id or data: %w", kb.ErrInvalid)
	}
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return false, err
	}
	defer cancel()
	tag, err := db.pool.Exec(ctx, `INSERT INTO snapshots (id, created_at, revision, url, topic, size, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		s.ID, s.CreatedAt.UTC(), s.Revision, s.URL, s.Topic, len(s.Data), string(s.Data))
	if err != nil {
		return false, classify("put pin "+s.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// GetPin returns the pin with the given id, or kb.ErrNotFound.
func (db *DB) GetPin(ctx context.Context, id string) (kb.Pin, error) {
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return kb.Pin{}, err
	}
	defer cancel()
	s := kb.Pin{ID: id}
	var data string
	err = db.pool.QueryRow(ctx, `SELECT created_at, revision, url, topic, data::text FROM snapshots WHERE id = $1`, id).
		Scan(&s.CreatedAt, &s.Revision, &s.URL, &s.Topic, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return kb.Pin{}, fmt.Errorf("pin %s: %w", id, kb.ErrNotFound)
	}
	if err != nil {
		return kb.Pin{}, classify("get pin "+id, err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	s.Data = []byte(data)
	return s, nil
}

// CountPins returns how many pins are stored.
func (db *DB) CountPins(ctx context.Context) (int, error) {
	ctx, cancel, err := db.query(ctx)
	if err != nil {
		return 0, err
	}
	defer cancel()
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM snapshots`).Scan(&n); err != nil {
		return 0, classify("count pins", err)
	}
	return n, nil
}
