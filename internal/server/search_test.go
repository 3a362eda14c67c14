package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

// fakeSearcher answers every search with res (or err) and records the
// queries it was asked.
type fakeSearcher struct {
	mu      sync.Mutex
	res     kb.SearchResults
	err     error
	queries []kb.SearchQuery
}

func (f *fakeSearcher) Search(ctx context.Context, q kb.SearchQuery) (kb.SearchResults, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	if f.err != nil {
		return kb.SearchResults{}, f.err
	}
	return f.res, nil
}

func (f *fakeSearcher) asked() []kb.SearchQuery {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queries)
}

// sampleResults is one page of three hits out of 25.
func sampleResults() kb.SearchResults {
	return kb.SearchResults{
		Total: 25,
		Hits: []kb.SearchHit{
			{
				Doc: "system", Topic: "python-web-frameworks", System: "django", Title: "Django",
				Kind: "pros", Heading: "Pros", Anchor: "pros",
				Snippet: []kb.Fragment{{Text: "Built-in "}, {Text: "ORM", Mark: true}, {Text: " and <script>alert(1)</script>"}},
			},
			{
				Doc: "article", Topic: "python-web-frameworks", Article: "choosing", Title: "Choosing a framework",
				Kind: "body", Heading: "Databases", Anchor: "databases",
				Snippet: []kb.Fragment{{Text: "the "}, {Text: "orm", Mark: true}},
			},
			{
				Doc: "feature", Topic: "python-web-frameworks", Title: "ORM",
				Kind: "feature", Heading: "ORM", Anchor: "feature-orm",
				Snippet: []kb.Fragment{{Text: "Object-relational mapper"}},
			},
		},
		Facets: kb.SearchFacets{
			Kind:   []kb.FacetCount{{Value: "pros", Count: 10}, {Value: "body", Count: 9}, {Value: "feature", Count: 6}},
			Topic:  []kb.FacetCount{{Value: "python-web-frameworks", Count: 25}},
			System: []kb.FacetCount{{Value: "django", Count: 12}, {Value: "flask", Count: 4}},
		},
	}
}

func TestSearchHelp(t *testing.T) {
	fs := &fakeSearcher{res: sampleResults()}
	ts := newTestServer(t, Config{Search: fs}, newStore())
	for _, target := range []string{"/search", "/search?q=", "/search?q=++"} {
		res := ts.do(t, "GET", target)
		if res.status != 200 {
			t.Fatalf("GET %s = %d\n%s", target, res.status, res.body)
		}
		doc := parse(t, res.body)
		if len(texts(doc, "search-help")) != 1 {
			t.Errorf("GET %s: no help text", target)
		}
		links := attrs(doc, "search-examples", "data-testid")
		if len(links) != 1 {
			t.Errorf("GET %s: no examples", target)
		}
		if !strings.Contains(res.body, `href="/search?q=async"`) {
			t.Errorf("GET %s: no example link", target)
		}
	}
	if q := fs.asked(); len(q) != 0 {
		t.Errorf("empty queries reached the searcher: %v", q)
	}
}

