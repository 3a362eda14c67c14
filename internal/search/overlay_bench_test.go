package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"versa/internal/kb"
)

// The update benchmarks run on the corpus of VERSA_BENCH_CORPUS if set (see
// bench_test.go), else on a generated one:
//
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test ./internal/search/ -run '^$' -bench 'UpdateOne|SearchOverlay'

var generated *corpus

// editCorpus returns the benchmark corpus, or else generated content of two
// topics with 20 systems and 1,000 articles each.
func editCorpus(b *testing.B) *corpus {
	b.Helper()
	if os.Getenv("VERSA_BENCH_CORPUS") != "" {
		return loadCorpus(b)
	}
	if generated == nil {
		generated = newCorpus(b, generateContent(2, 20, 1000))
	}
	return generated
}

// generateContent makes content of made-up words, their frequencies
// skewed as in prose, about 300 words an article.
func generateContent(topics, systems, articles int) *kb.Content {
	r := rand.New(rand.NewPCG(3, 4))
	syllables := []string{"ka", "lo", "mi", "ne", "ru", "ta", "si", "po", "de", "va", "gri", "sho", "bel", "tor", "qua", "fen", "dru", "mar"}
	vocab := make([]string, 5000)
	for i := range vocab {
		var w strings.Builder
		for range 2 + r.IntN(2) {
			w.WriteString(syllables[r.IntN(len(syllables))])
		}
		vocab[i] = w.String()
	}
	sentence := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			f := r.Float64()
			ws[i] = vocab[int(f*f*f*float64(len(vocab)))]
		}
		return strings.ToUpper(ws[0][:1]) + strings.Join(ws, " ")[1:] + "."
	}
	para := func(n int) string {
		ss := make([]string, n)
		for i := range ss {
			ss[i] = sentence(8 + r.IntN(10))
		}
		return strings.Join(ss, " ")
	}
	list := func(kind kb.SectionKind, heading string, n int) kb.Section {
		items := make([]string, n)
		for i := range items {
			items[i] = sentence(6 + r.IntN(10))
		}
		return kb.Section{Kind: kind, Heading: heading, Anchor: strings.ToLower(strings.ReplaceAll(heading, " ", "-")),
			Text: strings.Join(items, "\n"), Items: items}
	}
	c := &kb.Content{Revision: "generated"}
	for t := range topics {
		topic := kb.Topic{Slug: fmt.Sprintf("topic-%d", t), Title: sentence(2), Categories: []kb.Category{{Key: "core", Title: "Core"}}}
		for f := range 12 {
			topic.Features = append(topic.Features, kb.Feature{Key: fmt.Sprintf("f%d", f), Name: sentence(2),
				Category: "core", Description: sentence(10), Type: kb.TypeSupport})
		}
		c.Topics = append(c.Topics, topic)
		var slugs []string
		for s := range systems {
			sys := kb.System{Topic: topic.Slug, Slug: fmt.Sprintf("system-%d", s), Name: sentence(1), Summary: sentence(12),
				Tags: []string{sentence(1), sentence(1)},
				Sections: []kb.Section{{Kind: kb.KindBody, Text: para(3)}, list(kb.KindPros, "Pros", 5),
					list(kb.KindCons, "Cons", 4), list(kb.KindUseCases, "Use cases", 3),
					{Kind: kb.KindBody, Heading: "History", Anchor: "history", Text: para(5)}}}
			for i, f := range topic.Features {
				cell := kb.Cell{Feature: f.Key, Support: kb.SupportYes}
				if i%3 == 0 {
					cell.Note = sentence(8)
				}
				sys.Cells = append(sys.Cells, cell)
			}
			slugs = append(slugs, sys.Slug)
			c.Systems = append(c.Systems, sys)
		}
		for a := range articles {
			art := kb.Article{Topic: topic.Slug, Slug: fmt.Sprintf("article-%d", a), Title: sentence(5), Summary: sentence(15),
				Systems: []string{slugs[r.IntN(len(slugs))]},
				Sections: []kb.Section{{Kind: kb.KindBody, Text: para(3)},
					{Kind: kb.KindBody, Heading: "Background", Anchor: "background", Text: para(4)},
					{Kind: kb.KindBody, Heading: "Comparison", Anchor: "comparison", Text: para(4)},
					list(kb.KindUseCases, "When to choose", 3),
					{Kind: kb.KindBody, Heading: "Verdict", Anchor: "verdict", Text: para(2)}}}
			c.Articles = append(c.Articles, art)
		}
	}
	return c
}

