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
	"maps"
	"slices"
	"sync"
	"time"

	"versa/internal/content"
	"versa/internal/history"
	"versa/internal/kb"
)

// Store is what ingest writes to; *sqlite.DB satisfies it.
type Store interface {
	Revision(ctx context.Context) (kb.Revision, error)
	// LoadContent replaces the content in one transaction with what fill
	// streams into the sink; an error from fill leaves the old content.
	LoadContent(ctx context.Context, revision string, fill func(kb.Sink) ([]kb.Problem, error)) error
	// ApplyContent changes the content in one transaction: it deletes what
	// drop names, then adds what fill streams, as LoadContent does.
	ApplyContent(ctx context.Context, revision string, drop kb.Drop, fill func(kb.Sink) ([]kb.Problem, error)) error
	// SetProblems records the problems of the folder at revision refused,
	// whose content was not loaded; the store keeps serving what it has.
	SetProblems(ctx context.Context, refused string, problems []kb.Problem) error
}

// errKeepOld rolls back a load whose problems would replace good content.
var errKeepOld = errors.New("content has problems; keeping the last good load")

// Index is the search index kept in step with the store; *search.Index
// satisfies it. Build reads the content from what feed streams into its
// sink, and keeps the old index when ctx is cancelled.
type Index interface {
	Revision() string
	Build(ctx context.Context, revision string, feed func(kb.Sink) error) error
	// Update removes what drop names and indexes what feed streams; its
	// cost follows the size of the change.
	Update(ctx context.Context, revision string, drop kb.Drop, feed func(kb.Sink) error) error
}

// overlayLimit is how many documents incremental updates may pile up in the
// index before a reload folds them into a full build. *search.Index tells
// through OverlaySize.
const overlayLimit = 5000

// Loader loads one content folder into one store and, when it has one, one
// search index. Loads are serialised.
type Loader struct {
	fsys     fs.FS
	store    Store
	index    Index // nil: no search index
	log      *slog.Logger
	mu       sync.Mutex
	indexing sync.WaitGroup // the index build of the last load, if still running

	// state is the parse of the content the store holds, which an
	// incremental reload starts from; nil until a load parsed the folder.
	// pending holds paths changed since state that no reload applied yet
	// (because the content had problems and the store kept the old one);
	// stale says the last full load was refused, so the next reload is
	// full too.
	state   *content.State
	pending map[string]bool
	stale   bool
	// stateReady is closed once a reused store's State is parsed.
	stateReady chan struct{}

	// history, when set, records what each load changes; model is what
	// the loader knows of the content the store holds, to diff against
	// (nil until a load parsed the folder).
	history    History
	contentDir string
	model      *model
	modelRev   string // the revision model holds
	// recording is closed when the last load's recording is done (nil
	// before any); the next load waits for it before it reads model.
	recording chan struct{}
	// drafts loads unpublished articles too (--drafts).
	drafts bool
	// once: the loader loads once and its process exits (versa build).
	once bool
}

// SetDrafts makes every load include unpublished articles (drafts, a
// publishDate to come, an expiryDate passed), as `--drafts` asks.
func (l *Loader) SetDrafts(on bool) { l.drafts = on }

// SetOnce tells the loader it loads once, for a process that then exits
// (versa build): a load of the revision the store holds then parses
// nothing when the index is current and the history already records that
// revision, as no live reload will start from the parse.
func (l *Loader) SetOnce(on bool) { l.once = on }

// read reads the folder, with drafts when asked: that is part of the
// revision, so content loaded without them is never taken for the same.
func (l *Loader) read() (*content.Tree, error) {
	tree, err := content.Read(l.fsys)
	if err == nil && l.drafts {
		tree.IncludeDrafts()
	}
	return tree, err
}

// New returns a Loader of fsys into store and index (which may be nil).
func New(fsys fs.FS, store Store, index Index, log *slog.Logger) *Loader {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Loader{fsys: fsys, store: store, index: index, log: log, pending: map[string]bool{}}
}

// Result says what a load did.
type Result struct {
	Revision string        // the content revision now served
	Reused   bool          // the store already held this revision: nothing was parsed
	Applied  bool          // the store was rewritten with this load
	Files    int           // files read
	Problems []kb.Problem  // every problem of the folder as it is now
	Took     time.Duration // the store's part of the load
	Parsed   int           // files parsed (all of them for a full load)
	Full     bool          // the whole folder was read
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
	return l.load(ctx)
}

