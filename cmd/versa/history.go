package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"versa/internal/sqlite"
)

// printHistory prints the content revisions recorded in the data folder
// dir, newest first, one a line: seq, time, revision, changes, commit and
// subject, tab-separated for scripts.
func printHistory(ctx context.Context, dir string, stdout io.Writer) error {
	db, err := sqlite.OpenExisting(ctx, filepath.Join(dir, "versa.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	revs, err := db.Revisions(ctx, 0, 0)
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
