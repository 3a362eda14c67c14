package server

import (
	"context"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

// writeDiscoveryContent writes a small content folder: topic "tools" with
// three systems and three articles (one titled with <&> characters), and
// topic "dbs" with one system, so no pair.
func writeDiscoveryContent(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "tools", "topic.yaml"), `title: Tools
summary: Tools to compare.
categories:
  - key: general
    title: General
features:
  - key: fast
    name: Fast
    category: general
`)
	for _, name := range []string{"Gamma", "Alpha", "Beta"} {
		mustWrite(t, filepath.Join(dir, "tools", "systems", strings.ToLower(name)+".md"),
			"---\nname: "+name+"\nsummary: The "+name+" tool.\nfeatures:\n  fast: yes\n---\n"+name+" overview.\n")
	}
	articles := []struct{ slug, title, summary, updated string }{
		{"old", "Old news", "From last year.", "2025-01-01"},
		{"escaped", `'Tom & Jerry <vs> "Alpha"'`, `'a < b & c > d'`, "2026-03-01"},
		{"mid", "Mid year", "", "2025-06-01"},
	}
	for _, a := range articles {
		summary := ""
		if a.summary != "" {
			summary = "summary: " + a.summary + "\n"
		}
		mustWrite(t, filepath.Join(dir, "tools", "articles", a.slug+".md"),
			"---\ntitle: "+a.title+"\n"+summary+"systems: [alpha, beta]\ntags: [news]\nupdated: "+a.updated+"\n---\nBody.\n")
	}
	mustWrite(t, filepath.Join(dir, "dbs", "topic.yaml"), `title: Databases
summary: Stores.
categories:
  - key: general
    title: General
features:
  - key: sql
    name: SQL
    category: general
`)
	mustWrite(t, filepath.Join(dir, "dbs", "systems", "solo.md"), "---\nname: Solo\nsummary: Alone.\nfeatures:\n  sql: no\n---\nSolo.\n")
	return dir
}

// discoveryServer serves writeDiscoveryContent's folder with cfg.
func discoveryServer(t *testing.T, cfg Config) http.Handler {
	t.Helper()
	db := openDB(t)
	loadDir(t, db, writeDiscoveryContent(t))
	return New(cfg, db)
}

// discoveryPaths are the canonical pages of writeDiscoveryContent.
var discoveryPaths = []string{
	"/",
	"/articles",
	"/topics/dbs",
	"/topics/dbs/solo",
	"/topics/dbs/features/sql",
	"/topics/tools",
	"/topics/tools/alpha",
	"/topics/tools/beta",
	"/topics/tools/gamma",
	"/topics/tools/features/fast",
	"/articles/tools/escaped",
	"/articles/tools/mid",
	"/articles/tools/old",
	"/compare/tools/alpha-vs-beta",
	"/compare/tools/alpha-vs-gamma",
	"/compare/tools/beta-vs-gamma",
}

func parseURLSet(t *testing.T, body []byte) sitemapURLSet {
	t.Helper()
	var set sitemapURLSet
	if err := xml.Unmarshal(body, &set); err != nil {
		t.Fatalf("parse urlset: %v\n%s", err, body)
	}
	if set.XMLName.Space != sitemapNS || set.XMLName.Local != "urlset" {
		t.Fatalf("root = %v, want urlset in %s", set.XMLName, sitemapNS)
	}
	return set
}

func locs(set sitemapURLSet) []string {
	var out []string
	for _, u := range set.URLs {
		out = append(out, u.Loc)
	}
	return out
}

func withBase(base string, paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = base + p
	}
	return out
}

func TestSitemap(t *testing.T) {
	h := discoveryServer(t, Config{AllowedHosts: []string{"example.com"}})
	rec := get(t, h, "/sitemap.xml") // httptest's Host is example.com
	if rec.Code != 200 {
		t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("Content-Type = %q", ct)
	}
	// Built from the Host: never kept by the page cache.
	if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", got)
	}
	if got := rec.Header().Get("ETag"); got != "" {
		t.Errorf("ETag = %q, want none for a Host-built answer", got)
	}
	set := parseURLSet(t, rec.Body.Bytes())
	got, want := locs(set), withBase("http://example.com", discoveryPaths)
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Errorf("locs =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, u := range set.URLs {
		if u.LastMod == "" {
			t.Errorf("%s has no lastmod", u.Loc)
		}
		if u.Loc == "http://example.com/articles/tools/escaped" && u.LastMod != "2026-03-01T00:00:00Z" {
			t.Errorf("article lastmod = %q, want its updated date", u.LastMod)
		}
	}
	// Every listed page answers 200.
	for _, p := range discoveryPaths {
		if rec := get(t, h, p); rec.Code != 200 {
			t.Errorf("GET %s = %d, want 200", p, rec.Code)
		}
	}
}

