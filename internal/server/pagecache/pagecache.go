// Package pagecache keeps rendered pages and names them. A page is a pure
// function of the content revision, the binary and the request URI, so the
// server can name it and keep it without rendering:
//
//   - ETag: "hash(build, revision, request URI, encoding)". Strong: the
//     bytes of one (revision, URI, encoding) are identical every time,
//     gzip included (same level, no name or mtime in its header), and the
//     encoding is in the hash so the two variants never share a tag.
//   - Cache-Control: no-cache, so browsers revalidate every time and get a
//     304 that costs no render.
//   - Vary: Accept-Encoding.
//
// Revisions reads the revision from the store at most once per its ttl, so
// a reader may get the previous revision's page, or a 304 for it, for up to
// ttl after a reload commits. The middleware that uses all this is the
// server's (cachePages); this package holds the cache, the revision cache,
// the ETags and gzip.
package pagecache

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
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"versa/internal/kb"
)

// entryOverhead is what one entry costs beyond its body and URI.
const entryOverhead = 256

// Key is a cached page's name within one revision.
type Key struct {
	URI  string
	Gzip bool
}

// Page is a page as sent: its headers, ready to copy, and its final
// bytes. It is never written once a Cache keeps it (Put sets its file
// before), so readers share it.
type Page struct {
	key    Key
	route  string
	header http.Header
	body   []byte
	file   string // the body's copy on disk, sent with sendfile; "" for none
	etag   string
	cost   int64
	used   atomic.Bool // the clock's reference bit
}

// NewPage is a page to keep under key: the handler's headers and the body
// as sent (gzipped when gzipped), named by etag, answered by the route
// pattern route (for the metrics of its hits).
func NewPage(handlerHeader http.Header, body []byte, etag string, gzipped bool, key Key, route string) *Page {
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
	return &Page{
		key:    key,
		route:  route,
		header: h,
		body:   body,
		etag:   etag,
		cost:   int64(len(body) + len(key.URI) + entryOverhead),
	}
}

// Key is the page's name.
func (p *Page) Key() Key { return p.key }

// Size is the length of the page's body as sent.
func (p *Page) Size() int { return len(p.body) }

// Route is the route pattern that rendered the page.
func (p *Page) Route() string { return p.route }

// Serve sends p, or a 304 when the request already holds it.
func (p *Page) Serve(w http.ResponseWriter, r *http.Request) {
	if MatchesETag(r.Header.Get("If-None-Match"), p.etag) {
		WriteNotModified(w, p.etag)
		return
	}
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if p.file != "" {
		// net/http sends an *os.File with sendfile(2): the body goes from
		// the kernel's page cache to the socket without a copy through
		// this process. A file gone (the page was just evicted) falls
		// back to the bytes in memory.
		if f, err := os.Open(p.file); err == nil {
			_, _ = io.Copy(w, f)
			f.Close()
			return
		}
	}
	_, _ = w.Write(p.body)
}

// WriteNotModified answers 304 for the page named etag.
func WriteNotModified(w http.ResponseWriter, etag string) {
	h := w.Header()
	h["Etag"] = []string{etag}
	h["Cache-Control"] = []string{"no-cache"}
	h["Vary"] = []string{"Accept-Encoding"}
	w.WriteHeader(http.StatusNotModified)
}

