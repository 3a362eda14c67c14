package ingest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"versa/internal/content"
	"versa/internal/kb"
)

// fakeStore records what a load wrote.
type fakeStore struct {
	rev      kb.Revision
	loaded   bool
	content  *kb.Content
	replaces int
	applies  int
}

func (s *fakeStore) Revision(ctx context.Context) (kb.Revision, error) {
	if !s.loaded {
		return kb.Revision{}, kb.ErrNotFound
	}
	return s.rev, nil
}

func (s *fakeStore) LoadContent(ctx context.Context, revision string, fill func(kb.Sink) ([]kb.Problem, error)) error {
	c := &kb.Content{Revision: revision}
	problems, err := fill(kb.Sink{
		Topic:   func(t kb.Topic) error { c.Topics = append(c.Topics, t); return nil },
		System:  func(x kb.System) error { c.Systems = append(c.Systems, x); return nil },
		Article: func(a kb.Article) error { c.Articles = append(c.Articles, a); return nil },
	})
	if err != nil {
		return err
	}
	s.loaded, s.content = true, c
	s.rev = kb.Revision{ID: c.Revision, Problems: problems}
	s.replaces++
	return nil
}

func (s *fakeStore) ApplyContent(ctx context.Context, revision string, drop kb.Drop, fill func(kb.Sink) ([]kb.Problem, error)) error {
	c := *s.content
	c.Revision = revision
	c.Systems = slices.DeleteFunc(slices.Clone(c.Systems), func(x kb.System) bool {
		return slices.Contains(drop.Systems, kb.Key{Topic: x.Topic, Slug: x.Slug})
	})
	c.Articles = slices.DeleteFunc(slices.Clone(c.Articles), func(x kb.Article) bool {
		return slices.Contains(drop.Articles, kb.Key{Topic: x.Topic, Slug: x.Slug})
	})
	problems, err := fill(kb.Sink{
		Topic:   func(t kb.Topic) error { c.Topics = append(c.Topics, t); return nil },
		System:  func(x kb.System) error { c.Systems = append(c.Systems, x); return nil },
		Article: func(a kb.Article) error { c.Articles = append(c.Articles, a); return nil },
	})
	if err != nil {
		return err
	}
	s.content = &c
	s.rev = kb.Revision{ID: revision, Problems: problems}
	s.applies++
	return nil
}

func (s *fakeStore) SetProblems(ctx context.Context, refused string, problems []kb.Problem) error {
	s.rev.Problems, s.rev.Refused = problems, refused
	return nil
}

const topic = "title: T\nfeatures:\n  - key: orm\n    name: ORM\n"

func TestLoad(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"t/topic.yaml":   {Data: []byte(topic)},
		"t/systems/a.md": {Data: []byte("---\nname: A\nfeatures:\n  orm: yes\n---\n")},
	}
	store := &fakeStore{}
	l := New(fsys, store, nil, nil)

	res, err := l.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied || res.Reused || store.replaces != 1 {
		t.Fatalf("first load: %+v, replaces %d; want applied once", res, store.replaces)
	}
	first := res.Revision

	// Unchanged content is not parsed or written again.
	res, err = l.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reused || res.Applied || store.replaces != 1 {
		t.Fatalf("unchanged load: %+v, replaces %d; want reused", res, store.replaces)
	}

	// A bad edit keeps the last good content and records the problem.
	fsys["t/systems/a.md"] = &fstest.MapFile{Data: []byte("---\nname: A\nfeatures:\n  orm: maybe\n---\n")}
	res, err = l.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || res.Revision != first || store.replaces != 1 {
		t.Fatalf("bad load: %+v; want the first revision kept", res)
	}
	if len(store.rev.Problems) != 1 || store.rev.Problems[0].Line != 4 {
		t.Fatalf("stored problems = %v, want one at line 4", store.rev.Problems)
	}

	// Fixing it applies the new content and clears the problems.
	fsys["t/systems/a.md"] = &fstest.MapFile{Data: []byte("---\nname: A\nfeatures:\n  orm: partial\n---\n")}
	res, err = l.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied || res.Revision == first || len(store.rev.Problems) != 0 {
		t.Fatalf("fixed load: %+v, problems %v; want applied, none", res, store.rev.Problems)
	}
	if got := store.content.Systems[0].Cells[0].Support; got != kb.SupportPartial {
		t.Errorf("orm = %q, want partial", got)
	}
}

