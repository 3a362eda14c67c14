package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"versa/internal/history"
	"versa/internal/postgres"
	"versa/internal/sqlite"
)

// printHistory prints the content revisions recorded in the data folder
// dir (or, with --database-url, in PostgreSQL), newest first, one a line: seq, time, revision, changes, commit and
// subject, tab-separated for scripts.
func printHistory(ctx context.Context, cfg Config, dir string, stdout io.Writer) error {
	var store history.Store
	if cfg.DatabaseURL != "" {
		pg, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{PoolSize: 1, QueryTimeout: cfg.DatabaseTimeout})
		if err != nil {
			return err
		}
		defer pg.Close()
		store = pg
	} else {
		db, err := sqlite.OpenExisting(ctx, filepath.Join(dir, "versa.db"))
		if err != nil {
			return err
		}
		defer db.Close()
		store = db
	}
	revs, err := store.Revisions(ctx, 0, 0)
	if err != nil {
		return err
	}
	for _, r := range revs {
		changes := fmt.Sprint(r.Changes)
		if r.Baseline {
			changes = "baseline"
		}
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Seq, r.RecordedAt.Format(time.RFC3339), r.ID, changes, r.Commit, r.Subject)
	}
	return nil
}
