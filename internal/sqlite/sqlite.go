// Package sqlite is Versa's store: a SQLite read model of the content folder,
// rebuilt by each load, and the place later migrations add user data to.
//
// Writes run in one write transaction each. Reads run in read transactions,
// which in WAL mode see one stable snapshot, so a page that makes several
// queries through Read never mixes two content loads.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	modernc "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"versa/migrations"
)

// ErrSchemaTooNew is returned by Open when the database was migrated by a
// newer Versa than this one: running on would risk writing a schema this
// binary does not understand.
var ErrSchemaTooNew = errors.New("upgrade versa or use another --data folder")

// DB is an open Versa database. It is safe for concurrent use.
type DB struct {
	db *sql.DB

	// The checkpointer copies the write-ahead log into the database file
	// after each content load; see checkpointSoon.
	kick chan struct{}
	stop context.CancelFunc
	done chan struct{}

	ranks rankCache // see Record
}

// Open opens (creating if needed) the SQLite file at path and migrates it to
// the schema this binary knows. The folder holding path must exist and be
// writable: SQLite in WAL mode writes files beside the database.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, migrations.FS)
}

// connect opens the database at path with the data source name dsn and
// checks that it answers.
func connect(ctx context.Context, path, dsn string) (*sql.DB, error) {
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, withHint(err))
	}
	return sqldb, nil
}

// open is Open with the migrations as a parameter, so tests can add some.
func open(ctx context.Context, path string, fsys fs.FS) (*DB, error) {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open database %s: data folder: %w", path, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open database %s: data folder %s is not a folder", path, dir)
	}

	sqldb, err := connect(ctx, path, dsn(path))
	if err != nil {
		return nil, err
	}
	db := &DB{db: sqldb}
	if err := db.migrate(ctx, fsys); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s: %w", path, withHint(err))
	}
	db.startCheckpointer()
	return db, nil
}

// withHint adds what to check to the errors SQLite gives for a folder or a
// file it may not write: its own words ("unable to open database file") do
// not say that WAL mode writes two more files beside the database.
func withHint(err error) error {
	var serr *modernc.Error
	if !errors.As(err, &serr) {
		return err
	}
	switch serr.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM:
		return fmt.Errorf("%w (the data folder and the database file must be writable)", err)
	}
	return err
}

// dsn builds a modernc.org/sqlite data source name. Pragmas go in the DSN
// because database/sql pools connections: a pragma run once with Exec would
// reach only one of them.
//   - page_size only takes effect on a new file, and must come before WAL
//     fixes it: the driver runs the _pragma list before the _journal_mode
//     key. 16 KiB pages fit several rendered articles per page where 4 KiB
//     pages fit one, which makes a content load about a quarter faster.
//   - _txlock=immediate makes write transactions take the write lock at
//     BEGIN, so two writers queue on busy_timeout instead of one failing
//     when its read lock cannot be upgraded; read-only transactions stay
//     deferred.
//   - temp_store(MEMORY) keeps statement journals and sorts in memory: they
//     would otherwise spill to files in TMPDIR or /tmp, which a container
//     with a read-only root filesystem does not have. Only /data is written.
func dsn(path string) string {
	// As a file: URI, a path may hold '?' or '#'.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(filepath.ToSlash(path))
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "page_size(16384)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	return "file:" + esc + "?" + q.Encode()
}

// Close stops the background checkpoint and closes the database.
func (db *DB) Close() error {
	db.stop()
	<-db.done
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// startCheckpointer starts the goroutine behind checkpointSoon; Close stops
// it.
func (db *DB) startCheckpointer() {
	ctx, stop := context.WithCancel(context.Background())
	db.kick, db.stop, db.done = make(chan struct{}, 1), stop, make(chan struct{})
	go func() {
		defer close(db.done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-db.kick:
				// PASSIVE never waits for readers: what they still use is
				// copied by a later checkpoint. A failure only leaves the
				// log longer, and the next write's automatic checkpoint
				// tries again, so it is not reported.
				db.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
			}
		}
	}()
}

// checkpointSoon asks for a checkpoint without waiting for it. A content load
// turns off SQLite's automatic checkpoint, which would otherwise copy the
// whole load into the database file before its commit returns.
func (db *DB) checkpointSoon() {
	select {
	case db.kick <- struct{}{}:
	default: // one is already due
	}
}

// migration is one numbered SQL file of the migrations folder.
type migration struct {
	version int
	name    string
	sql     string
}

// readMigrations returns the *.sql files of fsys sorted by version.
func readMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	ms := make([]migration, 0, len(names))
	seen := make(map[int]string)
	for _, name := range names {
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s have the same number", other, name)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read migration: %w", err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, in order, every migration the database has not recorded,
// each in its own transaction with its schema_migrations row.
func (db *DB) migrate(ctx context.Context, fsys fs.FS) error {
	ms, err := readMigrations(fsys)
	if err != nil {
		return err
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`
	if _, err := db.db.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}

	known := 0
	if len(ms) > 0 {
		known = ms[len(ms)-1].version
	}
	var current int
	if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > known {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d): %w", current, known, ErrSchemaTooNew)
	}

	for _, m := range ms {
		if err := db.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration runs m unless it is already recorded. The check is inside
// the write transaction so two processes opening a new file at once apply
// each migration once.
func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback()

	var done bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, m.version).Scan(&done); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if done {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, formatTime(time.Now())); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return nil
}

// Reader runs queries inside one read transaction; every query of a Reader
// sees the same content load. It is valid only inside the function given to
// Read, and only on that goroutine.
type Reader struct {
	tx *sql.Tx
}

// Read runs fn with a Reader on one read transaction, which is rolled back
// when fn returns. Errors of fn are returned as they are.
func (db *DB) Read(ctx context.Context, fn func(r *Reader) error) error {
	// Read-only transactions begin DEFERRED (the immediate _txlock applies to
	// writes only): the snapshot is taken at the first query and kept until
	// the rollback, while writers go on committing.
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(&Reader{tx: tx})
}

// read runs one Reader method in its own read transaction; it is what the
// one-call methods of DB are made of.
func read[T any](ctx context.Context, db *DB, fn func(r *Reader) (T, error)) (T, error) {
	var v T
	err := db.Read(ctx, func(r *Reader) error {
		var err error
		v, err = fn(r)
		return err
	})
	return v, err
}

// timeLayout is how times are stored: always UTC and fixed width, so that the
// order of the text is the order of the times.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time: %w", err)
	}
	return t.UTC(), nil
}

// encodeJSON stores an empty slice as an empty string, which decodeJSON
// reads back as nil.
func encodeJSON[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func decodeJSON[T any](s string) ([]T, error) {
	if s == "" {
		return nil, nil
	}
	var v []T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode stored json: %w", err)
	}
	return v, nil
}

// slugsJSON passes a list of slugs as one parameter, read in SQL with
// json_each, so that a query does not depend on how many slugs there are.
func slugsJSON(slugs []string) string {
	if slugs == nil {
		slugs = []string{}
	}
	b, _ := json.Marshal(slugs) // a []string always marshals
	return string(b)
}