// ETag names a page's bytes. build changes with the binary, so a deploy
// with new templates never answers 304 for the old HTML.
func ETag(build, revision, uri string, gz bool) string {
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

// MatchesETag reports whether an If-None-Match header names etag, with the
// weak comparison RFC 9110 asks for: W/"x" matches "x".
func MatchesETag(header, etag string) bool {
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

// BuildID names the running binary: a hash of its file, the same on every
// replica of one build. When the file cannot be read, the start time stands
// in, so ETags last one process.
var BuildID = sync.OnceValue(func() string {
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

// State is the revision as last read from the store.
type State struct {
	ID      string // cacheKey of the revision
	Loaded  bool   // false before the first load
	Gen     uint64 // counts changes; the page cache is keyed by it
	checked time.Time
}

// RevisionSource is where the revision is read: the content store.
type RevisionSource interface {
	// Revision returns kb.ErrNotFound before the first load.
	Revision(ctx context.Context) (kb.Revision, error)
}

// Revisions keeps the store's revision for ttl, so a request costs an
// atomic load rather than a transaction. A change drops the page cache.
type Revisions struct {
	store   RevisionSource
	ttl     time.Duration
	pages   *Cache
	onError func(ctx context.Context, err error)
	mu      sync.Mutex // one refresh at a time
	cur     atomic.Pointer[State]
}

// NewRevisions reads the revision from store at most once per ttl (0: on
// every request) and resets pages when it changes. onError hears of a
// failed read; the request then goes uncached.
func NewRevisions(store RevisionSource, ttl time.Duration, pages *Cache, onError func(ctx context.Context, err error)) *Revisions {
	return &Revisions{store: store, ttl: ttl, pages: pages, onError: onError}
}

// Current returns the revision, reading the store when the last read is
// older than ttl. While one request refreshes, others keep the last value.
func (c *Revisions) Current(ctx context.Context) State {
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
		return State{} // not kept: the next request asks again
	}
	next := &State{ID: cacheKey(rev), Loaded: err == nil, checked: time.Now()}
	if st != nil {
		next.Gen = st.Gen
		if st.ID != next.ID || st.Loaded != next.Loaded {
			next.Gen++
		}
	}
	if st == nil || next.Gen != st.Gen {
		c.pages.Reset(next.Gen)
	}
	c.cur.Store(next)
	return *next
}

// Expire makes the next request read the revision again: the content was
// just reloaded, and pages must show it now rather than after ttl.
func (c *Revisions) Expire() {
	if st := c.cur.Load(); st != nil {
		next := *st
		next.checked = time.Time{}
		c.cur.CompareAndSwap(st, &next)
	}
}

// Cache holds rendered pages of one revision generation, bounded in
// bytes, evicting with the clock algorithm: a hit only sets a bit, so reads
// share a read lock.
type Cache struct {
	max  int64  // <= 0: keep nothing
	dir  string // where bodies of FileBytes or more are also written; "": nowhere
	seq  atomic.Uint64
	mu   sync.RWMutex
	gen  uint64
	size int64
	m    map[Key]*Page
	ring []*Page
	hand int
}

// FileBytes is the size from which a kept page's body is also written to
// the cache's folder and sent from there with sendfile. Below it, one
// write from memory costs less than opening a file.
const FileBytes = 64 << 10

// New returns a cache of at most max bytes; max <= 0 keeps nothing. With
// dir set, the bodies of pages of FileBytes or more are also kept as files
// in dir, which must be empty and the cache's alone: a file is named by a
// counter and made with O_EXCL, so none is ever read for another page.
// Disk use is bounded by max as memory is.
func New(max int64, dir string) *Cache {
	return &Cache{max: max, dir: dir, m: map[Key]*Page{}}
}

// writeFile keeps p's body in a new file of c.dir, or does nothing when it
// cannot: the page is then sent from memory.
func (c *Cache) writeFile(p *Page) {
	if c.dir == "" || len(p.body) < FileBytes {
		return
	}
	name := filepath.Join(c.dir, strconv.FormatUint(c.seq.Add(1), 10)+".page")
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return
	}
	_, err = f.Write(p.body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return
	}
	p.file = name
}

// removeFiles deletes the files of pages no longer kept. A request that
// still holds one of them finds its file gone and sends it from memory.
func removeFiles(pages []*Page) {
	for _, p := range pages {
		if p.file != "" {
			os.Remove(p.file)
		}
	}
}

// Get returns the page kept for key in generation gen, or nil.
func (c *Cache) Get(gen uint64, key Key) *Page {
	c.mu.RLock()
	var p *Page
	if c.gen == gen {
		p = c.m[key]
	}
	c.mu.RUnlock()
	if p != nil && !p.used.Load() {
		p.used.Store(true)
	}
	return p
}

// Put keeps p unless the generation moved on while it was rendered, or it
// is too big to share the cache with others.
func (c *Cache) Put(gen uint64, p *Page) {
	if c.max <= 0 || p.cost > c.max/8 {
		return
	}
	c.writeFile(p) // before the lock: the disk is slow
	var dropped []*Page
	c.mu.Lock()
	if c.gen != gen || c.m[p.key] != nil {
		c.mu.Unlock()
		removeFiles([]*Page{p})
		p.file = ""
		return
	}
	for c.size+p.cost > c.max && len(c.ring) > 0 {
		dropped = append(dropped, c.evict())
	}
	c.m[p.key] = p
	c.ring = append(c.ring, p)
	c.size += p.cost
	c.mu.Unlock()
	removeFiles(dropped)
}

// evict drops the first page under the hand not used since the hand last
// passed it, and returns it.
func (c *Cache) evict() *Page {
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
		return p
	}
}

// Reset drops every page and starts generation gen.
func (c *Cache) Reset(gen uint64) {
	c.mu.Lock()
	dropped := c.ring
	c.gen = gen
	c.size = 0
	c.hand = 0
	clear(c.m)
	c.ring = nil
	c.mu.Unlock()
	removeFiles(dropped)
}

// AcceptsGzip reports whether the request's Accept-Encoding allows gzip.
func AcceptsGzip(r *http.Request) bool {
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

// Compressible reports whether a Content-Type is text worth gzipping.
func Compressible(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "text/html", "application/json", "text/css", "application/javascript",
		"text/javascript", "image/svg+xml", "text/csv", "text/markdown",
		"application/xml", "application/atom+xml", "text/plain":
		return true
	}
	return false
}

// BodyAllowed reports whether a status may carry a body.
func BodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// AddVary adds Accept-Encoding to Vary, once.
func AddVary(h http.Header) {
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

// Gzip compresses b whole; the result has no name or time in its
// header, so equal input gives equal bytes.
func Gzip(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b)/4 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&out)
	_, _ = zw.Write(b) // a bytes.Buffer does not fail
	_ = zw.Close()
	gzipWriters.Put(zw)
	return out.Bytes()
}

// Compress gzips, as they stream, the answers of requests that are not
// pages (static files, probes) when the client accepts gzip and the type
// is text. Range requests are left alone: their byte ranges are of the
// identity body.
func Compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w, accepts: AcceptsGzip(r)}
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
	if Compressible(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" {
		AddVary(h)
		if g.accepts && BodyAllowed(status) && status != http.StatusPartialContent {
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