func TestSearchResults(t *testing.T) {
	fs := &fakeSearcher{res: sampleResults()}
	ts := newTestServer(t, Config{Search: fs}, newStore())
	res := ts.do(t, "GET", "/search?q=orm&page=2")
	if res.status != 200 {
		t.Fatalf("status = %d\n%s", res.status, res.body)
	}
	if got, want := fs.asked(), []kb.SearchQuery{{Text: "orm", Page: 2, PerPage: 10}}; !cmp.Equal(got, want) {
		t.Errorf("queries: %s", cmp.Diff(want, got))
	}
	if strings.Contains(res.body, "<script>alert") {
		t.Error("snippet text was not escaped")
	}
	if !strings.Contains(res.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("escaped snippet text missing")
	}
	if !strings.Contains(res.body, "<mark>ORM</mark>") {
		t.Error("marked fragment not in <mark>")
	}
	doc := parse(t, res.body)
	check := func(name string, got, want []string) {
		t.Helper()
		if !cmp.Equal(got, want) {
			t.Errorf("%s: %s", name, cmp.Diff(want, got))
		}
	}
	check("links", attrs(doc, "hit-link", "href"), []string{
		"/topics/python-web-frameworks/django#pros",
		"/articles/python-web-frameworks/choosing#databases",
		"/topics/python-web-frameworks/features/orm",
	})
	check("titles", texts(doc, "hit-link"), []string{"Django", "Choosing a framework", "ORM"})
	check("kinds", texts(doc, "hit-kind"), []string{"Pros", "Article", "Feature"})
	check("headings", texts(doc, "hit-heading"), []string{"Databases"}) // the others repeat the title
	check("topics", texts(doc, "hit-topic"), []string{"Python web frameworks", "Python web frameworks", "Python web frameworks"})
	check("facets", attrs(doc, "facet-link", "href"), []string{
		"/search?kind=pros&q=orm", "/search?kind=body&q=orm", "/search?kind=feature&q=orm",
		"/search?q=orm&topic=python-web-frameworks",
		"/search?q=orm&system=django", "/search?q=orm&system=flask",
	})
	check("facet labels", texts(doc, "facet-link"), []string{
		"Pros (10)", "Sections (9)", "Features (6)", "Python web frameworks (25)", "Django (12)", "flask (4)",
	})
	check("count", texts(doc, "search-count"), []string{"25 results · page 2 of 3"})
	check("prev", attrs(doc, "prev-page", "href"), []string{"/search?q=orm"})
	check("next", attrs(doc, "next-page", "href"), []string{"/search?page=3&q=orm"})
	check("header box", attrs(doc, "search-input", "value"), []string{"orm"})
	check("page box", attrs(doc, "search-q", "value"), []string{"orm"})
	if got := res.header.Get("ETag"); got != "" {
		t.Errorf("search page has ETag %q; it must not be cached", got)
	}
}

func TestSearchFilters(t *testing.T) {
	r := sampleResults()
	r.Total = 3
	fs := &fakeSearcher{res: r}
	ts := newTestServer(t, Config{Search: fs}, newStore())
	res := ts.do(t, "GET", "/search?q=orm&kind=pros&system=django&topic=python-web-frameworks")
	if res.status != 200 {
		t.Fatalf("status = %d\n%s", res.status, res.body)
	}
	want := kb.SearchQuery{Text: "orm", Kind: "pros", Topic: "python-web-frameworks", System: "django", Page: 1, PerPage: 10}
	if got := fs.asked(); len(got) != 1 || got[0] != want {
		t.Errorf("queries = %v, want %v", got, want)
	}
	doc := parse(t, res.body)
	if got, want := texts(doc, "filter-chip"), []string{
		"Kind: Pros ✕ (remove)", "Topic: Python web frameworks ✕ (remove)", "System: django ✕ (remove)",
	}; !cmp.Equal(got, want) {
		t.Errorf("chips: %s", cmp.Diff(want, got))
	}
	if got, want := attrs(doc, "filter-chip", "href"), []string{
		"/search?q=orm&system=django&topic=python-web-frameworks",
		"/search?kind=pros&q=orm&system=django",
		"/search?kind=pros&q=orm&topic=python-web-frameworks",
	}; !cmp.Equal(got, want) {
		t.Errorf("chip links: %s", cmp.Diff(want, got))
	}
	// The active facet value drops its filter; the others replace it.
	hrefs := attrs(doc, "facet-link", "href")
	if !slices.Contains(hrefs, "/search?q=orm&system=django&topic=python-web-frameworks") {
		t.Errorf("current kind facet does not drop the filter: %v", hrefs)
	}
	if !slices.Contains(hrefs, "/search?kind=pros&q=orm&system=flask&topic=python-web-frameworks") {
		t.Errorf("system facet does not keep the other filters: %v", hrefs)
	}
	if len(attrs(doc, "search-pager", "class")) != 0 {
		t.Error("pager on a single page")
	}
}

func TestSearchNoResults(t *testing.T) {
	fs := &fakeSearcher{res: kb.SearchResults{Suggestion: "django"}}
	ts := newTestServer(t, Config{Search: fs}, newStore())
	res := ts.do(t, "GET", "/search?q=djnago&kind=cons")
	if res.status != 200 {
		t.Fatalf("status = %d\n%s", res.status, res.body)
	}
	doc := parse(t, res.body)
	if got := texts(doc, "search-suggestion"); !cmp.Equal(got, []string{"Did you mean django?"}) {
		t.Errorf("suggestion = %q", got)
	}
	if !strings.Contains(res.body, `href="/search?kind=cons&amp;q=django"`) {
		t.Error("suggestion does not link to its search with the filters")
	}
	if !strings.Contains(res.body, `href="/search?q=djnago"`) {
		t.Error("no link dropping the kind filter")
	}
}

