package server

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSystem(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	tests := []routeCase{
		{name: "system", target: "/topics/db/bravo", status: 200,
			wantInBody: []string{"Bravo overview.", `href="https://bravo.example/"`, "Needs setup", "via bravo-json", "since 2.0",
				`href="https://bravo.example/json"`, `href="/compare/db/bravo-vs-alpha"`, `href="/articles/db/picking"`}},
		{name: "alias redirects", target: "/topics/db/alfa", status: 308, location: "/topics/db/alpha"},
		{name: "alias keeps the query", target: "/topics/db/alfa?x=1", status: 308, location: "/topics/db/alpha?x=1"},
		{name: "unknown system", target: "/topics/db/echo", status: 404,
			wantInBody: []string{`has no system &#34;echo&#34;`, `href="/topics/db/alpha"`, `href="/topics/db/delta"`}},
		{name: "unknown topic", target: "/topics/nope/alpha", status: 404, wantInBody: []string{`There is no topic &#34;nope&#34;`, `href="/topics/db"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, h) })
	}
}

// TestSystemSections checks the layout of one system's page: overview,
// the three lists, other sections, every feature by category.
func TestSystemSections(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	rec := get(t, h, "/topics/db/alpha")
	if rec.Code != 200 {
		t.Fatalf("status = %d", rec.Code)
	}
	doc := parse(t, rec.Body.String())
	if got := texts(doc, "overview"); !cmp.Equal(got, []string{"Alpha overview."}) {
		t.Errorf("overview = %q", got)
	}
	if diff := cmp.Diff([]string{"pros", "cons", "use_cases"}, attrs(doc, "list", "data-kind")); diff != "" {
		t.Errorf("lists (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Pros Fast.", "Cons Young.", "Best for Caches."}, texts(doc, "list")); diff != "" {
		t.Errorf("list texts (-want +got):\n%s", diff)
	}
	if got := texts(doc, "body-section"); len(got) != 1 || !strings.HasPrefix(got[0], "History") || !strings.Contains(got[0], "Started in a garage.") {
		t.Errorf("body sections = %q, want History with its text", got)
	}
	if !strings.Contains(rec.Body.String(), `<h2 id="history">History</h2>`) {
		t.Errorf("the History section lacks its anchor")
	}
	if diff := cmp.Diff([]string{"core", "facts"}, attrs(doc, "category", "data-category")); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	wantRows := []string{"acid", "json", "sql", "replication", "backup", "first_release", "license"}
	if diff := cmp.Diff(wantRows, rows(t, rec.Body.String())); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Bravo", "Charlie", "Delta"}, texts(doc, "compare-link")); diff != "" {
		t.Errorf("compare links (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Picking a database"}, texts(doc, "article-link")); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	if got := texts(doc, "feature-row")[0]; !strings.Contains(got, "No") {
		t.Errorf("acid row = %q, want the word No", got)
	}
}

// TestBundledPages answers 200 for every bundled topic, system and article
// page, with no matrix marker left unreplaced.
func TestBundledPages(t *testing.T) {
	h := realServer(t, "../../content")
	doc := parse(t, get(t, h, "/topics/python-web-frameworks").Body.String())
	systems := attrs(doc, "system-link", "href")
	if len(systems) != 6 {
		t.Fatalf("topic page links %d systems, want 6", len(systems))
	}
	articles := attrs(parse(t, get(t, h, "/articles").Body.String()), "article-link", "href")
	if len(articles) != 8 {
		t.Fatalf("article list links %d articles, want 8", len(articles))
	}
	matrices := 0
	for _, target := range append(append([]string{"/topics/python-web-frameworks", "/articles"}, systems...), articles...) {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Errorf("GET %s = %d", target, rec.Code)
			continue
		}
		body := rec.Body.String()
		if strings.Contains(body, "versa:matrix") {
			t.Errorf("%s: a matrix marker is left in the page", target)
		}
		// Every bundled cell is known, or says why not (a survey that
		// publishes no share for a framework).
		if strings.HasPrefix(target, "/topics/python-web-frameworks/") &&
			strings.Count(body, `class="u"`) != strings.Count(body, `<span class="u">unknown</span><span class="cell-notes"`) {
			t.Errorf("%s shows an unknown cell without a note saying why", target)
		}
		matrices += len(attrs(parse(t, body), "matrix", "class"))
	}
	if matrices == 0 {
		t.Errorf("no bundled article shows a live table")
	}
}
