package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"versa/internal/content"
	"versa/internal/sqlite"
)

// realServer serves a content folder through the real store.
func realServer(t *testing.T, dir string) http.Handler {
	t.Helper()
	return realServerConfig(t, dir, Config{})
}

// realServerConfig is realServer with cfg.
func realServerConfig(t *testing.T, dir string, cfg Config) http.Handler {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, problems, err := content.Load(os.DirFS(dir))
	if err != nil || len(problems) > 0 {
		t.Fatalf("load %s: %v %v", dir, err, problems)
	}
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	return New(cfg, snapshotDB{db})
}

// snapshotDB gives the server one read snapshot per page, as cmd/versa does.
type snapshotDB struct{ *sqlite.DB }

func (d snapshotDB) ReadConsistent(ctx context.Context, fn func(Store) error) error {
	return d.Read(ctx, func(r *sqlite.Reader) error { return fn(r) })
}

func get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// routeCase is one request through the router and what must come back.
type routeCase struct {
	name       string
	target     string
	status     int
	location   string
	wantInBody []string
	wantRows   []string // feature rows of the table in order, when set
}

// check makes the request and asserts status, Location and body; it
// returns the body for further checks.
func (tt routeCase) check(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := get(t, h, tt.target)
	if rec.Code != tt.status {
		t.Fatalf("GET %s = %d, want %d\n%s", tt.target, rec.Code, tt.status, rec.Body.String())
	}
	if got := rec.Header().Get("Location"); got != tt.location {
		t.Errorf("Location = %q, want %q", got, tt.location)
	}
	body := rec.Body.String()
	for _, want := range tt.wantInBody {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q", want)
		}
	}
	if tt.wantRows != nil {
		if got := rows(t, body); strings.Join(got, ",") != strings.Join(tt.wantRows, ",") {
			t.Errorf("rows = %v, want %v", got, tt.wantRows)
		}
	}
	return body
}