func TestSearchPartial(t *testing.T) {
	r := sampleResults()
	r.Partial = true
	ts := newTestServer(t, Config{Search: &fakeSearcher{res: r}}, newStore())
	res := ts.do(t, "GET", "/search?q=orm+zebra")
	if !strings.Contains(res.body, "showing results with some of your words") {
		t.Errorf("partial results not said:\n%s", res.body)
	}
}

func TestSearchNotReady(t *testing.T) {
	for name, cfg := range map[string]Config{
		"nil searcher": {},
		"building":     {Search: &fakeSearcher{err: fmt.Errorf("adapter: %w", kb.ErrSearchNotReady)}},
	} {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, cfg, newStore())
			res := ts.do(t, "GET", "/search?q=orm")
			if res.status != 503 {
				t.Fatalf("status = %d, want 503", res.status)
			}
			if got := res.header.Get("Retry-After"); got != "5" {
				t.Errorf("Retry-After = %q", got)
			}
			if !strings.Contains(res.body, "still being built") {
				t.Errorf("page does not say the index is being built:\n%s", res.body)
			}
			if attrs(parse(t, res.body), "search-q", "value")[0] != "orm" {
				t.Error("query box lost the query")
			}
			res = ts.do(t, "GET", "/api/search?q=orm")
			if res.status != 503 || res.header.Get("Retry-After") != "5" ||
				!strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
				t.Errorf("api: %d %v\n%s", res.status, res.header, res.body)
			}
			if strings.Contains(ts.logs.String(), "level=ERROR") {
				t.Errorf("not-ready logged as an error:\n%s", ts.logs.String())
			}
		})
	}
}

func TestSearchBadRequests(t *testing.T) {
	fs := &fakeSearcher{err: fmt.Errorf("search: %w", kb.ErrInvalid)}
	ts := newTestServer(t, Config{Search: &fakeSearcher{res: sampleResults()}}, newStore())
	invalid := newTestServer(t, Config{Search: fs}, newStore())
	long := url.QueryEscape(strings.Repeat("é", 257))
	for _, target := range []string{
		"/search?q=" + long,
		"/search?q=orm&kind=nope",
		"/search?q=orm&page=0",
		"/search?q=orm&page=101",
		"/search?q=orm&page=x",
		"/search?q=orm&topic=Not+A+Slug",
		"/search?q=orm&system=..%2F..",
		"/api/search?q=" + long,
		"/api/search?q=orm&per_page=51",
	} {
		res := ts.do(t, "GET", target)
		if res.status != 400 {
			t.Errorf("GET %s = %d, want 400", target, res.status)
		}
		if strings.HasPrefix(target, "/api/") && !strings.Contains(res.body, `"status": 400`) {
			t.Errorf("GET %s: not a JSON error: %s", target, res.body)
		}
	}
	if got := invalid.do(t, "GET", "/search?q=orm").status; got != 400 {
		t.Errorf("searcher's kb.ErrInvalid = %d, want 400", got)
	}
	if got := invalid.do(t, "GET", "/api/search?q=orm").status; got != 400 {
		t.Errorf("api: searcher's kb.ErrInvalid = %d, want 400", got)
	}
	// 256 characters is allowed.
	if got := ts.do(t, "GET", "/search?q="+url.QueryEscape(strings.Repeat("é", 256))).status; got != 200 {
		t.Errorf("256 characters = %d, want 200", got)
	}
}

func TestSearchHostileText(t *testing.T) {
	fs := &fakeSearcher{res: sampleResults()}
	ts := newTestServer(t, Config{Search: fs}, newStore())
	for _, text := range []string{
		`"unterminated`, `title:django`, `[a TO z]`, `(orm`, `a\b\\`, `+-&&||!(){}[]^"~*?:\/`,
		`<script>alert(1)</script>`, `%00`, "\x00\xff", `javascript:alert(1)`, `*`, `'; DROP TABLE x; --`,
	} {
		for _, base := range []string{"/search?q=", "/api/search?q="} {
			res := ts.do(t, "GET", base+url.QueryEscape(text))
			if res.status != 200 {
				t.Errorf("GET %s%q = %d", base, text, res.status)
			}
			if strings.Contains(res.body, "<script>alert(1)</script>") {
				t.Errorf("GET %s%q: query echoed unescaped", base, text)
			}
		}
	}
}