// buildBench returns an index of the corpus.
func buildBench(b *testing.B, cp *corpus) *Index {
	b.Helper()
	ix, err := Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ix.Close() })
	if err := ix.Build(context.Background(), "bench", feedContent(cp.c)); err != nil {
		b.Fatal(err)
	}
	return ix
}

// editArticleN returns the n-th edit: one of the first of articles with
// a word added to its first section, different each time.
func editArticleN(c *kb.Content, n, articles int) kb.Article {
	a := c.Articles[n%min(articles, len(c.Articles))]
	a.Sections = slices.Clone(a.Sections)
	a.Sections[0].Text += fmt.Sprintf(" Edited as editmark%d.", n)
	return a
}

func updateArticle(b *testing.B, ix *Index, n int, a kb.Article) {
	b.Helper()
	drop := kb.Drop{Articles: []kb.Key{{Topic: a.Topic, Slug: a.Slug}}}
	err := ix.Update(context.Background(), fmt.Sprint("u", n), drop, func(s kb.Sink) error { return s.Article(a) })
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkUpdateOne times Update of one edited article on an index of
// the corpus: how long an editor's save waits for the search index. The
// edits go round 100 articles, so the overlay holds about 400 documents.
func BenchmarkUpdateOne(b *testing.B) {
	cp := editCorpus(b)
	ix := buildBench(b, cp)
	// The first Update also indexes the base's pages by name.
	start := time.Now()
	updateArticle(b, ix, 0, editArticleN(cp.c, 0, 100))
	first := time.Since(start)
	var d []time.Duration
	n := 0
	for b.Loop() {
		n++
		a := editArticleN(cp.c, n, 100)
		start := time.Now()
		updateArticle(b, ix, n, a)
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(ix.OverlaySize()), "overlay-docs")
	if res, err := ix.Search(context.Background(), Query{Text: fmt.Sprint("editmark", n)}); err != nil || res.Total != 1 {
		b.Fatalf("the last edit is found %d times (%v), want once", res.Total, err)
	}
}

// BenchmarkSearchOverlay times the queries of BenchmarkQuery on the index
// alone, then with 100 articles updated, then with the overlay at 5,000
// documents (where ingest rebuilds), or every article updated if fewer.
func BenchmarkSearchOverlay(b *testing.B) {
	cp := editCorpus(b)
	ix := buildBench(b, cp)
	qs := cp.benchQueries()
	run := func(name string) {
		b.Run(name, func(b *testing.B) {
			var d []time.Duration
			for b.Loop() {
				for _, text := range qs {
					start := time.Now()
					if _, err := ix.Search(context.Background(), Query{Text: text}); err != nil {
						b.Fatal(err)
					}
					d = append(d, time.Since(start))
				}
			}
			reportPercentiles(b, d)
			b.ReportMetric(float64(ix.OverlaySize()), "overlay-docs")
		})
	}
	run("base")
	n := 0
	for ; n < 100; n++ {
		updateArticle(b, ix, n, editArticleN(cp.c, n, len(cp.c.Articles)))
	}
	run("100-articles")
	for ; ix.OverlaySize() < 5000 && n < len(cp.c.Articles); n++ {
		updateArticle(b, ix, n, editArticleN(cp.c, n, len(cp.c.Articles)))
	}
	run("5000-docs")
}
