// Package ingest turns a content folder into the store's read model: it reads
// the folder, skips the work when nothing changed, and otherwise parses and
// replaces the content in one transaction.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"versa/internal/content"
	"versa/internal/kb"
)

// Store is what ingest writes to; *sqlite.DB satisfies it.
type Store interface {
	Revision(ctx context.Context) (kb.Revision, error)
	// LoadContent replaces the content in one transaction with what fill
	// streams into the sink; an error from fill leaves the old content.
	LoadContent(ctx context.Context, revision string, fill func(kb.Sink) ([]kb.Problem, error)) error
	SetProblems(ctx context.Context, problems []kb.Problem) error
}

// errKeepOld rolls back a load whose problems would replace good content.
var errKeepOld = errors.New("content has problems; keeping the last good load")

// Index is the search index kept in step with the store; *search.Index
// satisfies it. Build reads the content from what feed streams into its
// sink, and keeps the old index when ctx is cancelled.
type Index interface {
	Revision() string
	Build(ctx context.Context, revision string, feed func(kb.Sink) error) error
}

// Loader loads one content folder into one store and, when it has one, one
// search index. Loads are serialised.
type Loader struct {
	fsys     fs.FS
	store    Store
	index    Index // nil: no search index
	log      *slog.Logger
	mu       sync.Mutex
	indexing sync.WaitGroup // the index build of the last load, if still running
}

// New returns a Loader of fsys into store and index (which may be nil).
func New(fsys fs.FS, store Store, index Index, log *slog.Logger) *Loader {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Loader{fsys: fsys, store: store, index: index, log: log}
}

// Result says what a load did.
type Result struct {
	Revision string        // the content revision now served
	Reused   bool          // the store already held this revision: nothing was parsed
	Applied  bool          // the store was rewritten with this load
	Files    int           // files read
	Problems []kb.Problem  // every problem of the folder as it is now
	Took     time.Duration // the store's part of the load
	// Indexed receives the outcome of the search index build this load
	// started, once it is done (nil error on success), and is then closed;
	// nil when the index was already current or there is none. The store
	// serves while the index finishes.
	Indexed <-chan error
}

// Load reads the folder and brings the store up to date. Content with
// problems replaces the store only when the store holds nothing good to
// protect (first load, or content that had problems too); otherwise the last
// good content keeps serving and only the problems are recorded. The error is
// for failures of the folder or the store, not for content mistakes.
func (l *Loader) Load(ctx context.Context) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.indexing.Wait() // one index build at a time
	start := time.Now()
	tree, err := content.Read(l.fsys)
	if err != nil {
		return Result{}, err
	}
	res := Result{Revision: tree.Revision, Files: len(tree.Files)}
	needIndex := l.index != nil && l.index.Revision() != tree.Revision
	cur, err := l.store.Revision(ctx)
	switch {
	case err == nil && cur.ID == tree.Revision:
		res.Reused, res.Problems, res.Took = true, cur.Problems, time.Since(start)
		l.log.Info("content unchanged", "revision", short(res.Revision), "files", res.Files, "took", res.Took)
		if needIndex {
			// The store is current but the index is not (first run with
			// search, or a damaged index): parse again for the index only.
			feed := l.startIndex(ctx, tree.Revision)
			go func() {
				_, err := content.Stream(tree, feed.tee(discard))
				if err != nil {
					feed.abort()
					return
				}
				feed.finish()
			}()
			res.Indexed = feed.result
		}
		return res, nil
	case err != nil && !errors.Is(err, kb.ErrNotFound):
		return Result{}, fmt.Errorf("read current revision: %w", err)
	}
	loaded := err == nil
	var feed *indexFeed
	if needIndex {
		feed = l.startIndex(ctx, tree.Revision)
	}
	var systems, articles int
	err = l.store.LoadContent(ctx, tree.Revision, func(sink kb.Sink) ([]kb.Problem, error) {
		counted := kb.Sink{
			Topic:   sink.Topic,
			System:  func(s kb.System) error { systems++; return sink.System(s) },
			Article: func(a kb.Article) error { articles++; return sink.Article(a) },
		}
		if feed != nil {
			counted = feed.tee(counted)
		}
		problems, err := content.Stream(tree, counted)
		if err != nil {
			return nil, err
		}
		res.Problems = problems
		if len(problems) > 0 && loaded && len(cur.Problems) == 0 {
			return nil, errKeepOld
		}
		return problems, nil
	})
	switch {
	case err == nil:
		res.Applied = true
		if feed != nil {
			feed.finish()
			res.Indexed = feed.result
		}
	case errors.Is(err, errKeepOld):
		if feed != nil {
			feed.abort() // the index keeps matching the store
		}
		if err := l.store.SetProblems(ctx, res.Problems); err != nil {
			return Result{}, fmt.Errorf("store problems: %w", err)
		}
		res.Revision = cur.ID
	default:
		if feed != nil {
			feed.abort()
		}
		return Result{}, fmt.Errorf("store content: %w", err)
	}
	res.Took = time.Since(start)
	l.log.Info("content loaded", "revision", short(res.Revision), "applied", res.Applied,
		"files", res.Files, "systems", systems, "articles", articles,
		"problems", len(res.Problems), "took", res.Took)
	for _, p := range res.Problems {
		l.log.Warn("content problem", "problem", p.String())
	}
	return res, nil
}

