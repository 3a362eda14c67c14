package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"versa/internal/history"
	"versa/internal/ingest"
	"versa/internal/sqlite"
)

// editWhileDown edits the folder as an editor would while no server runs:
// a cell, a rename through an alias, a feature removed.
func editWhileDown(t *testing.T, dir string) {
	t.Helper()
	editFile(t, dir, "web/systems/django.md", "orm: yes", "orm: partial")
	b, err := os.ReadFile(filepath.Join(dir, "web/systems/flask.md"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "web/systems/flask.md"))
	writeFile(t, dir, "web/systems/flask2.md", strings.Replace(string(b), "name: Flask\n", "name: Flask\naliases: [flask]\n", 1))
	editFile(t, dir, "web/articles/django-vs-flask.md", "systems: [django, flask]", "systems: [django, flask2]")
	editFile(t, dir, "web/articles/django-vs-flask.md", "systems: django, flask", "systems: django, flask2")
	editFile(t, dir, "web/topic.yaml", "  - key: license\n    name: Licence\n    category: data\n    type: text\n", "")
	editFile(t, dir, "web/systems/django.md", "  license: BSD-3-Clause\n", "")
}

// wantWhileDown are the changes editWhileDown makes, as kinds lists them.
var wantWhileDown = []string{
	"feature_removed web//license/",
	"system_renamed web/flask2// from flask",
	"cell web/django/orm/ yes->partial",
	"article_updated web///django-vs-flask",
}

func testContent(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "web/systems/tornado.md", tornado)
	return dir
}

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// loadOnce starts a loader of dir into store recording into h, loads, and
// waits for the recording, as `versa serve` starting would.
func loadOnce(t *testing.T, dir string, store ingest.Store, h ingest.History) {
	t.Helper()
	l := ingest.New(os.DirFS(dir), store, nil, nil)
	l.SetHistory(h, dir)
	if res, err := l.Load(context.Background()); err != nil || len(res.Problems) > 0 {
		t.Fatalf("load: %+v, %v", res, err)
	}
	l.Wait()
}