// cellFreeStore fails ListSystems, which reads every cell of every system:
// the sitemap needs only the slugs.
type cellFreeStore struct{ Store }

func (cellFreeStore) ListSystems(ctx context.Context, topic string) ([]kb.System, error) {
	return nil, errors.New("the sitemap read every cell to list slugs")
}

// TestSitemapReadsNoCells builds the sitemap from system slugs alone, in
// its documented order (slugs sorted, so pairs are too), from the store and
// from a per-request snapshot of it.
func TestSitemapReadsNoCells(t *testing.T) {
	db := openDB(t)
	loadDir(t, db, writeDiscoveryContent(t))
	stores := []struct {
		name  string
		store Store
	}{
		{"store", cellFreeStore{db}},
		{"snapshot", snapshotDB{db}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			rec := get(t, New(Config{}, st.store), "/sitemap.xml")
			if rec.Code != 200 {
				t.Fatalf("status = %d\n%s", rec.Code, rec.Body)
			}
			got, want := locs(parseURLSet(t, rec.Body.Bytes())), withBase("http://localhost", discoveryPaths)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("locs (-want +got):\n%s", diff)
			}
		})
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestSitemapBaseURL(t *testing.T) {
	t.Run("config wins", func(t *testing.T) {
		h := discoveryServer(t, Config{BaseURL: "https://versa.example/", TrustProxyHeaders: true})
		rec := send(h, "GET", "/sitemap.xml", "X-Forwarded-Proto", "http")
		set := parseURLSet(t, rec.Body.Bytes())
		if got, want := sorted(locs(set)), sorted(withBase("https://versa.example", discoveryPaths)); !slices.Equal(got, want) {
			t.Errorf("locs = %v, want %v", got, want)
		}
		// Independent of the request, so cached with an ETag.
		etag := rec.Header().Get("ETag")
		if etag == "" {
			t.Fatal("no ETag with BaseURL set")
		}
		if got := send(h, "GET", "/sitemap.xml", "If-None-Match", etag).Code; got != 304 {
			t.Errorf("revalidation = %d, want 304", got)
		}
	})
	tests := []struct {
		name   string
		trust  bool
		tls    bool
		header string
		want   string
	}{
		{name: "plain", want: "http://example.com/"},
		{name: "tls", tls: true, want: "https://example.com/"},
		{name: "proxy header ignored", header: "https", want: "http://example.com/"},
		{name: "proxy header trusted", trust: true, header: "https", want: "https://example.com/"},
		{name: "bogus proxy header", trust: true, header: "javascript", want: "http://example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := discoveryServer(t, Config{TrustProxyHeaders: tt.trust, AllowedHosts: []string{"Example.COM"}})
			req := httptest.NewRequest("GET", "/sitemap.xml", nil)
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if tt.header != "" {
				req.Header.Set("X-Forwarded-Proto", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			set := parseURLSet(t, rec.Body.Bytes())
			if !slices.Contains(locs(set), tt.want) {
				t.Errorf("locs = %v, want %s among them", locs(set), tt.want)
			}
		})
	}
	t.Run("bad host", func(t *testing.T) {
		h := discoveryServer(t, Config{AllowedHosts: []string{"example.com"}, ListenOrigin: "http://127.0.0.1:8080"})
		req := httptest.NewRequest("GET", "/sitemap.xml", nil)
		req.Host = "evil.example/<x>"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("status = %d, want 200", rec.Code)
		}
		if got := locs(parseURLSet(t, rec.Body.Bytes())); !slices.Contains(got, "http://127.0.0.1:8080/") {
			t.Errorf("locs = %v, want the listen origin", got)
		}
	})
}

