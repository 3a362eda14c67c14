package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// BenchmarkComparePage asks the router for the compare page of all six
// bundled systems: from the page cache, and rendered every time.
func BenchmarkComparePage(b *testing.B) {
	db := openDB(b)
	loadDir(b, db, "../../content")
	cases := []struct {
		name   string
		cfg    Config
		encode string
	}{
		{"cached", Config{}, ""},
		{"cached gzip", Config{}, "gzip"},
		// As served: every request logged, as text, as versa serve does.
		{"cached gzip logged", Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, "gzip"},
		{"uncached", Config{CacheBytes: -1}, ""},
		{"uncached gzip", Config{CacheBytes: -1}, "gzip"},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			benchPage(b, New(bc.cfg, db), sixPage, bc.encode)
		})
	}
}

// BenchmarkTopicPage renders, uncached, the topic page of the largest
// topics the spec allows: 400 systems x 20 features and 20 x 550, whole
// and narrowed by the filter box (111 of 400 systems; 111 of 550 features).
func BenchmarkTopicPage(b *testing.B) {
	dir := b.TempDir()
	writeTopic(b, dir, "wide", 400, 20, "Many systems.")
	writeTopic(b, dir, "long", 20, 550, "Many features.")
	db := openDB(b)
	loadDir(b, db, dir)
	h := New(Config{CacheBytes: -1}, db)
	cases := []struct{ name, target string }{
		{"wide", "/topics/wide"},
		{"long", "/topics/long"},
		{"wide filtered", "/topics/wide?q=system+1"},
		{"long filtered", "/topics/long?q=feature+1"},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			benchPage(b, h, bc.target, "")
		})
	}
}

// BenchmarkSitemap builds /sitemap.xml afresh: for generated topics of 400
// systems x 20 features and 20 x 550, and for the corpus in
// VERSA_BENCH_CORPUS when it is set:
//
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test ./internal/server -run '^$' -bench Sitemap
func BenchmarkSitemap(b *testing.B) {
	cases := []struct{ name, dir string }{{"wide+long", ""}}
	if dir := os.Getenv("VERSA_BENCH_CORPUS"); dir != "" {
		cases = append(cases, struct{ name, dir string }{"corpus", dir})
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			dir := bc.dir
			if dir == "" {
				dir = b.TempDir()
				writeTopic(b, dir, "wide", 400, 20, "Many systems.")
				writeTopic(b, dir, "long", 20, 550, "Many features.")
			}
			db := openDB(b)
			loadDir(b, db, dir)
			benchPage(b, New(Config{CacheBytes: -1, BaseURL: "https://versa.example"}, db), "/sitemap.xml", "")
		})
	}
}

func benchPage(b *testing.B, h http.Handler, target, encoding string) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if encoding != "" {
		req.Header.Set("Accept-Encoding", encoding)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s = %d", target, rec.Code)
	}
	b.SetBytes(int64(rec.Body.Len()))
	b.ReportAllocs()
	w := &discardWriter{header: http.Header{}}
	for b.Loop() {
		clear(w.header)
		w.status = 0
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("GET %s = %d", target, w.status)
		}
	}
}

// discardWriter is a ResponseWriter that keeps only the status, so a
// benchmark measures the server rather than a recorder's copying.
type discardWriter struct {
	header http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.header }

func (d *discardWriter) WriteHeader(status int) {
	if d.status == 0 {
		d.status = status
	}
}

func (d *discardWriter) Write(p []byte) (int, error) {
	d.WriteHeader(http.StatusOK)
	return len(p), nil
}
