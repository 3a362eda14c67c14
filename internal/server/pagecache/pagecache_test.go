package pagecache

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

func TestPageCacheBound(t *testing.T) {
	const max = 64 << 10
	c := New(max, "")
	page := func(i int) *Page {
		return NewPage(http.Header{}, make([]byte, 3000), `"x"`, false, Key{URI: fmt.Sprint("/p/", i)}, "/p/{i}")
	}
	hot := page(-1)
	c.Put(0, hot)
	for i := range 200 {
		c.Get(0, hot.key) // keeps its reference bit set
		c.Put(0, page(i))
		if c.size > max {
			t.Fatalf("size %d over the bound %d after %d puts", c.size, max, i+1)
		}
	}
	if c.Get(0, hot.key) == nil {
		t.Errorf("the page read between every put was evicted")
	}
	if c.Put(0, NewPage(http.Header{}, make([]byte, max/4), `"x"`, false, Key{URI: "/big"}, "/big")); c.Get(0, Key{URI: "/big"}) != nil {
		t.Errorf("a page over an eighth of the bound was kept")
	}
	c.Put(0, page(1000))
	c.Reset(1)
	if c.Get(0, hot.key) != nil || c.Get(1, hot.key) != nil || c.size != 0 {
		t.Errorf("reset kept pages")
	}
	c.Put(0, page(1001))
	if c.Get(1, Key{URI: "/p/1001"}) != nil {
		t.Errorf("a page rendered under an old generation was kept")
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=0.5, br", true},
		{"gzip;q=0", false},
		{"gzip; q=0.0", false},
		{"br", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"identity", false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept-Encoding", tt.header)
			if got := AcceptsGzip(r); got != tt.want {
				t.Errorf("AcceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

func TestMatchesETag(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{`"abc"`, true},
		{`W/"abc"`, true},
		{`"x", "abc"`, true},
		{` "x" ,W/"abc" `, true},
		{`"abcd"`, false},
		{`abc`, false},
		{`*`, false}, // existence is unknown until the page is rendered
		{``, false},
	}
	for _, tt := range tests {
		if got := MatchesETag(tt.header, `"abc"`); got != tt.want {
			t.Errorf("MatchesETag(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

// TestPageFiles keeps large bodies as files in the cache's folder, sends
// them from there, and removes each file when its page leaves the cache;
// a page whose file is gone is still sent whole, from memory.
func TestPageFiles(t *testing.T) {
	dir := t.TempDir()
	c := New(8<<20, dir)
	big := bytes.Repeat([]byte("<p>row</p>"), FileBytes/10+1)
	page := func(uri string, body []byte) *Page {
		return NewPage(http.Header{"Content-Type": {"text/html"}}, body, `"`+uri+`"`, false, Key{URI: uri}, "/r")
	}
	files := func() []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	serve := func(p *Page, method string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		p.Serve(rec, httptest.NewRequest(method, p.key.URI, nil))
		return rec
	}

	c.Put(0, page("/small", []byte("<p>small</p>")))
	a, b := page("/a", big), page("/b", append([]byte("b"), big...))
	c.Put(0, a)
	c.Put(0, b)
	if got := files(); len(got) != 2 {
		t.Fatalf("files %v, want one for each body of FileBytes or more", got)
	}
	for _, p := range []*Page{a, b} {
		rec := serve(p, "GET")
		if !bytes.Equal(rec.Body.Bytes(), p.body) || rec.Header().Get("Content-Length") != strconv.Itoa(len(p.body)) {
			t.Errorf("%s: sent %d bytes (Content-Length %s), want its %d", p.key.URI, rec.Body.Len(), rec.Header().Get("Content-Length"), len(p.body))
		}
	}
	if rec := serve(a, "HEAD"); rec.Body.Len() != 0 {
		t.Errorf("HEAD sent %d bytes", rec.Body.Len())
	}
	// A twin rendered at the same time is not kept, nor is its file.
	c.Put(0, page("/a", big))
	if got := files(); len(got) != 2 {
		t.Errorf("after a twin's put, files %v", got)
	}

	c.Reset(1)
	if got := files(); len(got) != 0 {
		t.Errorf("after reset, files %v left", got)
	}
	if rec := serve(a, "GET"); !bytes.Equal(rec.Body.Bytes(), a.body) {
		t.Errorf("page whose file was removed sent %d bytes, want %d", rec.Body.Len(), len(a.body))
	}

	// Eviction removes the evicted page's file.
	small := New(int64(len(big))*9, dir) // room for eight such pages, no page over max/8
	for i := range 12 {
		small.Put(0, page(fmt.Sprint("/p", i), big))
	}
	if got := files(); len(small.ring) != 8 || len(got) != len(small.ring) {
		t.Errorf("after evictions, %d files for the %d pages kept", len(got), len(small.ring))
	}
	// A folder that cannot be written to leaves pages in memory.
	c = New(8<<20, filepath.Join(dir, "missing"))
	p := page("/m", big)
	c.Put(0, p)
	if c.Get(0, Key{URI: "/m"}) == nil || p.file != "" {
		t.Errorf("page not kept in memory when its file could not be made (file %q)", p.file)
	}
}