func TestAPISearch(t *testing.T) {
	fs := &fakeSearcher{res: sampleResults()}
	ts := newTestServer(t, Config{Search: fs}, newStore())
	res := ts.do(t, "GET", "/api/search?q=orm&kind=pros&page=2&per_page=5")
	if res.status != 200 {
		t.Fatalf("status = %d\n%s", res.status, res.body)
	}
	if got := res.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got, want := fs.asked(), []kb.SearchQuery{{Text: "orm", Kind: "pros", Page: 2, PerPage: 5}}; !cmp.Equal(got, want) {
		t.Errorf("queries: %s", cmp.Diff(want, got))
	}
	var raw any
	if err := json.Unmarshal([]byte(res.body), &raw); err != nil {
		t.Fatal(err)
	}
	checkSnakeCase(t, "search", raw)
	var got apiSearch
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatal(err)
	}
	want := apiSearch{
		Query: "orm", Filters: apiSearchFilter{Kind: "pros"}, Total: 25, Page: 2, PerPage: 5, Pages: 5,
		Hits: []apiSearchHit{
			{Doc: "system", Topic: "python-web-frameworks", System: "django", Title: "Django", Kind: "pros", Label: "Pros", Heading: "Pros",
				URL:     "/topics/python-web-frameworks/django#pros",
				Snippet: []apiFragment{{"Built-in ", false}, {"ORM", true}, {" and <script>alert(1)</script>", false}}},
			{Doc: "article", Topic: "python-web-frameworks", Article: "choosing", Title: "Choosing a framework", Kind: "body",
				Label: "Article", Heading: "Databases", URL: "/articles/python-web-frameworks/choosing#databases",
				Snippet: []apiFragment{{"the ", false}, {"orm", true}}},
			{Doc: "feature", Topic: "python-web-frameworks", Title: "ORM", Kind: "feature", Label: "Feature", Heading: "ORM",
				URL: "/topics/python-web-frameworks/features/orm", Snippet: []apiFragment{{"Object-relational mapper", false}}},
		},
		Facets: apiSearchFacets{
			Kind:   []apiFacetCount{{"pros", 10}, {"body", 9}, {"feature", 6}},
			Topic:  []apiFacetCount{{"python-web-frameworks", 25}},
			System: []apiFacetCount{{"django", 12}, {"flask", 4}},
		},
	}
	if !cmp.Equal(got, want) {
		t.Errorf("json: %s", cmp.Diff(want, got))
	}

	// An empty query: empty lists, not nulls, and no search.
	res = ts.do(t, "GET", "/api/search")
	for _, s := range []string{`"hits": []`, `"kind": []`, `"total": 0`} {
		if !strings.Contains(res.body, s) {
			t.Errorf("empty query: no %s in\n%s", s, res.body)
		}
	}
	if n := len(fs.asked()); n != 1 {
		t.Errorf("empty API query reached the searcher (%d searches)", n)
	}
}

