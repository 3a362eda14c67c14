// Package search keeps Versa's full-text index: the sections of every
// system and article, every feature, and every cell that says more than a
// support level, in bleve indexes on disk. It builds a new index when the
// content changes and swaps it in while searches keep running.
//
// Documents. A system has one document per section (the lead section with
// its summary and tags); an article has one per kind of section: its body
// sections together, its use-cases sections together, and so on, which
// halves the postings of its prose, and a hit shows the best of them. A
// feature is a document (name, description) and so is each cell with a
// note, a value or a "via".
//
// Bleve holds the inverted index only: the fields text, title (page title
// and section heading), lead (the first words of each list item) and name
// (slugs, names, keys and aliases matched whole), with nothing stored, no
// term vectors, no doc values and no _all field. Text is analysed by
// analyze.go as bleve's "en" analyser does, eight times faster. What a hit
// shows and what facets count come from a document table beside each
// index; snippets are cut from the stored text by analysing it again.
// Ranking is BM25 per field with the statistics of the whole index,
// weighted by field and by what the document is (a pros bullet beats a
// paragraph, a section beats a cell note), read straight from the
// postings of bleve's segment.
//
// On disk, the folder given to Open holds "current", naming the live index
// folder, and index folders. One holds a bleve (scorch) index per shard,
// built in parallel by bleve's offline builder, one shard per core, and
// searched in parallel; beside each, its document table and text; the
// words for spelling suggestions; and manifest.json, written last, with
// the content revision (also in each bleve index's internal store) and
// the size and CRC-32C of every file, checked by Open.
//
// Between builds, Update applies a change (an edited file) in memory, on
// top of the index built: see overlay.go.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"versa/internal/kb"
)

// ErrNotReady is returned by Search until an index has been built.
var ErrNotReady = kb.ErrSearchNotReady

// Document types of a Hit: which page it links to.
const (
	DocSystem  = "system"  // /topics/{topic}/{system}#{anchor}
	DocArticle = "article" // /articles/{topic}/{article}#{anchor}
	DocFeature = "feature" // /topics/{topic}#{anchor}
)

// KindFeature is the Kind of a hit on a feature's name or description, or on
// a system's cell for a feature; the other kinds are kb.SectionKind values.
const KindFeature = "feature"

// Query limits.
const (
	MaxQueryLen    = 256 // characters of Text
	DefaultPerPage = 10
	MaxPerPage     = 50
	MaxPage        = 100
)

// The search package's names for the request and result types of kb, which
// the server shares (see kb/search.go for what each field means).
type (
	Query      = kb.SearchQuery
	Results    = kb.SearchResults
	Hit        = kb.SearchHit
	Fragment   = kb.Fragment
	Facets     = kb.SearchFacets
	FacetCount = kb.FacetCount
)

var validKinds = map[string]bool{
	string(kb.KindPros): true, string(kb.KindCons): true, string(kb.KindUseCases): true,
	string(kb.KindBody): true, KindFeature: true,
}

// Index is the search index served from a folder. It is safe for concurrent
// use: a Build swaps a new index in while searches run on the old one, and
// an Update swaps a new overlay in.
type Index struct {
	dir string
	log *slog.Logger

	// build serialises Build, Update and Close: an Update waits for a
	// running Build, then applies on top of what it swapped in.
	build sync.Mutex
	st    *stemmer // Update's, under build

	mu  sync.RWMutex // guards cur, ov and closed
	cur *generation
	// ov holds what Updates changed since cur was built; nil when nothing.
	// It is never modified, only replaced, so a search sees the index as
	// it was before an Update or after it, never half of it.
	ov *overlay
	// closed is set by Close; searches then answer ErrNotReady.
	closed bool
}

// Open serves the index kept under dir, creating dir if needed. A missing,
// unreadable or corrupt index is not an error: it is logged and removed,
// Revision is "" and searches answer ErrNotReady until Build. Folders left
// by an interrupted build are removed.
func Open(dir string, log *slog.Logger) (*Index, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open search index: %w", err)
	}
	ix := &Index{dir: dir, log: log}
	name, err := readCurrent(dir)
	switch {
	case err == nil:
		start := time.Now()
		g, err := openGeneration(filepath.Join(dir, name))
		if err != nil {
			log.Warn("search index unusable, it will be rebuilt", "dir", filepath.Join(dir, name), "err", err)
			name = ""
		} else {
			ix.cur = g
			log.Info("search index opened", "revision", short(g.revision), "docs", g.docs(), "took", time.Since(start))
		}
	case !errors.Is(err, os.ErrNotExist):
		log.Warn("search index pointer unreadable, it will be rebuilt", "err", err)
	}
	ix.removeStale(name)
	return ix, nil
}

// Revision is the content revision of the index being served, "" if none:
// that of the last Update since the last Build, else the Build's.
func (ix *Index) Revision() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	switch {
	case ix.cur == nil:
		return ""
	case ix.ov != nil:
		return ix.ov.revision
	}
	return ix.cur.revision
}

// Close waits for searches in flight and closes the index; its files stay
// for the next Open.
func (ix *Index) Close() error {
	ix.build.Lock()
	defer ix.build.Unlock()
	ix.mu.Lock()
	g := ix.cur
	ix.cur, ix.ov, ix.closed = nil, nil, true
	ix.mu.Unlock()
	if g == nil {
		return nil
	}
	g.inflight.Wait()
	return g.close()
}

// acquire returns the generation to search, which stays open until its
// inflight is done, and the overlay on it, if any.
func (ix *Index) acquire() (*generation, *overlay) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.cur != nil {
		ix.cur.inflight.Add(1)
	}
	return ix.cur, ix.ov
}

// Search runs q. Its text never makes it fail: any characters are taken as
// words or ignored. It returns an error wrapping kb.ErrInvalid for a text
// over MaxQueryLen characters, an unknown kind or a page past MaxPage, and
// ErrNotReady before the first build. A text without words (empty, or only
// punctuation and stop words) matches nothing.
func (ix *Index) Search(ctx context.Context, q Query) (res Results, err error) {
	start := time.Now()
	if n := utf8.RuneCountInString(q.Text); n > MaxQueryLen {
		return Results{}, fmt.Errorf("search: query of %d characters, at most %d allowed: %w", n, MaxQueryLen, kb.ErrInvalid)
	}
	if q.Kind != "" && !validKinds[q.Kind] {
		return Results{}, fmt.Errorf("search: unknown kind %q (pros, cons, use_cases, body or feature): %w", q.Kind, kb.ErrInvalid)
	}
	if q.Page > MaxPage {
		return Results{}, fmt.Errorf("search: page %d, at most %d: %w", q.Page, MaxPage, kb.ErrInvalid)
	}
	if q.Page < 1 {
		q.Page = 1
	}
	switch {
	case q.PerPage <= 0:
		q.PerPage = DefaultPerPage
	case q.PerPage > MaxPerPage:
		q.PerPage = MaxPerPage
	}
	q.Text = strings.ToValidUTF8(q.Text, " ")
	g, ov := ix.acquire()
	if g == nil {
		return Results{}, ErrNotReady
	}
	defer g.inflight.Done()
	defer func() {
		// Files are checked when opened; one changed under a running
		// server makes bleve panic. That is an error, not a crash.
		if r := recover(); r != nil {
			res, err = Results{}, fmt.Errorf("search: damaged index: %v", r)
		}
	}()
	res, err = g.search(ctx, q, ov)
	res.Took = time.Since(start)
	return res, err
}

// short abbreviates a revision for logs.
func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
