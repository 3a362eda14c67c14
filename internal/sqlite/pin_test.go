package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

func sampleSnapshot(id string) kb.Pin {
	return kb.Pin{
		ID:        id,
		CreatedAt: time.Date(2026, 5, 2, 14, 3, 0, 0, time.UTC),
		Revision:  "rev-1",
		URL:       "/compare/web/django-vs-flask?diff=1",
		Topic:     "web",
		Data:      []byte(`{"systems":["django","flask"]}`),
	}
}

// mustSnapshot fails the test unless the store holds want.
func mustSnapshot(t *testing.T, db *DB, want kb.Pin) {
	t.Helper()
	got, err := db.GetPin(context.Background(), want.ID)
	if err != nil {
		t.Fatalf("GetPin(%s): %v", want.ID, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetPin(%s) (-want +got):\n%s", want.ID, diff)
	}
}

func TestSnapshotPutGet(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	s := sampleSnapshot("abc")
	created, err := db.PutPin(ctx, s)
	if err != nil || !created {
		t.Fatalf("PutPin = %v, %v; want true, nil", created, err)
	}
	mustSnapshot(t, db, s)

	// The same id again is the same view: kept as first stored.
	again := s
	again.CreatedAt = s.CreatedAt.Add(time.Hour)
	created, err = db.PutPin(ctx, again)
	if err != nil || created {
		t.Fatalf("second PutPin = %v, %v; want false, nil", created, err)
	}
	mustSnapshot(t, db, s)
	if n, err := db.CountPins(ctx); err != nil || n != 1 {
		t.Errorf("CountPins = %d, %v; want 1, nil", n, err)
	}

	if _, err := db.GetPin(ctx, "nope"); !errors.Is(err, kb.ErrNotFound) {
		t.Errorf("GetPin(nope) error = %v, want ErrNotFound", err)
	}
	bad := sampleSnapshot("bad")
	bad.Data = []byte(`{not json`)
	if _, err := db.PutPin(ctx, bad); err == nil {
		t.Error("PutPin with invalid JSON succeeded")
	}
	if _, err := db.PutPin(ctx, kb.Pin{Data: []byte(`{}`)}); !errors.Is(err, kb.ErrInvalid) {
		t.Errorf("PutPin without id error = %v, want ErrInvalid", err)
	}
}

// Snapshots are user data: content loads empty the content tables by name
// and never touch them, and they survive closing the database.
func TestSnapshotSurvivesContentLoads(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceContent(ctx, sampleContent(), nil); err != nil {
		t.Fatal(err)
	}
	s := sampleSnapshot("pinned")
	if _, err := db.PutPin(ctx, s); err != nil {
		t.Fatal(err)
	}

	// Different content, whole: the topic of the snapshot is gone.
	c := sampleContent()
	c.Revision = "rev-2"
	c.Topics = c.Topics[:1]
	c.Systems = c.Systems[:1]
	c.Articles = nil
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatalf("ReplaceContent: %v", err)
	}
	mustSnapshot(t, db, s)
	// A streamed load that fails rolls back, and a good one commits.
	boom := errors.New("boom")
	if err := db.LoadContent(ctx, "rev-3", func(kb.Sink) ([]kb.Problem, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("LoadContent error = %v, want boom", err)
	}
	if err := db.LoadContent(ctx, "rev-4", func(kb.Sink) ([]kb.Problem, error) { return nil, nil }); err != nil {
		t.Fatalf("LoadContent: %v", err)
	}
	mustSnapshot(t, db, s)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	mustSnapshot(t, db, s)
	if rev, err := db.Revision(ctx); err != nil || rev.ID != "rev-4" {
		t.Errorf("Revision = %q, %v; want rev-4", rev.ID, err)
	}
}

// A backup taken while another connection writes is a database of its own,
// with the snapshots it had; it never overwrites a file.
func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "versa.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.ReplaceContent(ctx, sampleContent(), nil); err != nil {
		t.Fatal(err)
	}
	first := sampleSnapshot("first")
	if _, err := db.PutPin(ctx, first); err != nil {
		t.Fatal(err)
	}

	// A second pool on the same file stands in for a running server.
	writer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var written int
	var writeErr error
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := writer.PutPin(ctx, sampleSnapshot(fmt.Sprintf("w%d", i))); err != nil {
				writeErr = err
				return
			}
			if i%20 == 0 {
				c := sampleContent()
				c.Revision = fmt.Sprintf("rev-w%d", i)
				if err := writer.ReplaceContent(ctx, c, nil); err != nil {
					writeErr = err
					return
				}
			}
			written++
		}
	}()
	time.Sleep(20 * time.Millisecond)
	out := filepath.Join(dir, "backup.db")
	err = db.Backup(ctx, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if written == 0 {
		t.Error("the writer wrote nothing during the backup")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".backup.db.*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	copyDB, err := Open(ctx, out)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer copyDB.Close()
	var check string
	if err := copyDB.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}
	mustSnapshot(t, copyDB, first)
	if rev, err := copyDB.Revision(ctx); err != nil || rev.ID == "" {
		t.Errorf("backup Revision = %q, %v", rev.ID, err)
	}
	systems, err := copyDB.ListSystems(ctx, "web")
	if err != nil || len(systems) == 0 {
		t.Errorf("backup ListSystems = %d systems, %v", len(systems), err)
	}

	before, _ := os.ReadFile(out)
	if err := db.Backup(ctx, out); !errors.Is(err, os.ErrExist) {
		t.Errorf("Backup over an existing file: error = %v, want ErrExist", err)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("Backup changed the existing file")
	}
}

// OpenExisting, which backup uses, changes nothing: no new file, no
// migration of an older schema under a running server.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := OpenExisting(ctx, filepath.Join(dir, "missing.db")); err == nil {
		t.Error("OpenExisting of a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenExisting created the missing file: %v", err)
	}
	path := filepath.Join(dir, "old.db")
	old, err := open(ctx, path, fstest.MapFS{"0001_init.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)}})
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	db, err := OpenExisting(ctx, path)
	if err != nil {
		t.Fatalf("OpenExisting: %v", err)
	}
	defer db.Close()
	if got := versions(t, db); len(got) != 1 {
		t.Errorf("schema_migrations after OpenExisting = %v, want version 1 only", got)
	}
	out := filepath.Join(dir, "copy.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Errorf("backup file: %v", err)
	}
}
