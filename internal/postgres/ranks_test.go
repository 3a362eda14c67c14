package postgres

import (
	"context"
	"io/fs"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"

	"versa/internal/history"
	"versa/internal/history/historytest"
	"versa/internal/postgres/pgtest"
)

// TestRanks: migration 0004 numbers the changes recorded before it as
// Record numbers new ones (history.Ranks over the whole history), and the
// changes recorded after it continue those counts.
func TestRanks(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	upTo3 := fstest.MapFS{}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n < "migrations/0004" {
			b, err := fs.ReadFile(migrationFS, n)
			if err != nil {
				t.Fatal(err)
			}
			upTo3[n] = &fstest.MapFile{Data: b}
		}
	}
	old, err := open(ctx, url, Options{}, upTo3)
	if err != nil {
		t.Fatal(err)
	}
	before := historytest.RankedChanges(40)
	if _, err := old.pool.Exec(ctx, `INSERT INTO history_revisions (follows, revision, parent, recorded_at, commit_id, subject, baseline, changes)
		VALUES (0, 'a', '', now(), '', '', true, 0), (1, 'b', 'a', now(), '', '', false, 0)`); err != nil {
		t.Fatal(err)
	}
	for _, c := range before {
		if _, err := old.pool.Exec(ctx, `INSERT INTO history_changes (seq, kind, topic, system, old_slug, feature, category, article,
			old_name, new_name, old_support, old_value, old_note, old_since, old_via, old_source, old_checked,
			new_support, new_value, new_note, new_since, new_via, new_source, new_checked)
			VALUES (2, $1, $2, $3, $4, $5, $6, $7, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '')`,
			c.Kind, c.Topic, c.System, c.OldSlug, c.Feature, c.Category, c.Article); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stored := func() []history.Rank {
		t.Helper()
		rows, err := db.pool.Query(ctx, `SELECT topic_rank, system_rank, feature_rank FROM history_changes ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var out []history.Rank
		var r history.Rank
		if _, err := pgx.ForEachRow(rows, []any{&r.Topic, &r.System, &r.Feature}, func() error {
			out = append(out, r)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := stored(), history.Ranks(before, history.Bases{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("ranks after the migration =\n%v\nwant\n%v", got, want)
	}
	after := historytest.RankedChanges(400)
	if ok, err := db.Record(ctx, history.Revision{ID: "c", Parent: "b", Follows: 2}, after); err != nil || !ok {
		t.Fatalf("record: %v, %v", ok, err)
	}
	if got, want := stored(), history.Ranks(append(before, after...), history.Bases{}); !reflect.DeepEqual(got, want) {
		t.Errorf("ranks of the changes recorded after the migration differ from history.Ranks of the whole history")
	}
}
