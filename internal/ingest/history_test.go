package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"versa/internal/history"
	"versa/internal/ingest"
	"versa/internal/sqlite"
)

func writeFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func editFile(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", rel, old)
	}
	writeFile(t, dir, rel, strings.Replace(string(b), old, new, 1))
}

const tornado = `---
name: Tornado
summary: Async networking.
features:
  orm: no
  csrf: yes
---
Tornado overview.
`

// kinds lists the changes a query selects as "kind topic/system/feature/article".
func kinds(t *testing.T, db *sqlite.DB, q history.Query) []string {
	t.Helper()
	entries, err := db.Changes(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		s := e.Kind + " " + e.Topic + "/" + e.System + "/" + e.Feature + "/" + e.Article
		if e.OldSlug != "" {
			s += " from " + e.OldSlug
		}
		if e.Kind == history.CellChanged {
			s += " " + e.Old.Support + e.Old.Value + "->" + e.New.Support + e.New.Value
		}
		out = append(out, s)
	}
	return out
}

func has(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

func TestHistoryRecording(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "web/systems/tornado.md", tornado)
	dbPath := filepath.Join(t.TempDir(), "versa.db")
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	newLoader := func() *ingest.Loader {
		l := ingest.New(os.DirFS(dir), db, nil, nil)
		l.SetHistory(db, dir)
		return l
	}
	l := newLoader()
	reload := func(paths ...string) {
		t.Helper()
		res, err := l.Reload(ctx, paths)
		if err != nil || !res.Applied || len(res.Problems) > 0 {
			t.Fatalf("reload %v: %+v, %v", paths, res, err)
		}
		l.Wait() // the recording follows the reload
	}
	if res, err := l.Load(ctx); err != nil || !res.Applied {
		t.Fatalf("load: %+v, %v", res, err)
	}
	l.Wait()
	revs, err := db.Revisions(ctx, 0, 0)
	if err != nil || len(revs) != 1 || !revs[0].Baseline || revs[0].Changes != 0 {
		t.Fatalf("after the first load: %+v, %v; want one baseline", revs, err)
	}
	if got := kinds(t, db, history.Query{}); len(got) != 0 {
		t.Fatalf("baseline lists changes: %v", got)
	}

	// A cell edit.
	editFile(t, dir, "web/systems/flask.md", "csrf: plugin", "csrf: yes")
	reload("web/systems/flask.md")
	if got := kinds(t, db, history.Query{Topic: "web"}); len(got) != 1 || got[0] != "cell web/flask/csrf/ plugin->yes" {
		t.Fatalf("after editing a cell: %v", got)
	}
	// A Tornado-only change is not in the Django vs Flask list.
	editFile(t, dir, "web/systems/tornado.md", "orm: no", "orm: plugin")
	reload("web/systems/tornado.md")
	pair := kinds(t, db, history.Query{Topic: "web", Systems: []string{"django", "flask"}})
	if !has(kinds(t, db, history.Query{Topic: "web"}), "cell web/tornado/orm/ no->plugin") {
		t.Fatal("the tornado change is not recorded")
	}
	if len(pair) != 1 || strings.Contains(strings.Join(pair, ","), "tornado") {
		t.Errorf("django vs flask: %v; want the flask change only", pair)
	}
	if got := kinds(t, db, history.Query{Topic: "web", Systems: []string{"tornado"}}); len(got) != 1 || got[0] != "cell web/tornado/orm/ no->plugin" {
		t.Errorf("tornado: %v", got)
	}

	// A rename through an alias.
	b, _ := os.ReadFile(filepath.Join(dir, "web/systems/flask.md"))
	os.Remove(filepath.Join(dir, "web/systems/flask.md"))
	writeFile(t, dir, "web/systems/flask2.md", strings.Replace(string(b), "name: Flask\n", "name: Flask\naliases: [flask]\n", 1))
	editFile(t, dir, "web/articles/django-vs-flask.md", "systems: [django, flask]", "systems: [django, flask2]")
	editFile(t, dir, "web/articles/django-vs-flask.md", "systems: django, flask", "systems: django, flask2")
	reload("web/systems/flask.md", "web/systems/flask2.md", "web/articles/django-vs-flask.md")
	got := kinds(t, db, history.Query{Topic: "web", Systems: []string{"flask2"}})
	if !has(got, "system_renamed web/flask2// from flask") || has(got, "system_added web/flask2//") {
		t.Errorf("after renaming flask: %v", got)
	}
	if all := kinds(t, db, history.Query{Topic: "web"}); has(all, "system_removed web/flask//") {
		t.Errorf("a rename is listed as a removal: %v", all)
	}

	// A feature added, then removed (topic.yaml: a full load).
	editFile(t, dir, "web/topic.yaml", "features:\n", "features:\n  - key: async\n    name: Async views\n    category: data\n")
	reload("web/topic.yaml")
	editFile(t, dir, "web/topic.yaml", "  - key: async\n    name: Async views\n    category: data\n", "")
	reload("web/topic.yaml")
	got = kinds(t, db, history.Query{Topic: "web"})
	if !has(got, "feature_added web//async/") || !has(got, "feature_removed web//async/") {
		t.Errorf("feature added and removed: %v", got)
	}
	if got[0] != "feature_removed web//async/" {
		t.Errorf("newest first: %v", got)
	}

	// An article changed.
	editFile(t, dir, "web/articles/django-vs-flask.md", "updated: 2026-01-15", "updated: 2026-03-01")
	reload("web/articles/django-vs-flask.md")
	got = kinds(t, db, history.Query{Topic: "web"})
	if got[0] != "article_updated web///django-vs-flask" {
		t.Errorf("after changing an article: %v", got)
	}
	before, _ := db.Revisions(ctx, 0, 0)
	nchanges := len(got)

	// A restart on the same folder, and a second server on the same
	// database, record nothing new; the history is kept.
	db.Close()
	if db, err = sqlite.Open(ctx, dbPath); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		l = newLoader()
		if _, err := l.Load(ctx); err != nil {
			t.Fatal(err)
		}
		l.Wait()
	}
	after, _ := db.Revisions(ctx, 0, 0)
	if len(after) != len(before) {
		t.Errorf("restart recorded %d revisions, had %d", len(after), len(before))
	}
	if got := kinds(t, db, history.Query{Topic: "web"}); len(got) != nchanges {
		t.Errorf("after restart: %d changes, want %d", len(got), nchanges)
	}

	// Two servers sharing the database, both seeing the same edit, record it once.
	l2 := newLoader()
	if _, err := l2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	l = newLoader()
	if _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	l2.Wait()
	if _, err := l.Reload(ctx, []string{"web/topic.yaml"}); err != nil { // builds the model
		t.Fatal(err)
	}
	l.Wait()
	editFile(t, dir, "web/systems/django.md", "orm: yes", "orm: partial")
	reload("web/systems/django.md")
	if _, err := l2.Reload(ctx, []string{"web/systems/django.md"}); err != nil {
		t.Fatal(err)
	}
	l2.Wait()
	got = kinds(t, db, history.Query{Topic: "web", Systems: []string{"django"}})
	n := 0
	for _, g := range got {
		if g == "cell web/django/orm/ yes->partial" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("two servers recorded the django edit %d times: %v", n, got)
	}

	// since= a revision keeps only what came after it.
	revs, _ = db.Revisions(ctx, 0, 0)
	r, err := db.FindRevision(ctx, revs[1].ID[:10])
	if err != nil || r.Seq != revs[1].Seq {
		t.Fatalf("find revision: %+v, %v", r, err)
	}
	if got := kinds(t, db, history.Query{Topic: "web", SinceSeq: r.Seq}); len(got) != 1 {
		t.Errorf("since the revision before the last: %v", got)
	}
}

