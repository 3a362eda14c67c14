package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"versa/internal/history"
	"versa/internal/ingest"
	"versa/internal/postgres"
	"versa/internal/server"
)

// userData is where pinned snapshots and the change history go: the SQLite
// file in the data folder (the default) or, with --database-url, a
// PostgreSQL database that several replicas share. Each replica keeps its
// own SQLite read model of the content either way.
type userData interface {
	server.PinStore
	ingest.History
	history.Store
}

// databaseFlags checks the database flags: an empty URL is SQLite; a URL
// must be postgres:// or postgresql://. The URL is never quoted back, as it
// may hold a password.
func databaseFlags(cfg Config) error {
	if cfg.DatabasePoolSize < 1 {
		return fmt.Errorf("--database-pool-size must be at least 1, not %d", cfg.DatabasePoolSize)
	}
	if cfg.DatabaseTimeout <= 0 {
		return fmt.Errorf("--database-timeout must be positive, not %s", cfg.DatabaseTimeout)
	}
	if cfg.DatabaseURL == "" {
		return nil
	}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("--database-url (VERSA_DATABASE_URL) must be a PostgreSQL URL, postgres://user:password@host:5432/db")
	}
	return nil
}

// openUserData opens PostgreSQL when --database-url is set, else returns
// db. PostgreSQL that does not answer yet is not an error: pins answer 503
// and history is not recorded until it does, with no restart needed.
func openUserData(ctx context.Context, cfg Config, db userData, log *slog.Logger) (userData, func(), error) {
	if cfg.DatabaseURL == "" {
		return db, func() {}, nil
	}
	pg, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{PoolSize: cfg.DatabasePoolSize, QueryTimeout: cfg.DatabaseTimeout})
	if err != nil {
		return nil, nil, err
	}
	if err := pg.Ping(ctx); err != nil {
		log.Warn("user data: PostgreSQL is not answering; pins answer 503 until it does", "err", err)
	} else {
		log.Info("user data: PostgreSQL", "pool_size", cfg.DatabasePoolSize, "timeout", cfg.DatabaseTimeout)
	}
	return pg, pg.Close, nil
}

// databaseDefaults are the flags' defaults.
const (
	defaultPoolSize = 10
	defaultTimeout  = 5 * time.Second
)
