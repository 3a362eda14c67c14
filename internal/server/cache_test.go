package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"versa/internal/content"
	"versa/internal/kb"
	"versa/internal/sqlite"
	"versa/static"
)

// countingStore counts every store call but Revision: a page that is
// answered without them was not rendered.
type countingStore struct {
	Store
	calls atomic.Int64
}

func (c *countingStore) ListTopics(ctx context.Context) ([]kb.Topic, error) {
	c.calls.Add(1)
	return c.Store.ListTopics(ctx)
}

func (c *countingStore) ListTopicNames(ctx context.Context) ([]kb.Topic, error) {
	c.calls.Add(1)
	return c.Store.ListTopicNames(ctx)
}

func (c *countingStore) ListSystemCells(ctx context.Context, topic string, features []string) ([]kb.System, error) {
	c.calls.Add(1)
	return c.Store.ListSystemCells(ctx, topic, features)
}

func (c *countingStore) FindTopic(ctx context.Context, slug string) (kb.Topic, error) {
	c.calls.Add(1)
	return c.Store.FindTopic(ctx, slug)
}

func (c *countingStore) ListSystems(ctx context.Context, topic string) ([]kb.System, error) {
	c.calls.Add(1)
	return c.Store.ListSystems(ctx, topic)
}

func (c *countingStore) ListSystemSlugs(ctx context.Context, topic string) ([]string, error) {
	c.calls.Add(1)
	return c.Store.ListSystemSlugs(ctx, topic)
}

func (c *countingStore) ListSystemNames(ctx context.Context, topic string) ([]kb.System, error) {
	c.calls.Add(1)
	return c.Store.ListSystemNames(ctx, topic)
}

func (c *countingStore) CompareSystems(ctx context.Context, topic string, slugs []string) ([]kb.System, error) {
	c.calls.Add(1)
	return c.Store.CompareSystems(ctx, topic, slugs)
}

func (c *countingStore) FindSystem(ctx context.Context, topic, slug string) (kb.System, error) {
	c.calls.Add(1)
	return c.Store.FindSystem(ctx, topic, slug)
}

func (c *countingStore) ListArticles(ctx context.Context, f kb.ArticleFilter) ([]kb.Article, error) {
	c.calls.Add(1)
	return c.Store.ListArticles(ctx, f)
}

func (c *countingStore) ListTags(ctx context.Context, topic string) ([]string, error) {
	c.calls.Add(1)
	return c.Store.ListTags(ctx, topic)
}

func (c *countingStore) FindArticle(ctx context.Context, topic, slug string) (kb.Article, error) {
	c.calls.Add(1)
	return c.Store.FindArticle(ctx, topic, slug)
}

func (c *countingStore) ResolveAlias(ctx context.Context, topic, kind, from string) (string, error) {
	c.calls.Add(1)
	return c.Store.ResolveAlias(ctx, topic, kind, from)
}

// openDB opens an empty store in a temporary folder.
func openDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "versa.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// loadDir replaces the store's content with a folder's, as a reload would.
func loadDir(tb testing.TB, db *sqlite.DB, dir string) {
	tb.Helper()
	c, problems, err := content.Load(os.DirFS(dir))
	if err != nil || len(problems) > 0 {
		tb.Fatalf("load %s: %v %v", dir, err, problems)
	}
	if err := db.ReplaceContent(context.Background(), c, nil); err != nil {
		tb.Fatal(err)
	}
}

// writeTopic writes a content folder with one topic of systems x features
// into dir/slug; summary goes into the topic, so two calls differing in it
// give two revisions.
func writeTopic(tb testing.TB, dir, slug string, systems, features int, summary string) {
	tb.Helper()
	var y strings.Builder
	fmt.Fprintf(&y, "title: Topic %s\nsummary: %s\ncategories:\n  - key: general\n    title: General\n  - key: data\n    title: Data\nfeatures:\n", slug, summary)
	for f := range features {
		fmt.Fprintf(&y, "  - key: feature_%d\n    name: Feature %d\n    category: %s\n    description: What feature %d does.\n",
			f, f, []string{"general", "data"}[f%2], f)
	}
	mustWrite(tb, filepath.Join(dir, slug, "topic.yaml"), y.String())
	supports := []string{"yes", "no", "partial", "plugin"}
	for s := range systems {
		var m strings.Builder
		fmt.Fprintf(&m, "---\nname: System %d\nsummary: System %d of %s.\nfeatures:\n", s, s, slug)
		for f := range features {
			if f%7 == 0 {
				fmt.Fprintf(&m, "  feature_%d: {support: %s, note: Since version %d}\n", f, supports[(s+f)%4], f)
			} else {
				fmt.Fprintf(&m, "  feature_%d: %s\n", f, supports[(s+f)%4])
			}
		}
		fmt.Fprintf(&m, "---\nSystem %d overview.\n\n## Pros\n- Fast.\n\n## Cons\n- Young.\n", s)
		mustWrite(tb, filepath.Join(dir, slug, "systems", fmt.Sprintf("system-%d.md", s)), m.String())
	}
}

