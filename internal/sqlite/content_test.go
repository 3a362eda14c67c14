package sqlite

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sampleContent is a small load of two topics. Cells are given as a loader
// might: not all features, not in order.
func sampleContent() *kb.Content {
	return &kb.Content{
		Revision: "rev-1",
		Topics: []kb.Topic{
			{
				Slug: "db", Title: "Databases", Summary: "Where data lives.",
				Categories: []kb.Category{{Key: "core", Title: "Core"}},
				Features:   []kb.Feature{{Key: "sql", Name: "SQL", Category: "core", Description: "Speaks SQL.", Type: kb.TypeSupport}},
				Path:       "db/topic.yaml",
			},
			{
				Slug: "web", Title: "Python web frameworks", Summary: "Full-stack and micro frameworks.",
				Categories: []kb.Category{{Key: "security", Title: "Security"}, {Key: "data", Title: "Data and persistence"}},
				Features: []kb.Feature{
					{Key: "orm", Name: "Built-in ORM", Category: "data", Description: "Maps classes to tables.", Type: kb.TypeSupport},
					{Key: "admin", Name: "Admin", Category: "data", Type: kb.TypeSupport},
					{Key: "csrf", Name: "CSRF protection", Category: "security", Type: kb.TypeSupport},
					{Key: "first_release", Name: "First release", Category: "data", Type: kb.TypeYear},
				},
				Path: "web/topic.yaml",
			},
		},
		Systems: []kb.System{
			{
				Topic: "db", Slug: "postgres", Name: "PostgreSQL", Homepage: "https://www.postgresql.org/",
				Cells: []kb.Cell{{Feature: "sql", Support: kb.SupportYes}},
				Path:  "db/systems/postgres.md",
			},
			{Topic: "web", Slug: "bottle", Name: "bottle", Path: "web/systems/bottle.md"},
			{
				Topic: "web", Slug: "django", Name: "Django", Homepage: "https://www.djangoproject.com/",
				Summary: "Full-stack framework.", Tags: []string{"full-stack", "batteries-included"},
				Aliases: []string{"djangoproject"},
				Cells: []kb.Cell{
					{Feature: "orm", Support: kb.SupportYes},
					{Feature: "admin", Support: kb.SupportYes, Note: "Generated from the models", Checked: day("2026-12-01")},
					{Feature: "csrf", Support: kb.SupportYes, Since: "1.2"},
					{Feature: "first_release", Value: "2005"},
				},
				Sections: []kb.Section{
					{Kind: kb.KindBody, HTML: "<p>Overview.</p>", Text: "Overview."},
					{Kind: kb.KindPros, Heading: "Pros", Anchor: "pros", HTML: "<ul><li>ORM</li><li>Admin</li></ul>", Text: "ORM Admin", Items: []string{"ORM", "Admin"}},
					{Kind: kb.KindBody, Heading: "History", Anchor: "history", HTML: "<p>2005.</p>", Text: "2005."},
				},
				Path: "web/systems/django.md",
			},
			{Topic: "web", Slug: "fastapi", Name: "FastAPI", Path: "web/systems/fastapi.md"},
			{
				Topic: "web", Slug: "flask", Name: "Flask", Tags: []string{"micro"},
				Aliases: []string{"pallets-flask", "flask-py"},
				Cells: []kb.Cell{
					{Feature: "csrf", Support: kb.SupportUnknown, Note: "Through extensions"},
					{Feature: "orm", Support: kb.SupportPlugin, Via: "Flask-SQLAlchemy", Source: "https://flask-sqlalchemy.palletsprojects.com/"},
					{Feature: "admin", Support: kb.SupportUnknown, Checked: day("2025-06-30")},
				},
				Sections: []kb.Section{{Kind: kb.KindCons, Heading: "Cons", Anchor: "cons", HTML: "<ul><li>Small</li></ul>", Text: "Small", Items: []string{"Small"}}},
				Path:     "web/systems/flask.md",
			},
		},
		Articles: []kb.Article{
			{
				Topic: "db", Slug: "postgres-intro", Title: "Postgres, an introduction", Summary: "Why Postgres.",
				Systems: []string{"postgres"}, Tags: []string{"python", "intro"}, Updated: day("2023-01-01"),
				HTML: "<p>Hello.</p>", Path: "db/articles/postgres-intro.md",
			},
			{
				Topic: "web", Slug: "choosing-orm", Title: "Choosing an ORM", Summary: "ORMs compared.",
				Systems: []string{"django"}, Tags: []string{"orm"}, Updated: day("2024-05-10"),
				HTML: "<p>ORMs.</p>", Path: "web/articles/choosing-orm.md",
			},
			{
				Topic: "web", Slug: "django-vs-flask", Title: "Django vs Flask", Summary: "Two frameworks.",
				Systems: []string{"flask", "django"}, Tags: []string{"comparison", "python"},
				Aliases: []string{"django-flask"}, Updated: day("2024-03-01"),
				HTML: "<p>Intro.</p>" + kb.MatrixMarker(0) + "<h2 id=\"verdict\">Verdict</h2><p>Both.</p>",
				Matrices: []kb.Matrix{
					{Systems: []string{"django", "flask"}, Categories: []string{"data"}},
					{Systems: []string{"flask", "django"}, Features: []string{"csrf"}, Diff: true},
				},
				Sections: []kb.Section{
					{Kind: kb.KindBody, HTML: "<p>Intro.</p>", Text: "Intro."},
					{Kind: kb.KindBody, Heading: "Verdict", Anchor: "verdict", HTML: "<p>Both.</p>", Text: "Both."},
				},
				Path: "web/articles/django-vs-flask.md",
			},
			{
				Topic: "web", Slug: "flask-tips", Title: "Flask tips", Summary: "Small things.",
				Systems: []string{"flask"}, Tags: []string{"python"}, Updated: day("2024-05-10"),
				HTML: "<p>Tips.</p>", Path: "web/articles/flask-tips.md",
			},
		},
	}
}

