package storetest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"versa/internal/history"
	"versa/internal/ingest"
	"versa/internal/kb"
	"versa/internal/postgres"
	"versa/internal/postgres/pgtest"
	"versa/internal/sqlite"
)

// pinStore is what the server asks of a store of pins.
type pinStore interface {
	PutPin(ctx context.Context, s kb.Pin) (bool, error)
	GetPin(ctx context.Context, id string) (kb.Pin, error)
	CountPins(ctx context.Context) (int, error)
}

// store is a store of user data: pins and the change history, which
// *sqlite.DB and *postgres.DB both are.
type store interface {
	pinStore
	ingest.History
	history.Store
}

var (
	_ store = (*sqlite.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// engine opens an empty store of one kind for a test.
type engine struct {
	name string
	open func(t testing.TB) store
}

func engines() []engine {
	return []engine{
		{"sqlite", func(t testing.TB) store {
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "versa.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
		{"postgres", func(t testing.TB) store {
			db, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{PoolSize: 16})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			if err := db.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
			return db
		}},
	}
}

func pin(id string) kb.Pin {
	return kb.Pin{
		ID:        id,
		CreatedAt: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
		Revision:  "rev-" + id,
		URL:       "/compare/t/a-vs-b?only=diff",
		Topic:     "t",
		// Spacing and key order that a JSON normaliser would change.
		Data: []byte(`{"z": 1,  "a":[ "é", "<b>" ], "id":"` + id + `"}`),
	}
}

// TestPins runs the same cases on each engine.
func TestPins(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, s pinStore)
	}{
		{"put then get the same bytes", func(t *testing.T, s pinStore) {
			ctx := context.Background()
			want := pin("abc")
			stored, err := s.PutPin(ctx, want)
			if err != nil || !stored {
				t.Fatalf("PutPin = %v, %v; want true, nil", stored, err)
			}
			got, err := s.GetPin(ctx, "abc")
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Data) != string(want.Data) {
				t.Errorf("data = %s, want %s", got.Data, want.Data)
			}
			if got.ID != want.ID || got.Revision != want.Revision || got.URL != want.URL || got.Topic != want.Topic || !got.CreatedAt.Equal(want.CreatedAt) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		}},
		{"same id twice writes once", func(t *testing.T, s pinStore) {
			ctx := context.Background()
			if ok, err := s.PutPin(ctx, pin("x")); err != nil || !ok {
				t.Fatalf("first PutPin = %v, %v", ok, err)
			}
			if ok, err := s.PutPin(ctx, pin("x")); err != nil || ok {
				t.Fatalf("second PutPin = %v, %v; want false, nil", ok, err)
			}
			if n, err := s.CountPins(ctx); err != nil || n != 1 {
				t.Fatalf("CountPins = %d, %v; want 1", n, err)
			}
		}},
		{"concurrent pins of one view store one", func(t *testing.T, s pinStore) {
			ctx := context.Background()
			var wg sync.WaitGroup
			var mu sync.Mutex
			stored := 0
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() {
					ok, err := s.PutPin(ctx, pin("same"))
					if err != nil {
						errs <- err
						return
					}
					if ok {
						mu.Lock()
						stored++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if stored != 1 {
				t.Errorf("%d of 8 concurrent PutPin calls stored the row, want 1", stored)
			}
		}},
		{"unknown id is not found", func(t *testing.T, s pinStore) {
			_, err := s.GetPin(context.Background(), "nope")
			if !errors.Is(err, kb.ErrNotFound) {
				t.Fatalf("GetPin(nope) = %v, want kb.ErrNotFound", err)
			}
		}},
		{"empty id or data is invalid", func(t *testing.T, s pinStore) {
			ctx := context.Background()
			for _, p := range []kb.Pin{{Data: []byte("{}")}, {ID: "a"}} {
				if _, err := s.PutPin(ctx, p); !errors.Is(err, kb.ErrInvalid) {
					t.Errorf("PutPin(%+v) = %v, want kb.ErrInvalid", p, err)
				}
			}
			if n, err := s.CountPins(ctx); err != nil || n != 0 {
				t.Fatalf("CountPins = %d, %v; want 0", n, err)
			}
		}},
		{"count", func(t *testing.T, s pinStore) {
			ctx := context.Background()
			for i := range 5 {
				if _, err := s.PutPin(ctx, pin(fmt.Sprint("p", i))); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := s.CountPins(ctx); err != nil || n != 5 {
				t.Fatalf("CountPins = %d, %v; want 5", n, err)
			}
		}},
	}
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.run(t, e.open(t)) })
			}
		})
	}
}
