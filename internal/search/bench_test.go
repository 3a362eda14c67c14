package search

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"versa/internal/content"
	"versa/internal/kb"
)

// The benchmarks run on a generated corpus:
//
//	python3 /work/shared/bench/gen_corpus.py /tmp/corpus --articles 2000
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test ./internal/search/ -run '^$' -bench . -benchtime 20x
//
// Each measures Versa's bleve index and, as the reference, SQLite FTS5 over
// the same documents and queries (bm25() ranking, snippet(), facets counted
// from the matching rows).

// corpus is the benchmark content, parsed once.
type corpus struct {
	c     *kb.Content
	tree  *content.Tree
	docs  []source // what the index holds, for FTS5
	words []string // the vocabulary of the corpus text
}

var loaded *corpus

func loadCorpus(b *testing.B) *corpus {
	b.Helper()
	dir := os.Getenv("VERSA_BENCH_CORPUS")
	if dir == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a content folder, e.g. /tmp/corpus/versa/content")
	}
	if loaded != nil {
		return loaded
	}
	tree, err := content.Read(os.DirFS(dir))
	if err != nil {
		b.Fatal(err)
	}
	c, problems := content.Parse(tree)
	if len(problems) > 0 {
		b.Fatalf("corpus has %d problems, first %v", len(problems), problems[0])
	}
	loaded = newCorpus(b, c)
	loaded.tree = tree
	return loaded
}

// newCorpus prepares parsed content for the benchmarks.
func newCorpus(b *testing.B, c *kb.Content) *corpus {
	cp := &corpus{c: c}
	bl := &builder{ctx: context.Background(), topicID: map[string]uint32{}, systemID: map[string]uint32{},
		features: map[string]map[string]kb.Feature{}}
	bl.emit = func(d []source) error { cp.docs = append(cp.docs, d...); return nil }
	if err := feedContent(c)(kb.Sink{Topic: bl.topic, System: bl.system, Article: bl.article}); err != nil {
		b.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range cp.docs[:min(len(cp.docs), 2000)] {
		words(d.text, func(w string, _, _ int) {
			w = strings.ToLower(w)
			if len(w) > 2 && !stopWords[w] && !seen[w] && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
				seen[w] = true
				cp.words = append(cp.words, w)
			}
		})
	}
	slices.Sort(cp.words)
	return cp
}

// feedContent streams parsed content as content.Stream does.
func feedContent(c *kb.Content) func(kb.Sink) error {
	return func(s kb.Sink) error {
		for _, t := range c.Topics {
			if err := s.Topic(t); err != nil {
				return err
			}
		}
		for _, x := range c.Systems {
			if err := s.System(x); err != nil {
				return err
			}
		}
		for _, a := range c.Articles {
			if err := s.Article(a); err != nil {
				return err
			}
		}
		return nil
	}
}

// benchQueries are 30 one-to-three-word queries from the corpus vocabulary,
// the same on every run.
func (cp *corpus) benchQueries() []string {
	r := rand.New(rand.NewPCG(1, 2))
	var qs []string
	for i := range 30 {
		n := 1 + i%3
		var ws []string
		for range n {
			ws = append(ws, cp.words[r.IntN(len(cp.words))])
		}
		qs = append(qs, strings.Join(ws, " "))
	}
	return qs
}