func TestGitHead(t *testing.T) {
	commit, subject := history.GitHead(".")
	if commit == "" {
		t.Skip("not in a git work tree")
	}
	if len(commit) != 40 {
		t.Errorf("commit %q", commit)
	}
	_ = subject // a packed commit has none
	if c, s := history.GitHead(t.TempDir()); c != "" || s != "" {
		t.Errorf("outside a work tree: %q %q", c, s)
	}
}

// TestHistoryRevert: a change reverted and made again is recorded each
// time (A -> B -> A -> B is three changes), and a load of the revision
// already latest records nothing.
func TestHistoryRevert(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l := ingest.New(os.DirFS(dir), db, nil, nil)
	l.SetHistory(db, dir)
	if _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for i, step := range [][2]string{{"csrf: plugin", "csrf: yes"}, {"csrf: yes", "csrf: plugin"}, {"csrf: plugin", "csrf: yes"}} {
		editFile(t, dir, "web/systems/flask.md", step[0], step[1])
		if res, err := l.Reload(ctx, []string{"web/systems/flask.md"}); err != nil || !res.Applied {
			t.Fatalf("reload %d: %+v, %v", i, res, err)
		}
	}
	if _, err := l.Reload(ctx, []string{"web/systems/flask.md"}); err != nil { // nothing changed
		t.Fatal(err)
	}
	l.Wait()
	got := kinds(t, db, history.Query{Topic: "web"})
	want := []string{"cell web/flask/csrf/ plugin->yes", "cell web/flask/csrf/ yes->plugin", "cell web/flask/csrf/ plugin->yes"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("changes = %v, want %v", got, want)
	}
	revs, err := db.Revisions(ctx, 0, 0)
	if err != nil || len(revs) != 4 {
		t.Fatalf("revisions = %+v, %v; want a baseline and 3", revs, err)
	}
	for i, r := range revs[:len(revs)-1] {
		if r.Follows != revs[i+1].Seq || r.Parent != revs[i+1].ID {
			t.Errorf("revision %d follows %d (%.8s), want %d (%.8s)", r.Seq, r.Follows, r.Parent, revs[i+1].Seq, revs[i+1].ID)
		}
	}
	// A second server that read the same latest revision records nothing.
	dup := revs[0]
	dup.Seq = 0
	if ok, err := db.Record(ctx, dup, nil); err != nil || ok {
		t.Errorf("recording after the same revision again = %v, %v; want false", ok, err)
	}
}

