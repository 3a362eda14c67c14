package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkEditToVisible measures, on a large content folder, the time from
// writing one file to the change showing both on its page and in search,
// for 100 files edited one by one (articles and systems in turn). It reports
// the median and the 99th percentile; run it once:
//
//	python3 ../shared/bench/gen_corpus.py /tmp/corpus --articles 2000
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test -run x -bench EditToVisible -benchtime 1x ./cmd/versa
func BenchmarkEditToVisible(b *testing.B) {
	corpus := os.Getenv("VERSA_BENCH_CORPUS")
	if corpus == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a content folder (see the comment)")
	}
	s := startServe(b, corpus, true)
	var files []string
	for _, kind := range []string{"articles", "systems"} {
		m, err := filepath.Glob(filepath.Join(s.content, "*", kind, "*.md"))
		if err != nil || len(m) == 0 {
			b.Fatalf("no %s in %s", kind, corpus)
		}
		slices.Sort(m)
		step := max(1, len(m)/50)
		for i := 0; i < len(m) && i/step < 50; i += step {
			files = append(files, m[i])
		}
	}
	var took, onPage []time.Duration
	b.ResetTimer()
	for n := range b.N {
		for i, p := range files {
			rel, _ := filepath.Rel(s.content, p)
			parts := strings.Split(filepath.ToSlash(rel), "/")
			topic, kind, slug := parts[0], parts[1], strings.TrimSuffix(parts[2], ".md")
			page := "/articles/" + topic + "/" + slug
			if kind == "systems" {
				page = "/topics/" + topic + "/" + slug
			}
			token := "zqvis" + letters(n*len(files)+i)
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if err := os.WriteFile(p, append(data, "\n\nEdited: "+token+".\n"...), 0o644); err != nil {
				b.Fatal(err)
			}
			s.eventually(b, "edit", page, func(code int, body string) bool { return code == 200 && strings.Contains(body, token) })
			onPage = append(onPage, time.Since(start))
			s.eventually(b, "edit in search", "/api/search?q="+token, func(code int, body string) bool {
				return code == 200 && strings.Contains(body, `"`+slug+`"`)
			})
			took = append(took, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(took)
	q := func(f float64) time.Duration { return took[min(len(took)-1, int(f*float64(len(took))))] }
	b.ReportMetric(float64(q(0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(q(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
	b.Logf("%d edits: p50 %v, p99 %v, max %v", len(took), q(0.5), q(0.99), took[len(took)-1])
	slices.Sort(onPage)
	b.Logf("on the page alone: p50 %v, p99 %v", onPage[len(onPage)/2], onPage[len(onPage)*99/100])
}

// letters spells n in a-z, so that it is one word to the search analyzer.
func letters(n int) string {
	s := ""
	for {
		s = string(rune('a'+n%26)) + s
		n /= 26
		if n == 0 {
			return s
		}
	}
}