func sampleProblems() []kb.Problem {
	return []kb.Problem{
		{Path: "web/systems/bottle.md", Line: 3, Msg: "unknown feature \"asgi\""},
		{Path: "db/topic.yaml", Line: 1, Msg: "summary is empty"},
	}
}

// loadDB opens a database holding sampleContent.
func loadDB(t *testing.T) *DB {
	t.Helper()
	db := openDB(t)
	if err := db.ReplaceContent(context.Background(), sampleContent(), sampleProblems()); err != nil {
		t.Fatalf("ReplaceContent: %v", err)
	}
	return db
}

func TestRevision(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)

	_, err := db.Revision(ctx)
	wantNotFound(t, err, "revision")

	before := time.Now()
	if err := db.ReplaceContent(ctx, sampleContent(), sampleProblems()); err != nil {
		t.Fatalf("ReplaceContent: %v", err)
	}
	after := time.Now()
	got, err := db.Revision(ctx)
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	if got.ID != "rev-1" {
		t.Errorf("Revision ID = %q, want %q", got.ID, "rev-1")
	}
	if got.LoadedAt.Before(before.Truncate(time.Microsecond)) || got.LoadedAt.After(after) || got.LoadedAt.Location() != time.UTC {
		t.Errorf("LoadedAt = %v, want a UTC time between %v and %v", got.LoadedAt, before, after)
	}
	if diff := cmp.Diff(sampleProblems(), got.Problems); diff != "" {
		t.Errorf("Problems (-want +got):\n%s", diff)
	}
}

