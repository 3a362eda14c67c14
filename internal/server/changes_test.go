package server

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"versa/internal/ingest"
	"versa/internal/sqlite"
)

// historySite is a content folder loaded by the real loader into a real
// SQLite store that records history, and the site serving it.
type historySite struct {
	t      *testing.T
	dir    string
	dbPath string
	db     *sqlite.DB
	loader *ingest.Loader
	signal *ContentSignal
	h      http.Handler
}

const tornadoFile = `---
name: Tornado
summary: Async networking.
features:
  orm: no
  csrf: yes
---
Tornado overview.
`

func newHistorySite(t *testing.T) *historySite {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	hs := &historySite{t: t, dir: dir, dbPath: filepath.Join(t.TempDir(), "versa.db")}
	hs.write("web/systems/tornado.md", tornadoFile)
	hs.start()
	return hs
}

// start opens the store and loads the folder as a starting server does.
func (hs *historySite) start() {
	hs.t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, hs.dbPath)
	if err != nil {
		hs.t.Fatal(err)
	}
	hs.t.Cleanup(func() { db.Close() })
	hs.db = db
	hs.loader = ingest.New(os.DirFS(hs.dir), db, nil, nil)
	hs.loader.SetHistory(db, hs.dir)
	if _, err := hs.loader.Load(ctx); err != nil {
		hs.t.Fatal(err)
	}
	hs.loader.Wait()
	hs.signal = &ContentSignal{}
	hs.h = New(Config{History: db, ContentChanged: hs.signal}, snapshotDB{db})
}

// restart closes the store and starts again on the same data folder.
func (hs *historySite) restart() {
	hs.t.Helper()
	hs.db.Close()
	hs.start()
}

func (hs *historySite) write(rel, data string) {
	hs.t.Helper()
	p := filepath.Join(hs.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		hs.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		hs.t.Fatal(err)
	}
}

func (hs *historySite) edit(rel, old, new string) {
	hs.t.Helper()
	b, err := os.ReadFile(filepath.Join(hs.dir, filepath.FromSlash(rel)))
	if err != nil {
		hs.t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		hs.t.Fatalf("%s has no %q", rel, old)
	}
	hs.write(rel, strings.Replace(string(b), old, new, 1))
}

// reload applies the edited paths as the watcher does.
func (hs *historySite) reload(paths ...string) {
	hs.t.Helper()
	res, err := hs.loader.Reload(context.Background(), paths)
	if err != nil || !res.Applied || len(res.Problems) > 0 {
		hs.t.Fatalf("reload %v: %+v, %v", paths, res, err)
	}
	hs.loader.Wait() // the history records after the reload
	hs.signal.Changed()
}

func (hs *historySite) get(target string, status int) string {
	hs.t.Helper()
	rec := get(hs.t, hs.h, target)
	if rec.Code != status {
		hs.t.Fatalf("GET %s = %d, want %d\n%s", target, rec.Code, status, rec.Body.String())
	}
	return rec.Body.String()
}

// changeKinds lists a change page's changes as "kind title".
func changeKinds(t *testing.T, body string) []string {
	t.Helper()
	doc := parse(t, body)
	kinds, words := attrs(doc, "change", "data-kind"), texts(doc, "change")
	out := make([]string, len(kinds))
	for i := range kinds {
		out[i] = kinds[i] + " " + words[i]
	}
	return out
}

func hasPrefix(list []string, prefix string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// atomDoc is what a feed reader relies on in an Atom document.
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

// checkAtom parses a feed as XML and checks what Atom requires of it: an
// id, title and updated time on the feed and each entry, ids unique.
func checkAtom(t *testing.T, hs *historySite, target string) atomDoc {
	t.Helper()
	rec := get(t, hs.h, target)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", target, rec.Code, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("%s: Content-Type = %q", target, ct)
	}
	var doc atomDoc
	dec := xml.NewDecoder(strings.NewReader(rec.Body.String()))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s is not an Atom document: %v\n%s", target, err, rec.Body.String())
	}
	if doc.ID == "" || doc.Title == "" {
		t.Errorf("%s: feed id %q, title %q", target, doc.ID, doc.Title)
	}
	if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
		t.Errorf("%s: feed updated %q: %v", target, doc.Updated, err)
	}
	if !slices.ContainsFunc(doc.Links, func(l struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}) bool {
		return l.Rel == "self"
	}) {
		t.Errorf("%s: no rel=self link", target)
	}
	seen := map[string]bool{}
	for _, e := range doc.Entries {
		if e.ID == "" || e.Title == "" || e.Link.Href == "" {
			t.Errorf("%s: entry %+v lacks an id, title or link", target, e)
		}
		if seen[e.ID] {
			t.Errorf("%s: entry id %s twice", target, e.ID)
		}
		seen[e.ID] = true
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil {
			t.Errorf("%s: entry updated %q: %v", target, e.Updated, err)
		}
	}
	return doc
}

