package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"versa/internal/kb"
)

// A page is a pure function of the content revision, the binary and the
// request URI, so the server can name it and keep it without rendering:
//
//   - ETag: "hash(build, revision, request URI, encoding)". Strong: the
//     bytes of one (revision, URI, encoding) are identical every time,
//     gzip included (same level, no name or mtime in its header), and the
//     encoding is in the hash so the two variants never share a tag.
//   - Cache-Control: no-cache, so browsers revalidate every time and get a
//     304 that costs no render.
//   - Vary: Accept-Encoding.
//
// The revision is read from the store at most once per revisionTTL, so a
// reader may get the previous revision's page, or a 304 for it, for up to
// revisionTTL after a reload commits. Dev mode reads it on every request.
const (
	revisionTTL = time.Second
	// defaultCacheBytes bounds the rendered-page cache when Config leaves
	// it zero: bodies, keys and a fixed overhead per entry.
	defaultCacheBytes = 64 << 20
	// entryOverhead is what one entry costs beyond its body and URI.
	entryOverhead = 256
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
	stream := compress(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || isFresh(r.URL.Path) {
			stream.ServeHTTP(w, r)
			return
		}
		gz := acceptsGzip(r)
		rev := s.revs.current(r.Context())
		if !rev.loaded {
			// Nothing to name the page by: render it, cache nothing.
			s.renderPage(w, r, next, gz, "", 0)
			return
		}
		uri := r.URL.RequestURI()
		if p := s.pages.get(rev.gen, pageKey{uri, gz}); p != nil {
			p.writeTo(w, r)
			return
		}
		etag := pageETag(s.build, rev.id, uri, gz)
		if matchesETag(r.Header.Get("If-None-Match"), etag) {
			writeNotModified(w, etag)
			return
		}
		s.renderPage(w, r, next, gz, etag, rev.gen)
	})
}

