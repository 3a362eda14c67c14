package server

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"versa/internal/sqlite"
)

// wideKey is the key of the wide topic's feature i: dotted three deep
// (g{thousand}.h{fifty}.f{n}), except every fiftieth, which is the prefix
// g{thousand}.h{fifty} of the 49 that follow it, a feature itself.
func wideKey(i int) string {
	if i%50 == 0 {
		return fmt.Sprintf("g%d.h%d", i/1000, (i/50)%20)
	}
	return fmt.Sprintf("g%d.h%d.f%d", i/1000, (i/50)%20, i)
}

// wideFiles writes a topic of n features in 5 categories whose keys are
// wideKey's, and the given systems.
func wideFiles(systems, n int) map[string]string {
	var topic strings.Builder
	topic.WriteString("title: Wide\nsummary: Many features.\ncategories:\n")
	for c := range 5 {
		fmt.Fprintf(&topic, "  - key: c%d\n    title: Category %d\n", c, c)
	}
	topic.WriteString("features:\n")
	key := wideKey
	for i := range n {
		fmt.Fprintf(&topic, "  - key: %s\n    name: Feature %d\n    category: c%d\n", key(i), i, i*5/n)
	}
	files := map[string]string{"wide/topic.yaml": topic.String()}
	for s := range systems {
		var b strings.Builder
		fmt.Fprintf(&b, "---\nname: System %d\nsummary: Number %d.\nfeatures:\n", s, s)
		for i := range n {
			fmt.Fprintf(&b, "  %s: %s\n", key(i), []string{"yes", "no", "partial", "plugin"}[(s+i)%4])
		}
		b.WriteString("---\nText.\n")
		files[fmt.Sprintf("wide/systems/s%d.md", s)] = b.String()
	}
	return files
}

// A topic of 25,000 features: no page is over 1 MB, each lists every group,
// and every row of the system page is reachable through its groups.
func TestBigTopicPages(t *testing.T) {
	if raceEnabled {
		// 400 s under the race detector: .ci/run runs it without.
		t.Skip("loads a topic of 25,000 features; run without -race (as .ci/run does)")
	}
	const n = 25000
	h := realServer(t, writeContent(t, wideFiles(5, n)))
	tables := []string{"/topics/wide/s0", "/compare/wide/s0-vs-s1-vs-s2-vs-s3-vs-s4", "/compare/wide/s0-vs-s1-vs-s2-vs-s3-vs-s4?diff=1"}
	for _, target := range append([]string{"/topics/wide", "/topics/wide/features/g3.h7.f3351"}, tables...) {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("%s: status = %d", target, rec.Code)
		}
		if size := rec.Body.Len(); size >= 1<<20 {
			t.Errorf("%s: %d bytes, want under 1 MB", target, size)
		}
		t.Logf("%s: %d KB", target, rec.Body.Len()>>10)
	}
	// Tables (300 rows a page): 5 categories of 5,000, each in 5 groups of
	// 1,000 (g*), each in 20 groups of 50 (g*.h*); the topic's feature list
	// (1,000 a page) stops at the g* groups.
	wantGroups := func(deep bool) []string {
		var ids []string
		for c := range 5 {
			ids = append(ids, fmt.Sprintf("c%d", c))
			for g := c * 5; g < c*5+5; g++ {
				ids = append(ids, fmt.Sprintf("c%d:g%d", c, g))
				for hh := 0; deep && hh < 20; hh++ {
					ids = append(ids, fmt.Sprintf("c%d:g%d.h%d", c, g, hh))
				}
			}
		}
		return ids
	}
	for _, target := range append([]string{"/topics/wide"}, tables...) {
		doc := parse(t, get(t, h, target).Body.String())
		got := attrs(doc, "group-entry", "data-group")
		want := wantGroups(target != "/topics/wide")
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d groups listed, want %d (first %v)", target, len(got), len(want), got[:min(len(got), 8)])
		}
	}
	// Differences only, over 125,000 cells: paged as the full view, the
	// page hiding its own same rows, and saying so.
	diff := parse(t, get(t, h, "/compare/wide/s0-vs-s1-vs-s2-vs-s3-vs-s4?diff=1").Body.String())
	if got := strings.Join(texts(diff, "hidden-count"), ""); !strings.Contains(got, "on this page") {
		t.Errorf("differences only of 5 x 25,000 says %q, want a count of this page's rows", got)
	}
	// Every row of the system page, through the categories and their pages.
	seen := map[string]bool{}
	for c := range 5 {
		next := fmt.Sprintf("/topics/wide/s0?group=c%d", c)
		for pages := 0; next != ""; pages++ {
			if pages > 20 {
				t.Fatalf("more pages than 5,000 rows need")
			}
			body := get(t, h, next).Body.String()
			doc := parse(t, body)
			for _, id := range rowIDs(doc) {
				seen[strings.TrimPrefix(id, "feature-")] = true
			}
			next = ""
			for n := range doc.Descendants() {
				if n.Data == "a" && attr(n, "rel") == "next" {
					next = attr(n, "href")
				}
			}
		}
	}
	if len(seen) != n {
		t.Errorf("%d rows reachable through the groups, want %d", len(seen), n)
	}
}

