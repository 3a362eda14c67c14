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

// Loader loads one content folder into one store. Loads are serialised.
type Loader struct {
	fsys  fs.FS
	store Store
	log   *slog.Logger
	mu    sync.Mutex
}

// New returns a Loader of fsys into store.
func New(fsys fs.FS, store Store, log *slog.Logger) *Loader {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Loader{fsys: fsys, store: store, log: log}
}

// Result says what a load did.
type Result struct {
	Revision string        // the content revision now served
	Reused   bool          // the store already held this revision: nothing was parsed
	Applied  bool          // the store was rewritten with this load
	Files    int           // files read
	Problems []kb.Problem  // every problem of the folder as it is now
	Took     time.Duration // the whole load
}

// Load reads the folder and brings the store up to date. Content with
// problems replaces the store only when the store holds nothing good to
// protect (first load, or content that had problems too); otherwise the last
// good content keeps serving and only the problems are recorded. The error is
// for failures of the folder or the store, not for content mistakes.
func (l *Loader) Load(ctx context.Context) (Result, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	start := time.Now()
	tree, err := content.Read(l.fsys)
	if err != nil {
		return Result{}, err
	}
	res := Result{Revision: tree.Revision, Files: len(tree.Files)}
	cur, err := l.store.Revision(ctx)
	switch {
	case err == nil && cur.ID == tree.Revision:
		res.Reused, res.Problems, res.Took = true, cur.Problems, time.Since(start)
		l.log.Info("content unchanged", "revision", short(res.Revision), "files", res.Files, "took", res.Took)
		return res, nil
	case err != nil && !errors.Is(err, kb.ErrNotFound):
		return Result{}, fmt.Errorf("read current revision: %w", err)
	}
	loaded := err == nil
	var systems, articles int
	err = l.store.LoadContent(ctx, tree.Revision, func(sink kb.Sink) ([]kb.Problem, error) {
		counted := kb.Sink{
			Topic:   sink.Topic,
			System:  func(s kb.System) error { systems++; return sink.System(s) },
			Article: func(a kb.Article) error { articles++; return sink.Article(a) },
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
	case errors.Is(err, errKeepOld):
		if err := l.store.SetProblems(ctx, res.Problems); err != nil {
			return Result{}, fmt.Errorf("store problems: %w", err)
		}
		res.Revision = cur.ID
	default:
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

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