func TestLoadFirstWithProblems(t *testing.T) {
	// With nothing loaded yet, what is valid is served and the problems shown.
	fsys := fstest.MapFS{
		"t/topic.yaml":   {Data: []byte(topic)},
		"t/systems/a.md": {Data: []byte("---\nname: A\n---\n")},
		"t/systems/b.md": {Data: []byte("---\nname: [B\n---\n")},
	}
	store := &fakeStore{}
	res, err := New(fsys, store, nil, nil).Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied || len(res.Problems) != 1 || len(store.content.Systems) != 1 {
		t.Fatalf("first load with a bad file: %+v; want a applied, b reported", res)
	}
}

func TestLoadMissingFolder(t *testing.T) {
	_, err := New(fstest.MapFS{}, &fakeStore{}, nil, nil).Load(context.Background())
	if err != nil {
		t.Fatalf("empty folder: %v, want an empty load", err)
	}
}

// fakeIndex records what builds it was fed.
type fakeIndex struct {
	mu       sync.Mutex
	revision string
	systems  []string
	builds   int
	updates  int
}

func (x *fakeIndex) Revision() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.revision
}

func (x *fakeIndex) Build(ctx context.Context, revision string, feed func(kb.Sink) error) error {
	var systems []string
	err := feed(kb.Sink{
		Topic:   func(kb.Topic) error { return nil },
		System:  func(s kb.System) error { systems = append(systems, s.Slug); return nil },
		Article: func(kb.Article) error { return nil },
	})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err // a dropped build keeps the old index
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.revision, x.systems = revision, systems
	x.builds++
	return nil
}

func (x *fakeIndex) Update(ctx context.Context, revision string, drop kb.Drop, feed func(kb.Sink) error) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	systems := slices.DeleteFunc(slices.Clone(x.systems), func(s string) bool {
		return slices.ContainsFunc(drop.Systems, func(k kb.Key) bool { return k.Slug == s })
	})
	err := feed(kb.Sink{
		Topic:   func(kb.Topic) error { return nil },
		System:  func(s kb.System) error { systems = append(systems, s.Slug); return nil },
		Article: func(kb.Article) error { return nil },
	})
	if err != nil {
		return err
	}
	x.revision, x.systems = revision, systems
	x.updates++
	return nil
}

func TestLoadKeepsIndexInStep(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"t/topic.yaml":   {Data: []byte(topic)},
		"t/systems/a.md": {Data: []byte("---\nname: A\n---\n")},
		"t/systems/b.md": {Data: []byte("---\nname: B\n---\n")},
	}
	store, index := &fakeStore{}, &fakeIndex{}
	l := New(fsys, store, index, nil)

	// A cold load feeds the index from the same parse.
	res, err := l.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Indexed == nil {
		t.Fatal("Indexed = nil, want a build")
	}
	if err := <-res.Indexed; err != nil {
		t.Fatalf("index build: %v", err)
	}
	if index.Revision() != res.Revision || len(index.systems) != 2 {
		t.Fatalf("index at %q with %v, want %q with a and b", index.Revision(), index.systems, res.Revision)
	}

	// Unchanged content: nothing to build.
	res, err = l.Load(ctx)
	if err != nil || res.Indexed != nil || index.builds != 1 {
		t.Fatalf("unchanged load: %+v, %v, builds %d; want no build", res, err, index.builds)
	}

	// A bad edit keeps the old store content, so the index keeps it too.
	good := index.Revision()
	fsys["t/systems/b.md"] = &fstest.MapFile{Data: []byte("---\nname: [B\n---\n")}
	if _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	if index.Revision() != good || index.builds != 1 {
		t.Fatalf("index at %q after a refused load (builds %d), want %q", index.Revision(), index.builds, good)
	}

	// A store that is current with a stale index rebuilds the index alone.
	fsys["t/systems/b.md"] = &fstest.MapFile{Data: []byte("---\nname: B\n---\n")}
	index.revision = "stale"
	res, err = l.Load(ctx)
	if err != nil || !res.Reused || res.Indexed == nil {
		t.Fatalf("reuse with stale index: %+v, %v; want reused and a build", res, err)
	}
	if err := <-res.Indexed; err != nil || index.Revision() != res.Revision {
		t.Fatalf("rebuilt index at %q (%v), want %q", index.Revision(), err, res.Revision)
	}
}

func systemNames(c *kb.Content) map[string]string {
	out := map[string]string{}
	for _, s := range c.Systems {
		out[s.Slug] = s.Name
	}
	return out
}