func TestSetProblems(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		problems []kb.Problem
	}{
		{"replaced", []kb.Problem{{Path: "web/articles/x.md", Line: 12, Msg: "unknown system \"rails\""}}},
		{"cleared", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := loadDB(t)
			if err := db.SetProblems(ctx, "rev-bad", tt.problems); err != nil {
				t.Fatalf("SetProblems: %v", err)
			}
			got, err := db.Revision(ctx)
			if err != nil {
				t.Fatalf("Revision: %v", err)
			}
			if got.ID != "rev-1" {
				t.Errorf("Revision ID = %q, want %q: SetProblems must keep the content", got.ID, "rev-1")
			}
			if diff := cmp.Diff(tt.problems, got.Problems); diff != "" {
				t.Errorf("Problems (-want +got):\n%s", diff)
			}
			if _, err := db.FindSystem(ctx, "web", "django"); err != nil {
				t.Errorf("FindSystem after SetProblems: %v", err)
			}
		})
	}
}

// Before the first good load there is no revision, but problems still show.
func TestSetProblemsBeforeFirstLoad(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := db.SetProblems(ctx, "rev-bad", sampleProblems()); err != nil {
		t.Fatalf("SetProblems: %v", err)
	}
	_, err := db.Revision(ctx)
	wantNotFound(t, err, "revision")
	got, err := db.ListProblems(ctx)
	if err != nil {
		t.Fatalf("ListProblems: %v", err)
	}
	if diff := cmp.Diff(sampleProblems(), got); diff != "" {
		t.Errorf("ListProblems (-want +got):\n%s", diff)
	}
}

// A second load replaces every trace of the first.
func TestReplaceContentReplaces(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)

	c := sampleContent()
	c.Revision = "rev-2"
	c.Systems = c.Systems[:len(c.Systems)-1] // flask is gone
	c.Systems[2].Name = "Django 5"
	c.Articles = c.Articles[:2]
	c.Articles[1].Systems = nil
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatalf("second ReplaceContent: %v", err)
	}

	rev, err := db.Revision(ctx)
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	if rev.ID != "rev-2" || rev.Problems != nil {
		t.Errorf("Revision = %q with %d problems, want rev-2 with none", rev.ID, len(rev.Problems))
	}
	systems, err := db.ListSystems(ctx, "web")
	if err != nil {
		t.Fatalf("ListSystems: %v", err)
	}
	var names []string
	for _, s := range systems {
		names = append(names, s.Name)
	}
	if diff := cmp.Diff([]string{"bottle", "Django 5", "FastAPI"}, names); diff != "" {
		t.Errorf("ListSystems names (-want +got):\n%s", diff)
	}
	_, err = db.FindSystem(ctx, "web", "flask")
	wantNotFound(t, err, `"flask"`)
	_, err = db.ResolveAlias(ctx, "web", kb.AliasSystem, "flask-py")
	wantNotFound(t, err, `"flask-py"`)
	_, err = db.FindArticle(ctx, "web", "django-vs-flask")
	wantNotFound(t, err, `"django-vs-flask"`)

	articles, err := db.ListArticles(ctx, kb.ArticleFilter{})
	if err != nil {
		t.Fatalf("ListArticles: %v", err)
	}
	if got := articleKeys(articles); !cmp.Equal(got, []string{"web/choosing-orm", "db/postgres-intro"}) {
		t.Errorf("ListArticles = %v, want [web/choosing-orm db/postgres-intro]", got)
	}
	if articles[0].Systems != nil {
		t.Errorf("choosing-orm Systems = %v, want none", articles[0].Systems)
	}
	tags, err := db.ListTags(ctx, "")
	if err != nil {
		t.Fatalf("ListTags: %v", err)
	}
	if diff := cmp.Diff([]string{"intro", "orm", "python"}, tags); diff != "" {
		t.Errorf("ListTags (-want +got):\n%s", diff)
	}
}