// A small budget on the bundled content: the compare page shows its index,
// a group opens alone and pages, bad groups and pages are errors, and the
// exports and API are whole.
func TestRowBudget(t *testing.T) {
	old := rowBudget
	rowBudget = 5
	t.Cleanup(func() { rowBudget = old })
	db := openDB(t)
	loadDir(t, db, "../../content")
	h := New(Config{CacheBytes: -1}, db)
	const base = "/compare/python-web-frameworks/django-vs-flask"
	topic, err := db.FindTopic(t.Context(), "python-web-frameworks")
	if err != nil {
		t.Fatal(err)
	}
	perCat := map[string]int{}
	for _, f := range topic.Features {
		perCat[f.Category]++
	}

	doc := parse(t, get(t, h, base).Body.String())
	if rows := rowIDs(doc); len(rows) != 0 {
		t.Errorf("index view shows %d rows, want none", len(rows))
	}
	groups := attrs(doc, "group-entry", "data-group")
	for _, c := range topic.Categories {
		if perCat[c.Key] > 0 && !slices.Contains(groups, c.Key) {
			t.Errorf("index lacks category %s (has %v)", c.Key, groups)
		}
	}

	cat := topic.Categories[0].Key
	var rows []string
	next := base + "?group=" + url.QueryEscape(cat)
	for next != "" {
		rec := get(t, h, next)
		if rec.Code != 200 {
			t.Fatalf("%s: status = %d", next, rec.Code)
		}
		doc := parse(t, rec.Body.String())
		page := rowIDs(doc)
		if len(page) > 5 {
			t.Errorf("%s: %d rows, want at most 5", next, len(page))
		}
		rows = append(rows, page...)
		next = ""
		for n := range doc.Descendants() {
			if n.Data == "a" && attr(n, "rel") == "next" {
				next = attr(n, "href")
			}
		}
	}
	if len(rows) != perCat[cat] {
		t.Errorf("group %s: %d rows over its pages, want %d", cat, len(rows), perCat[cat])
	}

	for target, status := range map[string]int{
		base + "?group=nope":                                             404,
		base + "?group=" + cat + "&page=99":                              404,
		base + "?group=" + cat + "&page=x":                               400,
		base + "?group=" + cat + "&page=0":                               400,
		base + "?page=2":                                                 404,
		"/topics/python-web-frameworks?page=x":                           400,
		"/topics/python-web-frameworks/django?group=" + cat + "&page=-1": 400,
	} {
		if rec := get(t, h, target); rec.Code != status {
			t.Errorf("%s: status = %d, want %d", target, rec.Code, status)
		}
	}
	// The query keeps its canonical form with the group in it.
	if rec := get(t, h, base+"?page=2&group="+cat); rec.Code != 303 || rec.Header().Get("Location") != base+"?group="+cat+"&page=2" {
		t.Errorf("non-canonical: %d to %q", rec.Code, rec.Header().Get("Location"))
	}

	rec := get(t, h, base+".csv")
	records, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records)-1 != len(topic.Features) {
		t.Errorf("csv export has %d rows, want every feature (%d)", len(records)-1, len(topic.Features))
	}
	if body := get(t, h, "/api/compare/python-web-frameworks/django-vs-flask").Body.String(); strings.Count(body, `"key":`) < len(topic.Features) {
		t.Errorf("API compare is cut: %d keys, want %d", strings.Count(body, `"key":`), len(topic.Features))
	}

	// Within the budget, a group or page names nothing.
	rowBudget = 1000
	if rec := get(t, h, base+"?group="+cat); rec.Code != 404 {
		t.Errorf("group on a one-page table: status = %d, want 404", rec.Code)
	}
}