func sameChanges(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A server stopped, the content edited, the server started again: the
// start diffs against the state recorded with the last revision, and
// lists the edits instead of recording a baseline.
func TestHistoryRestartDiff(t *testing.T) {
	ctx := context.Background()
	dir := testContent(t)
	dbPath := filepath.Join(t.TempDir(), "versa.db")
	db := openDB(t, dbPath)
	loadOnce(t, dir, db, db)
	db.Close() // the server stops

	editWhileDown(t, dir)
	db = openDB(t, dbPath)
	loadOnce(t, dir, db, db) // the read model is the old revision's: a full load
	revs, err := db.Revisions(ctx, 0, 0)
	if err != nil || len(revs) != 2 {
		t.Fatalf("revisions after the restart: %+v, %v; want the baseline and one more", revs, err)
	}
	if revs[0].Baseline || revs[0].Parent != revs[1].ID {
		t.Errorf("the restart recorded %+v; want a revision following %s, not a baseline", revs[0], revs[1].ID)
	}
	got := kinds(t, db, history.Query{Topic: "web"})
	if !sameChanges(got, wantWhileDown) {
		t.Errorf("changes made while down: %v\nwant %v", got, wantWhileDown)
	}
	if got := kinds(t, db, history.Query{Topic: "web", Systems: []string{"django", "flask2"}, Rows: true}); !sameChanges(got, wantWhileDown[:3]) {
		t.Errorf("the django vs flask2 list: %v; want all but the article", got)
	}
	if got := kinds(t, db, history.Query{Topic: "web", Systems: []string{"tornado"}}); len(got) != 0 {
		t.Errorf("tornado changed nothing: %v", got)
	}

	// Started again on the same folder, twice: nothing new.
	for range 2 {
		loadOnce(t, dir, db, db)
	}
	if again, _ := db.Revisions(ctx, 0, 0); len(again) != 2 {
		t.Errorf("restarts on the same content recorded %d revisions, want 2", len(again))
	}

	// A live edit after the restart still diffs from the loader's model.
	l := ingest.New(os.DirFS(dir), db, nil, nil)
	l.SetHistory(db, dir)
	if _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	editFile(t, dir, "web/systems/tornado.md", "orm: no", "orm: plugin")
	if _, err := l.Reload(ctx, []string{"web/systems/tornado.md"}); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	if got := kinds(t, db, history.Query{Topic: "web", Systems: []string{"tornado"}}); len(got) != 1 || got[0] != "cell web/tornado/orm/ no->plugin" {
		t.Errorf("a live edit after the restart: %v", got)
	}

	// Stopped and started on the edit undone: the undo is listed too.
	db.Close()
	editFile(t, dir, "web/systems/tornado.md", "orm: plugin", "orm: no")
	db = openDB(t, dbPath)
	loadOnce(t, dir, db, db)
	if got := kinds(t, db, history.Query{Topic: "web", Systems: []string{"tornado"}}); len(got) != 2 || got[0] != "cell web/tornado/orm/ plugin->no" {
		t.Errorf("the undo made while down: %v", got)
	}
}

// A replica with a fresh read model, sharing the history with the server
// that recorded it, lists what changed since; two of them starting on the
// same edited content record it once.
func TestHistoryReplicaStart(t *testing.T) {
	ctx := context.Background()
	dir := testContent(t)
	tmp := t.TempDir()
	hist := openDB(t, filepath.Join(tmp, "history.db")) // the shared history
	loadOnce(t, dir, openDB(t, filepath.Join(tmp, "first.db")), hist)

	editWhileDown(t, dir)
	a, b := openDB(t, filepath.Join(tmp, "a.db")), openDB(t, filepath.Join(tmp, "b.db"))
	done := make(chan bool)
	for _, store := range []*sqlite.DB{a, b} {
		go func() {
			defer func() { done <- true }()
			l := ingest.New(os.DirFS(dir), store, nil, nil)
			l.SetHistory(hist, dir)
			if _, err := l.Load(ctx); err != nil {
				t.Error(err)
			}
			l.Wait()
		}()
	}
	<-done
	<-done
	revs, err := hist.Revisions(ctx, 0, 0)
	if err != nil || len(revs) != 2 || revs[0].Baseline {
		t.Fatalf("revisions: %+v, %v; want the baseline and one more, recorded once", revs, err)
	}
	if got := kinds(t, hist, history.Query{Topic: "web"}); !sameChanges(got, wantWhileDown) {
		t.Errorf("changes: %v\nwant %v", got, wantWhileDown)
	}

	// A replica whose read model already holds the content but whose
	// history moved on without it (it was down) diffs too, once parsed.
	editFile(t, dir, "web/systems/tornado.md", "csrf: yes", "csrf: no")
	loadOnce(t, dir, a, a) // a's own history: only its baseline
	loadOnce(t, dir, a, hist)
	if got := kinds(t, hist, history.Query{Topic: "web", Systems: []string{"tornado"}}); len(got) != 1 || got[0] != "cell web/tornado/csrf/ yes->no" {
		t.Errorf("a reused read model: %v", got)
	}
}

// oldHistory is a store as it was before states were kept: Record drops
// the state.
type oldHistory struct{ *sqlite.DB }

func (h oldHistory) Record(ctx context.Context, rev history.Revision, changes []history.Change) (bool, error) {
	rev.State = ""
	return h.DB.Record(ctx, rev, changes)
}

// A history recorded before states were kept: a start on changed content
// is a baseline (nothing to diff against), but a start on the content last
// recorded keeps its state, so the next one diffs.
func TestHistoryStateBackfill(t *testing.T) {
	ctx := context.Background()
	dir := testContent(t)
	dbPath := filepath.Join(t.TempDir(), "versa.db")
	db := openDB(t, dbPath)
	loadOnce(t, dir, db, oldHistory{db})
	if _, err := db.State(ctx, 1); err == nil {
		t.Fatal("the old store kept a state")
	}
	editFile(t, dir, "web/systems/tornado.md", "csrf: yes", "csrf: no")
	loadOnce(t, dir, db, oldHistory{db})
	revs, _ := db.Revisions(ctx, 0, 0)
	if len(revs) != 2 || !revs[0].Baseline {
		t.Fatalf("without a state, a start on changed content: %+v; want a second baseline", revs)
	}

	loadOnce(t, dir, db, db) // the upgraded server, on the same content
	if _, err := db.State(ctx, revs[0].Seq); err != nil {
		t.Fatalf("the start on the last recorded content kept no state: %v", err)
	}
	if again, _ := db.Revisions(ctx, 0, 0); len(again) != 2 {
		t.Fatalf("keeping the state recorded a revision: %+v", again)
	}
	editWhileDown(t, dir)
	loadOnce(t, dir, db, db)
	if got := kinds(t, db, history.Query{Topic: "web"}); !sameChanges(got, wantWhileDown) {
		t.Errorf("after the backfill: %v\nwant %v", got, wantWhileDown)
	}
	// Only the latest revision's state is kept.
	revs, _ = db.Revisions(ctx, 0, 0)
	if _, err := db.State(ctx, revs[1].Seq); err == nil {
		t.Error("the state of an older revision is kept")
	}
	if _, err := db.State(ctx, revs[0].Seq); err != nil {
		t.Errorf("the latest revision's state: %v", err)
	}
}

// stateReads counts what a loader asks of the history's kept states.
type stateReads struct {
	ingest.History
	states, records int
}

func (h *stateReads) State(ctx context.Context, seq int64) ([]byte, error) {
	h.states++
	return h.History.State(ctx, seq)
}

func (h *stateReads) Record(ctx context.Context, rev history.Revision, changes []history.Change) (bool, error) {
	h.records++
	return h.History.Record(ctx, rev, changes)
}

// versa build on content the store and the history hold already parses
// nothing (a restart of serve does, for its live reloads: it reads the kept
// state against its parse); on a history that lacks the revision it still
// records it.
func TestOnceLoaderSkipsRecordedRevision(t *testing.T) {
	ctx := context.Background()
	dir := testContent(t)
	db := openDB(t, filepath.Join(t.TempDir(), "versa.db"))
	loadOnce(t, dir, db, db)

	load := func(once bool, h ingest.History) ingest.Result {
		t.Helper()
		l := ingest.New(os.DirFS(dir), db, nil, nil)
		l.SetHistory(h, dir)
		l.SetOnce(once)
		res, err := l.Load(ctx)
		if err != nil || !res.Reused {
			t.Fatalf("load of unchanged content: %+v, %v; want reused", res, err)
		}
		l.Wait()
		return res
	}
	served := &stateReads{History: db}
	load(false, served)
	if served.states == 0 {
		t.Fatalf("a serve restart read no kept state; the check below would prove nothing")
	}
	built := &stateReads{History: db}
	load(true, built)
	if built.states != 0 || built.records != 0 {
		t.Errorf("a build of a recorded revision read %d states and recorded %d times; want none", built.states, built.records)
	}

	// A history of its own (another database) that lacks the revision.
	other := openDB(t, filepath.Join(t.TempDir(), "other.db"))
	fresh := &stateReads{History: other}
	load(true, fresh)
	if fresh.records != 1 {
		t.Errorf("a build on a history without the revision recorded %d times, want 1", fresh.records)
	}
	if last, err := other.Latest(ctx); err != nil || !last.Baseline {
		t.Errorf("the other history after the build: %+v, %v; want a baseline", last, err)
	}
}
