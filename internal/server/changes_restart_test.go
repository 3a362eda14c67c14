package server

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Edits made while the server is down are listed once it starts again:
// the start diffs the folder against the state recorded with the last
// revision instead of recording a baseline.
func TestChangePagesAfterDowntime(t *testing.T) {
	hs := newHistorySite(t)
	hs.db.Close() // the server stops

	hs.edit("web/systems/tornado.md", "orm: no", "orm: plugin")
	b, err := os.ReadFile(filepath.Join(hs.dir, "web/systems/flask.md"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(hs.dir, "web/systems/flask.md"))
	hs.write("web/systems/flask2.md", strings.Replace(strings.Replace(string(b), "name: Flask\n", "name: Flask\naliases: [flask]\n", 1), "csrf: plugin", "csrf: yes", 1))
	hs.edit("web/articles/django-vs-flask.md", "systems: [django, flask]", "systems: [django, flask2]")
	hs.edit("web/articles/django-vs-flask.md", "systems: django, flask", "systems: django, flask2")
	hs.edit("web/topic.yaml", "  - key: license\n    name: Licence\n    category: data\n    type: text\n", "")
	hs.edit("web/systems/django.md", "  license: BSD-3-Clause\n", "")
	hs.start()

	revs, err := hs.db.Revisions(context.Background(), 0, 0)
	if err != nil || len(revs) != 2 || revs[0].Baseline {
		t.Fatalf("revisions: %+v, %v; want the baseline and the start's, not a second baseline", revs, err)
	}
	check := func(target string, want, not []string) {
		t.Helper()
		got := changeKinds(t, hs.get(target, http.StatusOK))
		for _, w := range want {
			if !hasPrefix(got, w) {
				t.Errorf("%s lacks %q:\n%s", target, w, strings.Join(got, "\n"))
			}
		}
		for _, n := range not {
			if hasPrefix(got, n) {
				t.Errorf("%s lists %q:\n%s", target, n, strings.Join(got, "\n"))
			}
		}
	}
	flask := "cell Flask · CSRF protection was Plugin → now Yes"
	tornado := "cell Tornado · Built-in ORM was No → now Plugin"
	renamed := "system_renamed System renamed: Flask"
	removed := "feature_removed Feature removed: Licence"
	check("/topics/web/changes", []string{flask, tornado, renamed, removed, "article_updated"}, []string{"system_added", "system_removed"})
	check("/topics/web/flask2/changes", []string{flask, renamed}, []string{tornado, removed})
	check("/topics/web/tornado/changes", []string{tornado}, []string{flask, renamed})
	check("/compare/web/django-vs-flask2/changes", []string{flask, renamed, removed}, []string{tornado})

	for feed, want := range map[string]string{
		"/topics/web/changes.atom":                   "Tornado · Built-in ORM: No → Plugin",
		"/topics/web/flask2/changes.atom":            "Flask · CSRF protection: Plugin → Yes",
		"/compare/web/django-vs-flask2/changes.atom": "Flask · CSRF protection: Plugin → Yes",
	} {
		titles := entryTitles(checkAtom(t, hs, feed))
		if !hasPrefix(titles, want) {
			t.Errorf("%s lacks %q: %v", feed, want, titles)
		}
		if feed != "/topics/web/changes.atom" && hasPrefix(titles, "Tornado") {
			t.Errorf("%s lists a tornado change: %v", feed, titles)
		}
	}
	for _, path := range []string{"/api/topics/web/changes", "/api/topics/web/flask2/changes", "/api/compare/web/django-vs-flask2/changes"} {
		if body := hs.get(path, http.StatusOK); !strings.Contains(body, `"system_renamed"`) {
			t.Errorf("%s lacks the rename: %s", path, body)
		}
	}

	// Started again on the same folder: nothing new.
	hs.restart()
	if again, _ := hs.db.Revisions(context.Background(), 0, 0); len(again) != 2 {
		t.Errorf("a restart on the same content recorded %d revisions, want 2", len(again))
	}
}