// TestSearchCorrected: a typo answered with the corrected query's results
// says so, links to the words as typed (verbatim=1), and the JSON says it
// too; verbatim=1 reaches the searcher, and a bad verbatim is refused.
func TestSearchCorrected(t *testing.T) {
	r := sampleResults()
	r.Corrected, r.Suggestion = true, "async"
	fs := &fakeSearcher{res: r}
	ts := newTestServer(t, Config{Search: fs}, newStore())

	res := ts.do(t, "GET", "/search?q=asyn")
	if res.status != 200 {
		t.Fatalf("status = %d\n%s", res.status, res.body)
	}
	doc := parse(t, res.body)
	if got := strings.Join(strings.Fields(strings.Join(texts(doc, "search-corrected"), " ")), " "); !strings.Contains(got, "Showing results for async") {
		t.Errorf("corrected line = %q, want it to say what it shows", got)
	}
	if got, want := attrs(doc, "search-verbatim", "href"), []string{"/search?q=asyn&verbatim=1"}; !cmp.Equal(got, want) {
		t.Errorf("verbatim link: %s", cmp.Diff(want, got))
	}
	if got := texts(doc, "search-verbatim"); len(got) != 1 || !strings.Contains(got[0], "asyn") {
		t.Errorf("verbatim link text = %q, want the words as typed", got)
	}
	if n := len(texts(doc, "search-hit")); n != 3 {
		t.Errorf("%d hits shown, want the corrected query's 3", n)
	}

	res = ts.do(t, "GET", "/search?q=asyn&verbatim=1")
	if res.status != 200 {
		t.Fatalf("verbatim: status = %d", res.status)
	}
	asked := fs.asked()
	if got := asked[len(asked)-1]; !got.Verbatim || got.Text != "asyn" {
		t.Errorf("verbatim=1 asked %+v, want Verbatim and the text as typed", got)
	}
	if first := asked[0]; first.Verbatim {
		t.Errorf("a plain query asked Verbatim: %+v", first)
	}

	res = ts.do(t, "GET", "/api/search?q=asyn&limit=8")
	var got apiSearch
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatalf("%v\n%s", err, res.body)
	}
	if !got.Corrected || got.Suggestion != "async" || got.PerPage != 8 {
		t.Errorf("API: corrected %v, suggestion %q, per_page %d; want true, async, 8", got.Corrected, got.Suggestion, got.PerPage)
	}
	if last := fs.asked()[len(fs.asked())-1]; last.PerPage != 8 {
		t.Errorf("limit=8 asked PerPage %d", last.PerPage)
	}

	for _, target := range []string{"/search?q=asyn&verbatim=yes", "/api/search?q=asyn&verbatim=2", "/api/search?q=a&limit=0", "/api/search?q=a&limit=x"} {
		if res := ts.do(t, "GET", target); res.status != 400 {
			t.Errorf("GET %s = %d, want 400", target, res.status)
		}
	}
}

// TestSearchFeatureValues: a feature's card shows each system's value of
// it, linked to that system's row.
func TestSearchFeatureValues(t *testing.T) {
	store := newStore()
	store.systems["python-web-frameworks"][0].Cells = []kb.Cell{{Feature: "orm", Support: kb.SupportYes}}
	store.systems["python-web-frameworks"][1].Cells = []kb.Cell{{Feature: "orm", Support: kb.SupportPlugin, Via: "Flask-SQLAlchemy"}}
	ts := newTestServer(t, Config{Search: &fakeSearcher{res: sampleResults()}}, store)
	res := ts.do(t, "GET", "/search?q=orm")
	if res.status != 200 {
		t.Fatalf("status = %d\n%s", res.status, res.body)
	}
	doc := parse(t, res.body)
	values := texts(doc, "hit-value")
	if len(values) != 2 {
		t.Fatalf("values = %q, want one per system", values)
	}
	for i, want := range []string{"Django", "Yes", "Flask", "Plugin"} {
		if got := strings.Join(strings.Fields(values[i/2]), " "); !strings.Contains(got, want) {
			t.Errorf("value %d = %q, want %q in it", i/2, got, want)
		}
	}
	if n := len(attrs(doc, "hit-values", "data-testid")); n != 1 {
		t.Errorf("%d cards with values, want only the feature's", n)
	}
	for _, href := range []string{`href="/topics/python-web-frameworks/django#feature-orm"`, `href="/topics/python-web-frameworks/flask#feature-orm"`} {
		if !strings.Contains(res.body, href) {
			t.Errorf("no link %s", href)
		}
	}

	// Ten systems: the card shows eight and says how many more.
	for i := range 8 {
		slug := fmt.Sprintf("s%d", i)
		store.systems["python-web-frameworks"] = append(store.systems["python-web-frameworks"],
			kb.System{Topic: "python-web-frameworks", Slug: slug, Name: slug, Cells: []kb.Cell{{Feature: "orm", Support: kb.SupportNo}}})
	}
	doc = parse(t, ts.do(t, "GET", "/search?q=orm").body)
	if n := len(texts(doc, "hit-value")); n != hitValuesMax {
		t.Errorf("%d values shown of 10, want %d", n, hitValuesMax)
	}
	if got := texts(doc, "hit-more-values"); len(got) != 1 || !strings.Contains(got[0], "and 2 more") {
		t.Errorf("more link = %q, want \"and 2 more\"", got)
	}
}