// cpuTime is the CPU time the process has used, which other work on the
// machine disturbs less than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	at := func(p float64) float64 {
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkBuild times a full index build from parsed content (bleve) and
// the same documents inserted into SQLite FTS5.
func BenchmarkBuild(b *testing.B) {
	cp := loadCorpus(b)
	b.Run("bleve", func(b *testing.B) {
		var log *slog.Logger
		if os.Getenv("VERSA_BENCH_DEBUG") != "" {
			log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
		ix, err := Open(b.TempDir(), log)
		if err != nil {
			b.Fatal(err)
		}
		defer ix.Close()
		n := 0
		cpu0 := cpuTime()
		for b.Loop() {
			n++
			if err := ix.Build(context.Background(), fmt.Sprint(n), feedContent(cp.c)); err != nil {
				b.Fatal(err)
			}
		}
		perBuild := b.Elapsed() / time.Duration(n)
		b.ReportMetric(float64((cpuTime()-cpu0)/time.Duration(n))/1e6, "cpu-ms/build")
		b.ReportMetric(float64(perBuild.Milliseconds()), "ms/build")
		b.ReportMetric(float64(len(cp.docs))/perBuild.Seconds(), "docs/s")
		b.ReportMetric(float64(len(cp.docs)), "docs")
	})
	// With the parse: what `versa build` does, streaming content.Stream.
	b.Run("bleve+parse", func(b *testing.B) {
		ix, err := Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ix.Close()
		n := 0
		for b.Loop() {
			n++
			err := ix.Build(context.Background(), fmt.Sprint(n), func(s kb.Sink) error {
				_, err := content.Stream(cp.tree, s)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((b.Elapsed() / time.Duration(n)).Milliseconds()), "ms/build")
	})
	b.Run("fts5", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			db := buildFTS(b, cp)
			db.Close()
		}
		perBuild := b.Elapsed() / time.Duration(n)
		b.ReportMetric(float64(perBuild.Milliseconds()), "ms/build")
		b.ReportMetric(float64(len(cp.docs))/perBuild.Seconds(), "docs/s")
	})
}

// BenchmarkQuery times the 30 queries (one op runs them all), with facets
// and snippets of the first page, and reports latency percentiles.
func BenchmarkQuery(b *testing.B) {
	cp := loadCorpus(b)
	qs := cp.benchQueries()
	b.Run("bleve", func(b *testing.B) {
		ix, err := Open(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ix.Close()
		if err := ix.Build(context.Background(), "bench", feedContent(cp.c)); err != nil {
			b.Fatal(err)
		}
		var d []time.Duration
		hits := 0
		for b.Loop() {
			for _, text := range qs {
				start := time.Now()
				res, err := ix.Search(context.Background(), Query{Text: text})
				d = append(d, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				hits += res.Total
			}
		}
		reportPercentiles(b, d)
		b.ReportMetric(float64(hits)/float64(len(d)), "hits/query")
	})
	b.Run("fts5", func(b *testing.B) {
		db := buildFTS(b, cp)
		defer db.Close()
		var d []time.Duration
		hits := 0
		for b.Loop() {
			for _, text := range qs {
				start := time.Now()
				hits += queryFTS(b, db, text, true)
				d = append(d, time.Since(start))
			}
		}
		reportPercentiles(b, d)
		b.ReportMetric(float64(hits)/float64(len(d)), "hits/query")
	})
	// The first page alone, without facets: what FTS5 spends ranking.
	b.Run("fts5-nofacets", func(b *testing.B) {
		db := buildFTS(b, cp)
		defer db.Close()
		var d []time.Duration
		for b.Loop() {
			for _, text := range qs {
				start := time.Now()
				queryFTS(b, db, text, false)
				d = append(d, time.Since(start))
			}
		}
		reportPercentiles(b, d)
	})
}

func buildFTS(b *testing.B, cp *corpus) *sql.DB {
	b.Helper()
	db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "fts.db")+"?_pragma=journal_mode(wal)&_pragma=synchronous(normal)")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	exec := func(q string, args ...any) {
		if _, err := db.Exec(q, args...); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE VIRTUAL TABLE docs USING fts5(title, heading, body, kind UNINDEXED, topic UNINDEXED, system UNINDEXED, tokenize='porter unicode61')`)
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO docs(title, heading, body, kind, topic, system) VALUES (?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range cp.docs {
		sys := ""
		if len(d.info.systems) > 0 {
			sys = fmt.Sprint(d.info.systems[0])
		}
		if _, err := st.Exec(d.info.title, d.info.heading, d.text, kindNames[d.info.kind], d.info.topic, sys); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	exec(`INSERT INTO docs(docs) VALUES('optimize')`)
	return db
}

// queryFTS runs what Search does with FTS5: the words ANDed, the best 10
// by bm25() with a snippet, and facets counted from every matching row.
func queryFTS(b *testing.B, db *sql.DB, q string, facets bool) int {
	var terms []string
	for _, w := range strings.Fields(q) {
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	match := strings.Join(terms, " ")
	rows, err := db.Query(`SELECT rowid, kind, topic, system, snippet(docs, 2, '[', ']', '…', 24)
		FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.5, 1.5, 1.0) LIMIT 10`, match)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var kind, topic, system, snip string
		if err := rows.Scan(&id, &kind, &topic, &system, &snip); err != nil {
			b.Fatal(err)
		}
	}
	rows.Close()
	if !facets {
		return 0
	}
	rows, err = db.Query(`SELECT kind, topic, system FROM docs WHERE docs MATCH ?`, match)
	if err != nil {
		b.Fatal(err)
	}
	counts := map[string]int{}
	n := 0
	for rows.Next() {
		var kind, topic, system string
		if err := rows.Scan(&kind, &topic, &system); err != nil {
			b.Fatal(err)
		}
		counts["k"+kind]++
		counts["t"+topic]++
		counts["s"+system]++
		n++
	}
	rows.Close()
	return n
}

// BenchmarkAsYouType times what the search box asks while a reader types
// each of the 30 queries: every prefix of two characters or more, eight
// hits (as /api/search?limit=8 does), the last word a prefix, typos
// corrected. It reports latency percentiles over all of them.
func BenchmarkAsYouType(b *testing.B) {
	cp := loadCorpus(b)
	var typed []string
	for _, q := range cp.benchQueries() {
		for n := 2; n <= len(q); n++ {
			if q[n-1] != ' ' {
				typed = append(typed, q[:n])
			}
		}
	}
	ix, err := Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Build(context.Background(), "bench", feedContent(cp.c)); err != nil {
		b.Fatal(err)
	}
	var d []time.Duration
	hits := 0
	for b.Loop() {
		for _, text := range typed {
			start := time.Now()
			res, err := ix.Search(context.Background(), Query{Text: text, PerPage: 8})
			d = append(d, time.Since(start))
			if err != nil {
				b.Fatal(err)
			}
			hits += res.Total
		}
	}
	reportPercentiles(b, d)
	b.ReportMetric(float64(len(typed)), "queries/op")
	b.ReportMetric(float64(hits)/float64(len(d)), "hits/query")
}