func TestReload(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"t/topic.yaml":    {Data: []byte(topic)},
		"t/systems/a.md":  {Data: []byte("---\nname: A\n---\n")},
		"t/systems/b.md":  {Data: []byte("---\nname: B\n---\n")},
		"t/articles/x.md": {Data: []byte("---\ntitle: X\nupdated: 2026-01-01\nsystems: [a]\n---\nx\n")},
	}
	store, index := &fakeStore{}, &fakeIndex{}
	l := New(fsys, store, index, nil)
	if _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	want := func(step string, names map[string]string, replaces, applies int) {
		t.Helper()
		tree, err := content.Read(fsys)
		if err != nil {
			t.Fatal(err)
		}
		if store.rev.ID != tree.Revision {
			t.Errorf("%s: store at %.8s, the folder is at %.8s", step, store.rev.ID, tree.Revision)
		}
		if got := systemNames(store.content); !maps.Equal(got, names) {
			t.Errorf("%s: systems %v, want %v", step, got, names)
		}
		if store.replaces != replaces || store.applies != applies {
			t.Errorf("%s: %d full loads and %d changes, want %d and %d", step, store.replaces, store.applies, replaces, applies)
		}
		if index.Revision() != store.rev.ID {
			t.Errorf("%s: index at %.8s, store at %.8s", step, index.Revision(), store.rev.ID)
		}
	}

	// An edit is applied as a change, to the store and to the index.
	fsys["t/systems/a.md"] = &fstest.MapFile{Data: []byte("---\nname: A2\n---\n")}
	res, err := l.Reload(ctx, []string{"t/systems/a.md", "t/systems/.a.md.swp"})
	if err != nil || !res.Applied || res.Full || res.Parsed != 1 {
		t.Fatalf("reload of an edit: %+v, %v; want one file parsed and applied", res, err)
	}
	want("edit", map[string]string{"a": "A2", "b": "B"}, 1, 1)
	if index.updates != 1 || index.builds != 1 || !slices.Contains(index.systems, "a") {
		t.Errorf("index: %d updates, %d builds, systems %v; want one update keeping a", index.updates, index.builds, index.systems)
	}

	// A bad edit is refused; an edit made while it is broken waits, and
	// fixing the file applies both.
	fsys["t/systems/b.md"] = &fstest.MapFile{Data: []byte("---\nname: [B\n---\n")}
	res, err = l.Reload(ctx, []string{"t/systems/b.md"})
	if err != nil || res.Applied || len(store.rev.Problems) != 1 {
		t.Fatalf("bad edit: %+v, %v, problems %v; want refused with one problem", res, err, store.rev.Problems)
	}
	fsys["t/systems/c.md"] = &fstest.MapFile{Data: []byte("---\nname: C\n---\n")}
	if res, err = l.Reload(ctx, []string{"t/systems/c.md"}); err != nil || res.Applied {
		t.Fatalf("edit while broken: %+v, %v; want refused", res, err)
	}
	fsys["t/systems/b.md"] = &fstest.MapFile{Data: []byte("---\nname: B3\n---\n")}
	if res, err = l.Reload(ctx, []string{"t/systems/b.md"}); err != nil || !res.Applied || len(store.rev.Problems) != 0 {
		t.Fatalf("fix: %+v, %v; want applied with no problems", res, err)
	}
	want("fix", map[string]string{"a": "A2", "b": "B3", "c": "C"}, 1, 2)

	// A deleted file goes; an unchanged write is nothing.
	delete(fsys, "t/systems/c.md")
	if res, err = l.Reload(ctx, []string{"t/systems/c.md", "t/systems/a.md"}); err != nil || !res.Applied || res.Parsed != 0 {
		t.Fatalf("delete: %+v, %v; want applied with nothing parsed", res, err)
	}
	want("delete", map[string]string{"a": "A2", "b": "B3"}, 1, 3)
	if res, err = l.Reload(ctx, []string{"t/systems/a.md"}); err != nil || res.Applied || !res.Reused {
		t.Fatalf("unchanged write: %+v, %v; want nothing done", res, err)
	}

	// topic.yaml reaches every file of the topic: a full load.
	fsys["t/topic.yaml"] = &fstest.MapFile{Data: []byte(topic + "summary: S\n")}
	if res, err = l.Reload(ctx, []string{"t/topic.yaml"}); err != nil || !res.Applied || !res.Full {
		t.Fatalf("topic.yaml: %+v, %v; want a full load", res, err)
	}
	l.Wait()
	want("topic", map[string]string{"a": "A2", "b": "B3"}, 2, 3)
}