// wideDB is a store of wideFiles(systems, 25000). With VERSA_BENCH_WIDE_DB
// set, it is kept in that file and reused when it exists (loading 500
// systems takes minutes), which is the caller's to delete when the
// generator or the schema changes.
func wideDB(b *testing.B, systems int) *sqlite.DB {
	keep := os.Getenv("VERSA_BENCH_WIDE_DB")
	if keep != "" {
		if _, err := os.Stat(keep); err == nil {
			db, err := sqlite.Open(context.Background(), keep)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		}
	}
	dir := b.TempDir()
	for name, text := range wideFiles(systems, 25000) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var db *sqlite.DB
	if keep == "" {
		db = openDB(b)
	} else {
		var err error
		if db, err = sqlite.Open(context.Background(), keep); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
	}
	loadDir(b, db, dir)
	return db
}

// BenchmarkWideTopicPages renders every kind of page of a topic of 25,000
// features (and as many systems as VERSA_BENCH_WIDE_SYSTEMS says, 5 by
// default), uncached and from the page cache, and reports the median time.
func BenchmarkWideTopicPages(b *testing.B) {
	systems := 5
	if v := os.Getenv("VERSA_BENCH_WIDE_SYSTEMS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 5 {
			b.Fatalf("VERSA_BENCH_WIDE_SYSTEMS=%q: want a number of at least 5", v)
		}
		systems = n
	}
	db := wideDB(b, systems)
	pages := map[string]string{
		"topic":         "/topics/wide",
		"system":        "/topics/wide/s1",
		"system-group":  "/topics/wide/s1?group=c2%3Ag12&page=2",
		"compare":       "/compare/wide/s0-vs-s1-vs-s2-vs-s3-vs-s4",
		"compare-group": "/compare/wide/s0-vs-s1-vs-s2-vs-s3-vs-s4?group=c2%3Ag12.h3",
		"compare-diff":  "/compare/wide/s0-vs-s1-vs-s2-vs-s3-vs-s4?diff=1",
		"feature":       "/topics/wide/features/g3.h7.f3351",
		"api-feature":   "/api/topics/wide/features/g3.h7.f3351",
	}
	for _, cache := range []struct {
		name  string
		bytes int64
	}{{"uncached", -1}, {"cached", 0}} {
		h := New(Config{CacheBytes: cache.bytes}, db)
		for name, target := range pages {
			b.Run(cache.name+"/"+name, func(b *testing.B) {
				took := make([]time.Duration, 0, b.N)
				size := 0
				for b.Loop() {
					start := time.Now()
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
					took = append(took, time.Since(start))
					if rec.Code != 200 {
						b.Fatalf("%s: status %d", target, rec.Code)
					}
					size = rec.Body.Len()
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(size)/1024, "KB")
			})
		}
	}
}