// renderPage runs the handler into a buffer and sends its answer, gzipped
// when gz. A 200 with etag set and nothing private about it gets the ETag and
// goes into the cache under gen.
func (s *server) renderPage(w http.ResponseWriter, r *http.Request, next http.Handler, gz bool, etag string, gen uint64) {
	cw := &captureWriter{header: http.Header{}}
	next.ServeHTTP(cw, r)
	status := cw.status
	if status == 0 {
		status = http.StatusOK
	}
	body := cw.body.Bytes()
	encode := gz && len(body) > 0 && compressible(cw.header.Get("Content-Type")) && bodyAllowed(status)
	if encode {
		body = gzipBytes(body)
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
		if compressible(cw.header.Get("Content-Type")) {
			addVary(h)
		}
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	p := newCachedPage(cw.header, body, etag, encode, pageKey{r.URL.RequestURI(), gz})
	s.pages.put(gen, p)
	p.writeTo(w, r)
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

// pageKey is a cached page's name within one revision.
type pageKey struct {
	uri  string
	gzip bool
}

// cachedPage is a page as sent: its headers, ready to copy, and its final
// bytes. It is never written after newCachedPage, so readers share it.
type cachedPage struct {
	key    pageKey
	header http.Header
	body   []byte
	etag   string
	cost   int64
	used   atomic.Bool // the clock's reference bit
}

func newCachedPage(handlerHeader http.Header, body []byte, etag string, gzipped bool, key pageKey) *cachedPage {
	h := make(http.Header, len(handlerHeader)+5)
	for k, v := range handlerHeader {
		h[k] = v[:len(v):len(v)] // full slices: an Add by a reader copies, never writes here
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	if gzipped {
		h["Content-Encoding"] = []string{"gzip"}
	}
	h["Etag"] = []string{etag}
	h["Cache-Control"] = []string{"no-cache"}
	h["Vary"] = []string{"Accept-Encoding"}
	return &cachedPage{
		key:    key,
		header: h,
		body:   body,
		etag:   etag,
		cost:   int64(len(body) + len(key.uri) + entryOverhead),
	}
}

// writeTo sends p, or a 304 when the request already holds it.
func (p *cachedPage) writeTo(w http.ResponseWriter, r *http.Request) {
	if matchesETag(r.Header.Get("If-None-Match"), p.etag) {
		writeNotModified(w, p.etag)
		return
	}
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(p.body)
	}
}

func writeNotModified(w http.ResponseWriter, etag string) {
	h := w.Header()
	h["Etag"] = []string{etag}
	h["Cache-Control"] = []string{"no-cache"}
	h["Vary"] = []string{"Accept-Encoding"}
	w.WriteHeader(http.StatusNotModified)
}

// pageETag names a page's bytes. build changes with the binary, so a deploy
// with new templates never answers 304 for the old HTML.
func pageETag(build, revision, uri string, gz bool) string {
	h := sha256.New()
	enc := "identity"
	if gz {
		enc = "gzip"
	}
	for _, part := range []string{build, revision, uri, enc} {
		io.WriteString(h, part)
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return `"` + hex.EncodeToString(h.Sum(sum[:0])[:16]) + `"`
}

// matchesETag reports whether an If-None-Match header names etag, with the
// weak comparison RFC 9110 asks for: W/"x" matches "x".
func matchesETag(header, etag string) bool {
	for header != "" {
		var tag string
		tag, header, _ = strings.Cut(header, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag {
			return true
		}
	}
	return false
}

// buildID names the running binary: a hash of its file, the same on every
// replica of one build. When the file cannot be read, the start time stands
// in, so ETags last one process.
var buildID = sync.OnceValue(func() string {
	h := sha256.New()
	exe, err := os.Executable()
	if err == nil {
		var f *os.File
		if f, err = os.Open(exe); err == nil {
			_, err = io.Copy(h, f)
			f.Close()
		}
	}
	if err != nil {
		h.Reset()
		io.WriteString(h, time.Now().String())
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
})

// revState is the revision as last read from the store.
// cacheKey names what pages show of a revision: its content and, since
// the status page and the --dev banner list them, its problems, which a
// refused reload changes without changing the content.
func cacheKey(rev kb.Revision) string {
	if len(rev.Problems) == 0 && rev.Refused == "" {
		return rev.ID
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", rev.ID, rev.Refused)
	for _, p := range rev.Problems {
		fmt.Fprintf(h, "%s\x00", p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type revState struct {
	id      string // cacheKey of the revision
	loaded  bool   // false before the first load
	gen     uint64 // counts changes; the page cache is keyed by it
	checked time.Time
}

// revisionCache keeps the store's revision for ttl, so a request costs an
// atomic load rather than a transaction. A change drops the page cache.
type revisionCache struct {
	store   Store
	ttl     time.Duration
	pages   *pageCache
	onError func(ctx context.Context, err error)
	mu      sync.Mutex // one refresh at a time
	cur     atomic.Pointer[revState]
}

// current returns the revision, reading the store when the last read is
// older than ttl. While one request refreshes, others keep the last value.
func (c *revisionCache) current(ctx context.Context) revState {
	st := c.cur.Load()
	if st != nil && time.Since(st.checked) < c.ttl {
		return *st
	}
	if st != nil && !c.mu.TryLock() {
		return *st
	}
	if st == nil {
		c.mu.Lock()
	}
	defer c.mu.Unlock()
	if now := c.cur.Load(); now != nil && now != st && time.Since(now.checked) < c.ttl {
		return *now
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	rev, err := c.store.Revision(ctx)
	if err != nil && !errors.Is(err, kb.ErrNotFound) {
		c.onError(ctx, err)
		return revState{} // not kept: the next request asks again
	}
	next := &revState{id: cacheKey(rev), loaded: err == nil, checked: time.Now()}
	if st != nil {
		next.gen = st.gen
		if st.id != next.id || st.loaded != next.loaded {
			next.gen++
		}
	}
	if st == nil || next.gen != st.gen {
		c.pages.reset(next.gen)
	}
	c.cur.Store(next)
	return *next
}

// expire makes the next request read the revision again: the content was
// just reloaded, and pages must show it now rather than after ttl.
func (c *revisionCache) expire() {
	if st := c.cur.Load(); st != nil {
		next := *st
		next.checked = time.Time{}
		c.cur.CompareAndSwap(st, &next)
	}
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

// pageCache holds rendered pages of one revision generation, bounded in
// bytes, evicting with the clock algorithm: a hit only sets a bit, so reads
// share a read lock.
type pageCache struct {
	max  int64 // <= 0: keep nothing
	mu   sync.RWMutex
	gen  uint64
	size int64
	m    map[pageKey]*cachedPage
	ring []*cachedPage
	hand int
}

func newPageCache(max int64) *pageCache {
	return &pageCache{max: max, m: map[pageKey]*cachedPage{}}
}

// get returns the page kept for key in generation gen, or nil.
func (c *pageCache) get(gen uint64, key pageKey) *cachedPage {
	c.mu.RLock()
	var p *cachedPage
	if c.gen == gen {
		p = c.m[key]
	}
	c.mu.RUnlock()
	if p != nil && !p.used.Load() {
		p.used.Store(true)
	}
	return p
}

// put keeps p unless the generation moved on while it was rendered, or it
// is too big to share the cache with others.
func (c *pageCache) put(gen uint64, p *cachedPage) {
	if c.max <= 0 || p.cost > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.m[p.key] != nil {
		return
	}
	for c.size+p.cost > c.max && len(c.ring) > 0 {
		c.evict()
	}
	c.m[p.key] = p
	c.ring = append(c.ring, p)
	c.size += p.cost
}

// evict drops the first page under the hand not used since the hand last
// passed it.
func (c *pageCache) evict() {
	for {
		if c.hand >= len(c.ring) {
			c.hand = 0
		}
		p := c.ring[c.hand]
		if p.used.Swap(false) {
			c.hand++
			continue
		}
		last := len(c.ring) - 1
		c.ring[c.hand] = c.ring[last]
		c.ring[last] = nil
		c.ring = c.ring[:last]
		delete(c.m, p.key)
		c.size -= p.cost
		return
	}
}

// reset drops every page and starts generation gen.
func (c *pageCache) reset(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen = gen
	c.size = 0
	c.hand = 0
	clear(c.m)
	c.ring = nil
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, ae := range r.Header.Values("Accept-Encoding") {
		star := false
		for ae != "" {
			var part string
			part, ae, _ = strings.Cut(ae, ",")
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "*" {
				continue
			}
			ok := true
			if q, found := strings.CutPrefix(strings.TrimSpace(params), "q="); found {
				v, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
				ok = err == nil && v > 0
			}
			if coding == "gzip" {
				return ok
			}
			star = ok
		}
		if star {
			return true
		}
	}
	return false
}

// compressible reports whether a Content-Type is text worth gzipping.
func compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/html", "application/json", "text/css", "application/javascript",
		"text/javascript", "image/svg+xml", "text/csv", "text/markdown",
		"application/xml", "application/atom+xml", "text/plain":
		return true
	}
	return false
}

// bodyAllowed reports whether a status may carry a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

func addVary(h http.Header) {
	for _, v := range h.Values("Vary") {
		if strings.Contains(strings.ToLower(v), "accept-encoding") {
			return
		}
	}
	h.Add("Vary", "Accept-Encoding")
}

// gzipWriters compress pages once, for the cache, at the default level.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// streamWriters compress answers that are not cached (search, status), on
// every request: at the fastest level, as nginx's gzip_comp_level 1, since
// the default level costs about three times the CPU for a tenth less size.
var streamWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // a valid level never fails
	return zw
}}

// gzipBytes compresses b whole; the result has no name or time in its
// header, so equal input gives equal bytes.
func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b)/4 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&out)
	_, _ = zw.Write(b) // a bytes.Buffer does not fail
	_ = zw.Close()
	gzipWriters.Put(zw)
	return out.Bytes()
}

// compress gzips, as they stream, the answers of requests that are not
// pages (static files, probes) when the client accepts gzip and the type
// is text. Range requests are left alone: their byte ranges are of the
// identity body.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w, accepts: acceptsGzip(r)}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// gzipWriter decides at WriteHeader whether to compress, from the status,
// the Content-Type and any Content-Encoding already set.
type gzipWriter struct {
	http.ResponseWriter
	accepts     bool
	wroteHeader bool
	zw          *gzip.Writer
}

func (g *gzipWriter) WriteHeader(status int) {
	if g.wroteHeader {
		return
	}
	g.wroteHeader = true
	h := g.Header()
	if compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" {
		addVary(h)
		if g.accepts && bodyAllowed(status) && status != http.StatusPartialContent {
			h.Set("Content-Encoding", "gzip")
			h.Del("Content-Length")
			if etag := h.Get("Etag"); etag != "" && !strings.HasPrefix(etag, "W/") {
				// The identity body's strong tag no longer names these bytes.
				h.Set("Etag", "W/"+etag)
			}
			g.zw = streamWriters.Get().(*gzip.Writer)
			g.zw.Reset(g.ResponseWriter)
		}
	}
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if !g.wroteHeader {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(p))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.zw != nil {
		return g.zw.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) close() {
	if g.zw == nil {
		return
	}
	_ = g.zw.Close()
	g.zw.Reset(io.Discard)
	streamWriters.Put(g.zw)
	g.zw = nil
}
