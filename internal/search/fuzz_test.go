package search

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"versa/internal/content"
	"versa/internal/kb"
)

// FuzzSearchQuery runs searches of the fuzzer's making on an index of the
// bundled content. Whatever the query, Search never panics (it turns a
// panic into a "damaged index" error, which fails here too) and fails only
// with kb.ErrInvalid, exactly for the documented limits; the results
// honour the page size and the filters and add up.
//
// Run it with: go test -run='^$' -fuzz='^FuzzSearchQuery$' -fuzztime=60s ./internal/search
func FuzzSearchQuery(f *testing.F) {
	for _, s := range []struct {
		text, kind, topic, system string
		page, perPage             int
	}{
		{"django orm", "", "", "", 1, 10},
		{"async views", "pros", "python-web-frameworks", "", 1, 5},
		{"websockets", "", "", "flask", 2, 3},
		{`"django`, "", "", "", 0, 0},
		{"+django -flask title:x [a TO z] /dj.*/ ^2 ~1", "", "", "", 1, 50},
		{"djnago", "feature", "", "", 1, 10},
		{"the and of", "cons", "", "", 1, 10},
		{"dj\xffango \xfe\x00\x1b[31m", "use_cases", "", "", 100, 51},
		{strings.Repeat("é", MaxQueryLen), "body", "", "", -1, -1},
		{strings.Repeat("django flask ", 19), "", "nope", "nope", 1, 10},
		{"日本語 😀 café", "", "", "", 1, 1},
		{"django", "opinions", "", "", 101, 10},
	} {
		f.Add(s.text, s.kind, s.topic, s.system, s.page, s.perPage)
	}
	ix, err := Open(f.TempDir(), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { ix.Close() })
	tree, err := bundled()
	if err != nil {
		f.Fatal(err)
	}
	if err := ix.Build(context.Background(), "bundled", feedTree(tree)); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, text, kind, topic, system string, page, perPage int) {
		q := Query{Text: text, Kind: kind, Topic: topic, System: system, Page: page, PerPage: perPage}
		res, err := ix.Search(context.Background(), q)
		invalid := utf8.RuneCountInString(text) > MaxQueryLen || kind != "" && !validKinds[kind] || page > MaxPage
		if invalid {
			if !errors.Is(err, kb.ErrInvalid) {
				t.Fatalf("Search(%+v) error = %v, want kb.ErrInvalid", q, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Search(%+v) error = %v", q, err)
		}
		want := perPage
		if want <= 0 {
			want = DefaultPerPage
		}
		if len(res.Hits) > min(want, MaxPerPage) {
			t.Errorf("%d hits on a page of %d", len(res.Hits), want)
		}
		if res.Total < len(res.Hits) {
			t.Errorf("Total = %d with %d hits", res.Total, len(res.Hits))
		}
		sum := 0
		for _, c := range res.Facets.Kind {
			sum += c.Count
		}
		if sum != res.Total {
			t.Errorf("kind facets add up to %d, Total %d", sum, res.Total)
		}
		for _, h := range res.Hits {
			switch h.Doc {
			case DocSystem, DocArticle, DocFeature:
			default:
				t.Errorf("hit with Doc %q", h.Doc)
			}
			if topic != "" && h.Topic != topic {
				t.Errorf("hit in topic %q, filtered to %q", h.Topic, topic)
			}
			if kind != "" && h.Kind != kind {
				t.Errorf("hit of kind %q, filtered to %q", h.Kind, kind)
			}
			for _, fr := range h.Snippet {
				if !utf8.ValidString(fr.Text) {
					t.Errorf("snippet fragment %q is not UTF-8", fr.Text)
				}
			}
		}
	})
}

// feedTree streams a read content folder as ingest does.
func feedTree(tree *content.Tree) func(kb.Sink) error {
	return func(s kb.Sink) error {
		_, err := content.Stream(tree, s)
		return err
	}
}