func (l *Loader) load(ctx context.Context) (Result, error) {
	l.waitState()
	l.waitRecording()
	l.indexing.Wait() // one index build at a time
	start := time.Now()
	tree, err := l.read()
	if err != nil {
		return Result{}, err
	}
	res := Result{Revision: tree.Revision, Files: len(tree.Files), Full: true}
	needIndex := l.index != nil && l.index.Revision() != tree.Revision
	cur, err := l.store.Revision(ctx)
	switch {
	case err == nil && cur.ID == tree.Revision:
		return l.reuse(ctx, tree, cur, needIndex, res, start)
	case err != nil && !errors.Is(err, kb.ErrNotFound):
		return Result{}, fmt.Errorf("read current revision: %w", err)
	}
	res, n, err := l.storeAll(ctx, tree, cur, err == nil, needIndex, res)
	if err != nil {
		return Result{}, err
	}
	res.Took = time.Since(start)
	res.Parsed = res.Files
	l.log.Info("content loaded", "revision", short(res.Revision), "applied", res.Applied,
		"files", res.Files, "systems", n.systems, "articles", n.articles,
		"problems", len(res.Problems), "took", res.Took)
	for _, p := range res.Problems {
		l.log.Warn("content problem", "problem", p.String())
	}
	return res, nil
}

// reuse answers a load of the revision the store already holds: nothing is
// written (but the problems of a refused load are cleared), and the folder
// is parsed in the background all the same when the loader has no state of
// it yet, as incremental reloads start from the parse and the index may
// need it (first run with search, or a damaged index).
func (l *Loader) reuse(ctx context.Context, tree *content.Tree, cur kb.Revision, needIndex bool, res Result, start time.Time) (Result, error) {
	if cur.Refused != "" {
		// The folder is back to the content being served, after a
		// refused load; that content loaded without problems.
		if err := l.store.SetProblems(ctx, "", nil); err != nil {
			return Result{}, fmt.Errorf("store problems: %w", err)
		}
		cur.Problems, cur.Refused = nil, ""
	}
	res.Reused, res.Problems, res.Took = true, cur.Problems, time.Since(start)
	l.log.Info("content unchanged", "revision", short(res.Revision), "files", res.Files, "took", res.Took)
	if !needIndex && l.state != nil && l.state.Revision() == tree.Revision {
		l.stale = false
		clear(l.pending)
		return res, nil
	}
	if !needIndex && l.once && l.recorded(ctx, tree.Revision) {
		return res, nil
	}
	sink := discard
	var feed *indexFeed
	if needIndex {
		feed = l.startIndex(ctx, tree.Revision)
		sink = feed.tee(discard)
		res.Indexed = feed.result
	}
	ready := make(chan struct{})
	l.state, l.stateReady = nil, ready
	var m *model
	var recorded chan struct{}
	if l.history != nil {
		m = newModel()
		sink = m.sink(sink)
		// Recorded once parsed: the history may not hold this revision
		// (another server's, or one recorded before a restart).
		recorded = make(chan struct{})
		l.recording = recorded
	}
	rctx := context.WithoutCancel(ctx)
	go func() {
		st, err := content.StreamState(tree, sink)
		if err != nil {
			if feed != nil {
				feed.abort()
			}
			close(ready)
			if recorded != nil {
				l.record(rctx, tree.Revision, nil, "", nil) // a baseline if history is empty
				close(recorded)
			}
			return
		}
		l.state, l.stale = st, false
		if m != nil {
			l.model, l.modelRev = m, tree.Revision
		}
		clear(l.pending)
		if feed != nil {
			feed.finish()
		}
		close(ready)
		if recorded != nil {
			l.record(rctx, tree.Revision, m, "", nil)
			close(recorded)
		}
	}()
	return res, nil
}

// recorded reports whether the history (if any) records revision last, so
// that a load of it has nothing to record.
func (l *Loader) recorded(ctx context.Context, revision string) bool {
	if l.history == nil {
		return true
	}
	last, err := l.history.Latest(ctx)
	return err == nil && last.ID == revision
}

// loadCounts counts what a full load streamed, for its log line.
type loadCounts struct{ systems, articles int }

