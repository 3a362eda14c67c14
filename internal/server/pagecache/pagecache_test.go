package pagecache

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPageCacheBound(t *testing.T) {
	const max = 64 << 10
	c := New(max)
	page := func(i int) *Page {
		return NewPage(http.Header{}, make([]byte, 3000), `"x"`, false, Key{URI: fmt.Sprint("/p/", i)})
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
	if c.Put(0, NewPage(http.Header{}, make([]byte, max/4), `"x"`, false, Key{URI: "/big"})); c.Get(0, Key{URI: "/big"}) != nil {
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