// A failed load leaves the old content serving, whatever made it fail.
func TestReplaceContentRollsBack(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		change func(c *kb.Content)
	}{
		{
			name:   "duplicate system slug",
			ctx:    context.Background(),
			change: func(c *kb.Content) { c.Systems = append(c.Systems, c.Systems[2]) },
		},
		{
			name:   "duplicate alias",
			ctx:    context.Background(),
			change: func(c *kb.Content) { c.Systems[4].Aliases = append(c.Systems[4].Aliases, "djangoproject") },
		},
		{
			name: "cell of an unknown feature",
			ctx:  context.Background(),
			change: func(c *kb.Content) {
				c.Systems[1].Cells = []kb.Cell{{Feature: "asgi", Support: kb.SupportYes}}
			},
		},
		{
			name:   "system of an unknown topic",
			ctx:    context.Background(),
			change: func(c *kb.Content) { c.Systems[0].Topic = "nope" },
		},
		{
			name:   "cancelled context",
			ctx:    cancelled,
			change: func(c *kb.Content) {},
		},
		{
			name:   "context cancelled during the load",
			ctx:    &countdownContext{Context: context.Background(), left: 40},
			change: func(c *kb.Content) { *c = *benchContent(2, 10, 20, 200) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := loadDB(t)
			c := sampleContent()
			c.Revision = "rev-2"
			tt.change(c)
			err := db.ReplaceContent(tt.ctx, c, nil)
			if err == nil {
				t.Fatal("ReplaceContent succeeded, want an error")
			}
			t.Logf("ReplaceContent: %v", err)

			rev, err := db.Revision(ctx)
			if err != nil {
				t.Fatalf("Revision: %v", err)
			}
			if rev.ID != "rev-1" || len(rev.Problems) != 2 {
				t.Errorf("Revision = %q with %d problems, want rev-1 with 2", rev.ID, len(rev.Problems))
			}
			systems, err := db.ListSystems(ctx, "web")
			if err != nil {
				t.Fatalf("ListSystems: %v", err)
			}
			if len(systems) != 4 {
				t.Errorf("len(ListSystems) = %d, want 4", len(systems))
			}
			// The connection that failed went back to the pool in a usable state.
			for range 3 {
				if err := db.ReplaceContent(ctx, sampleContent(), nil); err != nil {
					t.Fatalf("ReplaceContent after the failure: %v", err)
				}
			}
		})
	}
}

// countdownContext is cancelled after its Done method was called left times:
// a way to cancel a load midway without depending on timing.
type countdownContext struct {
	context.Context
	mu   sync.Mutex
	left int
	done chan struct{}
}

func (c *countdownContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
	}
	if c.left--; c.left == 0 {
		close(c.done)
	}
	return c.done
}

func (c *countdownContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left <= 0 {
		return context.Canceled
	}
	return nil
}

// A load empties the content tables by name: tables added later for user
// data keep their rows.
func TestReplaceContentKeepsOtherTables(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	// Not snapshots, which a migration creates: any table a load does not name.
	if _, err := db.db.Exec(`CREATE TABLE user_notes (id TEXT PRIMARY KEY, url TEXT NOT NULL);
		INSERT INTO user_notes VALUES ('abc', '/compare/web/django-vs-flask')`); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceContent(ctx, sampleContent(), nil); err != nil {
		t.Fatalf("ReplaceContent: %v", err)
	}
	var n int
	if err := db.db.QueryRow(`SELECT COUNT(*) FROM user_notes`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("user_notes rows = %d, want 1", n)
	}
}

