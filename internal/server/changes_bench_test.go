package server

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"versa/internal/history"
)

// BenchmarkChangesPage answers change lists, uncached, over a recorded
// history of 100,000 changes (1,000 revisions of 100 cell changes, of four
// features in turn): a quarter of them Flask's, one in a hundred Django's,
// the rest spread over 300 systems since removed, none Tornado's. p95-ms
// is the 95th percentile of the requests. Deep pages are asked both as
// page= alone, as a link typed or edited asks them (the store seeks the
// page's start through the changes' ranks), and as their older links ask
// them, with the before= cursor: of the topic's list, a system's, and a
// comparison's, with all its rows, one category (one feature: csrf) and
// another (three: orm, first_release, license).
//
//	go test ./internal/server -run '^$' -bench ChangesPage -benchtime 2000x
func BenchmarkChangesPage(b *testing.B) {
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../content/testdata/valid")); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "web/systems/tornado.md"), []byte(tornadoFile), 0o644); err != nil {
		b.Fatal(err)
	}
	db := openDB(b)
	loadDir(b, db, dir)
	features := []string{"orm", "csrf", "first_release", "license"}
	supports := []string{"yes", "no", "partial", "plugin"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	n := 0
	for r := range 1000 {
		rev := history.Revision{ID: fmt.Sprintf("%x", sha256.Sum256([]byte{byte(r), byte(r >> 8)})), RecordedAt: start.Add(time.Duration(r) * time.Minute), Baseline: r == 0}
		if r > 0 {
			rev.Parent, rev.Follows = ids[r-1], int64(r)
		}
		ids = append(ids, rev.ID)
		changes := make([]history.Change, 100)
		for i := range changes {
			sys := fmt.Sprintf("gone-%d", n%300)
			switch {
			case n%4 == 0:
				sys = "flask"
			case n%100 == 1:
				sys = "django"
			}
			f := features[n/4%len(features)]
			changes[i] = history.Change{Kind: history.CellChanged, Topic: "web", System: sys, Feature: f, Category: "data",
				Old: history.Cell{Support: supports[n%4]}, New: history.Cell{Support: supports[(n+1)%4], Note: "A note."}}
			n++
		}
		if r == 0 {
			changes = nil
		}
		if ok, err := db.Record(ctx, rev, changes); err != nil || !ok {
			b.Fatalf("record %d: %v %v", r, ok, err)
		}
	}
	h := New(Config{CacheBytes: -1, History: db}, db)
	// before is the cursor of page (the id of the last change of the page
	// before it), as that page's older link carries it.
	before := func(q history.Query, page int) string {
		q.Limit, q.Offset = 1, (page-1)*changesPerPage-1
		e, err := db.Changes(ctx, q)
		if err != nil || len(e) != 1 {
			b.Fatalf("cursor of page %d: %v", page, err)
		}
		return fmt.Sprintf("page=%d&before=%d", page, e[0].ID)
	}
	flask := history.Query{Topic: "web", Systems: []string{"flask"}}
	pair := history.Query{Topic: "web", Systems: []string{"django", "flask"}, Rows: true}
	security, data := pair, pair
	security.Features = []string{"csrf"}
	data.Features = []string{"orm", "first_release", "license"}
	cases := []struct{ name, target string }{
		{"topic", "/topics/web/changes"},
		{"topic page 100", "/topics/web/changes?page=100"},
		{"topic page 1000", "/topics/web/changes?page=1000"},
		{"topic page 1000 cursor", "/topics/web/changes?" + before(history.Query{Topic: "web"}, 1000)},
		{"topic page 1990", "/topics/web/changes?page=1990"},
		{"topic page 1990 cursor", "/topics/web/changes?" + before(history.Query{Topic: "web"}, 1990)},
		{"system busy page 400", "/topics/web/flask/changes?page=400"},
		{"system busy page 400 cursor", "/topics/web/flask/changes?" + before(flask, 400)},
		{"compare page 400", "/compare/web/django-vs-flask/changes?page=400"},
		{"compare page 400 cursor", "/compare/web/django-vs-flask/changes?" + before(pair, 400)},
		{"compare security page 100", "/compare/web/django-vs-flask/changes?categories=security&page=100"},
		{"compare security page 100 cursor", "/compare/web/django-vs-flask/changes?categories=security&" + before(security, 100)},
		{"compare data page 300", "/compare/web/django-vs-flask/changes?categories=data&page=300"},
		{"compare data page 300 cursor", "/compare/web/django-vs-flask/changes?categories=data&" + before(data, 300)},
		{"topic since", "/topics/web/changes?since=" + ids[900][:12]},
		{"topic atom", "/topics/web/changes.atom"},
		{"topic json", "/api/topics/web/changes"},
		{"system busy", "/topics/web/flask/changes"},
		{"system rare", "/topics/web/django/changes"},
		{"system none", "/topics/web/tornado/changes"},
		{"system busy since page 2", "/topics/web/flask/changes?page=2&since=" + ids[10][:12]},
		{"compare", "/compare/web/django-vs-flask/changes"},
		{"compare rows", "/compare/web/django-vs-flask/changes?categories=security"},
		{"compare none", "/compare/web/flask-vs-tornado/changes?categories=security"},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, bc.target, nil)
			w := &discardWriter{header: http.Header{}}
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				w.status = 0
				t0 := time.Now()
				h.ServeHTTP(w, req)
				took = append(took, time.Since(t0))
				if w.status != http.StatusOK {
					b.Fatalf("GET %s = %d", bc.target, w.status)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*95/100])/float64(time.Millisecond), "p95-ms")
		})
	}
}
