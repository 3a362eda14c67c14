package postgres_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"versa/internal/history"
	"versa/internal/kb"
	"versa/internal/postgres"
	"versa/internal/postgres/pgtest"
)

// Replicas starting together migrate once: the advisory lock makes the
// others wait and find the schema there.
func TestOpenTogether(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			db, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err == nil {
				err = db.Ping(context.Background())
				db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, distinct int
	if err := conn.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != distinct || rows == 0 {
		t.Errorf("schema_migrations has %d rows for %d versions", rows, distinct)
	}
}

// A database migrated by a newer binary is refused with a clear error.
func TestSchemaTooNew(t *testing.T) {
	url := pgtest.URL(t)
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `INSERT INTO schema_migrations (version) VALUES (999)`); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(context.Background(), url, postgres.Options{})
	if !errors.Is(err, postgres.ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	t.Log(err)
}

// A database that is not there at start is not an error of Open; every use
// fails with kb.ErrUnavailable, quickly, and says so.
func TestDownAtStart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	db, err := postgres.Open(context.Background(), "postgres://versa@"+addr+"/versa?sslmode=disable", postgres.Options{QueryTimeout: time.Second})
	if err != nil {
		t.Fatalf("Open with the database down = %v, want a DB that retries", err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Ping(ctx); !errors.Is(err, kb.ErrUnavailable) {
		t.Errorf("Ping = %v, want kb.ErrUnavailable", err)
	}
	if _, err := db.GetPin(ctx, "x"); !errors.Is(err, kb.ErrUnavailable) {
		t.Errorf("GetPin = %v, want kb.ErrUnavailable", err)
	}
	if _, err := db.PutPin(ctx, kb.Pin{ID: "x", Data: []byte("{}")}); !errors.Is(err, kb.ErrUnavailable) {
		t.Errorf("PutPin = %v, want kb.ErrUnavailable", err)
	}
	if _, err := db.Record(ctx, history.Revision{ID: "a"}, nil); !errors.Is(err, kb.ErrUnavailable) {
		t.Errorf("Record = %v, want kb.ErrUnavailable", err)
	}
	if _, err := db.Latest(ctx); !errors.Is(err, kb.ErrUnavailable) {
		t.Errorf("Latest = %v, want kb.ErrUnavailable", err)
	}
	if _, err := db.Changes(ctx, history.Query{Topic: "t"}); !errors.Is(err, kb.ErrUnavailable) {
		t.Errorf("Changes = %v, want kb.ErrUnavailable", err)
	}
}

func TestBadURL(t *testing.T) {
	_, err := postgres.Open(context.Background(), "postgres://u:secret@[::1", postgres.Options{})
	if err == nil {
		t.Fatal("Open of a malformed URL succeeded")
	}
	if s := err.Error(); strings.Contains(s, "secret") {
		t.Errorf("error %q shows the password", s)
	}
}
