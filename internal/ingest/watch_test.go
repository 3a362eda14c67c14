package ingest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"versa/internal/kb"
)

// watched is a content folder followed by Watch, with every reload's
// outcome on a channel.
type watched struct {
	dir     string
	store   *fakeStore
	results chan Result
	// failing says reload errors are expected (the folder is gone);
	// otherwise one fails the test.
	failing atomic.Bool
	// last is the store's content after the last reload, for a test that
	// reads it while the watcher goes on.
	last atomic.Pointer[kb.Content]
}

func startWatch(t *testing.T, opts WatchOptions) *watched {
	t.Helper()
	dir := t.TempDir()
	w := &watched{dir: dir, store: &fakeStore{}, results: make(chan Result, 64)}
	w.write(t, "t/topic.yaml", topic)
	w.write(t, "t/systems/a.md", "---\nname: A\n---\n")
	w.write(t, "t/systems/b.md", "---\nname: B\n---\n")
	l := New(os.DirFS(dir), w.store, &fakeIndex{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	opts.Reloaded = func(res Result, err error) {
		if err != nil && !w.failing.Load() {
			t.Errorf("reload: %v", err)
		}
		w.last.Store(w.store.content)
		w.results <- res
	}
	done := make(chan error, 1)
	go func() { done <- l.Watch(ctx, dir, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	// Watch adds its watches in its own goroutine: edit until it answers.
	for i := 0; ; i++ {
		w.write(t, "t/systems/a.md", fmt.Sprintf("---\nname: A%d\n---\n", i))
		select {
		case <-w.results:
			return w
		case <-time.After(time.Second):
			if i == 10 {
				t.Fatal("Watch saw no edit in 10 s")
			}
		}
	}
}

func (w *watched) write(t *testing.T, rel, data string) {
	t.Helper()
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestWatchBurst applies a burst of changes (a checkout of many files, and
// an editor's save dance of temporary file, rename, write and chmod) as one
// reload that sees all of them.
func TestWatchBurst(t *testing.T) {
	w := startWatch(t, WatchOptions{Quiet: 300 * time.Millisecond, MaxDelay: 10 * time.Second})

	// A checkout: twenty new files and one changed.
	for i := range 20 {
		w.write(t, fmt.Sprintf("t/systems/s%02d.md", i), fmt.Sprintf("---\nname: S%d\n---\n", i))
	}
	w.write(t, "t/systems/b.md", "---\nname: B2\n---\n")
	// Vim's save: probe file 4913, a backup by rename, the new file, chmod.
	a := filepath.Join(w.dir, "t/systems/a.md")
	w.write(t, "t/systems/4913", "")
	os.Remove(filepath.Join(w.dir, "t/systems/4913"))
	if err := os.Rename(a, a+"~"); err != nil {
		t.Fatal(err)
	}
	w.write(t, "t/systems/a.md", "---\nname: A saved\n---\n")
	if err := os.Chmod(a, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(a + "~")

	var res Result
	select {
	case res = <-w.results:
	case <-time.After(15 * time.Second):
		t.Fatal("no reload after the burst")
	}
	select {
	case again := <-w.results:
		t.Fatalf("a second reload for one burst: %+v", again)
	case <-time.After(600 * time.Millisecond):
	}
	if res.Full || res.Parsed != 22 || len(res.Problems) != 0 {
		t.Errorf("reload: full %v, parsed %d files, problems %v; want 22 files parsed incrementally, no problems",
			res.Full, res.Parsed, res.Problems)
	}
	names := systemNames(w.store.content)
	if len(names) != 22 || names["a"] != "A saved" || names["b"] != "B2" || names["s19"] != "S19" {
		t.Errorf("systems after the burst = %v", names)
	}
}

// TestWatchSteadyStream reloads during a stream of edits that never pauses
// for Quiet: MaxDelay bounds how long an edit can wait.
func TestWatchSteadyStream(t *testing.T) {
	w := startWatch(t, WatchOptions{Quiet: 200 * time.Millisecond, MaxDelay: 300 * time.Millisecond})
	stop := time.Now().Add(1500 * time.Millisecond)
	for i := 0; time.Now().Before(stop); i++ {
		w.write(t, "t/systems/b.md", fmt.Sprintf("---\nname: B%d\n---\n", i))
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(w.results); n < 2 {
		t.Errorf("%d reloads during 1.5 s of edits every 20 ms, want at least 2 (MaxDelay 300 ms)", n)
	}
}

// TestWatchFolderReplaced follows a content folder that is removed and made
// again (a deploy that swaps folders): the last good content stays, and
// once the folder is back it is watched again and loaded in full.
func TestWatchFolderReplaced(t *testing.T) {
	w := startWatch(t, WatchOptions{})
	w.failing.Store(true)
	if err := os.RemoveAll(w.dir); err != nil {
		t.Fatal(err)
	}
	// Reloads fail while the folder is gone; the store keeps its content.
	drain := time.After(500 * time.Millisecond)
	for waiting := true; waiting; {
		select {
		case <-w.results:
		case <-drain:
			waiting = false
		}
	}
	if names := systemNames(w.store.content); len(names) != 2 {
		t.Fatalf("systems while the folder is gone = %v, want the last good two", names)
	}
	w.write(t, "t/topic.yaml", topic)
	w.write(t, "t/systems/c.md", "---\nname: C\n---\n")
	deadline := time.After(10 * time.Second)
	for {
		select {
		case res := <-w.results:
			if names := systemNames(w.store.content); res.Full && len(names) == 1 && names["c"] == "C" {
				// Watched again: a later edit shows too.
				w.write(t, "t/systems/c.md", "---\nname: C2\n---\n")
				for {
					select {
					case <-w.results:
						if systemNames(w.store.content)["c"] == "C2" {
							return
						}
					case <-deadline:
						t.Fatal("an edit after the folder came back was not seen")
					}
				}
			}
		case <-deadline:
			t.Fatalf("the folder came back, but the store has %v", systemNames(w.store.content))
		}
	}
}

// TestPollFolderGone keeps the content while a polled folder is gone for a
// while, rather than reading its absence as every file deleted.
func TestPollFolderGone(t *testing.T) {
	w := startWatch(t, WatchOptions{Poll: 20 * time.Millisecond})
	moved := w.dir + ".away"
	if err := os.Rename(w.dir, moved); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-w.results:
		t.Fatalf("a reload while the folder was gone: %+v, systems %v", res, systemNames(w.store.content))
	case <-time.After(300 * time.Millisecond):
	}
	if err := os.Rename(moved, w.dir); err != nil {
		t.Fatal(err)
	}
	w.write(t, "t/systems/b.md", "---\nname: B back\n---\n")
	select {
	case <-w.results:
	case <-time.After(10 * time.Second):
		t.Fatal("no reload after the folder came back")
	}
	if names := systemNames(w.store.content); len(names) != 2 || names["b"] != "B back" {
		t.Errorf("systems = %v, want a and the edited b", names)
	}
}

// TestWatchIncludeChanged: an article that includes another file (the
// include shortcode) is parsed again, incrementally, when the included
// file changes, goes or comes back, and not when it is written unchanged.
func TestWatchIncludeChanged(t *testing.T) {
	w := startWatch(t, WatchOptions{Quiet: 300 * time.Millisecond, MaxDelay: 5 * time.Second})
	article := func(title, body string) string {
		return "---\ntitle: " + title + "\nsummary: S.\nupdated: 2026-01-01\n---\n" + body + "\n"
	}
	// next waits for the reloads of one edit: the first, and any that
	// follow within 600 ms (one save can be seen as two), summed; the
	// watcher is idle when it returns, so the store can be read.
	next := func(what string) Result {
		t.Helper()
		var sum Result
		select {
		case sum = <-w.results:
		case <-time.After(15 * time.Second):
			t.Fatalf("no reload after %s", what)
		}
		for {
			select {
			case res := <-w.results:
				sum.Full = sum.Full || res.Full
				sum.Parsed += res.Parsed
			case <-time.After(600 * time.Millisecond):
				return sum
			}
		}
	}
	guide := func() string {
		for _, a := range w.last.Load().Articles {
			if a.Slug == "guide" {
				return a.HTML
			}
		}
		return "(no guide)"
	}
	w.write(t, "t/articles/shared.md", article("Shared", "Shared words one."))
	w.write(t, "t/articles/guide.md", article("Guide", "Before.\n\n{{< include \"t/articles/shared.md\" >}}\n\nAfter."))
	next("adding the articles")
	if !strings.Contains(guide(), "Shared words one.") {
		t.Fatalf("guide does not include shared.md: %s", guide())
	}
	for _, step := range []struct {
		what, shared string // shared "" removes the file
		parsed       int
		want, not    string
	}{
		{"changing shared.md", article("Shared", "Shared words two."), 2, "Shared words two.", "Shared words one."},
		{"removing shared.md", "", 1, "After.", "Shared words"},
		{"bringing shared.md back", article("Shared", "Shared words three."), 2, "Shared words three.", ""},
	} {
		if step.shared == "" {
			if err := os.Remove(filepath.Join(w.dir, "t/articles/shared.md")); err != nil {
				t.Fatal(err)
			}
		} else {
			w.write(t, "t/articles/shared.md", step.shared)
		}
		res := next(step.what)
		if res.Full || res.Parsed != step.parsed {
			t.Errorf("%s: full %v, %d files parsed; want %d, incrementally", step.what, res.Full, res.Parsed, step.parsed)
		}
		if html := guide(); !strings.Contains(html, step.want) || (step.not != "" && strings.Contains(html, step.not)) {
			t.Errorf("%s: guide = %s; want %q in it, not %q", step.what, html, step.want, step.not)
		}
	}
	// shared.md written again unchanged: nothing to parse.
	w.write(t, "t/articles/shared.md", article("Shared", "Shared words three."))
	w.write(t, "t/systems/b.md", "---\nname: B again\n---\n")
	if res := next("writing shared.md unchanged"); res.Parsed != 1 {
		t.Errorf("shared.md written unchanged: %d files parsed, want 1 (b.md)", res.Parsed)
	}
}