func entryTitles(doc atomDoc) []string {
	var out []string
	for _, e := range doc.Entries {
		out = append(out, e.Title)
	}
	return out
}

func TestChangePages(t *testing.T) {
	hs := newHistorySite(t)
	// The first load is a baseline: nothing is listed.
	body := hs.get("/topics/web/changes", http.StatusOK)
	if got := changeKinds(t, body); len(got) != 0 {
		t.Fatalf("baseline lists %v", got)
	}
	if !strings.Contains(body, `data-testid="no-changes"`) {
		t.Error("an empty list does not say so")
	}

	// A cell edit, a Tornado-only edit, a rename through an alias, a
	// feature added and one removed, an article changed.
	hs.edit("web/systems/flask.md", "csrf: plugin", "csrf: yes")
	hs.reload("web/systems/flask.md")
	hs.edit("web/systems/tornado.md", "orm: no", "orm: plugin")
	hs.reload("web/systems/tornado.md")
	b, err := os.ReadFile(filepath.Join(hs.dir, "web/systems/flask.md"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(hs.dir, "web/systems/flask.md"))
	hs.write("web/systems/flask2.md", strings.Replace(string(b), "name: Flask\n", "name: Flask\naliases: [flask]\n", 1))
	hs.edit("web/articles/django-vs-flask.md", "systems: [django, flask]", "systems: [django, flask2]")
	hs.edit("web/articles/django-vs-flask.md", "systems: django, flask", "systems: django, flask2")
	hs.reload("web/systems/flask.md", "web/systems/flask2.md", "web/articles/django-vs-flask.md")
	hs.edit("web/topic.yaml", "features:\n", "features:\n  - key: async\n    name: Async views\n    category: data\n")
	hs.reload("web/topic.yaml")
	hs.edit("web/topic.yaml", "  - key: license\n    name: Licence\n    category: data\n    type: text\n", "")
	hs.edit("web/systems/django.md", "  license: BSD-3-Clause\n", "")
	hs.reload("web/topic.yaml", "web/systems/django.md")
	hs.edit("web/articles/django-vs-flask.md", "updated: 2026-01-15", "updated: 2026-03-01")
	hs.reload("web/articles/django-vs-flask.md")

	// A feed's entry ids stay the same across a restart, so that a feed
	// reader never shows an entry twice.
	feedIDs := map[string]string{}
	checkAll := func(t *testing.T) {
		t.Helper()
		topic := changeKinds(t, hs.get("/topics/web/changes", http.StatusOK))
		for _, want := range []string{
			"cell Flask · CSRF protection was Plugin → now Yes",
			"cell Tornado · Built-in ORM was No → now Plugin",
			"system_renamed System renamed: Flask",
			"feature_added Feature added: Async views",
			"feature_removed Feature removed: Licence",
			"article_updated Article updated: Django vs Flask dated 1 March 2026",
		} {
			if !hasPrefix(topic, want) {
				t.Errorf("topic changes lack %q:\n%s", want, strings.Join(topic, "\n"))
			}
		}
		if topic[0] != "article_updated Article updated: Django vs Flask dated 1 March 2026" {
			t.Errorf("newest first: %v", topic)
		}
		if hasPrefix(topic, "system_removed") || hasPrefix(topic, "system_added") {
			t.Errorf("a rename listed as a removal and an addition: %v", topic)
		}

		sys := changeKinds(t, hs.get("/topics/web/flask2/changes", http.StatusOK))
		if len(sys) != 2 || !hasPrefix(sys, "system_renamed") || !hasPrefix(sys, "cell Flask · CSRF protection") {
			t.Errorf("flask2 changes = %v, want its rename and its csrf cell", sys)
		}
		if rec := get(t, hs.h, "/topics/web/flask/changes?since=2026-01-01T00:00:00Z"); rec.Code != http.StatusPermanentRedirect ||
			rec.Header().Get("Location") != "/topics/web/flask2/changes?since=2026-01-01T00:00:00Z" {
			t.Errorf("old slug: %d to %q", rec.Code, rec.Header().Get("Location"))
		}
		for _, tt := range []struct{ from, to string }{
			{"/topics/web/flask/changes.atom", "/topics/web/flask2/changes.atom"},
			{"/api/topics/web/flask/changes", "/api/topics/web/flask2/changes"},
			{"/compare/web/django-vs-flask/changes.atom", "/compare/web/django-vs-flask2/changes.atom"},
			{"/api/compare/web/django-vs-flask/changes?page=1", "/api/compare/web/django-vs-flask2/changes?page=1"},
		} {
			if rec := get(t, hs.h, tt.from); rec.Code != http.StatusPermanentRedirect || rec.Header().Get("Location") != tt.to {
				t.Errorf("%s: %d to %q, want %s", tt.from, rec.Code, rec.Header().Get("Location"), tt.to)
			}
		}

		pair := changeKinds(t, hs.get("/compare/web/django-vs-flask2/changes", http.StatusOK))
		if hasPrefix(pair, "cell Tornado") || !hasPrefix(pair, "cell Flask · CSRF protection") || !hasPrefix(pair, "feature_added") {
			t.Errorf("django vs flask2 = %v: want the flask change and the rows', not tornado's", pair)
		}
		// Only the security rows: the csrf cell, not the features of data.
		sec := changeKinds(t, hs.get("/compare/web/django-vs-flask2/changes?categories=security", http.StatusOK))
		if !hasPrefix(sec, "cell Flask · CSRF protection") || hasPrefix(sec, "feature_added") || hasPrefix(sec, "feature_removed") {
			t.Errorf("security rows only = %v", sec)
		}

		for _, feed := range []string{"/topics/web/changes.atom", "/topics/web/flask2/changes.atom", "/compare/web/django-vs-flask2/changes.atom"} {
			doc := checkAtom(t, hs, feed)
			titles := entryTitles(doc)
			var ids []string
			for _, e := range doc.Entries {
				ids = append(ids, e.ID+" "+e.Title)
			}
			if prev, ok := feedIDs[feed]; ok && prev != strings.Join(ids, "\n") {
				t.Errorf("%s: entry ids changed:\n%s\nwas\n%s", feed, strings.Join(ids, "\n"), prev)
			}
			feedIDs[feed] = strings.Join(ids, "\n")
			if !hasPrefix(titles, "Flask · CSRF protection: Plugin → Yes") {
				t.Errorf("%s lacks the csrf change: %v", feed, titles)
			}
			if feed != "/topics/web/changes.atom" && hasPrefix(titles, "Tornado") {
				t.Errorf("%s lists a tornado change: %v", feed, titles)
			}
		}
		tornado := entryTitles(checkAtom(t, hs, "/topics/web/tornado/changes.atom"))
		if len(tornado) != 1 || tornado[0] != "Tornado · Built-in ORM: No → Plugin" {
			t.Errorf("tornado feed = %v", tornado)
		}

		type apiList struct {
			Changes []struct {
				ID       int64  `json:"id"`
				Kind     string `json:"kind"`
				System   string `json:"system"`
				Feature  string `json:"feature"`
				Old, New *struct {
					Support string `json:"support"`
				}
				Revision struct {
					ID string `json:"id"`
				} `json:"revision"`
			} `json:"changes"`
		}
		for _, path := range []string{"/api/topics/web/changes", "/api/topics/web/flask2/changes", "/api/compare/web/django-vs-flask2/changes"} {
			var api apiList
			if err := json.Unmarshal([]byte(hs.get(path, http.StatusOK)), &api); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			found := false
			for _, c := range api.Changes {
				if c.Kind == "cell" && c.System == "tornado" && path != "/api/topics/web/changes" {
					t.Errorf("%s lists a tornado change", path)
				}
				if c.Kind == "cell" && c.System == "flask" && c.Feature == "csrf" && c.Old.Support == "plugin" && c.New.Support == "yes" && c.Revision.ID != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s lacks the csrf change: %+v", path, api.Changes)
			}
		}
	}
	t.Run("after edits", checkAll)
	before, err := hs.db.Revisions(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	hs.restart()
	t.Run("after a restart", checkAll)
	// The same revision loaded again, by this server or another, records
	// nothing new.
	hs.restart()
	after, err := hs.db.Revisions(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("restarts recorded %d revisions, had %d", len(after), len(before))
	}

	// since= a revision keeps what came after it; a time after all, nothing.
	since := after[1].ID[:12]
	got := changeKinds(t, hs.get("/topics/web/changes?since="+since, http.StatusOK))
	if len(got) != 1 || !strings.HasPrefix(got[0], "article_updated") {
		t.Errorf("since %s = %v, want the article change only", since, got)
	}
	if got := changeKinds(t, hs.get("/topics/web/changes?since=2999-01-01T00:00:00Z", http.StatusOK)); len(got) != 0 {
		t.Errorf("since the future = %v", got)
	}
	if got := changeKinds(t, hs.get("/topics/web/changes?since=2000-01-01T00:00:00%2B01:00", http.StatusOK)); len(got) == 0 {
		t.Error("since long ago lists nothing")
	}
}

func TestChangePagesBadInput(t *testing.T) {
	hs := newHistorySite(t)
	for _, tt := range []struct {
		target string
		status int
		want   string
	}{
		{"/topics/nope/changes", http.StatusNotFound, "There is no topic"},
		{"/topics/nope/changes.atom", http.StatusNotFound, "There is no topic"},
		{"/topics/web/nope/changes", http.StatusNotFound, "has no system"},
		{"/api/topics/web/nope/changes", http.StatusNotFound, "has no system"},
		{"/compare/web/django-vs-nope/changes", http.StatusNotFound, "has no system"},
		{"/compare/web/django-vs-flask/changes?categories=nope", http.StatusNotFound, ""},
		{"/compare/web/django/changes", http.StatusBadRequest, "at least two systems"},
		{"/topics/web/changes?since=yesterday", http.StatusBadRequest, "RFC 3339"},
		{"/api/topics/web/changes?since=yesterday", http.StatusBadRequest, "RFC 3339"},
		{"/topics/web/changes.atom?since=2026-13-01T00:00:00Z", http.StatusBadRequest, "RFC 3339"},
		{"/topics/web/changes?since=abcdef12", http.StatusBadRequest, "No recorded content revision"},
		{"/topics/web/changes?page=0", http.StatusBadRequest, "not a page number"},
		{"/topics/web/changes?page=x", http.StatusBadRequest, "not a page number"},
		{"/topics/web/changes?page=2", http.StatusNotFound, "no page 2"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			body := hs.get(tt.target, tt.status)
			if !strings.Contains(body, tt.want) {
				t.Errorf("body lacks %q:\n%s", tt.want, body)
			}
		})
	}
	// A compare list in another form redirects to its canonical one,
	// keeping since=; a view's diff= has no bearing on the list.
	rec := get(t, hs.h, "/compare/web/django-vs-flask-vs-django/changes?diff=1&since=2026-01-01T00:00:00Z")
	if rec.Code != http.StatusPermanentRedirect || rec.Header().Get("Location") != "/compare/web/django-vs-flask/changes?since=2026-01-01T00%3A00%3A00Z" {
		t.Errorf("repeat: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
}

// TestChangePagesPaginate records more changes than a page holds and walks
// the pages: newest first, each change once, the links between them.
func TestChangePagesPaginate(t *testing.T) {
	hs := newHistorySite(t)
	var features strings.Builder
	for i := range changesPerPage + 10 {
		features.WriteString("  - key: f" + strings.Repeat("x", i/26) + string(rune('a'+i%26)) + "\n    name: Feature " + strings.Repeat("x", i/26) + string(rune('a'+i%26)) + "\n    category: data\n")
	}
	hs.edit("web/topic.yaml", "features:\n", "features:\n"+features.String())
	hs.reload("web/topic.yaml")
	first := hs.get("/topics/web/changes", http.StatusOK)
	second := hs.get("/topics/web/changes?page=2", http.StatusOK)
	a, b := changeKinds(t, first), changeKinds(t, second)
	if len(a) != changesPerPage || len(b) != 10 {
		t.Fatalf("pages of %d and %d changes, want %d and 10", len(a), len(b), changesPerPage)
	}
	for _, x := range a {
		if slices.Contains(b, x) {
			t.Errorf("%q on both pages", x)
		}
	}
	if !strings.Contains(first, `href="/topics/web/changes?page=2&amp;before=`) || !strings.Contains(second, `href="/topics/web/changes"`) {
		t.Error("the pages do not link to each other")
	}
	if !strings.Contains(first, `<link rel="alternate" type="application/atom+xml"`) {
		t.Error("no feed named in the head")
	}
	if got := len(checkAtom(t, hs, "/topics/web/changes.atom").Entries); got != changesPerPage {
		t.Errorf("feed of %d entries, want %d", got, changesPerPage)
	}
}

// TestPagesLinkToChanges: the topic, system and compare pages link to their
// change lists, and a pinned snapshot to the changes since it was pinned.
func TestPagesLinkToChanges(t *testing.T) {
	hs := newHistorySite(t)
	for _, tt := range []struct{ page, want string }{
		{"/topics/web", "/topics/web/changes"},
		{"/topics/web/flask", "/topics/web/flask/changes"},
		{"/compare/web/django-vs-flask?diff=1&categories=security", "/compare/web/django-vs-flask/changes?categories=security"},
	} {
		doc := parse(t, hs.get(tt.page, http.StatusOK))
		// The compare page's own links are relative to its folder.
		if got := attrs(doc, "changes-link", "href"); len(got) != 1 || resolve(tt.page, got[0]) != tt.want {
			t.Errorf("%s links to changes %v, want %s", tt.page, got, tt.want)
		}
		if body := hs.get(tt.page, http.StatusOK); !strings.Contains(body, `type="application/atom+xml"`) {
			t.Errorf("%s names no feed", tt.page)
		}
	}
	// A pinned snapshot links to the changes of its view since it was
	// pinned, and the list shows an edit made after it.
	pinned := New(Config{History: hs.db, Pins: hs.db, ContentChanged: hs.signal}, snapshotDB{hs.db})
	rec := pin(pinned, "/compare/web/django-vs-flask?categories=security")
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("pin = %d\n%s", rec.Code, rec.Body.String())
	}
	snap := rec.Header().Get("Location")
	hs.edit("web/systems/flask.md", "csrf: plugin", "csrf: yes")
	hs.reload("web/systems/flask.md")
	links := attrs(parse(t, get(t, pinned, snap).Body.String()), "pin-changes-link", "href")
	if len(links) != 1 || !strings.HasPrefix(links[0], "/compare/web/django-vs-flask/changes?categories=security&since=") {
		t.Fatalf("snapshot links to changes %v", links)
	}
	if got := changeKinds(t, hs.get(links[0], http.StatusOK)); len(got) != 1 || !strings.HasPrefix(got[0], "cell Flask · CSRF protection") {
		t.Errorf("changes since the pin = %v", got)
	}

	// Without a history store there is no link, and the lists are 404s.
	h := New(Config{}, snapshotDB{hs.db})
	if rec := get(t, h, "/topics/web"); strings.Contains(rec.Body.String(), "changes-link") {
		t.Error("a link to changes without a history store")
	}
	if rec := get(t, h, "/topics/web/changes"); rec.Code != http.StatusNotFound {
		t.Errorf("changes without a history store = %d", rec.Code)
	}
}

// TestChangePagesWaitForRecording: the history records a load after it is
// served; until the revision served is recorded, a change list is not
// cached (it may lack that revision's changes), and once it is, it is.
func TestChangePagesWaitForRecording(t *testing.T) {
	hs := newHistorySite(t)
	ctx := context.Background()
	hs.edit("web/systems/flask.md", "csrf: plugin", "csrf: yes")
	// Another loader on the same store, not recording: the store serves
	// the edit, the history does not hold it yet.
	unrecorded := ingest.New(os.DirFS(hs.dir), hs.db, nil, nil)
	if res, err := unrecorded.Load(ctx); err != nil || !res.Applied {
		t.Fatalf("load: %+v, %v", res, err)
	}
	hs.signal.Changed()
	for _, target := range []string{"/topics/web/changes", "/topics/web/changes.atom", "/api/topics/web/changes"} {
		rec := get(t, hs.h, target)
		if rec.Code != http.StatusOK || rec.Header().Get("ETag") != "" {
			t.Errorf("%s before recording: %d, ETag %q; want 200, not cached", target, rec.Code, rec.Header().Get("ETag"))
		}
	}
	if got := changeKinds(t, hs.get("/topics/web/changes", http.StatusOK)); len(got) != 0 {
		t.Fatalf("before recording: %v", got)
	}
	hs.reload("web/systems/flask.md") // records the edit
	// (The feed names the site from the request without a base URL, so it
	// is not cached either way.)
	for _, target := range []string{"/topics/web/changes", "/api/topics/web/changes"} {
		if rec := get(t, hs.h, target); rec.Code != http.StatusOK || rec.Header().Get("ETag") == "" {
			t.Errorf("%s once recorded: %d, no ETag; want 200 and cached", target, rec.Code)
		}
	}
	if got := changeKinds(t, hs.get("/topics/web/changes", http.StatusOK)); len(got) != 1 || !strings.HasPrefix(got[0], "cell Flask · CSRF protection") {
		t.Errorf("once recorded: %v", got)
	}
}