// rows returns the feature keys of the table's rows, in order.
func rows(t *testing.T, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			for _, a := range n.Attr {
				// "feature-{key}", or "matrix-N-feature-{key}" for an
				// article's later tables.
				if _, key, ok := strings.Cut(a.Val, "feature-"); a.Key == "id" && ok {
					out = append(out, key)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func TestCompare(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")
	tests := []routeCase{
		{name: "two systems", target: "/compare/web/django-vs-flask", status: 200,
			wantRows:   []string{"orm", "first_release", "license", "csrf"},
			wantInBody: []string{"Django vs Flask", `rel="canonical" href="/compare/web/django-vs-flask"`, "via Flask-SQLAlchemy", "Middleware on by default"}},
		{name: "order kept, canonical sorted", target: "/compare/web/flask-vs-django", status: 200,
			wantInBody: []string{"Flask vs Django", `rel="canonical" href="/compare/web/django-vs-flask"`}},
		{name: "differences only", target: "/compare/web/django-vs-flask?diff=1", status: 200,
			wantRows: []string{"orm", "first_release", "license", "csrf"}, wantInBody: []string{"(0 same rows hidden)"}},
		{name: "one category", target: "/compare/web/django-vs-flask?categories=security", status: 200,
			wantRows: []string{"csrf"}},
		{name: "needs scored", target: "/compare/web/django-vs-flask?need=orm,csrf", status: 200,
			wantInBody: []string{"meets 2 of 2", "meets 0 of 2", "(2 partial)"}},
		{name: "alias redirects", target: "/compare/web/djangoproject-vs-flask?diff=1", status: 308, location: "/compare/web/django-vs-flask?diff=1"},
		{name: "repeat dropped", target: "/compare/web/django-vs-flask-vs-django", status: 308, location: "/compare/web/django-vs-flask"},
		{name: "form query folded", target: "/compare/web/django-vs-flask?category=security&diff=on&need=orm", status: 303,
			location: "/compare/web/django-vs-flask?diff=1&categories=security&need=orm"},
		{name: "every category ticked is no filter", target: "/compare/web/django-vs-flask?category=data&category=security&diff=on", status: 303,
			location: "/compare/web/django-vs-flask?diff=1"},
		{name: "every category listed is no filter", target: "/compare/web/django-vs-flask?categories=security,data", status: 303,
			location: "/compare/web/django-vs-flask"},
		{name: "boxes show the categories shown", target: "/compare/web/django-vs-flask", status: 200,
			wantInBody: []string{`value="data" checked`, `value="security" checked`}},
		{name: "boxes show the filter", target: "/compare/web/django-vs-flask?categories=security", status: 200,
			wantInBody: []string{`value="data">`, `value="security" checked`}},
		{name: "add column", target: "/compare/web/django-vs-flask?add=flask", status: 303, location: "/compare/web/django-vs-flask"},
		{name: "need added by its name", target: "/compare/web/django-vs-flask?need=csrf&add_need=Built-in+ORM", status: 303, location: "/compare/web/django-vs-flask?need=csrf,orm"},
		{name: "need name in any case", target: "/compare/web/django-vs-flask?add_need=+csrf+PROTECTION+", status: 303, location: "/compare/web/django-vs-flask?need=csrf"},
		{name: "need by key in the box", target: "/compare/web/django-vs-flask?add_need=orm", status: 303, location: "/compare/web/django-vs-flask?need=orm"},
		{name: "need named twice", target: "/compare/web/django-vs-flask?need=orm&add_need=built-in+orm", status: 303, location: "/compare/web/django-vs-flask?need=orm"},
		{name: "need that is no feature's name", target: "/compare/web/django-vs-flask?add_need=Admin+site", status: 303, location: "/compare/web/django-vs-flask?need=Admin+site"},
		{name: "need that is no feature's name, folded", target: "/compare/web/django-vs-flask?need=Admin+site", status: 404, wantInBody: []string{`has no feature &#34;Admin site&#34;`}},
		{name: "column moved right", target: "/compare/web/django-vs-flask?right=django", status: 303, location: "/compare/web/flask-vs-django"},
		{name: "column moved left, filters kept", target: "/compare/web/django-vs-flask?diff=1&need=orm&left=flask", status: 303, location: "/compare/web/flask-vs-django?diff=1&need=orm"},
		{name: "first column moved left", target: "/compare/web/django-vs-flask?left=django", status: 303, location: "/compare/web/django-vs-flask"},
		{name: "column of another system", target: "/compare/web/django-vs-flask?right=rails", status: 404, wantInBody: []string{`has no system &#34;rails&#34;`}},
		{name: "column removed from two", target: "/compare/web/django-vs-flask?remove=flask", status: 303, location: "/topics/web/django"},
		{name: "compare form", target: "/compare?topic=web&system=flask&system=django", status: 303, location: "/compare/web/flask-vs-django"},
		{name: "compare form with one system", target: "/compare?topic=web&system=flask", status: 200, wantInBody: []string{"You ticked one system", `aria-label="Select Flask" checked`}},
		{name: "compare form with no system", target: "/compare?topic=web", status: 200, wantInBody: []string{"Tick at least two systems"}},
		{name: "compare form without a topic", target: "/compare?system=flask&system=django", status: 404},
		{name: "unknown topic", target: "/compare/nope/django-vs-flask", status: 404, wantInBody: []string{`There is no topic &#34;nope&#34;`, `href="/topics/web"`}},
		{name: "unknown system", target: "/compare/web/django-vs-rails", status: 404, wantInBody: []string{`has no system &#34;rails&#34;`, `href="/topics/web/flask"`}},
		{name: "unknown category", target: "/compare/web/django-vs-flask?categories=speed", status: 404, wantInBody: []string{`has no category &#34;speed&#34;`}},
		{name: "unknown need", target: "/compare/web/django-vs-flask?need=admin", status: 404, wantInBody: []string{`has no feature &#34;admin&#34;`}},
		{name: "one system", target: "/compare/web/django", status: 400},
		{name: "hostile slug", target: "/compare/web/%3Cscript%3E-vs-flask", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.check(t, h)
			if strings.Contains(body, "<script>") {
				t.Errorf("body has an unescaped script tag")
			}
		})
	}
}

// TestCompareBundledPairs renders every pair of the bundled systems: each
// page answers 200 with every feature as a row and no unknown cell
// without a note.
func TestCompareBundledPairs(t *testing.T) {
	h := realServer(t, "../../content")
	systems := []string{"bottle", "django", "fastapi", "flask", "pyramid", "tornado"}
	for i, a := range systems {
		for _, b := range systems[i+1:] {
			target := "/compare/python-web-frameworks/" + a + "-vs-" + b
			rec := get(t, h, target)
			if rec.Code != 200 {
				t.Fatalf("GET %s = %d", target, rec.Code)
			}
			body := rec.Body.String()
			if n := len(rows(t, body)); n < 40 {
				t.Errorf("%s: %d rows, want every feature (40+)", target, n)
			}
			// Known, or the cell's note says why not.
			if strings.Count(body, `class="u"`) != strings.Count(body, `class="u"><details><summary>unknown</summary>`) {
				t.Errorf("%s shows an unknown cell without a note saying why", target)
			}
		}
	}
}

// TestFriendlyRedirects sends URLs people type or paste, with a trailing
// slash or without the last part, to the page they meant; anything else
// stays a 404.
func TestFriendlyRedirects(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")
	tests := []routeCase{
		{name: "compare without systems", target: "/compare/web", status: 303, location: "/topics/web"},
		{name: "compare of an unknown topic", target: "/compare/nope", status: 404, wantInBody: []string{`href="/topics/web"`}},
		{name: "a topic's articles", target: "/articles/web", status: 303, location: "/articles?topic=web"},
		{name: "articles of an unknown topic", target: "/articles/nope", status: 404},
		{name: "topic with a slash", target: "/topics/web/", status: 308, location: "/topics/web"},
		{name: "system with slashes and a query", target: "/topics/web/django//?x=1", status: 308, location: "/topics/web/django?x=1"},
		{name: "compare with a slash", target: "/compare/web/django-vs-flask/?diff=1", status: 308, location: "/compare/web/django-vs-flask?diff=1"},
		{name: "no page without the slash either", target: "/nowhere/", status: 404},
		{name: "never to another host", target: "//evil.example/", status: 404},
		{name: "the home page stays", target: "/", status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, h) })
	}
}

