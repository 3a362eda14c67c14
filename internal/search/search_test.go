package search

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"versa/internal/content"
	"versa/internal/kb"
)

// bundled is the repository's content folder, read once.
var bundled = sync.OnceValues(func() (*content.Tree, error) {
	return content.Read(os.DirFS("../../content"))
})

// feedBundled streams the bundled content as ingest does.
func feedBundled(t *testing.T) func(kb.Sink) error {
	t.Helper()
	tree, err := bundled()
	if err != nil {
		t.Fatal(err)
	}
	return func(s kb.Sink) error {
		_, err := content.Stream(tree, s)
		return err
	}
}

// openBuilt returns an index of the bundled content in a new folder.
func openBuilt(t *testing.T) *Index {
	t.Helper()
	ix, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Build(context.Background(), "bundled", feedBundled(t)); err != nil {
		t.Fatal(err)
	}
	return ix
}

func search(t *testing.T, ix *Index, q Query) Results {
	t.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

// text joins a snippet's fragments, marking matches with [ ].
func text(frags []Fragment) string {
	var b strings.Builder
	for _, f := range frags {
		if f.Mark {
			b.WriteString("[" + f.Text + "]")
		} else {
			b.WriteString(f.Text)
		}
	}
	return b.String()
}

func TestHostileQueries(t *testing.T) {
	ix := openBuilt(t)
	long := strings.Repeat("a", MaxQueryLen+1)
	tests := []struct {
		name    string
		q       Query
		invalid bool
		hits    bool // at least one hit expected
	}{
		{name: "quote", q: Query{Text: `"`}},
		{name: "unbalanced quote", q: Query{Text: `"django`}, hits: true},
		{name: "field syntax", q: Query{Text: `a:b`}},
		{name: "field syntax with a word", q: Query{Text: `title:django`}, hits: true},
		{name: "star", q: Query{Text: `*`}},
		{name: "wildcard", q: Query{Text: `djan*`}},
		{name: "backslash", q: Query{Text: `\`}},
		{name: "bracket", q: Query{Text: `[`}},
		{name: "range syntax", q: Query{Text: `[a TO z]`}},
		{name: "paren", q: Query{Text: `(x`}},
		{name: "operators", q: Query{Text: `+-!`}},
		{name: "required and excluded", q: Query{Text: `+django -flask`}, hits: true},
		{name: "boolean words", q: Query{Text: `AND OR NOT`}},
		{name: "boost and fuzzy syntax", q: Query{Text: `django^2 flask~1`}, hits: true},
		{name: "regexp syntax", q: Query{Text: `/dj.*/`}},
		{name: "braces and slashes", q: Query{Text: `{}//\\`}},
		{name: "empty", q: Query{Text: ``}},
		{name: "spaces", q: Query{Text: "  \t\n "}},
		{name: "stop words only", q: Query{Text: `the and of`}},
		{name: "unicode letters", q: Query{Text: `café Ünïcödé`}},
		{name: "han", q: Query{Text: `日本語の検索`}},
		{name: "emoji", q: Query{Text: `😀 🚀`}},
		{name: "invalid utf-8", q: Query{Text: "dj\xffango \xfe"}},
		{name: "nul and controls", q: Query{Text: "django\x00\x01\x1b[31m"}, hits: true},
		{name: "html", q: Query{Text: `<script>alert(1)</script>`}},
		{name: "256 characters", q: Query{Text: strings.Repeat("é", MaxQueryLen)}},
		{name: "many words", q: Query{Text: strings.Repeat("django flask ", 19)}, hits: true},
		{name: "over 256 characters", q: Query{Text: long}, invalid: true},
		{name: "unknown kind", q: Query{Text: "django", Kind: "opinions"}, invalid: true},
		{name: "page too far", q: Query{Text: "django", Page: MaxPage + 1}, invalid: true},
		{name: "negative page and size", q: Query{Text: "django", Page: -3, PerPage: -1}, hits: true},
		{name: "unknown topic", q: Query{Text: "django", Topic: "no-such-topic"}},
		{name: "unknown system", q: Query{Text: "django", System: `"; DROP TABLE`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ix.Search(context.Background(), tt.q)
			if tt.invalid {
				if !errors.Is(err, kb.ErrInvalid) {
					t.Fatalf("Search(%.40q) error = %v, want kb.ErrInvalid", tt.q.Text, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Search(%.40q) error = %v, want none", tt.q.Text, err)
			}
			if tt.hits && len(res.Hits) == 0 {
				t.Errorf("Search(%.40q) found nothing", tt.q.Text)
			}
			if res.Total < len(res.Hits) {
				t.Errorf("Total = %d with %d hits", res.Total, len(res.Hits))
			}
		})
	}
}

// TestRelevance holds judged queries on the bundled content: each names
// what a reader of the knowledge base would want first.
func TestRelevance(t *testing.T) {
	ix := openBuilt(t)
	type want struct{ doc, system, article, kind, anchor string }
	tests := []struct {
		q     Query
		top   int  // the wanted hit is within the first top
		want  want // empty fields are not checked
		cause string
	}{
		{Query{Text: "admin"}, 1, want{doc: DocSystem, system: "django", kind: "pros", anchor: "pros"},
			"Django's first pro is its generated admin site"},
		{Query{Text: "async"}, 3, want{system: "fastapi"}, "FastAPI is ASGI from the ground up"},
		{Query{Text: "single file"}, 1, want{system: "bottle"}, "Bottle is one file"},
		{Query{Text: "zero dependencies"}, 1, want{system: "bottle", kind: "pros"}, "Bottle's first pro"},
		{Query{Text: "dependency injection"}, 1, want{system: "fastapi", kind: "pros"}, "FastAPI's Depends"},
		{Query{Text: "traversal"}, 1, want{system: "pyramid", kind: "pros"}, "only Pyramid has traversal"},
		{Query{Text: "event loop"}, 1, want{system: "tornado", kind: "pros"}, "Tornado is built on its event loop"},
		{Query{Text: "pickle", Kind: "cons"}, 1, want{system: "bottle", kind: "cons"}, "Bottle's signed cookies use pickle"},
		{Query{Text: "admin", Kind: "cons"}, 4, want{system: "flask", kind: "cons"}, "Flask needs an admin extension"},
		{Query{Text: "websockets", Kind: "use_cases"}, 1, want{system: "fastapi", kind: "use_cases"}, "FastAPI's real-time use case"},
		{Query{Text: "Admin interface"}, 1, want{doc: DocFeature, kind: KindFeature, anchor: "feature-admin"}, "the feature's name"},
		{Query{Text: "django-vs-flask"}, 1, want{doc: DocArticle, article: "django-vs-flask", anchor: ""}, "an article's slug"},
		{Query{Text: "Flask"}, 1, want{system: "flask"}, "a system's name"},
		{Query{Text: "async orm", System: "django"}, 1, want{system: "django", kind: "cons"}, "Django's async ORM is partial"},
	}
	for _, tt := range tests {
		t.Run(tt.q.Text+"/"+tt.q.Kind+tt.q.System, func(t *testing.T) {
			res := search(t, ix, tt.q)
			var got []string
			for i, h := range res.Hits {
				if i == tt.top {
					break
				}
				got = append(got, h.Doc+" "+h.System+h.Article+" "+h.Kind+" #"+h.Anchor)
				if (tt.want.doc == "" || h.Doc == tt.want.doc) &&
					(tt.want.system == "" || h.System == tt.want.system) &&
					(tt.want.article == "" || h.Article == tt.want.article) &&
					(tt.want.kind == "" || h.Kind == tt.want.kind) &&
					(tt.want.anchor == "" && tt.want.doc != DocArticle || h.Anchor == tt.want.anchor) {
					return
				}
			}
			t.Errorf("Search(%+v) top %d = %q, want %+v (%s)", tt.q, tt.top, got, tt.want, tt.cause)
		})
	}
}

func TestHitFields(t *testing.T) {
	ix := openBuilt(t)
	res := search(t, ix, Query{Text: "admin site is free"})
	if len(res.Hits) == 0 {
		t.Fatal("no hits")
	}
	h := res.Hits[0]
	want := Hit{Doc: DocSystem, Topic: "python-web-frameworks", System: "django", Title: "Django",
		Kind: "pros", Heading: "Pros", Anchor: "pros"}
	if diff := cmp.Diff(want, h, cmp.FilterPath(func(p cmp.Path) bool {
		f := p.Last().String()
		return f == ".Snippet" || f == ".Score"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("top hit (-want +got):\n%s", diff)
	}
	if s := text(h.Snippet); !strings.Contains(s, "The [admin] [site] is [free].") {
		t.Errorf("snippet = %q, want the marked bullet", s)
	}
	if h.Score <= 0 {
		t.Errorf("Score = %v, want > 0", h.Score)
	}

	// A cell: on the system's page, at the feature's row.
	res = search(t, ix, Query{Text: "Flask-Admin", System: "flask", Kind: KindFeature})
	if len(res.Hits) == 0 {
		t.Fatal("no cell hit")
	}
	h = res.Hits[0]
	if h.Doc != DocSystem || h.System != "flask" || h.Anchor != "feature-admin" || h.Heading != "Admin interface" {
		t.Errorf("cell hit = %+v, want flask's admin cell", h)
	}

	// An article section: its own heading and anchor.
	res = search(t, ix, Query{Text: "claims worth correcting"})
	if len(res.Hits) == 0 || res.Hits[0].Article != "django-vs-flask" || res.Hits[0].Anchor != "claims-worth-correcting" {
		t.Errorf("article hit = %+v, want django-vs-flask#claims-worth-correcting", res.Hits)
	}
}

func TestFacetsAndFilters(t *testing.T) {
	ix := openBuilt(t)
	for _, text := range []string{"async", "admin", "security headers"} {
		res := search(t, ix, Query{Text: text})
		if res.Total == 0 {
			t.Fatalf("%q: no hits", text)
		}
		sum := func(fs []FacetCount) int {
			n := 0
			for _, f := range fs {
				n += f.Count
			}
			return n
		}
		if got := sum(res.Facets.Kind); got != res.Total {
			t.Errorf("%q: kind facets add up to %d, Total %d", text, got, res.Total)
		}
		if got := sum(res.Facets.Topic); got != res.Total {
			t.Errorf("%q: topic facets add up to %d, Total %d", text, got, res.Total)
		}
		if !slices.IsSortedFunc(res.Facets.System, func(a, b FacetCount) int { return b.Count - a.Count }) {
			t.Errorf("%q: system facets not most first: %v", text, res.Facets.System)
		}
		// Each count is what the filter finds, and the filter narrows.
		check := func(facet string, fs []FacetCount, q func(v string) Query, ok func(h Hit, v string) bool) {
			for _, f := range fs {
				got := search(t, ix, q(f.Value))
				if got.Total != f.Count {
					t.Errorf("%q: %s facet %s = %d, filtered Total %d", text, facet, f.Value, f.Count, got.Total)
				}
				for _, h := range got.Hits {
					if !ok(h, f.Value) {
						t.Errorf("%q %s=%s: hit %+v", text, facet, f.Value, h)
					}
				}
			}
		}
		check("kind", res.Facets.Kind, func(v string) Query { return Query{Text: text, Kind: v, PerPage: MaxPerPage} },
			func(h Hit, v string) bool { return h.Kind == v })
		check("topic", res.Facets.Topic, func(v string) Query { return Query{Text: text, Topic: v, PerPage: MaxPerPage} },
			func(h Hit, v string) bool { return h.Topic == v })
		check("system", res.Facets.System, func(v string) Query { return Query{Text: text, System: v, PerPage: MaxPerPage} },
			func(h Hit, v string) bool { return h.System == v || h.Doc == DocArticle })
	}

	// Filters combine.
	res := search(t, ix, Query{Text: "async", Kind: "cons", System: "django", Topic: "python-web-frameworks"})
	if res.Total != 1 || res.Hits[0].System != "django" || res.Hits[0].Kind != "cons" {
		t.Errorf("combined filters: %d hits %+v, want django's cons", res.Total, res.Hits)
	}
}

func TestPagination(t *testing.T) {
	ix := openBuilt(t)
	all := search(t, ix, Query{Text: "async", PerPage: MaxPerPage})
	if all.Total <= 12 || len(all.Hits) != min(all.Total, MaxPerPage) {
		t.Fatalf("Total %d with %d hits: want more than a few pages", all.Total, len(all.Hits))
	}
	var paged []Hit
	for page := 1; ; page++ {
		res := search(t, ix, Query{Text: "async", Page: page, PerPage: 4})
		if res.Total != all.Total {
			t.Errorf("page %d: Total = %d, want %d", page, res.Total, all.Total)
		}
		if len(res.Hits) == 0 {
			break
		}
		if len(res.Hits) > 4 {
			t.Fatalf("page %d has %d hits, want at most 4", page, len(res.Hits))
		}
		paged = append(paged, res.Hits...)
	}
	if diff := cmp.Diff(all.Hits, paged[:min(len(paged), len(all.Hits))]); diff != "" {
		t.Errorf("pages differ from one long page (-long +pages):\n%s", diff)
	}
	if len(paged) != all.Total {
		t.Errorf("pages hold %d hits, Total %d", len(paged), all.Total)
	}
	if res := search(t, ix, Query{Text: "async"}); len(res.Hits) != DefaultPerPage {
		t.Errorf("default page has %d hits, want %d", len(res.Hits), DefaultPerPage)
	}
	if res := search(t, ix, Query{Text: "framework", PerPage: 1000}); len(res.Hits) != min(res.Total, MaxPerPage) {
		t.Errorf("PerPage 1000 gives %d hits of %d, want %d", len(res.Hits), res.Total, MaxPerPage)
	}
}

// TestSuggestion: a word no document has is corrected, and a query that
// finds nothing as typed answers the corrected query's results, unless
// Verbatim.
func TestSuggestion(t *testing.T) {
	ix := openBuilt(t)
	tests := []struct {
		text, want string
		corrected  bool   // the results are the suggestion's
		system     string // the top hit's, when set
	}{
		{"djnago", "django", true, "django"},
		{"websokets", "websocket", true, ""}, // the shortest word of the stem
		{"Flaks admin", "flask admin", true, "flask"},
		{"pyramd traversal", "pyramid traversal", true, "pyramid"},
		{"django", "", false, "django"},
		{"xyzzyqwv", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			res := search(t, ix, Query{Text: tt.text})
			if res.Suggestion != tt.want || res.Corrected != tt.corrected {
				t.Errorf("Suggestion = %q Corrected %v, want %q %v", res.Suggestion, res.Corrected, tt.want, tt.corrected)
			}
			if tt.corrected || tt.want == "" && tt.system != "" {
				if res.Total == 0 || res.Partial {
					t.Fatalf("Total = %d Partial %v, want the hits of %q", res.Total, res.Partial, tt.want)
				}
			}
			if tt.system != "" && res.Hits[0].System != tt.system {
				t.Errorf("top hit %+v, want one of %s", res.Hits[0], tt.system)
			}
			if tt.corrected {
				fixed := search(t, ix, Query{Text: tt.want})
				fixed.Took, res.Took = 0, 0
				fixed.Suggestion, fixed.Corrected = tt.want, true
				if diff := cmp.Diff(fixed, res); diff != "" {
					t.Errorf("results differ from those of %q (-want +got):\n%s", tt.want, diff)
				}
				v := search(t, ix, Query{Text: tt.text, Verbatim: true})
				if v.Corrected || v.Suggestion != tt.want {
					t.Errorf("Verbatim: Corrected %v Suggestion %q, want the suggestion only", v.Corrected, v.Suggestion)
				}
				if strings.Contains(tt.text, " ") != (v.Total > 0) {
					t.Errorf("Verbatim: Total %d (Partial %v)", v.Total, v.Partial)
				}
			}
		})
	}
}

// TestPrefix: the last word is also a prefix, as a reader types.
func TestPrefix(t *testing.T) {
	ix := openBuilt(t)
	tests := []struct {
		text, mark string // a word marked in the top hit's snippet
		system     string
	}{
		{"asyn", "async", ""},
		{"asy", "async", ""},
		{"traver", "traversal", "pyramid"},
		{"pyramid travers", "traversal", "pyramid"},
		{"dependency inj", "injection", "fastapi"},
		{"migratio", "migrations", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			res := search(t, ix, Query{Text: tt.text, Verbatim: true})
			if res.Total == 0 || res.Partial || res.Corrected {
				t.Fatalf("Total %d Partial %v Corrected %v, want hits with every word", res.Total, res.Partial, res.Corrected)
			}
			h := res.Hits[0]
			if tt.system != "" && h.System != tt.system {
				t.Errorf("top hit %+v, want one of %s", h, tt.system)
			}
			if s := text(h.Snippet); !strings.Contains(strings.ToLower(s), "["+tt.mark) {
				t.Errorf("snippet %q, want %q marked", s, tt.mark)
			}
		})
	}
	// A word typed whole ranks its own documents above those of longer
	// words it begins: "form" finds forms before formats.
	res := search(t, ix, Query{Text: "admin"})
	if s := text(res.Hits[0].Snippet); !strings.Contains(strings.ToLower(s), "[admin]") {
		t.Errorf("admin: top snippet %q, want the word itself", s)
	}
	// One letter is not a prefix.
	if a, b := search(t, ix, Query{Text: "q", Verbatim: true}), search(t, ix, Query{Text: "qu", Verbatim: true}); a.Total >= b.Total {
		t.Errorf("q finds %d, qu %d: want one letter taken as a word", a.Total, b.Total)
	}
}

// TestFeatureRanking: a query naming a feature shows the feature, pros,
// use cases and cells before cons and other sections.
func TestFeatureRanking(t *testing.T) {
	ix := openBuilt(t)
	for _, text := range []string{"async", "async views", "websockets", "admin"} {
		t.Run(text, func(t *testing.T) {
			res := search(t, ix, Query{Text: text, PerPage: MaxPerPage})
			var kinds []string
			restSeen, feature := false, false
			for _, h := range res.Hits {
				kinds = append(kinds, h.Doc+"/"+h.Kind)
				has := h.Kind == "pros" || h.Kind == "use_cases" || h.Kind == KindFeature
				if h.Doc == DocFeature {
					feature = true
				}
				if has && restSeen {
					t.Fatalf("a %s hit after cons or sections: %v", h.Kind, kinds)
				}
				restSeen = restSeen || !has
			}
			if !feature {
				t.Errorf("no feature among %v", kinds)
			}
		})
	}
	// The feature is in the first page of "async"'s hits, above every cons.
	res := search(t, ix, Query{Text: "async"})
	found := false
	for _, h := range res.Hits {
		if h.Doc == DocFeature && h.Title == "Async views" {
			found = true
		}
		if h.Kind == "cons" && !found {
			t.Errorf("a cons hit before the Async views feature: %+v", h)
		}
	}
	if !found {
		t.Error("Async views is not on the first page of async")
	}
	// A query naming no feature is ranked by score alone: Django's async
	// ORM cons first.
	res = search(t, ix, Query{Text: "async orm", System: "django"})
	if res.Hits[0].Kind != "cons" {
		t.Errorf("async orm: top hit %+v, want Django's cons", res.Hits[0])
	}
}

func TestPartialMatch(t *testing.T) {
	ix := openBuilt(t)
	res := search(t, ix, Query{Text: "pyramid traversal xylophone"})
	if !res.Partial || res.Total == 0 {
		t.Fatalf("Partial = %v with %d hits, want the documents with most words", res.Partial, res.Total)
	}
	if h := res.Hits[0]; h.System != "pyramid" {
		t.Errorf("top hit %+v, want one of pyramid's with both known words", h)
	}
	if res := search(t, ix, Query{Text: "pyramid traversal"}); res.Partial {
		t.Error("Partial set when every word matched")
	}
}

func TestLifecycle(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rev := ix.Revision(); rev != "" {
		t.Errorf("Revision of an empty folder = %q, want none", rev)
	}
	if _, err := ix.Search(context.Background(), Query{Text: "django"}); !errors.Is(err, ErrNotReady) {
		t.Errorf("Search before a build: %v, want ErrNotReady", err)
	}
	if err := ix.Build(context.Background(), "r1", feedBundled(t)); err != nil {
		t.Fatal(err)
	}
	first := search(t, ix, Query{Text: "admin"})
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(context.Background(), Query{Text: "django"}); !errors.Is(err, ErrNotReady) {
		t.Errorf("Search after Close: %v, want ErrNotReady", err)
	}
	if err := ix.Build(context.Background(), "r2", feedBundled(t)); err == nil {
		t.Error("Build after Close succeeded")
	}

	// Reopened, the index is served as it was, without a build.
	ix, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if rev := ix.Revision(); rev != "r1" {
		t.Errorf("reopened Revision = %q, want r1", rev)
	}
	again := search(t, ix, Query{Text: "admin"})
	first.Took, again.Took = 0, 0
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("reopened index answers differently (-before +after):\n%s", diff)
	}

	// A failed build keeps the index being served and leaves nothing.
	boom := errors.New("content went away")
	err = ix.Build(context.Background(), "r2", func(s kb.Sink) error {
		if err := feedBundled(t)(s); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Build = %v, want the feed's error", err)
	}
	if rev := ix.Revision(); rev != "r1" {
		t.Errorf("Revision after a failed build = %q, want r1", rev)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ix.Build(ctx, "r3", feedBundled(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("Build with a canceled context = %v, want context.Canceled", err)
	}
	if n := indexFolders(t, dir); n != 1 {
		t.Errorf("%d index folders after failed builds, want 1", n)
	}
}

func indexFolders(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), folderPrefix) {
			n++
		}
	}
	return n
}

// fixture is a small content of one topic and one system whose words say
// which build it came from.
func fixture(word string) func(kb.Sink) error {
	return func(s kb.Sink) error {
		if err := s.Topic(kb.Topic{Slug: "t", Title: "T", Features: []kb.Feature{{Key: "f", Name: "Feature " + word}}}); err != nil {
			return err
		}
		return s.System(kb.System{Topic: "t", Slug: "s", Name: "S", Summary: "common " + word,
			Sections: []kb.Section{{Kind: kb.KindPros, Heading: "Pros", Anchor: "pros", Text: "common " + word, Items: []string{"common " + word}}}})
	}
}

func TestSwapWhileSearching(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Build(context.Background(), "r0", fixture("alpha")); err != nil {
		t.Fatal(err)
	}
	var (
		stop     atomic.Bool
		searches atomic.Int64
		wg       sync.WaitGroup
	)
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				res, err := ix.Search(context.Background(), Query{Text: "common"})
				if err != nil {
					errs <- err
					return
				}
				if res.Total == 0 {
					errs <- errors.New("a search found nothing during a swap")
					return
				}
				searches.Add(1)
			}
		})
	}
	words := []string{"beta", "gamma", "delta", "epsilon"}
	for i, w := range words {
		if err := ix.Build(context.Background(), "r"+w, fixture(w)); err != nil {
			t.Fatalf("build %d: %v", i, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if searches.Load() == 0 {
		t.Error("no search ran")
	}
	if rev := ix.Revision(); rev != "repsilon" {
		t.Errorf("Revision = %q, want the last build's", rev)
	}
	if res := search(t, ix, Query{Text: "epsilon"}); res.Total == 0 {
		t.Error("the last build's words are not found")
	}
	if res := search(t, ix, Query{Text: "alpha"}); res.Total != 0 {
		t.Error("the first build's words are still found")
	}
	if n := indexFolders(t, dir); n != 1 {
		t.Errorf("%d index folders after swaps, want 1", n)
	}
}

// TestCorruptIndex damages a built index in several ways; Open must treat
// each as no index.
func TestCorruptIndex(t *testing.T) {
	damages := []struct {
		name   string
		damage func(t *testing.T, dir, live string)
	}{
		{"garbage in every file", func(t *testing.T, dir, live string) {
			walkFiles(t, live, func(p string) { write(t, p, []byte("garbage\x00\xff garbage")) })
		}},
		{"every file truncated", func(t *testing.T, dir, live string) {
			walkFiles(t, live, func(p string) { write(t, p, nil) })
		}},
		{"one byte flipped in each file", func(t *testing.T, dir, live string) {
			walkFiles(t, live, func(p string) {
				b, err := os.ReadFile(p)
				if err != nil || len(b) == 0 {
					return
				}
				b[len(b)/2] ^= 0x55
				write(t, p, b)
			})
		}},
		{"manifest missing", func(t *testing.T, dir, live string) {
			os.Remove(filepath.Join(live, manifestFile))
		}},
		{"folder missing", func(t *testing.T, dir, live string) {
			os.RemoveAll(live)
		}},
		{"pointer is garbage", func(t *testing.T, dir, live string) {
			write(t, filepath.Join(dir, currentFile), []byte("../../etc\n"))
		}},
	}
	for _, tt := range damages {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ix, err := Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := ix.Build(context.Background(), "r1", fixture("alpha")); err != nil {
				t.Fatal(err)
			}
			ix.Close()
			name, err := readCurrent(dir)
			if err != nil {
				t.Fatal(err)
			}
			tt.damage(t, dir, filepath.Join(dir, name))

			ix, err = Open(dir, nil)
			if err != nil {
				t.Fatalf("Open of a damaged index: %v", err)
			}
			defer ix.Close()
			if rev := ix.Revision(); rev != "" {
				t.Errorf("Revision = %q, want none", rev)
			}
			if _, err := ix.Search(context.Background(), Query{Text: "alpha"}); !errors.Is(err, ErrNotReady) {
				t.Errorf("Search = %v, want ErrNotReady", err)
			}
			if err := ix.Build(context.Background(), "r2", fixture("beta")); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			if res := search(t, ix, Query{Text: "beta"}); res.Total == 0 {
				t.Error("the rebuilt index finds nothing")
			}
			if n := indexFolders(t, dir); n != 1 {
				t.Errorf("%d index folders after the rebuild, want 1", n)
			}
		})
	}
}

func walkFiles(t *testing.T, dir string, fn func(string)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			fn(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyContent(t *testing.T) {
	ix, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Build(context.Background(), "empty", func(kb.Sink) error { return nil }); err != nil {
		t.Fatal(err)
	}
	res := search(t, ix, Query{Text: "anything"})
	if res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("empty index found %d", res.Total)
	}
	if ix.Revision() != "empty" {
		t.Errorf("Revision = %q", ix.Revision())
	}
}