// A Reader keeps seeing the content it started with while another load
// commits.
func TestReadIsConsistent(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)

	next := sampleContent()
	next.Revision = "rev-2"
	next.Systems = next.Systems[:1] // web has no systems left
	next.Articles = nil

	err := db.Read(ctx, func(r *Reader) error {
		rev, err := r.Revision(ctx)
		if err != nil {
			return err
		}
		if rev.ID != "rev-1" {
			t.Fatalf("Revision = %q, want rev-1", rev.ID)
		}

		loaded := make(chan error)
		go func() { loaded <- db.ReplaceContent(ctx, next, nil) }()
		if err := <-loaded; err != nil {
			t.Fatalf("ReplaceContent during Read: %v", err)
		}
		current, err := db.Revision(ctx)
		if err != nil || current.ID != "rev-2" {
			t.Fatalf("Revision outside the Reader = %q, %v; want rev-2", current.ID, err)
		}

		if rev, err = r.Revision(ctx); err != nil || rev.ID != "rev-1" {
			t.Errorf("Reader's Revision after the load = %q, %v; want rev-1", rev.ID, err)
		}
		systems, err := r.ListSystems(ctx, "web")
		if err != nil {
			return err
		}
		if len(systems) != 4 {
			t.Errorf("Reader's ListSystems = %d systems, want the old 4", len(systems))
		}
		if _, err := r.FindArticle(ctx, "web", "django-vs-flask"); err != nil {
			t.Errorf("Reader's FindArticle: %v, want the old article", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}

	systems, err := db.ListSystems(ctx, "web")
	if err != nil {
		t.Fatalf("ListSystems: %v", err)
	}
	if len(systems) != 0 {
		t.Errorf("ListSystems after Read = %d systems, want 0", len(systems))
	}
}

func TestReadReturnsError(t *testing.T) {
	db := openDB(t)
	want := errors.New("stop")
	if err := db.Read(context.Background(), func(*Reader) error { return want }); !errors.Is(err, want) {
		t.Errorf("Read error = %v, want %v", err, want)
	}
}

func TestReplaceContentNil(t *testing.T) {
	db := openDB(t)
	if err := db.ReplaceContent(context.Background(), nil, nil); !errors.Is(err, kb.ErrInvalid) {
		t.Errorf("ReplaceContent(nil) error = %v, want kb.ErrInvalid", err)
	}
}

// The store's reads on a database that never had content are empty, not
// errors, except for finds.
func TestEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	topics, err := db.ListTopics(ctx)
	if err != nil || topics == nil || len(topics) != 0 {
		t.Errorf("ListTopics = %v, %v; want an empty list", topics, err)
	}
	articles, err := db.ListArticles(ctx, kb.ArticleFilter{})
	if err != nil || articles == nil || len(articles) != 0 {
		t.Errorf("ListArticles = %v, %v; want an empty list", articles, err)
	}
	_, err = db.FindTopic(ctx, "web")
	wantNotFound(t, err, `"web"`)
}

// TestLoadContentLargeTopics streams topics with more features than one
// insert batch holds: every topic row must be in before its features, or the
// foreign key fails.
func TestLoadContentLargeTopics(t *testing.T) {
	db := openDB(t)
	c := benchContent(3, 4, 600, 5)
	if err := db.ReplaceContent(context.Background(), c, nil); err != nil {
		t.Fatalf("ReplaceContent: %v", err)
	}
	topics, err := db.ListTopics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(topics) != 3 || len(topics[2].Features) != 600 {
		t.Fatalf("got %d topics, last with %d features; want 3 with 600", len(topics), len(topics[len(topics)-1].Features))
	}
}

// TestLoadContentFillError keeps the old content when the stream fails.
func TestLoadContentFillError(t *testing.T) {
	db := loadDB(t)
	ctx := context.Background()
	before, err := db.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	err = db.LoadContent(ctx, "new", func(sink kb.Sink) ([]kb.Problem, error) {
		if err := sink.Topic(kb.Topic{Slug: "x", Title: "X"}); err != nil {
			return nil, err
		}
		return nil, stop
	})
	if !errors.Is(err, stop) {
		t.Fatalf("LoadContent = %v, want the fill error", err)
	}
	after, err := db.Revision(ctx)
	if err != nil || after.ID != before.ID {
		t.Fatalf("revision after a failed load = %q, %v; want %q", after.ID, err, before.ID)
	}
	if _, err := db.FindTopic(ctx, "x"); !errors.Is(err, kb.ErrNotFound) {
		t.Errorf("FindTopic(x) = %v, want not found after rollback", err)
	}
}