// Wait blocks until the index build of the last load, if any, is done.
func (l *Loader) Wait() { l.indexing.Wait() }

// discard is a sink that keeps nothing: with tee, it feeds the index alone.
var discard = kb.Sink{
	Topic:   func(kb.Topic) error { return nil },
	System:  func(kb.System) error { return nil },
	Article: func(kb.Article) error { return nil },
}

// indexFeed runs one index build beside a store load, fed from the same
// parse: the load's sink also hands every item to the build's sink.
type indexFeed struct {
	items   chan func(kb.Sink) error
	stopped chan struct{} // closed when the build stops reading items
	stop    sync.Once
	cancel  context.CancelFunc
	result  chan error
}

// startIndex starts building the index of revision in the background.
func (l *Loader) startIndex(ctx context.Context, revision string) *indexFeed {
	// The build outlives the request or signal context of the load that
	// started it only as long as that context lives.
	ictx, cancel := context.WithCancel(ctx)
	f := &indexFeed{
		items:   make(chan func(kb.Sink) error, 256),
		stopped: make(chan struct{}),
		cancel:  cancel,
		result:  make(chan error, 1),
	}
	l.indexing.Add(1)
	go func() {
		defer l.indexing.Done()
		start := time.Now()
		err := l.index.Build(ictx, revision, func(sink kb.Sink) error {
			defer f.stop.Do(func() { close(f.stopped) })
			for call := range f.items {
				if err := call(sink); err != nil {
					return err
				}
			}
			return nil
		})
		f.stop.Do(func() { close(f.stopped) })
		cancel()
		switch {
		case err == nil:
			l.log.Info("search index built", "revision", short(revision), "took", time.Since(start))
		case ictx.Err() != nil:
			l.log.Info("search index build dropped", "revision", short(revision))
		default:
			l.log.Error("search index build failed", "revision", short(revision), "err", err)
		}
		f.result <- err
		close(f.result)
	}()
	return f
}

// tee returns a sink that hands every item to the build too, then to s.
func (f *indexFeed) tee(s kb.Sink) kb.Sink {
	return kb.Sink{
		Topic: func(t kb.Topic) error {
			f.send(func(ix kb.Sink) error { return ix.Topic(t) })
			return s.Topic(t)
		},
		System: func(x kb.System) error {
			f.send(func(ix kb.Sink) error { return ix.System(x) })
			return s.System(x)
		},
		Article: func(a kb.Article) error {
			f.send(func(ix kb.Sink) error { return ix.Article(a) })
			return s.Article(a)
		},
	}
}

// send passes one item to the build, unless it has stopped reading.
func (f *indexFeed) send(call func(kb.Sink) error) {
	select {
	case f.items <- call:
	case <-f.stopped:
	}
}

// finish ends the feed; the build completes in the background.
func (f *indexFeed) finish() { close(f.items) }

// abort drops the build; the old index stays.
func (f *indexFeed) abort() {
	f.cancel()
	close(f.items)
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
