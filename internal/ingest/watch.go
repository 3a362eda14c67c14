package ingest

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"versa/internal/content"
)

// WatchOptions tunes Watch.
type WatchOptions struct {
	// Poll, when set, compares the folder's files every Poll instead of
	// asking the kernel for events: for network and container filesystems
	// where inotify sees nothing.
	Poll time.Duration
	// Quiet is how long no event must come before a burst of events (an
	// editor's write-rename-chmod, a git checkout) is reloaded as one;
	// 0 means 15 ms. MaxDelay bounds how long a steady stream of events can
	// hold a reload back; 0 means 250 ms.
	Quiet, MaxDelay time.Duration
	// Reloaded is called after each reload, with its outcome.
	Reloaded func(Result, error)
}

// Watch follows the content folder dir (the one the Loader reads) until ctx
// ends, reloading what changes. It returns nil when ctx ends, and an error
// only if the folder cannot be watched at all.
func (l *Loader) Watch(ctx context.Context, dir string, opts WatchOptions) error {
	if opts.Quiet <= 0 {
		opts.Quiet = 15 * time.Millisecond
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = 250 * time.Millisecond
	}
	if opts.Reloaded == nil {
		opts.Reloaded = func(Result, error) {}
	}
	changes := make(chan string, 1024)
	errc := make(chan error, 1)
	if opts.Poll > 0 {
		go func() { errc <- poll(ctx, dir, opts.Poll, changes) }()
	} else {
		w, err := newWatcher(dir, l)
		if err != nil {
			return err
		}
		go func() { errc <- w.run(ctx, changes) }()
	}
	pending := map[string]bool{}
	var quiet, deadline <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			return err
		case p := <-changes:
			if len(pending) == 0 {
				deadline = time.After(opts.MaxDelay)
			}
			pending[p] = true
			quiet = time.After(opts.Quiet)
			continue
		case <-quiet:
		case <-deadline:
		}
		paths := slices.Sorted(func(yield func(string) bool) {
			for p := range pending {
				if !yield(p) {
					return
				}
			}
		})
		clear(pending)
		quiet, deadline = nil, nil
		var res Result
		var err error
		if slices.Contains(paths, ".") {
			res, err = l.Load(ctx) // the watcher lost track: read it all
		} else {
			res, err = l.Reload(ctx, paths)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			l.log.Error("content reload failed", "err", err)
		}
		opts.Reloaded(res, err)
	}
}

// watcher turns fsnotify events under a folder into paths relative to it,
// adding a watch to every folder, new ones included (inotify watches one
// folder at a time).
type watcher struct {
	root string
	fsw  *fsnotify.Watcher
	l    *Loader
}

func newWatcher(root string, l *Loader) (*watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{root: root, fsw: fsw, l: l}
	if err := w.addTree(root, nil); err != nil {
		fsw.Close()
		return nil, err
	}
	return w, nil
}

// addTree watches dir and the folders under it, skipping hidden ones
// (.git), and sends the files it finds when found is not nil: a folder that
// appears may already hold files whose events came before its watch.
func (w *watcher) addTree(dir string, found func(string)) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // gone meanwhile
		}
		if p != w.root && content.Ignored(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if err := w.fsw.Add(p); err != nil {
				if p == dir {
					return err
				}
				w.l.log.Warn("cannot watch folder", "folder", p, "err", err)
			}
			return nil
		}
		if found != nil {
			found(p)
		}
		return nil
	})
}

// rootRetry is how often a watcher looks for its folder once it is gone.
const rootRetry = 250 * time.Millisecond

func (w *watcher) run(ctx context.Context, changes chan<- string) error {
	defer w.fsw.Close()
	send := func(p string) {
		rel, err := filepath.Rel(w.root, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return
		}
		select {
		case changes <- filepath.ToSlash(rel):
		case <-ctx.Done():
		}
	}
	// When the folder itself goes (removed, or moved away by a deploy that
	// swaps folders), its watches go with it: look for it every
	// rootRetry, and watch it afresh and reload it all once it is back.
	var lost *time.Ticker
	var retry <-chan time.Time
	defer func() {
		if lost != nil {
			lost.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-retry:
			if fi, err := os.Stat(w.root); err != nil || !fi.IsDir() {
				continue
			}
			if err := w.addTree(w.root, nil); err != nil {
				w.l.log.Warn("cannot watch the content folder again", "folder", w.root, "err", err)
				continue
			}
			lost.Stop()
			lost, retry = nil, nil
			w.l.log.Info("the content folder is back", "folder", w.root)
			send(w.root)
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return nil
			}
			if ev.Name == w.root && (ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename)) && lost == nil {
				w.l.log.Error("the content folder is gone: serving the last good content until it is back", "folder", w.root)
				lost = time.NewTicker(rootRetry)
				retry = lost.C
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() && !content.Ignored(fi.Name()) {
					if err := w.addTree(ev.Name, send); err != nil {
						w.l.log.Warn("cannot watch new folder", "folder", ev.Name, "err", err)
					}
				}
			}
			send(ev.Name)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return nil
			}
			w.l.log.Warn("file watcher", "err", err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				send(w.root) // events were lost: reload everything
			}
		}
	}
}

// poll compares the folder's files (size, modification time, mode) every
// interval and sends the paths that changed, appeared or went.
func poll(ctx context.Context, root string, every time.Duration, changes chan<- string) error {
	type stamp struct {
		size int64
		mod  time.Time
		mode fs.FileMode
	}
	scan := func() map[string]stamp {
		m := map[string]stamp{}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if p != root && content.Ignored(d.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if info, err := d.Info(); err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(root, p)
				m[filepath.ToSlash(rel)] = stamp{info.Size(), info.ModTime(), info.Mode()}
			}
			return nil
		})
		return m
	}
	if _, err := os.Stat(root); err != nil {
		return err
	}
	last := scan()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		// A folder that is gone for a moment (a network filesystem's
		// hiccup, a deploy swapping folders) is not every file deleted:
		// wait for it, keeping the last good content.
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			continue
		}
		now := scan()
		for p, s := range now {
			if old, ok := last[p]; !ok || old != s {
				select {
				case changes <- p:
				case <-ctx.Done():
					return nil
				}
			}
		}
		for p := range last {
			if _, ok := now[p]; !ok {
				select {
				case changes <- p:
				case <-ctx.Done():
					return nil
				}
			}
		}
		last = now
	}
}
