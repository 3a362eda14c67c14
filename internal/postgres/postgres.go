// Package postgres keeps Versa's user data (pinned snapshots) in PostgreSQL,
// for several replicas that share it; each replica keeps its own SQLite read
// model of the content. Without a database URL, internal/sqlite keeps the
// user data as well.
//
// The pool connects lazily and the schema is migrated on first contact, so
// a replica started while PostgreSQL is down serves its content pages and
// answers pins with kb.ErrUnavailable until the database answers; nothing
// needs a restart.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"versa/internal/kb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrSchemaTooNew is returned when the database was migrated by a newer
// Versa than this one.
var ErrSchemaTooNew = errors.New("upgrade versa or point --database-url at another database")

// migrationLock is the key of the advisory lock that migrations hold, so
// replicas starting together migrate one after the other.
const migrationLock int64 = 0x7665727361 // "versa"

// Options tune the pool.
type Options struct {
	// PoolSize bounds the connections the pool opens; 0 means 10.
	PoolSize int
	// QueryTimeout bounds each query (and each connection attempt);
	// 0 means 5 seconds.
	QueryTimeout time.Duration
}

// DB is the user-data store in PostgreSQL. It is safe for concurrent use.
type DB struct {
	pool    *pgxpool.Pool
	timeout time.Duration
	fsys    fs.FS

	mu       sync.Mutex // held while migrating
	migrated bool       // under mu; once true it stays true
	// The last failed try, under mu: while the database is down, requests
	// within retryEvery of it get its error without a try of their own.
	failedAt time.Time
	failed   error
}

// retryEvery is how often a database that is down is tried again.
const retryEvery = time.Second

// Open prepares a pool for the database at url and tries to migrate it.
// A malformed URL or a schema newer than this binary's is an error; a
// database that does not answer is not: the returned DB retries on each
// use, which fails with kb.ErrUnavailable until the database answers.
// The returned error of that first try, if any, is reported by Ping.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	return open(ctx, url, opt, migrationFS)
}

func open(ctx context.Context, url string, opt Options, fsys fs.FS) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, fmt.Errorf("--database-url: not a PostgreSQL URL (postgres://user:password@host:5432/db)")
	}
	if opt.PoolSize <= 0 {
		opt.PoolSize = 10
	}
	if opt.QueryTimeout <= 0 {
		opt.QueryTimeout = 5 * time.Second
	}
	cfg.MaxConns = int32(opt.PoolSize)
	cfg.ConnConfig.ConnectTimeout = opt.QueryTimeout
	pool, err := pgxpool.NewWithConfig(context.WithoutCancel(ctx), cfg)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	db := &DB{pool: pool, timeout: opt.QueryTimeout, fsys: fsys}
	if err := db.ready(ctx); err != nil && !errors.Is(err, kb.ErrUnavailable) {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// Ping reports whether the database answers and is migrated; its error
// wraps kb.ErrUnavailable when it does not answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.ready(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, db.timeout)
	defer cancel()
	return classify("ping", db.pool.Ping(ctx))
}

// classify wraps err in kb.ErrUnavailable unless the database itself
// answered it (a *pgconn.PgError: a constraint, a bad statement) or it is
// pgx.ErrNoRows: anything else (refused, reset, timed out) means the
// database is not there to answer, and so do the errors of a server
// shutting down, starting up or out of connections (unavailableCode).
func classify(what string, err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && !unavailableCode(pe.Code) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: database: %w: %v", what, kb.ErrUnavailable, err)
}

// unavailableCode reports whether a SQLSTATE says the server cannot serve
// now rather than that the statement is wrong: class 08 (connection
// exception), 57 (operator intervention: admin_shutdown,
// cannot_connect_now, ...) and 53 (insufficient resources: too many
// connections, disk full).
func unavailableCode(code string) bool {
	return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57") || strings.HasPrefix(code, "53")
}

// ready migrates the database unless that is done.
func (db *DB) ready(ctx context.Context) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.migrated {
		return nil
	}
	if db.failed != nil && time.Since(db.failedAt) < retryEvery {
		return db.failed
	}
	if err := db.migrate(ctx); err != nil {
		if errors.Is(err, kb.ErrUnavailable) {
			db.failed, db.failedAt = err, time.Now()
		}
		return err
	}
	db.migrated, db.failed = true, nil
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func readMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", base)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations not recorded in schema_migrations, in one
// transaction under an advisory lock: a replica that starts while another
// migrates waits, then finds the work done.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := readMigrations(db.fsys)
	if err != nil {
		return err
	}
	// Waiting for the lock is bounded too, by a few query timeouts.
	ctx, cancel := context.WithTimeout(ctx, 4*db.timeout)
	defer cancel()
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return classify("migrate", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return classify("migrate: lock", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return classify("create schema_migrations", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return classify("read schema version", err)
	}
	if current > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d): %w", current, len(ms), ErrSchemaTooNew)
	}
	for _, m := range ms[current:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return classify("migration "+m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.version); err != nil {
			return classify("migration "+m.name+": record", err)
		}
	}
	return classify("migrate: commit", tx.Commit(ctx))
}

// query bounds one use of the database by the query timeout, after making
// sure the schema is there.
func (db *DB) query(ctx context.Context) (context.Context, context.CancelFunc, error) {
	if err := db.ready(ctx); err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, db.timeout)
	return ctx, cancel, nil
}