// A server that restarts on a current store parses in the background, and
// its first reload is incremental.
func TestReloadAfterReusedStart(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"t/topic.yaml":   {Data: []byte(topic)},
		"t/systems/a.md": {Data: []byte("---\nname: A\n---\n")},
	}
	store := &fakeStore{}
	if _, err := New(fsys, store, nil, nil).Load(ctx); err != nil {
		t.Fatal(err)
	}
	l := New(fsys, store, nil, nil) // a new process
	res, err := l.Load(ctx)
	if err != nil || !res.Reused {
		t.Fatalf("restart: %+v, %v; want reused", res, err)
	}
	fsys["t/systems/b.md"] = &fstest.MapFile{Data: []byte("---\nname: B\n---\n")}
	res, err = l.Reload(ctx, []string{"t/systems/b.md"})
	if err != nil || !res.Applied || res.Full || store.applies != 1 {
		t.Fatalf("first reload after restart: %+v, %v; want an incremental change", res, err)
	}
	if got := systemNames(store.content); !maps.Equal(got, map[string]string{"a": "A", "b": "B"}) {
		t.Errorf("systems %v, want a and b", got)
	}
}

// Undoing a refused edit clears its problems, by a change or a full load.
func TestRevertAfterRefusal(t *testing.T) {
	ctx := context.Background()
	for _, full := range []bool{false, true} {
		fsys := fstest.MapFS{
			"t/topic.yaml":   {Data: []byte(topic)},
			"t/systems/a.md": {Data: []byte("---\nname: A\n---\n")},
		}
		store := &fakeStore{}
		l := New(fsys, store, nil, nil)
		first, err := l.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		reload := func() {
			t.Helper()
			var err error
			if full {
				_, err = l.Load(ctx)
			} else {
				_, err = l.Reload(ctx, []string{"t/systems/a.md"})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		good := fsys["t/systems/a.md"]
		fsys["t/systems/a.md"] = &fstest.MapFile{Data: []byte("---\nname: [A\n---\n")}
		reload()
		if len(store.rev.Problems) != 1 || store.rev.Refused == "" || store.rev.ID != first.Revision {
			t.Fatalf("full=%v: after a bad edit: %+v; want the problem, refused, the first revision kept", full, store.rev)
		}
		fsys["t/systems/a.md"] = good
		reload()
		if len(store.rev.Problems) != 0 || store.rev.Refused != "" || store.rev.ID != first.Revision {
			t.Fatalf("full=%v: after undoing it: %+v; want no problems at the first revision", full, store.rev)
		}
	}
}

// TestDrafts: a draft article is loaded only with SetDrafts, which is a
// different revision; an edit that publishes it shows it on reload.
func TestDrafts(t *testing.T) {
	ctx := context.Background()
	fsys := fstest.MapFS{
		"t/topic.yaml":    {Data: []byte(topic)},
		"t/systems/a.md":  {Data: []byte("---\nname: A\n---\n")},
		"t/articles/x.md": {Data: []byte("---\ntitle: X\ndate: 2026-01-01\ndraft: true\n---\nx\n")},
	}
	articles := func(s *fakeStore) int { return len(s.content.Articles) }
	plain := &fakeStore{}
	res, err := New(fsys, plain, nil, nil).Load(ctx)
	if err != nil || len(res.Problems) > 0 {
		t.Fatal(err, res.Problems)
	}
	withDrafts := &fakeStore{}
	l := New(fsys, withDrafts, nil, nil)
	l.SetDrafts(true)
	resD, err := l.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if articles(plain) != 0 || articles(withDrafts) != 1 {
		t.Errorf("articles without and with drafts = %d, %d; want 0, 1", articles(plain), articles(withDrafts))
	}
	if res.Revision == resD.Revision {
		t.Errorf("both loads are revision %s", res.Revision)
	}
	// Publishing it: the plain loader's reload shows it.
	pl := New(fsys, plain, nil, nil)
	if _, err := pl.Load(ctx); err != nil {
		t.Fatal(err)
	}
	fsys["t/articles/x.md"] = &fstest.MapFile{Data: []byte("---\ntitle: X\ndate: 2026-01-01\ndraft: false\n---\nx\n")}
	if _, err := pl.Reload(ctx, []string{"t/articles/x.md"}); err != nil {
		t.Fatal(err)
	}
	if articles(plain) != 1 {
		t.Errorf("after publishing: %d articles, want 1", articles(plain))
	}
}