// TestAliasRedirects sends every kind of page named by an old slug to the
// current one, query kept.
func TestAliasRedirects(t *testing.T) {
	h := realServer(t, "testdata/shapes")
	tests := []routeCase{
		{name: "system", target: "/topics/flat/old-alpha?x=1", status: 308, location: "/topics/flat/alpha?x=1"},
		{name: "system in the API", target: "/api/topics/flat/old-alpha", status: 308, location: "/api/topics/flat/alpha"},
		{name: "article", target: "/articles/flat/notes", status: 308, location: "/articles/flat/flat-notes"},
		{name: "article in the API", target: "/api/articles/flat/notes?x=1", status: 308, location: "/api/articles/flat/flat-notes?x=1"},
		{name: "compare", target: "/compare/flat/old-alpha-vs-beta", status: 308, location: "/compare/flat/alpha-vs-beta"},
		{name: "not an alias", target: "/articles/flat/nope", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, h) })
	}
}

// ?diff=1 finds its rows through the store (DifferingFeatures, one pass
// over support and value) and shows exactly what comparing every cell
// shows: the same rows, hidden count and notes as a store read whole. An
// explicit unknown is the same as a feature left out.
func TestDiffRowsSameOnEveryStore(t *testing.T) {
	dir := writeContent(t, map[string]string{
		"t/topic.yaml": "title: T\nsummary: A topic.\ncategories:\n  - key: c\n    title: C\n  - key: d\n    title: D\nfeatures:\n" +
			"  - {key: a, name: A, category: c}\n  - {key: lic, name: Licence, category: c, type: text}\n" +
			"  - {key: u, name: U, category: d}\n  - {key: n, name: N, category: d, type: number}\n",
		"t/systems/x.md": "---\nname: X\nsummary: x.\nfeatures:\n  a: yes\n  lic: MIT\n  u: {support: unknown, note: Not documented.}\n  n: {value: 3, note: Counted in May.}\n---\nText.\n",
		"t/systems/y.md": "---\nname: Y\nsummary: y.\nfeatures:\n  a: yes\n  lic: MIT\n  n: 3\n---\nText.\n",
		"t/systems/z.md": "---\nname: Z\nsummary: z.\nfeatures:\n  a: {support: yes, note: Only on Tuesdays.}\n  lic: BSD\n  u: no\n---\nText.\n",
	})
	db := openDB(t)
	loadDir(t, db, dir)
	scoped, whole := New(Config{CacheBytes: -1}, db), New(Config{CacheBytes: -1}, &countingStore{Store: db})
	bundledDB := openDB(t)
	loadDir(t, bundledDB, "../../content")
	bScoped, bWhole := New(Config{CacheBytes: -1}, bundledDB), New(Config{CacheBytes: -1}, &countingStore{Store: bundledDB})
	hidden := func(body string) string {
		for n := range parse(t, body).Descendants() {
			if attr(n, "data-testid") == "hidden-count" {
				return textOf(n)
			}
		}
		return ""
	}
	for _, tc := range []struct {
		h1, h2 http.Handler
		target string
		rows   []string // nil: as the whole read says, when both agree
	}{
		{scoped, whole, "/compare/t/x-vs-y?diff=1", []string{}},
		{scoped, whole, "/compare/t/x-vs-z?diff=1", []string{"lic", "u", "n"}}, // a: the same, notes aside
		{scoped, whole, "/compare/t/y-vs-z?diff=1&categories=d", []string{"u", "n"}},
		{scoped, whole, "/compare/t/x-vs-y-vs-z?diff=1&need=u", nil},
		{bScoped, bWhole, "/compare/python-web-frameworks/django-vs-flask?diff=1", nil},
		{bScoped, bWhole, "/compare/python-web-frameworks/bottle-vs-django-vs-fastapi-vs-flask-vs-pyramid-vs-tornado?diff=1&categories=security&need=csrf", nil},
	} {
		a, b := get(t, tc.h1, tc.target), get(t, tc.h2, tc.target)
		if a.Code != 200 || b.Code != 200 {
			t.Fatalf("%s: status %d and %d", tc.target, a.Code, b.Code)
		}
		ra, rb := rows(t, a.Body.String()), rows(t, b.Body.String())
		if !slices.Equal(ra, rb) || hidden(a.Body.String()) != hidden(b.Body.String()) {
			t.Errorf("%s: rows %v (%s) through the store, %v (%s) from every cell", tc.target, ra, hidden(a.Body.String()), rb, hidden(b.Body.String()))
		}
		if tc.rows != nil && !slices.Equal(nonNil(ra), tc.rows) {
			t.Errorf("%s: rows %v, want %v", tc.target, ra, tc.rows)
		}
		if a.Body.String() != b.Body.String() {
			t.Errorf("%s: the two pages differ beyond rows", tc.target)
		}
	}
}

