package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"versa/internal/kb"
	"versa/migrations"
)

// openDB opens a database in a fresh folder, closed when the test ends.
func openDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "versa.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// versions returns the rows of schema_migrations.
func versions(t *testing.T, db *DB) map[int]string {
	t.Helper()
	rows, err := db.db.Query(`SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	defer rows.Close()
	got := make(map[int]string)
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		got[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	first := versions(t, db)
	ms, err := readMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(ms) || first[1] == "" {
		t.Fatalf("schema_migrations = %v, want versions 1 to %d", first, len(ms))
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if diff := cmp.Diff(first, versions(t, db)); diff != "" {
		t.Errorf("schema_migrations changed on reopen (-before +after):\n%s", diff)
	}
}

func TestOpenAppliesMigrationsInOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	fsys := fstest.MapFS{
		// 0010 sorts before 0002 as a string; numbers decide.
		"0010_insert_row.sql":  {Data: []byte(`INSERT INTO log (msg) VALUES ('ten');`)},
		"0002_create_log.sql":  {Data: []byte(`CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT NOT NULL);`)},
		"0001_nothing_yet.sql": {Data: []byte(`-- just a comment`)},
	}
	db, err := open(ctx, path, fsys)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if got, want := len(versions(t, db)), 3; got != want {
		t.Errorf("len(schema_migrations) = %d, want %d", got, want)
	}
	db.Close()

	// A later binary brings one more migration: only that one runs.
	fsys["0011_insert_row.sql"] = &fstest.MapFile{Data: []byte(`INSERT INTO log (msg) VALUES ('eleven');`)}
	db, err = open(ctx, path, fsys)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	var msgs []string
	rows, err := db.db.Query(`SELECT msg FROM log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	if diff := cmp.Diff([]string{"ten", "eleven"}, msgs); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func TestOpenFailedMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	fsys := fstest.MapFS{
		"0001_create.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
		"0002_broken.sql": {Data: []byte(`CREATE TABLE b (x INTEGER); THIS IS NOT SQL;`)},
	}
	if _, err := open(ctx, path, fsys); err == nil || !strings.Contains(err.Error(), "0002_broken.sql") {
		t.Fatalf("open error = %v, want one naming 0002_broken.sql", err)
	}
	fsys["0002_broken.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE b (x INTEGER);`)}
	db, err := open(ctx, path, fsys)
	if err != nil {
		t.Fatalf("open after fixing the migration: %v (was table b left behind?)", err)
	}
	defer db.Close()
	if got := len(versions(t, db)); got != 2 {
		t.Errorf("len(schema_migrations) = %d, want 2", got)
	}
}

func TestOpenBadMigrationNames(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
	}{
		{"no number", fstest.MapFS{"init.sql": {}}},
		{"zero", fstest.MapFS{"0000_init.sql": {}}},
		{"same number", fstest.MapFS{"0001_a.sql": {}, "1_b.sql": {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := open(context.Background(), filepath.Join(t.TempDir(), "versa.db"), tt.fsys)
			if err == nil {
				db.Close()
				t.Fatal("open succeeded, want an error")
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := db.db.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'later')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded on a newer schema")
	}
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Errorf("Open error = %v, want ErrSchemaTooNew", err)
	}
	ms, merr := readMigrations(migrations.FS)
	if merr != nil || len(ms) == 0 {
		t.Fatalf("readMigrations: %v, %d", merr, len(ms))
	}
	want := fmt.Sprintf("database schema version 999 is newer than this binary knows (%d): upgrade versa or use another --data folder", ms[len(ms)-1].version)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Open error = %q, want it to contain %q", err, want)
	}
}

func TestOpenMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "versa.db")
	db, err := Open(context.Background(), path)
	if err == nil {
		db.Close()
		t.Fatal("Open succeeded in a missing folder")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open error = %v, want fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), "data folder") {
		t.Errorf("Open error = %q, want it to mention the data folder", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs a non-root Unix user: root writes anywhere")
	}
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string) // makes dir or its database read-only
	}{
		{"new file in a read-only folder", func(t *testing.T, dir string) {}},
		{"existing file in a read-only folder", func(t *testing.T, dir string) {
			db, err := Open(context.Background(), filepath.Join(dir, "versa.db"))
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			for _, suffix := range []string{"-wal", "-shm"} {
				os.Remove(filepath.Join(dir, "versa.db"+suffix))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.prepare(t, dir)
			if err := os.Chmod(dir, 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755) })
			db, err := Open(context.Background(), filepath.Join(dir, "versa.db"))
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded in a read-only folder")
			}
			t.Logf("Open: %v", err)
			if !strings.Contains(err.Error(), "must be writable") {
				t.Errorf("Open error = %q, want a hint about a writable folder", err)
			}
		})
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a?b#c%d.db")
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at %q: %v", path, err)
	}
}

// Every pooled connection gets the pragmas, not only the first one.
func TestPragmasOnEveryConnection(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	want := map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "5000",
		"synchronous":  "1",
		"page_size":    "16384",
		"temp_store":   "2", // MEMORY: nothing is written outside the data folder
	}
	for i := range 3 {
		conn, err := db.db.Conn(ctx) // held open, so each is a new connection
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for name, w := range want {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", name, err)
			}
			if got != w {
				t.Errorf("connection %d: PRAGMA %s = %q, want %q", i, name, got, w)
			}
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	tests := []time.Time{
		{},
		time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 3, 1, 12, 30, 0, 5, time.FixedZone("CET", 3600)),
	}
	for _, in := range tests {
		got, err := parseTime(formatTime(in))
		if err != nil {
			t.Fatalf("parseTime(formatTime(%v)): %v", in, err)
		}
		if !got.Equal(in) || got.Location() != time.UTC {
			t.Errorf("round trip of %v = %v, want the same instant in UTC", in, got)
		}
	}
	// Text order is time order, which article lists rely on.
	a, b := formatTime(time.Date(2024, 1, 1, 0, 0, 5, 0, time.UTC)), formatTime(time.Date(2024, 1, 1, 0, 0, 5, 500, time.UTC))
	if a >= b {
		t.Errorf("formatTime order: %q >= %q", a, b)
	}
}

// equateEmpty makes nil and empty slices equal: the store reads empty lists
// back as nil.
func equateEmpty() cmp.Option { return cmpopts.EquateEmpty() }

func wantNotFound(t *testing.T, err error, mention string) {
	t.Helper()
	if !errors.Is(err, kb.ErrNotFound) {
		t.Fatalf("error = %v, want kb.ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), mention) {
		t.Errorf("error = %q, want it to mention %s", err, mention)
	}
}