func TestSitemapSplit(t *testing.T) {
	h := discoveryServer(t, Config{BaseURL: "http://v.test"})
	if rec := get(t, h, "/sitemap-1.xml"); rec.Code != 404 {
		t.Errorf("part while one file holds all: status = %d, want 404", rec.Code)
	}

	old := sitemapMaxURLs
	sitemapMaxURLs = 5
	t.Cleanup(func() { sitemapMaxURLs = old })
	h = discoveryServer(t, Config{BaseURL: "http://v.test"}) // a fresh page cache
	rec := get(t, h, "/sitemap.xml")
	if rec.Code != 200 {
		t.Fatalf("status = %d", rec.Code)
	}
	var idx sitemapIndex
	if err := xml.Unmarshal(rec.Body.Bytes(), &idx); err != nil {
		t.Fatalf("parse index: %v\n%s", err, rec.Body)
	}
	if idx.XMLName.Local != "sitemapindex" || idx.XMLName.Space != sitemapNS {
		t.Fatalf("root = %v, want sitemapindex", idx.XMLName)
	}
	n := (len(discoveryPaths) + 4) / 5
	if len(idx.Sitemaps) != n {
		t.Fatalf("index lists %d parts, want %d", len(idx.Sitemaps), n)
	}
	var all []string
	for i, sm := range idx.Sitemaps {
		want := fmt.Sprintf("http://v.test/sitemap-%d.xml", i+1)
		if sm.Loc != want || sm.LastMod == "" {
			t.Errorf("part %d = %+v, want loc %s and a lastmod", i, sm, want)
		}
		rec := get(t, h, strings.TrimPrefix(sm.Loc, "http://v.test"))
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d", sm.Loc, rec.Code)
		}
		part := locs(parseURLSet(t, rec.Body.Bytes()))
		if len(part) > 5 {
			t.Errorf("%s has %d URLs, limit 5", sm.Loc, len(part))
		}
		all = append(all, part...)
	}
	if got, want := sorted(all), sorted(withBase("http://v.test", discoveryPaths)); !slices.Equal(got, want) {
		t.Errorf("parts together = %v, want %v", got, want)
	}
	for _, bad := range []string{"/sitemap-0.xml", fmt.Sprintf("/sitemap-%d.xml", n+1), "/sitemap-01.xml", "/sitemap-x.xml"} {
		if rec := get(t, h, bad); rec.Code != 404 {
			t.Errorf("GET %s = %d, want 404", bad, rec.Code)
		}
	}
}

func TestSitemapPairCap(t *testing.T) {
	old := sitemapMaxPairs
	sitemapMaxPairs = 2
	t.Cleanup(func() { sitemapMaxPairs = old })
	h := discoveryServer(t, Config{BaseURL: "http://v.test"})
	var pairs []string
	for _, l := range locs(parseURLSet(t, get(t, h, "/sitemap.xml").Body.Bytes())) {
		if strings.Contains(l, "/compare/") {
			pairs = append(pairs, l)
		}
	}
	want := []string{"http://v.test/compare/tools/alpha-vs-beta", "http://v.test/compare/tools/alpha-vs-gamma"}
	if !slices.Equal(pairs, want) {
		t.Errorf("pairs = %v, want %v", pairs, want)
	}
}

func TestSitemapBeforeLoad(t *testing.T) {
	h := New(Config{}, openDB(t))
	rec := get(t, h, "/sitemap.xml")
	if rec.Code != 200 {
		t.Fatalf("status = %d", rec.Code)
	}
	if got := locs(parseURLSet(t, rec.Body.Bytes())); !slices.Equal(got, []string{"http://localhost/", "http://localhost/articles"}) {
		t.Errorf("locs = %v", got)
	}
}

func TestRobots(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "Sitemap: http://localhost/sitemap.xml\n"},
		{Config{AllowedHosts: []string{"example.com"}}, "Sitemap: http://example.com/sitemap.xml\n"},
		{Config{BaseURL: "https://versa.example"}, "Sitemap: https://versa.example/sitemap.xml\n"},
	} {
		h := discoveryServer(t, tt.cfg)
		rec := get(t, h, "/robots.txt")
		if rec.Code != 200 {
			t.Fatalf("status = %d", rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		body := rec.Body.String()
		if !strings.Contains(body, "User-agent: *\nAllow: /\n") || !strings.Contains(body, tt.want) {
			t.Errorf("body = %q, want allow all and %q", body, tt.want)
		}
	}
}