// storeAll streams the whole parse of tree into the store (and the index, and
// the history's model), in one store transaction. Content with problems is
// refused when the store holds good content (loaded), which keeps serving:
// then only the problems are recorded, and the next reload reads the whole
// folder again.
func (l *Loader) storeAll(ctx context.Context, tree *content.Tree, cur kb.Revision, loaded, needIndex bool, res Result) (Result, loadCounts, error) {
	var n loadCounts
	var feed *indexFeed
	if needIndex {
		feed = l.startIndex(ctx, tree.Revision)
	}
	var state *content.State
	var next *model
	err := l.store.LoadContent(ctx, tree.Revision, func(sink kb.Sink) ([]kb.Problem, error) {
		counted := kb.Sink{
			Topic:   sink.Topic,
			System:  func(s kb.System) error { n.systems++; return sink.System(s) },
			Article: func(a kb.Article) error { n.articles++; return sink.Article(a) },
		}
		if l.history != nil {
			next = newModel()
			counted = next.sink(counted)
		}
		if feed != nil {
			counted = feed.tee(counted)
		}
		st, err := content.StreamState(tree, counted)
		if err != nil {
			return nil, err
		}
		state = st
		problems := st.Problems()
		res.Problems = problems
		if len(problems) > 0 && loaded && goodContent(cur) {
			return nil, errKeepOld
		}
		return problems, nil
	})
	switch {
	case err == nil:
		res.Applied = true
		l.state, l.stale = state, false
		clear(l.pending)
		if feed != nil {
			feed.finish()
			res.Indexed = feed.result
		}
		l.recordLoad(ctx, tree.Revision, next)
	case errors.Is(err, errKeepOld):
		if feed != nil {
			feed.abort() // the index keeps matching the store
		}
		if err := l.store.SetProblems(ctx, tree.Revision, res.Problems); err != nil {
			return res, n, fmt.Errorf("store problems: %w", err)
		}
		res.Revision = cur.ID
		l.stale = true // the next reload reads the whole folder again
	default:
		if feed != nil {
			feed.abort()
		}
		return res, n, fmt.Errorf("store content: %w", err)
	}
	return res, n, nil
}

// recordLoad records in the history what a full load changed, from the
// model of the last load (none on the first: a baseline).
func (l *Loader) recordLoad(ctx context.Context, revision string, next *model) {
	if l.history == nil {
		return
	}
	l.recordLater(ctx, func(ctx context.Context) {
		var changes []history.Change
		prev := l.modelRev
		if l.model != nil {
			changes = diff(l.model, next, l.model)
		}
		l.model, l.modelRev = next, revision
		l.record(ctx, revision, next, prev, changes)
	})
}

// Wait blocks until the index build of the last load, if any, and the
// recording of its changes in the history are done.
func (l *Loader) Wait() {
	l.indexing.Wait()
	l.mu.Lock()
	done := l.recording
	l.mu.Unlock()
	if done != nil {
		<-done
	}
}

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

// waitState waits for the background parse of a reused store, if any.
func (l *Loader) waitState() {
	if l.stateReady != nil {
		<-l.stateReady
		l.stateReady = nil
	}
}

// Reload brings the store and the index up to date with changes to the
// given paths (files or folders relative to the content folder, as a file
// watcher reports them). Only the files that changed are parsed, and the
// store and the index take the change in one transaction and one batch.
// A change that reaches past single systems and articles (a topic.yaml, a
// topic folder), or the first reload before any parse, loads the whole
// folder. As with Load, content with problems is refused while the store
// holds good content; its paths are tried again with the next reload, so
// fixing the mistake applies everything edited meanwhile.
func (l *Loader) Reload(ctx context.Context, paths []string) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waitState()
	l.waitRecording()
	if l.state == nil || l.stale {
		return l.load(ctx)
	}
	l.indexing.Wait() // a full build swaps its index in when done
	start := time.Now()
	for _, p := range paths {
		l.pending[p] = true
	}
	c, err := l.state.Change(l.fsys, slices.Collect(maps.Keys(l.pending)))
	if err != nil {
		return Result{}, err
	}
	if c.Full {
		return l.load(ctx)
	}
	res := Result{Revision: c.Revision, Files: c.Next().Files(), Problems: c.Problems, Parsed: c.Parsed}
	cur, err := l.store.Revision(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("read current revision: %w", err)
	}
	if !c.Changed(l.state) {
		return l.unchanged(ctx, c, cur, res, start)
	}
	if len(c.Problems) > 0 && goodContent(cur) {
		return l.refuse(ctx, c, cur, res, start)
	}
	indexCurrent := l.index != nil && l.index.Revision() == l.state.Revision()
	if err := l.apply(ctx, c); err != nil {
		return Result{}, err
	}
	res.Applied = true
	res.Took = time.Since(start)
	l.log.Info("content reloaded", "revision", short(res.Revision), "parsed", c.Parsed,
		"dropped", len(c.Drop.Systems)+len(c.Drop.Articles), "problems", len(c.Problems), "took", res.Took)
	for _, p := range c.Problems {
		l.log.Warn("content problem", "problem", p.String())
	}
	if l.index != nil {
		res.Indexed = l.reindex(ctx, c, indexCurrent)
	}
	return res, nil
}