// manySystemsFiles is wideFiles with a note on every fourth cell: notes are
// footnotes on the compare page, often the larger part of a table's HTML.
func manySystemsFiles(systems, n int) map[string]string {
	files := wideFiles(0, n)
	key := wideKey
	for s := range systems {
		var b strings.Builder
		fmt.Fprintf(&b, "---\nname: System %d\nsummary: Number %d.\nfeatures:\n", s, s)
		for i := range n {
			support := []string{"yes", "no", "partial", "plugin"}[(s+i)%4]
			if (s+i)%4 == 2 {
				fmt.Fprintf(&b, "  %s: {support: %s, note: Only with the extra module switched on in the settings.}\n", key(i), support)
			} else {
				fmt.Fprintf(&b, "  %s: %s\n", key(i), support)
			}
		}
		b.WriteString("---\nText.\n")
		files[fmt.Sprintf("wide/systems/s%d.md", s)] = b.String()
	}
	return files
}

// A topic of 500 systems: its widest pages (every system a row of the
// topic page with the most columns, the most systems side by side on a
// full group of rows, one feature across all) are each under 1 MB.
func TestManySystemsPages(t *testing.T) {
	if raceEnabled {
		t.Skip("loads a topic of 500 systems; run without -race (as .ci/run does)")
	}
	const systems, n = 500, 1500 // 300 features a category: a full page of rows
	h := realServer(t, writeContent(t, manySystemsFiles(systems, n)))
	var cols, most []string
	for i := range maxColumns {
		cols = append(cols, wideKey(i))
	}
	for i := range maxCompare {
		most = append(most, fmt.Sprintf("s%d", i))
	}
	compare := "/compare/wide/" + strings.Join(most, "-vs-")
	for _, target := range []string{
		"/topics/wide",
		"/topics/wide?cols=" + strings.Join(cols, ","),
		"/topics/wide/s0",
		"/topics/wide/s0?group=c0",
		compare,
		compare + "?group=c0",
		compare + "?diff=1&group=c0",
		"/topics/wide/features/g0.h3.f151",
	} {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("%s: status = %d", target, rec.Code)
		}
		if size := rec.Body.Len(); size >= 1<<20 {
			t.Errorf("%.90s: %d KB, want under 1 MB", target, size>>10)
		}
		t.Logf("%.90s: %d KB", target, rec.Body.Len()>>10)
	}
	// 24 systems side by side: a page of cellBudget/24 rows.
	if rows := rowIDs(parse(t, get(t, h, compare+"?group=c0").Body.String())); len(rows) != compareBudget(maxCompare) || len(rows) >= 300 {
		t.Errorf("24-system compare shows %d rows, want %d", len(rows), compareBudget(maxCompare))
	}
	// Every system of the widest topic view, through its pages of systems.
	seen := map[string]bool{}
	next := "/topics/wide?cols=" + strings.Join(cols, ",")
	for pages := 0; next != ""; pages++ {
		if pages > systems {
			t.Fatal("the pages of systems do not end")
		}
		rec := get(t, h, next)
		if rec.Code != 200 {
			t.Fatalf("%s: status = %d", next, rec.Code)
		}
		doc := parse(t, rec.Body.String())
		for _, slug := range attrs(doc, "system-row", "data-system") {
			seen[slug] = true
		}
		next = ""
		for n := range doc.Descendants() {
			if n.Data == "a" && attr(n, "rel") == "next" {
				next = attr(n, "href")
			}
		}
	}
	if len(seen) != systems {
		t.Errorf("%d systems reachable through the pages, want %d", len(seen), systems)
	}
	for target, status := range map[string]int{
		"/topics/wide?spage=x":  400,
		"/topics/wide?spage=0":  400,
		"/topics/wide?spage=2":  404, // 500 systems at 5 columns fit one page
		"/topics/wide?spage=1":  303,
		"/topics/wide?spage=-3": 400,
	} {
		if rec := get(t, h, target); rec.Code != status {
			t.Errorf("%s: status = %d, want %d", target, rec.Code, status)
		}
	}
}