// A differences-only view with more cells than it may compare whole pages
// its rows as the full view does and hides the same rows of the page it
// shows, saying so: on a table that fits one page that is the exact view.
func TestDiffInPage(t *testing.T) {
	db := openDB(t)
	loadDir(t, db, "../../content")
	h := New(Config{CacheBytes: -1}, db)
	target := "/compare/python-web-frameworks/bottle-vs-django-vs-fastapi-vs-flask-vs-pyramid-vs-tornado?diff=1"
	exact := get(t, h, target).Body.String()
	defer func(n int) { diffScanCells = n }(diffScanCells)
	diffScanCells = 1
	paged := get(t, h, target).Body.String()
	if a, b := rows(t, exact), rows(t, paged); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("rows compared whole %v, by page %v: want the same", a, b)
	}
	count := func(body string) string { return strings.Join(texts(parse(t, body), "hidden-count"), "") }
	if strings.Contains(count(exact), "on this page") || !strings.Contains(count(paged), "on this page") ||
		strings.TrimSuffix(strings.TrimSuffix(count(paged), ")"), " on this page") != strings.TrimSuffix(count(exact), ")") {
		t.Errorf("hidden counts: whole %q, by page %q; want the same number, the second of this page", count(exact), count(paged))
	}
}

// TestColumnControls follows every column control of the bundled
// six-system page: each is a query relative to the page, answered with a
// redirect to the order or the systems its label says, filters kept.
func TestColumnControls(t *testing.T) {
	h := realServer(t, "../../content")
	const page = "/compare/python-web-frameworks/django-vs-flask-vs-fastapi?diff=1"
	slugs := []string{"django", "flask", "fastapi"}
	rec := get(t, h, page)
	if rec.Code != 200 {
		t.Fatalf("GET %s = %d", page, rec.Code)
	}
	base, err := url.Parse(page)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for n := range parse(t, rec.Body.String()).Descendants() {
		label := attr(n, "aria-label")
		verb, name, ok := strings.Cut(label, " ")
		if n.Data != "a" || !ok || (verb != "Move" && verb != "Remove") {
			continue
		}
		seen++
		href := attr(n, "href")
		if !strings.HasPrefix(href, "?") {
			t.Errorf("%s: href %q, want a query relative to the page", label, href)
		}
		ref, err := url.Parse(href)
		if err != nil {
			t.Fatal(err)
		}
		target := base.ResolveReference(ref).String()
		// What the label asks for, done by hand on the page's systems.
		i := slices.IndexFunc(slugs, func(s string) bool { return strings.EqualFold(s, strings.Fields(name)[0]) })
		want := slices.Clone(slugs)
		switch {
		case verb == "Remove":
			want = slices.Delete(want, i, i+1)
		case strings.HasSuffix(name, " left"):
			want[i-1], want[i] = want[i], want[i-1]
		case strings.HasSuffix(name, " right"):
			want[i], want[i+1] = want[i+1], want[i]
		}
		got := get(t, h, target)
		if loc := "/compare/python-web-frameworks/" + strings.Join(want, "-vs-") + "?diff=1"; got.Code != 303 || got.Header().Get("Location") != loc {
			t.Errorf("%s: GET %s = %d to %q, want 303 to %q", label, target, got.Code, got.Header().Get("Location"), loc)
		}
	}
	// Django: right, remove; Flask: left, right, remove; FastAPI: left, remove.
	if seen != 7 {
		t.Errorf("%d column controls, want 7", seen)
	}
}
