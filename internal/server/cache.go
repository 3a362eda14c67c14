package server

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"versa/internal/server/metrics"
	"versa/internal/server/pagecache"
)

// Pages are named and kept by package pagecache (see its doc for the ETag,
// Cache-Control and Vary each gets). The revision is read from the store
// at most once per revisionTTL; dev mode reads it on every request.
const (
	revisionTTL = time.Second
	// defaultCacheBytes bounds the rendered-page cache when Config leaves
	// it zero: bodies, keys and a fixed overhead per entry.
	defaultCacheBytes = 64 << 20
)

// isFresh reports whether a path is answered by its handler every time,
// with no ETag and no cache: probes and status must say what is true now.
// Static files carry their own hashes and ETags.
func isFresh(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/status", "/api/status",
		"/search", "/api/search": // results follow the index, not the content revision
		return true
	}
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/debug/")
}

// cachePages serves GET and HEAD of pages from the rendered-page cache,
// answers a matching If-None-Match with 304 before any handler runs, and
// gzips what it sends. Every other request only gets gzip.
func (s *server) cachePages(next http.Handler) http.Handler {
	stream := pagecache.Compress(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || isFresh(r.URL.Path) {
			stream.ServeHTTP(w, r)
			return
		}
		gz := pagecache.AcceptsGzip(r)
		rev := s.revs.Current(r.Context())
		if !rev.Loaded {
			// Nothing to name the page by: render it, cache nothing.
			s.renderPage(w, r, next, pagecache.Key{Gzip: gz}, "", 0)
			return
		}
		key := pagecache.Key{URI: r.URL.RequestURI(), Gzip: gz}
		if p := s.pages.Get(rev.Gen, key); p != nil {
			setRoute(r.Context(), p.Route())
			servePage(w, r, p)
			return
		}
		etag := pagecache.ETag(s.build, rev.ID, key.URI, gz)
		if pagecache.MatchesETag(r.Header.Get("If-None-Match"), etag) {
			pagecache.WriteNotModified(w, etag)
			return
		}
		s.renderPage(w, r, next, key, etag, rev.Gen)
	})
}

// renderPage runs the handler into a buffer and sends its answer, gzipped
// when key.Gzip. A 200 with etag set and nothing private about it gets the
// ETag and goes into the cache under gen and key.
func (s *server) renderPage(w http.ResponseWriter, r *http.Request, next http.Handler, key pagecache.Key, etag string, gen uint64) {
	gz := key.Gzip
	cw := &captureWriter{header: http.Header{}}
	next.ServeHTTP(cw, r)
	status := cw.status
	if status == 0 {
		status = http.StatusOK
	}
	body := cw.body.Bytes()
	encode := gz && len(body) > 0 && pagecache.Compressible(cw.header.Get("Content-Type")) && pagecache.BodyAllowed(status)
	if encode {
		body = pagecache.Gzip(body)
	}
	cacheable := etag != "" && status == http.StatusOK &&
		cw.header.Get("Set-Cookie") == "" && cw.header.Get("Cache-Control") == ""
	if !cacheable {
		h := w.Header()
		for k, v := range cw.header {
			h[k] = v
		}
		if encode {
			h.Set("Content-Encoding", "gzip")
			h.Set("Content-Length", strconv.Itoa(len(body)))
		}
		if pagecache.Compressible(cw.header.Get("Content-Type")) {
			pagecache.AddVary(h)
		}
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	p := pagecache.NewPage(cw.header, body, etag, encode, key, metrics.RouteOf(r))
	s.pages.Put(gen, p)
	servePage(w, r, p)
}

// corkBytes is the body size from which a page is sent corked: net/http
// writes the header and the first 4 KiB of a larger body apart from the
// rest, and with TCP_NODELAY each write would leave as a short segment.
const corkBytes = 4 << 10

// servePage sends p. A body over corkBytes goes out with TCP_CORK set on
// the connection (when ConnContext put it in the context) and is flushed
// before the cork is pulled, so the header and body leave as full
// segments: fewer packets for the kernel to build and acknowledge.
func servePage(w http.ResponseWriter, r *http.Request, p *pagecache.Page) {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	if c == nil || p.Size() <= corkBytes || r.Method == http.MethodHead {
		p.Serve(w, r)
		return
	}
	setCork(c, true)
	p.Serve(w, r)
	_ = http.NewResponseController(w).Flush() // what net/http still buffers, before the cork is pulled
	setCork(c, false)
}

// captureWriter holds a handler's whole answer so it can be encoded,
// measured and kept before any of it is sent.
type captureWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *captureWriter) Header() http.Header { return c.header }

func (c *captureWriter) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(p)
}

// ContentSignal lets what reloads the content tell the server the moment a
// reload lands, so that the next request shows it. Without one, the server
// notices a new revision within a second.
type ContentSignal struct {
	mu    sync.Mutex
	hooks []func()
}

// Changed tells the servers listening that the content changed.
func (c *ContentSignal) Changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.hooks {
		f()
	}
}

func (c *ContentSignal) listen(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, f)
}
