package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

// dump reads back everything a page can show, in one snapshot.
func dump(t *testing.T, db *DB) map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	err := db.Read(ctx, func(r *Reader) error {
		rev, err := r.Revision(ctx)
		if err != nil {
			return err
		}
		out["revision"], out["problems"] = rev.ID, rev.Problems
		topics, err := r.ListTopics(ctx)
		if err != nil {
			return err
		}
		out["topics"] = topics
		for _, tp := range topics {
			systems, err := r.ListSystems(ctx, tp.Slug)
			if err != nil {
				return err
			}
			out["systems/"+tp.Slug] = systems
			for _, s := range systems {
				for _, a := range s.Aliases {
					to, err := r.ResolveAlias(ctx, tp.Slug, kb.AliasSystem, a)
					if err != nil {
						return err
					}
					out["alias/"+tp.Slug+"/"+a] = to
				}
			}
			tags, err := r.ListTags(ctx, tp.Slug)
			if err != nil {
				return err
			}
			out["tags/"+tp.Slug] = tags
		}
		articles, err := r.ListArticles(ctx, kb.ArticleFilter{})
		if err != nil {
			return err
		}
		for _, a := range articles {
			full, err := r.FindArticle(ctx, a.Topic, a.Slug)
			if err != nil {
				return err
			}
			out["article/"+a.Topic+"/"+a.Slug] = full
			for _, al := range full.Aliases {
				to, err := r.ResolveAlias(ctx, a.Topic, kb.AliasArticle, al)
				if err != nil {
					return err
				}
				out["alias/"+a.Topic+"/"+al] = to
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dump: %v", err)
	}
	return out
}

// TestApplyContentMatchesReplace applies a change to the sample content and
// checks that every page's data is what a full load of the changed content
// gives.
func TestApplyContentMatchesReplace(t *testing.T) {
	ctx := context.Background()
	want := sampleContent()
	want.Revision = "rev-2"
	// flask goes, django changes, a system and an article arrive, an article goes.
	want.Systems = []kb.System{want.Systems[0], want.Systems[1], want.Systems[2], want.Systems[3],
		{Topic: "web", Slug: "pyramid", Name: "Pyramid", Aliases: []string{"pylons"}, Tags: []string{"micro"},
			Cells: []kb.Cell{{Feature: "orm", Support: kb.SupportNo}}, Path: "web/systems/pyramid.md"}}
	want.Systems[2].Name = "Django 5"
	want.Systems[2].Cells[0].Note = "Since forever"
	want.Systems[2].Aliases = []string{"dj"}
	want.Articles = []kb.Article{want.Articles[0], want.Articles[1], want.Articles[2],
		{Topic: "web", Slug: "pyramid-notes", Title: "Pyramid notes", Systems: []string{"pyramid"},
			Updated: day("2025-01-01"), HTML: "<p>P.</p>", Path: "web/articles/pyramid-notes.md"}}
	want.Articles[2].Systems = []string{"django"}
	problems := []kb.Problem{{Path: "web/articles/x.md", Line: 2, Msg: "new problem"}}

	full := openDB(t)
	if err := full.ReplaceContent(ctx, want, problems); err != nil {
		t.Fatal(err)
	}
	inc := loadDB(t)
	drop := kb.Drop{
		Systems:  []kb.Key{{Topic: "web", Slug: "flask"}, {Topic: "web", Slug: "django"}, {Topic: "web", Slug: "pyramid"}},
		Articles: []kb.Key{{Topic: "web", Slug: "flask-tips"}, {Topic: "web", Slug: "django-vs-flask"}, {Topic: "web", Slug: "pyramid-notes"}},
	}
	err := inc.ApplyContent(ctx, "rev-2", drop, func(sink kb.Sink) ([]kb.Problem, error) {
		for _, s := range []kb.System{want.Systems[2], want.Systems[4]} {
			if err := sink.System(s); err != nil {
				return nil, err
			}
		}
		for _, a := range []kb.Article{want.Articles[2], want.Articles[3]} {
			if err := sink.Article(a); err != nil {
				return nil, err
			}
		}
		return problems, nil
	})
	if err != nil {
		t.Fatalf("ApplyContent: %v", err)
	}
	if diff := cmp.Diff(dump(t, full), dump(t, inc)); diff != "" {
		t.Errorf("after ApplyContent (-full load +incremental):\n%s", diff)
	}
	// The old aliases of what was dropped no longer resolve.
	if _, err := inc.ResolveAlias(ctx, "web", kb.AliasSystem, "flask-py"); !errors.Is(err, kb.ErrNotFound) {
		t.Errorf("alias of a dropped system: err = %v, want not found", err)
	}

	// Dropping a topic and sending it again rebuilds it whole.
	err = inc.ApplyContent(ctx, "rev-2", kb.Drop{Topics: []string{"db"}}, func(sink kb.Sink) ([]kb.Problem, error) {
		if err := sink.Topic(want.Topics[0]); err != nil {
			return nil, err
		}
		if err := sink.System(want.Systems[0]); err != nil {
			return nil, err
		}
		return problems, sink.Article(want.Articles[0])
	})
	if err != nil {
		t.Fatalf("ApplyContent of a topic: %v", err)
	}
	if diff := cmp.Diff(dump(t, full), dump(t, inc)); diff != "" {
		t.Errorf("after dropping and adding a topic (-full load +incremental):\n%s", diff)
	}
}

func TestApplyContentRollsBack(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	before := dump(t, db)
	boom := errors.New("boom")
	err := db.ApplyContent(ctx, "rev-x", kb.Drop{Systems: []kb.Key{{Topic: "web", Slug: "django"}}}, func(sink kb.Sink) ([]kb.Problem, error) {
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	// A system of an unknown topic fails the change too.
	err = db.ApplyContent(ctx, "rev-x", kb.Drop{Systems: []kb.Key{{Topic: "web", Slug: "django"}}}, func(sink kb.Sink) ([]kb.Problem, error) {
		return nil, sink.System(kb.System{Topic: "nope", Slug: "x", Name: "X"})
	})
	if !errors.Is(err, kb.ErrInvalid) {
		t.Fatalf("system of an unknown topic: err = %v, want kb.ErrInvalid", err)
	}
	if diff := cmp.Diff(before, dump(t, db)); diff != "" {
		t.Errorf("a failed change changed the store (-before +after):\n%s", diff)
	}
}

// Snapshots are user data: an incremental change, even one that drops a
// whole topic, leaves them as they were.
func TestApplyContentKeepsSnapshots(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	s := sampleSnapshot("keep")
	if _, err := db.PutPin(ctx, s); err != nil {
		t.Fatal(err)
	}
	err := db.ApplyContent(ctx, "rev-2", kb.Drop{Topics: []string{"web"}}, func(kb.Sink) ([]kb.Problem, error) { return nil, nil })
	if err != nil {
		t.Fatal(err)
	}
	mustSnapshot(t, db, s)
}