func mustWrite(tb testing.TB, path, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// send asks h with headers given as name, value pairs.
func send(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

// bundled serves the bundled content through a counting store.
func bundled(t *testing.T, cfg Config) (http.Handler, *countingStore) {
	t.Helper()
	db := openDB(t)
	loadDir(t, db, "../../content")
	store := &countingStore{Store: db}
	return New(cfg, store), store
}

const (
	pairPage = "/compare/python-web-frameworks/django-vs-flask"
	sixPage  = "/compare/python-web-frameworks/bottle-vs-django-vs-fastapi-vs-flask-vs-pyramid-vs-tornado"
)

func TestPageETag(t *testing.T) {
	h, _ := bundled(t, Config{})
	first := send(h, "GET", pairPage)
	if first.Code != 200 {
		t.Fatalf("GET %s = %d", pairPage, first.Code)
	}
	etag := first.Header().Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
		t.Errorf("ETag = %q, want a strong quoted tag", etag)
	}
	for name, want := range map[string]string{"Cache-Control": "no-cache", "Vary": "Accept-Encoding"} {
		if got := first.Header().Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	tests := []struct {
		name   string
		target string
		header []string
		same   bool
	}{
		{"same url", pairPage, nil, true},
		{"other url", "/compare/python-web-frameworks/django-vs-fastapi", nil, false},
		{"same path, other query", pairPage + "?diff=1", nil, false},
		{"gzip variant", pairPage, []string{"Accept-Encoding", "gzip"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := send(h, "GET", tt.target, tt.header...)
			got := rec.Header().Get("ETag")
			if got == "" {
				t.Fatalf("GET %s: no ETag", tt.target)
			}
			if (got == etag) != tt.same {
				t.Errorf("ETag = %q, first was %q; want same = %v", got, etag, tt.same)
			}
		})
	}
}

func TestNotModifiedWithoutRender(t *testing.T) {
	for _, cfg := range []Config{{}, {CacheBytes: -1}} {
		t.Run(fmt.Sprintf("cache bytes %d", cfg.CacheBytes), func(t *testing.T) {
			h, store := bundled(t, cfg)
			for _, enc := range []string{"", "gzip"} {
				first := send(h, "GET", pairPage, "Accept-Encoding", enc)
				etag := first.Header().Get("ETag")
				before := store.calls.Load()
				for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag} {
					rec := send(h, "GET", pairPage, "Accept-Encoding", enc, "If-None-Match", inm)
					if rec.Code != http.StatusNotModified {
						t.Fatalf("If-None-Match %s: status = %d, want 304", inm, rec.Code)
					}
					if rec.Body.Len() != 0 {
						t.Errorf("304 has a body of %d bytes", rec.Body.Len())
					}
					if got := rec.Header().Get("ETag"); got != etag {
						t.Errorf("304 ETag = %q, want %q", got, etag)
					}
				}
				if got := store.calls.Load() - before; got != 0 {
					t.Errorf("%d store calls for 304s, want 0: the page was rendered", got)
				}
				if rec := send(h, "GET", pairPage, "Accept-Encoding", enc, "If-None-Match", `"stale"`); rec.Code != 200 {
					t.Errorf("If-None-Match of another tag: status = %d, want 200", rec.Code)
				}
			}
		})
	}
}

func TestGzip(t *testing.T) {
	h, _ := bundled(t, Config{})
	for _, target := range []string{sixPage, "/", "/topics/python-web-frameworks", "/no/such/page", "/api/nothing", "/status", static.Path("site.css")} {
		t.Run(target, func(t *testing.T) {
			plain := send(h, "GET", target)
			zipped := send(h, "GET", target, "Accept-Encoding", "gzip, deflate, br")
			if plain.Code != zipped.Code {
				t.Fatalf("status %d identity, %d gzip", plain.Code, zipped.Code)
			}
			if got := zipped.Header().Get("Content-Encoding"); got != "gzip" {
				t.Fatalf("Content-Encoding = %q, want gzip", got)
			}
			if got := plain.Header().Get("Content-Encoding"); got != "" {
				t.Errorf("identity Content-Encoding = %q", got)
			}
			for _, rec := range []*httptest.ResponseRecorder{plain, zipped} {
				if got := rec.Header().Get("Vary"); got != "Accept-Encoding" {
					t.Errorf("Vary = %q, want Accept-Encoding", got)
				}
				if cl := rec.Header().Get("Content-Length"); cl != "" && cl != fmt.Sprint(rec.Body.Len()) {
					t.Errorf("Content-Length = %s, body has %d bytes", cl, rec.Body.Len())
				}
			}
			if got := gunzip(t, zipped.Body.Bytes()); !bytes.Equal(got, plain.Body.Bytes()) {
				t.Errorf("gzip body decodes to %d bytes, identity has %d", len(got), plain.Body.Len())
			}
			if zipped.Body.Len() >= plain.Body.Len() {
				t.Errorf("gzip body %d bytes, identity %d", zipped.Body.Len(), plain.Body.Len())
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		for _, ae := range []string{"gzip;q=0", "br", "identity", "*;q=0"} {
			if got := send(h, "GET", sixPage, "Accept-Encoding", ae).Header().Get("Content-Encoding"); got != "" {
				t.Errorf("Accept-Encoding %q: Content-Encoding = %q, want none", ae, got)
			}
		}
	})
	t.Run("range of a static file", func(t *testing.T) {
		rec := send(h, "GET", static.Path("site.css"), "Accept-Encoding", "gzip", "Range", "bytes=0-9")
		if rec.Code != http.StatusPartialContent || rec.Body.Len() != 10 || rec.Header().Get("Content-Encoding") != "" {
			t.Errorf("status %d, %d bytes, Content-Encoding %q; want 206, 10 identity bytes",
				rec.Code, rec.Body.Len(), rec.Header().Get("Content-Encoding"))
		}
	})
}

func TestCacheHit(t *testing.T) {
	h, store := bundled(t, Config{})
	for _, enc := range []string{"", "gzip"} {
		t.Run("encoding "+enc, func(t *testing.T) {
			first := send(h, "GET", sixPage, "Accept-Encoding", enc)
			before := store.calls.Load()
			second := send(h, "GET", sixPage, "Accept-Encoding", enc)
			if got := store.calls.Load() - before; got != 0 {
				t.Errorf("second GET made %d store calls, want 0", got)
			}
			if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
				t.Errorf("cached body differs from the rendered one")
			}
			for _, name := range []string{"ETag", "Content-Length", "Content-Type", "Content-Encoding", "Content-Security-Policy"} {
				if a, b := first.Header().Get(name), second.Header().Get(name); a != b {
					t.Errorf("%s = %q on a hit, %q rendered", name, b, a)
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		h, store := bundled(t, Config{CacheBytes: -1})
		send(h, "GET", sixPage)
		before := store.calls.Load()
		send(h, "GET", sixPage)
		if store.calls.Load() == before {
			t.Errorf("with the cache off, the second GET was not rendered")
		}
	})
}

func TestHead(t *testing.T) {
	h, store := bundled(t, Config{})
	for _, enc := range []string{"", "gzip"} {
		t.Run("encoding "+enc, func(t *testing.T) {
			head := send(h, "HEAD", pairPage, "Accept-Encoding", enc) // a miss: rendered, then kept
			before := store.calls.Load()
			get := send(h, "GET", pairPage, "Accept-Encoding", enc)
			if store.calls.Load() != before {
				t.Errorf("GET after HEAD was rendered again")
			}
			if head.Code != 200 || head.Body.Len() != 0 {
				t.Errorf("HEAD = %d with %d body bytes, want 200 and none", head.Code, head.Body.Len())
			}
			for _, name := range []string{"ETag", "Content-Length", "Content-Type", "Content-Encoding", "Vary"} {
				if a, b := get.Header().Get(name), head.Header().Get(name); a != b {
					t.Errorf("%s = %q on HEAD, %q on GET", name, b, a)
				}
			}
			if again := send(h, "HEAD", pairPage, "Accept-Encoding", enc); again.Body.Len() != 0 || again.Header().Get("ETag") != get.Header().Get("ETag") {
				t.Errorf("HEAD hit: %d body bytes, ETag %q", again.Body.Len(), again.Header().Get("ETag"))
			}
		})
	}
}

func TestNotCached(t *testing.T) {
	h, store := bundled(t, Config{})
	tests := []struct {
		name   string
		method string
		target string
		status int
	}{
		{"not found", "GET", "/compare/python-web-frameworks/django-vs-rails", 404},
		{"bad request", "GET", "/compare/python-web-frameworks/django", 400},
		{"repeat redirect", "GET", "/compare/python-web-frameworks/django-vs-flask-vs-django", 308},
		{"form redirect", "GET", "/compare?topic=python-web-frameworks&system=flask&system=django", 303},
		{"method not allowed", "POST", pairPage, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 2 {
				before := store.calls.Load()
				rec := send(h, tt.method, tt.target, "Accept-Encoding", "gzip")
				if rec.Code != tt.status {
					t.Fatalf("%s %s = %d, want %d", tt.method, tt.target, rec.Code, tt.status)
				}
				// The form redirect reads no store; its missing ETag says enough.
				if store.calls.Load() == before && tt.status != http.StatusSeeOther && tt.method == "GET" {
					t.Errorf("request %d answered from the cache", i+1)
				}
				if got := rec.Header().Get("ETag"); got != "" {
					t.Errorf("ETag = %q on a %d", got, rec.Code)
				}
			}
		})
	}
}

func TestFreshPaths(t *testing.T) {
	h, _ := bundled(t, Config{})
	for _, target := range []string{"/healthz", "/readyz", "/status", "/api/status"} {
		t.Run(target, func(t *testing.T) {
			rec := send(h, "GET", target)
			if rec.Code != 200 {
				t.Fatalf("status = %d", rec.Code)
			}
			if got := rec.Header().Get("ETag"); got != "" {
				t.Errorf("ETag = %q, want none", got)
			}
			if got := send(h, "GET", target, "If-None-Match", "*").Code; got != 200 {
				t.Errorf("with If-None-Match: status = %d, want 200", got)
			}
		})
	}
}

// TestRevisionChange reloads different content into the same database: the
// ETag and the cached page must change within revisionTTL, and a client's old
// tag no longer gets a 304.
func TestRevisionChange(t *testing.T) {
	for _, dev := range []bool{false, true} {
		t.Run(fmt.Sprintf("dev %v", dev), func(t *testing.T) {
			first, second := t.TempDir(), t.TempDir()
			writeTopic(t, first, "things", 3, 4, "The first summary.")
			writeTopic(t, second, "things", 3, 4, "The second summary.")
			db := openDB(t)
			loadDir(t, db, first)
			h := New(Config{Dev: dev}, db)

			old := send(h, "GET", "/", "Accept-Encoding", "gzip")
			oldTag := old.Header().Get("ETag")
			if !strings.Contains(string(gunzip(t, old.Body.Bytes())), "The first summary.") {
				t.Fatalf("first page lacks the first summary")
			}
			send(h, "GET", "/") // cached, identity too
			loadDir(t, db, second)
			reloaded := time.Now()
			bound := revisionTTL + 200*time.Millisecond
			if dev {
				bound = 0
			}
			for {
				rec := send(h, "GET", "/", "Accept-Encoding", "gzip", "If-None-Match", oldTag)
				if rec.Code == 200 {
					if !strings.Contains(string(gunzip(t, rec.Body.Bytes())), "The second summary.") {
						t.Errorf("new tag %q on a page without the second summary", rec.Header().Get("ETag"))
					}
					if rec.Header().Get("ETag") == oldTag {
						t.Errorf("ETag unchanged after a reload")
					}
					if plain := send(h, "GET", "/"); !strings.Contains(plain.Body.String(), "The second summary.") {
						t.Errorf("identity variant still cached from the old revision")
					}
					break
				}
				if rec.Code != http.StatusNotModified {
					t.Fatalf("status = %d", rec.Code)
				}
				if since := time.Since(reloaded); since > bound {
					t.Fatalf("still 304 for the old revision %v after the reload, bound %v", since, bound)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestBeforeFirstLoad(t *testing.T) {
	ts := newTestServer(t, Config{}, &fakeStore{})
	res := ts.do(t, "GET", "/")
	if res.status != 200 || res.header.Get("ETag") != "" {
		t.Errorf("status %d, ETag %q; want 200 and no tag before content is loaded", res.status, res.header.Get("ETag"))
	}
}
