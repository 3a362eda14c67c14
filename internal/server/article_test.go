package server

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

func TestArticle(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	tests := []routeCase{
		{name: "article", target: "/articles/db/picking", status: 200,
			wantInBody: []string{"Picking a database", "How to choose.", `datetime="2026-02-01"`, `href="/articles?tag=choosing"`,
				`href="/topics/db/alpha"`, "Between the tables.", "The end."}},
		{name: "alias redirects", target: "/articles/db/choosing", status: 308, location: "/articles/db/picking"},
		{name: "unknown article", target: "/articles/db/nope", status: 404,
			wantInBody: []string{`has no article &#34;nope&#34;`, `href="/articles/db/picking"`, `href="/articles/db/older"`}},
		{name: "unknown topic", target: "/articles/nope/picking", status: 404, wantInBody: []string{`There is no topic &#34;nope&#34;`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, h) })
	}
}

// TestArticleMatrices checks that each marker becomes its live table, in
// place, with the matrix's systems, features and diff applied.
func TestArticleMatrices(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	rec := get(t, h, "/articles/db/picking")
	if rec.Code != 200 {
		t.Fatalf("status = %d", rec.Code)
	}
	body := rec.Body.String()
	if strings.Contains(body, "<!--versa:matrix") {
		t.Errorf("a raw matrix marker is left in the output")
	}
	doc := parse(t, body)
	var articleBody *html.Node
	for n := range doc.Descendants() {
		if attr(n, "data-testid") == "article-body" {
			articleBody = n
		}
	}
	if articleBody == nil {
		t.Fatal("no article body")
	}
	// The body's children in order: text, table, text, table, text.
	var kinds []string
	for c := articleBody.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type != html.ElementNode:
		case attr(c, "data-testid") == "matrix":
			kinds = append(kinds, "matrix")
		default:
			kinds = append(kinds, c.Data)
		}
	}
	if diff := cmp.Diff([]string{"p", "matrix", "p", "matrix", "p"}, kinds); diff != "" {
		t.Errorf("body parts (-want +got):\n%s", diff)
	}
	var tables [][]string // each matrix's systems and then its rows
	for n := range articleBody.Descendants() {
		if attr(n, "data-testid") == "matrix" {
			var b strings.Builder
			if err := html.Render(&b, n); err != nil {
				t.Fatal(err)
			}
			cols := columnSystems(n)
			tables = append(tables, append(cols, rows(t, b.String())...))
		}
	}
	want := [][]string{
		{"alpha", "bravo", "acid", "json"},
		// facts only, differing rows only: license differs (Apache, none, BSD).
		{"bravo", "charlie", "delta", "first_release", "license"},
	}
	if diff := cmp.Diff(want, tables); diff != "" {
		t.Errorf("matrices (-want +got):\n%s", diff)
	}
	// Footnotes and rows are numbered across the page, so ids stay unique.
	ids := map[string]bool{}
	for n := range doc.Descendants() {
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				t.Errorf("id %q repeats", id)
			}
			ids[id] = true
		}
	}
	if !ids["feature-acid"] || !ids["matrix-2-feature-license"] {
		t.Errorf("row ids = %v, want feature-acid and matrix-2-feature-license", ids)
	}
	// A note opens from its cell's value.
	if !strings.Contains(body, `<details><summary>Plugin</summary>Needs setup`) {
		t.Errorf("no note opened by a cell's value (Bravo's JSON note)")
	}
}

func TestArticles(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	tests := []struct {
		name       string
		target     string
		status     int
		want       []string // article links in order
		wantChips  []string // current filter chips
		wantInBody []string
	}{
		{name: "all, newest first", target: "/articles", status: 200,
			want: []string{"/articles/db/picking", "/articles/db/older"}, wantInBody: []string{`href="/articles?tag=history"`, "Databases"}},
		{name: "by tag", target: "/articles?tag=history", status: 200,
			want: []string{"/articles/db/older"}, wantChips: []string{"history ✕"}},
		{name: "by topic", target: "/articles?topic=db", status: 200,
			want: []string{"/articles/db/picking", "/articles/db/older"}, wantChips: []string{"Databases ✕"}},
		{name: "by tag and topic", target: "/articles?tag=sql&topic=db", status: 200,
			want: []string{"/articles/db/picking"}, wantChips: []string{"Databases ✕", "sql ✕"}},
		{name: "unknown topic", target: "/articles?topic=nope", status: 404, wantInBody: []string{`There is no topic &#34;nope&#34;`}},
		{name: "unknown tag", target: "/articles?tag=nope", status: 404, wantInBody: []string{`No article is tagged &#34;nope&#34;`, `href="/articles?tag=sql"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d\n%s", tt.target, rec.Code, tt.status, rec.Body.String())
			}
			body := rec.Body.String()
			doc := parse(t, body)
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, attrs(doc, "article-link", "href")); diff != "" {
					t.Errorf("articles (-want +got):\n%s", diff)
				}
			}
			var current []string
			for n := range doc.Descendants() {
				if n.Type == html.ElementNode && attr(n, "aria-current") == "true" {
					current = append(current, strings.Join(strings.Fields(textOf(n)), " "))
				}
			}
			if tt.status == 200 {
				if diff := cmp.Diff(tt.wantChips, current); diff != "" {
					t.Errorf("current chips (-want +got):\n%s", diff)
				}
			}
			for _, want := range tt.wantInBody {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q", want)
				}
			}
		})
	}
}

// TestArticlesPages splits the list into pages, newest first, each linking
// to its neighbours; a page past the end is a 404 and a bad number a 400.
func TestArticlesPages(t *testing.T) {
	old := articlesPerPage
	articlesPerPage = 1
	t.Cleanup(func() { articlesPerPage = old })
	h := realServer(t, writeContent(t, dbContent))
	tests := []struct {
		name, target string
		status       int
		want         []string // article links
		newer, older string   // pager links; "" for none
	}{
		{name: "first", target: "/articles", status: 200, want: []string{"/articles/db/picking"}, older: "/articles?page=2"},
		{name: "last", target: "/articles?page=2", status: 200, want: []string{"/articles/db/older"}, newer: "/articles"},
		{name: "filters kept", target: "/articles?topic=db", status: 200, want: []string{"/articles/db/picking"}, older: "/articles?page=2&topic=db"},
		{name: "one page only", target: "/articles?tag=history", status: 200, want: []string{"/articles/db/older"}},
		{name: "past the end", target: "/articles?page=3", status: 404},
		{name: "zero", target: "/articles?page=0", status: 400},
		{name: "not a number", target: "/articles?page=two", status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d", tt.target, rec.Code, tt.status)
			}
			if tt.status != 200 {
				return
			}
			doc := parse(t, rec.Body.String())
			if diff := cmp.Diff(tt.want, attrs(doc, "article-link", "href")); diff != "" {
				t.Errorf("articles (-want +got):\n%s", diff)
			}
			if got := attrs(doc, "newer", "href"); strings.Join(got, "") != tt.newer {
				t.Errorf("newer = %q, want %q", got, tt.newer)
			}
			if got := attrs(doc, "older", "href"); strings.Join(got, "") != tt.older {
				t.Errorf("older = %q, want %q", got, tt.older)
			}
		})
	}
}

// textOf is the text below n.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}
