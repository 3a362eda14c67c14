package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"versa/internal/history"
	"versa/internal/history/historytest"
	"versa/migrations"
)

// TestHistoryMigrationKeepsRows: migration 0006 rebuilds history_revisions
// with every row it had, each following the one before, and the changes
// stay joined to them.
func TestHistoryMigrationKeepsRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	upTo5 := migrationsBefore(t, "0006")
	old, err := open(ctx, path, upTo5)
	if err != nil {
		t.Fatal(err)
	}
	at := formatTime(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	for i, rev := range []struct{ id, parent string }{{"aaaa", ""}, {"bbbb", "aaaa"}, {"aaaa", "bbbb"}} {
		if _, err := old.db.ExecContext(ctx, `INSERT INTO history_revisions (revision, parent, recorded_at, commit_id, subject, baseline, changes)
			VALUES (?, ?, ?, '', '', ?, ?)`, rev.id, rev.parent, at, i == 0, min(i, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.db.ExecContext(ctx, `INSERT INTO history_changes (seq, kind, topic, system, old_slug, feature, category, article,
		old_name, new_name, updated, old_support, old_value, old_note, old_since, old_via, old_source, old_checked,
		new_support, new_value, new_note, new_since, new_via, new_source, new_checked)
		VALUES (2, 'cell', 'web', 'flask', '', 'csrf', 'security', '', '', '', '', 'plugin', '', '', '', '', '', '', 'yes', '', '', '', '', '', '')`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db, err := open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	revs, err := db.Revisions(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range revs {
		got = append(got, r.ID+"@"+string(rune('0'+r.Seq))+"<"+string(rune('0'+r.Follows)))
	}
	if want := "aaaa@3<2,bbbb@2<1,aaaa@1<0"; strings.Join(got, ",") != want {
		t.Errorf("revisions after the migration = %v, want %s", got, want)
	}
	entries, err := db.Changes(ctx, history.Query{Topic: "web"})
	if err != nil || len(entries) != 1 || entries[0].Revision.ID != "bbbb" || entries[0].Revision.Follows != 1 {
		t.Errorf("changes after the migration = %+v, %v", entries, err)
	}
	// The next revision follows the latest; a second one after it is refused.
	next := history.Revision{ID: "cccc", Parent: "aaaa", Follows: 3}
	if ok, err := db.Record(ctx, next, nil); err != nil || !ok {
		t.Fatalf("record after the latest = %v, %v", ok, err)
	}
	next.ID = "dddd"
	if ok, err := db.Record(ctx, next, nil); err != nil || ok {
		t.Errorf("a second revision after the same one = %v, %v; want false", ok, err)
	}
}

// TestRecordBatches: a revision of more changes than one statement holds
// (two full batches and a part) records every change, each field in its
// place, in order.
func TestRecordBatches(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ok, err := db.Record(ctx, history.Revision{ID: "a", Baseline: true}, nil); err != nil || !ok {
		t.Fatalf("baseline: %v, %v", ok, err)
	}
	changes := make([]history.Change, 250)
	for i := range changes {
		n := strconv.Itoa(i)
		changes[i] = history.Change{Kind: history.CellChanged, Topic: "t", System: "s" + n, Feature: "f" + n, Category: "c",
			Old: history.Cell{Support: "no", Note: "old " + n}, New: history.Cell{Support: "yes", Source: "https://example.org/" + n}}
	}
	if ok, err := db.Record(ctx, history.Revision{ID: "b", Parent: "a", Follows: 1}, changes); err != nil || !ok {
		t.Fatalf("record: %v, %v", ok, err)
	}
	got, err := db.Changes(ctx, history.Query{Topic: "t"})
	if err != nil || len(got) != len(changes) {
		t.Fatalf("changes: %d, %v; want %d", len(got), err, len(changes))
	}
	for i, e := range got {
		want := changes[len(changes)-1-i] // newest first
		if e.System != want.System || e.Feature != want.Feature || e.Old != want.Old || e.New != want.New || e.Revision.ID != "b" {
			t.Fatalf("change %d = %+v, want %+v", i, e, want)
		}
	}
}

// A store migrated to 0011 (params) names no content revision, so the next
// start loads the folder in full instead of reusing a read model without
// the new columns; the content it holds still serves meanwhile.
func TestParamsMigrationForcesFullLoad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	upTo10 := migrationsBefore(t, "0011")
	old, err := open(ctx, path, upTo10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.db.ExecContext(ctx, `INSERT INTO content_meta (id, revision, loaded_at) VALUES (1, 'abcd', ?)`, formatTime(time.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := old.db.ExecContext(ctx, `INSERT INTO topics (slug, title, summary, path) VALUES ('web', 'Web', '', 'web/topic.yaml')`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db, err := open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rev, err := db.Revision(ctx)
	if err != nil || rev.ID == "abcd" {
		t.Errorf("revision after the migration = %+v, %v; want one no folder has", rev, err)
	}
	if _, err := db.FindTopic(ctx, "web"); err != nil {
		t.Errorf("the content stored before the migration: %v", err)
	}
}

// migrationsBefore is the embedded migrations numbered below first, the
// schema of an older Versa.
func migrationsBefore(t *testing.T, first string) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n < first {
			b, err := fs.ReadFile(migrations.FS, n)
			if err != nil {
				t.Fatal(err)
			}
			out[n] = &fstest.MapFile{Data: b}
		}
	}
	return out
}

// storedRanks reads the ranks of every recorded change, in order of id.
func storedRanks(t *testing.T, db *DB) []history.Rank {
	t.Helper()
	rows, err := db.db.Query(`SELECT topic_rank, system_rank, feature_rank FROM history_changes ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []history.Rank
	for rows.Next() {
		var r history.Rank
		if err := rows.Scan(&r.Topic, &r.System, &r.Feature); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestRanks: migration 0012 numbers the changes recorded before it as
// Record numbers new ones (history.Ranks over the whole history), and the
// changes recorded after it continue those counts, over more groups than
// one statement seeks.
func TestRanks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	upTo11 := migrationsBefore(t, "0012")
	old, err := open(ctx, path, upTo11)
	if err != nil {
		t.Fatal(err)
	}
	before := historytest.RankedChanges(40)
	if _, err := old.db.ExecContext(ctx, `INSERT INTO history_revisions (seq, follows, revision, parent, recorded_at, commit_id, subject, baseline, changes)
		VALUES (1, 0, 'a', '', '2026-03-01T12:00:00Z', '', '', 1, 0), (2, 1, 'b', 'a', '2026-03-01T13:00:00Z', '', '', 0, ?)`, len(before)); err != nil {
		t.Fatal(err)
	}
	for _, c := range before {
		if _, err := old.db.ExecContext(ctx, `INSERT INTO history_changes (seq, kind, topic, system, old_slug, feature, category, article,
			old_name, new_name, updated, old_support, old_value, old_note, old_since, old_via, old_source, old_checked,
			new_support, new_value, new_note, new_since, new_via, new_source, new_checked)
			VALUES (2, ?, ?, ?, ?, ?, ?, ?, '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '', '')`,
			c.Kind, c.Topic, c.System, c.OldSlug, c.Feature, c.Category, c.Article); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := open(ctx, path, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := storedRanks(t, db), history.Ranks(before, history.Bases{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("ranks after the migration =\n%v\nwant\n%v", got, want)
	}
	after := historytest.RankedChanges(1500) // 751 features: three seeks of groups
	if ok, err := db.Record(ctx, history.Revision{ID: "c", Parent: "b", Follows: 2}, after); err != nil || !ok {
		t.Fatalf("record: %v, %v", ok, err)
	}
	whole := append(before, after...)
	if got, want := storedRanks(t, db), history.Ranks(whole, history.Bases{}); !reflect.DeepEqual(got, want) {
		t.Fatalf("ranks of the changes recorded after the migration differ from history.Ranks of the whole history")
	}

	// Two servers on one file, recording in turn, and one recording
	// twice: each continues the counts of the other's.
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	follows := int64(3)
	for i, by := range []*DB{db, other, other, db, db, other} {
		cs := historytest.RankedChanges(20 + i)
		if ok, err := by.Record(ctx, history.Revision{ID: "r" + strconv.Itoa(i), Follows: follows}, cs); err != nil || !ok {
			t.Fatalf("record %d: %v, %v", i, ok, err)
		}
		follows++
		whole = append(whole, cs...)
	}
	if got, want := storedRanks(t, db), history.Ranks(whole, history.Bases{}); !reflect.DeepEqual(got, want) {
		t.Errorf("ranks of two servers' recordings in turn differ from history.Ranks of the whole history")
	}
}
