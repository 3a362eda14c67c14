package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"versa/internal/sqlite"
)

// backup writes a consistent copy of the data folder's database, pinned
// snapshots and content alike, to a new file; it may run while a server
// uses the database. It opens the database as it is, without migrating
// it, and never overwrites a file.
func backup(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] == "" {
		return errors.New("usage: versa backup FILE (the copy to write; it must not exist)")
	}
	out := args[0]
	src := filepath.Join(cfg.Data, "versa.db")
	start := time.Now()
	db, err := sqlite.OpenExisting(ctx, src)
	if err != nil {
		return fmt.Errorf("backup: %w (is --data the server's data folder?)", err)
	}
	defer db.Close()
	if err := db.Backup(ctx, out); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("backup: %s exists; give a new file name", out)
		}
		return fmt.Errorf("backup: %w", err)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %d bytes in %s\n", src, out, fi.Size(), time.Since(start).Round(time.Millisecond))
	if cfg.DatabaseURL != "" {
		fmt.Fprintln(stdout, "pinned snapshots and the change history are in PostgreSQL (--database-url): back them up with pg_dump")
	}
	return nil
}