// heldHistory is a store whose Record waits until release is closed.
type heldHistory struct {
	*sqlite.DB
	started chan struct{} // receives once per Record call
	release chan struct{}
}

func (h *heldHistory) Record(ctx context.Context, rev history.Revision, changes []history.Change) (bool, error) {
	h.started <- struct{}{}
	<-h.release
	return h.DB.Record(ctx, rev, changes)
}

// TestHistoryRecordsInBackground: a reload is served before its changes
// are recorded; the recording outlives the reload's context; the next
// reload and Wait wait for it.
func TestHistoryRecordsInBackground(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := &heldHistory{DB: db, started: make(chan struct{}, 4), release: make(chan struct{})}
	l := ingest.New(os.DirFS(dir), db, nil, nil)
	l.SetHistory(h, dir)
	close(h.release) // the baseline records at once
	if _, err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	<-h.started
	h.release = make(chan struct{})

	ctx, cancel := context.WithCancel(context.Background())
	editFile(t, dir, "web/systems/flask.md", "csrf: plugin", "csrf: yes")
	type reloaded struct {
		res ingest.Result
		err error
	}
	done := make(chan reloaded, 1)
	go func() {
		res, err := l.Reload(ctx, []string{"web/systems/flask.md"})
		done <- reloaded{res, err}
	}()
	var res ingest.Result
	select {
	case r := <-done:
		if r.err != nil || !r.res.Applied {
			t.Fatalf("reload: %+v, %v", r.res, r.err)
		}
		res = r.res
	case <-time.After(10 * time.Second):
		close(h.release) // let it finish before the database closes
		<-done
		t.Fatal("the reload waited for its recording")
	}
	cancel() // the request that reloaded is gone; the record is still due
	select {
	case <-h.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the reload's recording never started")
	}
	if cur, err := db.Revision(context.Background()); err != nil || cur.ID != res.Revision {
		t.Fatalf("store at %+v, %v before recording; want %.12s served", cur, err, res.Revision)
	}
	if got := kinds(t, db, history.Query{Topic: "web"}); len(got) != 0 {
		t.Fatalf("recorded while held: %v", got)
	}
	waited := make(chan struct{})
	go func() { l.Wait(); close(waited) }()
	select {
	case <-waited:
		t.Fatal("Wait returned while the recording is held")
	case <-time.After(50 * time.Millisecond):
	}
	close(h.release)
	<-waited
	if got := kinds(t, db, history.Query{Topic: "web"}); len(got) != 1 || got[0] != "cell web/flask/csrf/ plugin->yes" {
		t.Fatalf("after the recording: %v", got)
	}
}