// unchanged answers a reload whose files hold what the store serves (an
// edit undone, a file written again): nothing is written, but after a
// refused change its problems are cleared.
func (l *Loader) unchanged(ctx context.Context, c *content.Change, cur kb.Revision, res Result, start time.Time) (Result, error) {
	clear(l.pending)
	res.Took = time.Since(start)
	if cur.Refused == "" {
		res.Reused = true
		return res, nil
	}
	// Back to the content being served, after a refused change:
	// its mistakes are gone.
	if err := l.store.SetProblems(ctx, "", c.Problems); err != nil {
		return Result{}, fmt.Errorf("store problems: %w", err)
	}
	l.log.Info("content back to the revision served", "revision", short(res.Revision), "problems", len(c.Problems))
	return res, nil
}

// refuse records the problems of a change that the store, holding good
// content, does not take; its paths stay pending for the next reload.
func (l *Loader) refuse(ctx context.Context, c *content.Change, cur kb.Revision, res Result, start time.Time) (Result, error) {
	if err := l.store.SetProblems(ctx, c.Revision, c.Problems); err != nil {
		return Result{}, fmt.Errorf("store problems: %w", err)
	}
	res.Revision, res.Took = cur.ID, time.Since(start)
	l.log.Warn("content change refused: keeping the last good content", "problems", len(c.Problems))
	for _, p := range c.Problems {
		l.log.Warn("content problem", "problem", p.String())
	}
	return res, nil
}

// apply writes the change to the store in one transaction, moves the
// loader's state on, and records the change in the history.
func (l *Loader) apply(ctx context.Context, c *content.Change) error {
	var next *model
	err := l.store.ApplyContent(ctx, c.Revision, c.Drop, func(sink kb.Sink) ([]kb.Problem, error) {
		if l.history != nil && l.model != nil {
			next = newModel()
			sink = next.sink(sink)
		}
		return c.Problems, c.Stream(sink)
	})
	if err != nil {
		return fmt.Errorf("store content: %w", err)
	}
	l.state = c.Next()
	clear(l.pending)
	if l.history != nil {
		l.recordLater(ctx, func(ctx context.Context) {
			if next == nil {
				l.record(ctx, c.Revision, nil, "", nil)
				return
			}
			old := l.model.part(c.Drop)
			changes := diff(old, next, l.model)
			l.model.apply(old, next)
			prev := l.modelRev
			l.modelRev = c.Revision
			l.record(ctx, c.Revision, l.model, prev, changes)
		})
	}
	return nil
}

// reindex brings the search index up to the change: in place when it was
// current, with a small enough overlay; otherwise (the index is behind, as
// its last build failed or was dropped, or its overlay is full) it is built
// whole from the folder in the background, whose result is returned.
func (l *Loader) reindex(ctx context.Context, c *content.Change, current bool) <-chan error {
	if current {
		err := l.index.Update(ctx, c.Revision, c.Drop, c.Stream)
		if err == nil {
			if o, ok := l.index.(interface{ OverlaySize() int }); !ok || o.OverlaySize() <= overlayLimit {
				return nil
			}
		} else {
			l.log.Error("search index update failed; rebuilding", "err", err)
		}
	}
	tree, err := l.read()
	if err != nil {
		return nil // the next reload tries again
	}
	feed := l.startIndex(ctx, tree.Revision)
	go func() {
		if _, err := content.Stream(tree, feed.tee(discard)); err != nil {
			feed.abort()
			return
		}
		feed.finish()
	}()
	return feed.result
}

// goodContent reports whether the store serves content that loaded without
// problems: its problems, if any, are those of a refused reload.
func goodContent(cur kb.Revision) bool {
	return len(cur.Problems) == 0 || cur.Refused != ""
}
