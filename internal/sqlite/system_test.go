package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

func unknown(feature string) kb.Cell { return kb.Cell{Feature: feature, Support: kb.SupportUnknown} }

// The systems of the web topic as reads return them: every feature of the
// topic has a cell, in the topic's order. Django's file gave them all.
func wantDjango() kb.System { return sampleContent().Systems[2] }

func wantFlask() kb.System {
	s := sampleContent().Systems[4]
	s.Cells = []kb.Cell{
		{Feature: "orm", Support: kb.SupportPlugin, Via: "Flask-SQLAlchemy", Source: "https://flask-sqlalchemy.palletsprojects.com/"},
		{Feature: "admin", Support: kb.SupportUnknown, Checked: day("2025-06-30")}, // only the date: still stored
		{Feature: "csrf", Support: kb.SupportUnknown, Note: "Through extensions"},
		unknown("first_release"),
	}
	return s
}

func wantBare(slug, name string) kb.System {
	return kb.System{
		Topic: "web", Slug: slug, Name: name, Path: "web/systems/" + slug + ".md",
		Cells: []kb.Cell{unknown("orm"), unknown("admin"), unknown("csrf"), unknown("first_release")},
	}
}

func withoutSections(ss ...kb.System) []kb.System {
	out := make([]kb.System, len(ss))
	for i, s := range ss {
		s.Sections = nil
		out[i] = s
	}
	return out
}

func TestTopics(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	c := sampleContent()

	got, err := db.ListTopics(ctx)
	if err != nil {
		t.Fatalf("ListTopics: %v", err)
	}
	// By title: Databases, then Python web frameworks.
	if diff := cmp.Diff(c.Topics, got, equateEmpty()); diff != "" {
		t.Errorf("ListTopics (-want +got):\n%s", diff)
	}

	topic, err := db.FindTopic(ctx, "web")
	if err != nil {
		t.Fatalf("FindTopic: %v", err)
	}
	if diff := cmp.Diff(c.Topics[1], topic, equateEmpty()); diff != "" {
		t.Errorf("FindTopic (-want +got):\n%s", diff)
	}
	_, err = db.FindTopic(ctx, "nope")
	wantNotFound(t, err, `topic "nope"`)
}

func TestListSystems(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	tests := []struct {
		topic string
		want  []kb.System
	}{
		{
			// By name ignoring case: bottle before Django.
			topic: "web",
			want:  withoutSections(wantBare("bottle", "bottle"), wantDjango(), wantBare("fastapi", "FastAPI"), wantFlask()),
		},
		{topic: "db", want: withoutSections(sampleContent().Systems[0])},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			got, err := db.ListSystems(ctx, tt.topic)
			if err != nil {
				t.Fatalf("ListSystems: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, equateEmpty()); diff != "" {
				t.Errorf("ListSystems(%q) (-want +got):\n%s", tt.topic, diff)
			}
		})
	}
	_, err := db.ListSystems(ctx, "nope")
	wantNotFound(t, err, `topic "nope"`)
}

// A topic with no features still lists its systems, with no cells.
func TestListSystemsWithoutFeatures(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	c := &kb.Content{
		Revision: "r",
		Topics:   []kb.Topic{{Slug: "empty", Title: "Empty"}},
		Systems:  []kb.System{{Topic: "empty", Slug: "x", Name: "X"}},
	}
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatalf("ReplaceContent: %v", err)
	}
	got, err := db.ListSystems(ctx, "empty")
	if err != nil {
		t.Fatalf("ListSystems: %v", err)
	}
	if diff := cmp.Diff(c.Systems, got, equateEmpty()); diff != "" {
		t.Errorf("ListSystems (-want +got):\n%s", diff)
	}
}

func TestFindSystem(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	tests := []struct {
		slug string
		want kb.System
	}{
		{"django", wantDjango()},
		{"flask", wantFlask()},
		{"bottle", wantBare("bottle", "bottle")},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			got, err := db.FindSystem(ctx, "web", tt.slug)
			if err != nil {
				t.Fatalf("FindSystem: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, equateEmpty()); diff != "" {
				t.Errorf("FindSystem(%q) (-want +got):\n%s", tt.slug, diff)
			}
		})
	}

	_, err := db.FindSystem(ctx, "web", "rails")
	wantNotFound(t, err, `system "rails" in topic "web"`)
	_, err = db.FindSystem(ctx, "db", "django")
	wantNotFound(t, err, `system "django" in topic "db"`)
	_, err = db.FindSystem(ctx, "nope", "django")
	wantNotFound(t, err, `topic "nope"`)
}

func TestCompareSystems(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	tests := []struct {
		name    string
		slugs   []string
		want    []kb.System
		missing string // the slug a not-found error must name
	}{
		{
			name:  "in the order given",
			slugs: []string{"flask", "django"},
			want:  withoutSections(wantFlask(), wantDjango()),
		},
		{
			name:  "three",
			slugs: []string{"django", "fastapi", "flask"},
			want:  withoutSections(wantDjango(), wantBare("fastapi", "FastAPI"), wantFlask()),
		},
		{
			name:  "the same twice",
			slugs: []string{"django", "django"},
			want:  withoutSections(wantDjango(), wantDjango()),
		},
		{name: "none", slugs: nil, want: nil},
		{name: "one missing", slugs: []string{"django", "rails", "flask"}, missing: `system "rails" in topic "web"`},
		{name: "of another topic", slugs: []string{"postgres"}, missing: `system "postgres" in topic "web"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.CompareSystems(ctx, "web", tt.slugs)
			if tt.missing != "" {
				wantNotFound(t, err, tt.missing)
				return
			}
			if err != nil {
				t.Fatalf("CompareSystems: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, equateEmpty()); diff != "" {
				t.Errorf("CompareSystems(%q) (-want +got):\n%s", tt.slugs, diff)
			}
		})
	}
}

func TestResolveAlias(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	tests := []struct {
		name    string
		topic   string
		kind    string
		from    string
		want    string
		wantErr error
	}{
		{"system", "web", kb.AliasSystem, "djangoproject", "django", nil},
		{"second alias", "web", kb.AliasSystem, "flask-py", "flask", nil},
		{"article", "web", kb.AliasArticle, "django-flask", "django-vs-flask", nil},
		{"system alias asked as article", "web", kb.AliasArticle, "djangoproject", "", kb.ErrNotFound},
		{"other topic", "db", kb.AliasSystem, "djangoproject", "", kb.ErrNotFound},
		{"current slug is no alias", "web", kb.AliasSystem, "django", "", kb.ErrNotFound},
		{"bad kind", "web", "topic", "djangoproject", "", kb.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ResolveAlias(ctx, tt.topic, tt.kind, tt.from)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ResolveAlias error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveAlias: %v", err)
			}
			if got != tt.want {
				t.Errorf("ResolveAlias(%q, %q, %q) = %q, want %q", tt.topic, tt.kind, tt.from, got, tt.want)
			}
		})
	}
}
