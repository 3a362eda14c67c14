package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"versa/internal/sqlite"
)

// bundledSite is a server of the bundled content, and its store.
type bundledSite struct {
	db *sqlite.DB
	h  http.Handler
}

func featureSite(t *testing.T) *bundledSite {
	t.Helper()
	db := openDB(t)
	loadDir(t, db, "../../content")
	return &bundledSite{db: db, h: New(Config{CacheBytes: -1}, db)}
}

func TestFeaturePage(t *testing.T) {
	ts := featureSite(t)
	systems, err := ts.db.ListSystems(t.Context(), "python-web-frameworks")
	if err != nil || len(systems) == 0 {
		t.Fatalf("systems: %d, %v", len(systems), err)
	}
	rec := get(t, ts.h, "/topics/python-web-frameworks/features/orm")
	if rec.Code != 200 {
		t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
	}
	doc, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	// A row for every system, linking to its page, in support order.
	var rows []string
	var levels []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "data-testid") == "feature-system" {
			rows = append(rows, strings.TrimPrefix(attr(n, "id"), "system-"))
			for d := range n.Descendants() {
				if sup := supportOfClass(attr(d, "class")); d.Type == html.ElementNode && sup != "" {
					levels = append(levels, sup)
					break
				}
			}
		}
	}
	if len(rows) != len(systems) {
		t.Fatalf("rows = %v, want one per system (%d)", rows, len(systems))
	}
	body := rec.Body.String()
	for _, s := range systems {
		if !strings.Contains(body, `href="/topics/python-web-frameworks/`+s.Slug+`"`) {
			t.Errorf("no link to %s", s.Slug)
		}
		want := string(s.Cell("orm").Support)
		if want == "" {
			want = "unknown"
		}
		got := ""
		for i, r := range rows {
			if r == s.Slug && i < len(levels) {
				got = levels[i]
			}
		}
		if got != want {
			t.Errorf("%s: shown %q, store has %q", s.Slug, got, want)
		}
	}
	rank := map[string]int{"yes": 0, "partial": 1, "plugin": 2, "no": 3, "unknown": 4}
	for i := 1; i < len(levels); i++ {
		if rank[levels[i-1]] > rank[levels[i]] {
			t.Errorf("rows not best supported first: %v", levels)
		}
	}
	for _, want := range []string{
		`<link rel="canonical" href="`, `/topics/python-web-frameworks/features/orm"`,
		`data-testid="feature-counts"`, `href="/api/topics/python-web-frameworks/features/orm"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestFeatureNotFound(t *testing.T) {
	ts := featureSite(t)
	for _, target := range []string{
		"/topics/python-web-frameworks/features/nope",
		"/api/topics/python-web-frameworks/features/nope",
		"/topics/python-web-frameworks/features/changes", // no system is called "features"
		"/topics/nope/features/orm",
	} {
		rec := get(t, ts.h, target)
		if rec.Code != 404 {
			t.Errorf("%s: status = %d, want 404", target, rec.Code)
		}
	}
	body := get(t, ts.h, "/topics/python-web-frameworks/features/nope").Body.String()
	if !strings.Contains(body, `href="/topics/python-web-frameworks#features"`) {
		t.Errorf("404 does not link to the topic's features:\n%s", body)
	}
}

func TestAPIFeature(t *testing.T) {
	ts := featureSite(t)
	rec := get(t, ts.h, "/api/topics/python-web-frameworks/features/first_release")
	if rec.Code != 200 {
		t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
	}
	var got apiFeatureDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	systems, err := ts.db.ListSystems(t.Context(), "python-web-frameworks")
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != "first_release" || got.Type != "year" || got.URL != "/topics/python-web-frameworks/features/first_release" || len(got.Systems) != len(systems) {
		t.Fatalf("doc = %+v", got)
	}
	for i, s := range systems {
		if got.Systems[i].Slug != s.Slug || got.Systems[i].Cell.Value != s.Cell("first_release").Value {
			t.Errorf("system %d = %+v, want %s with %q", i, got.Systems[i], s.Slug, s.Cell("first_release").Value)
		}
	}
}

// Every row name of the table pages links to the feature's page.
func TestRowNamesLinkToFeaturePages(t *testing.T) {
	ts := featureSite(t)
	for _, target := range []string{
		"/compare/python-web-frameworks/django-vs-flask",
		"/topics/python-web-frameworks/django",
		"/topics/python-web-frameworks",
	} {
		body := get(t, ts.h, target).Body.String()
		if !strings.Contains(body, `href="/topics/python-web-frameworks/features/orm"`) {
			t.Errorf("%s: the ORM row does not link to its feature page", target)
		}
	}
}

// A system may be called "features": its change list keeps its URL, though
// that URL has the shape of a feature page.
func TestSystemCalledFeatures(t *testing.T) {
	hs := newHistorySite(t)
	hs.write("web/systems/features.md", "---\nname: Featurely\nsummary: A framework with an awkward slug.\nfeatures:\n  orm: no\n---\nFeaturely.\n")
	hs.reload("web/systems/features.md")
	hs.edit("web/systems/features.md", "orm: no", "orm: yes")
	hs.reload("web/systems/features.md")
	hs.get("/topics/web/features", 200)
	page := hs.get("/topics/web/features/changes", 200)
	if !strings.Contains(page, "Featurely") {
		t.Errorf("changes page of the system features does not name it:\n%s", page)
	}
	hs.get("/topics/web/features/changes.atom", 200)
	hs.get("/api/topics/web/features/changes", 200)
	hs.get("/topics/web/features/orm", 200) // the feature page still answers
}
