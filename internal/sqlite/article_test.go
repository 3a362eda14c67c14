package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

func articleKeys(as []kb.Article) []string {
	keys := make([]string, len(as))
	for i, a := range as {
		keys[i] = a.Topic + "/" + a.Slug
	}
	return keys
}

func TestListArticles(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	tests := []struct {
		name   string
		filter kb.ArticleFilter
		want   []string
	}{
		{
			// Newest first; the two of 2024-05-10 by title.
			name: "all",
			want: []string{"web/choosing-orm", "web/flask-tips", "web/django-vs-flask", "db/postgres-intro"},
		},
		{name: "topic", filter: kb.ArticleFilter{Topic: "db"}, want: []string{"db/postgres-intro"}},
		{name: "tag", filter: kb.ArticleFilter{Tag: "python"}, want: []string{"web/flask-tips", "web/django-vs-flask", "db/postgres-intro"}},
		{name: "tag and topic", filter: kb.ArticleFilter{Tag: "python", Topic: "web"}, want: []string{"web/flask-tips", "web/django-vs-flask"}},
		{name: "system", filter: kb.ArticleFilter{Topic: "web", System: "django"}, want: []string{"web/choosing-orm", "web/django-vs-flask"}},
		{name: "system and tag", filter: kb.ArticleFilter{Topic: "web", System: "flask", Tag: "comparison"}, want: []string{"web/django-vs-flask"}},
		{name: "limit", filter: kb.ArticleFilter{Limit: 2}, want: []string{"web/choosing-orm", "web/flask-tips"}},
		{name: "limit and offset", filter: kb.ArticleFilter{Limit: 2, Offset: 2}, want: []string{"web/django-vs-flask", "db/postgres-intro"}},
		{name: "offset only", filter: kb.ArticleFilter{Offset: 3}, want: []string{"db/postgres-intro"}},
		{name: "offset past the end", filter: kb.ArticleFilter{Offset: 10}, want: []string{}},
		{name: "unknown topic", filter: kb.ArticleFilter{Topic: "nope"}, want: []string{}},
		{name: "unknown tag", filter: kb.ArticleFilter{Tag: "nope"}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ListArticles(ctx, tt.filter)
			if err != nil {
				t.Fatalf("ListArticles: %v", err)
			}
			if diff := cmp.Diff(tt.want, articleKeys(got)); diff != "" {
				t.Errorf("ListArticles(%+v) (-want +got):\n%s", tt.filter, diff)
			}
		})
	}
}

// Lists carry what a list shows, and not the bodies.
func TestListArticlesFields(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	got, err := db.ListArticles(ctx, kb.ArticleFilter{Topic: "web", Tag: "comparison"})
	if err != nil {
		t.Fatalf("ListArticles: %v", err)
	}
	want := sampleContent().Articles[2]
	want.HTML, want.Matrices, want.Sections, want.Aliases = "", nil, nil, nil
	if diff := cmp.Diff([]kb.Article{want}, got, equateEmpty()); diff != "" {
		t.Errorf("ListArticles (-want +got):\n%s", diff)
	}
}

func TestListArticlesInvalid(t *testing.T) {
	db := loadDB(t)
	for _, f := range []kb.ArticleFilter{{Limit: -1}, {Offset: -1}} {
		if _, err := db.ListArticles(context.Background(), f); !errors.Is(err, kb.ErrInvalid) {
			t.Errorf("ListArticles(%+v) error = %v, want kb.ErrInvalid", f, err)
		}
	}
}

func TestListTags(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	tests := []struct {
		topic string
		want  []string
	}{
		{"", []string{"comparison", "intro", "orm", "python"}},
		{"web", []string{"comparison", "orm", "python"}},
		{"db", []string{"intro", "python"}},
		{"nope", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			got, err := db.ListTags(ctx, tt.topic)
			if err != nil {
				t.Fatalf("ListTags: %v", err)
			}
			// System tags (full-stack, micro) are not article tags.
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListTags(%q) (-want +got):\n%s", tt.topic, diff)
			}
		})
	}
}

func TestFindArticle(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	c := sampleContent()
	tests := []struct {
		topic, slug string
		want        kb.Article
	}{
		{"web", "django-vs-flask", c.Articles[2]},
		{"web", "flask-tips", c.Articles[3]},
		{"db", "postgres-intro", c.Articles[0]},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			got, err := db.FindArticle(ctx, tt.topic, tt.slug)
			if err != nil {
				t.Fatalf("FindArticle: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, equateEmpty()); diff != "" {
				t.Errorf("FindArticle (-want +got):\n%s", diff)
			}
			if got.Updated.Location() != time.UTC {
				t.Errorf("Updated = %v, want UTC", got.Updated)
			}
		})
	}
	_, err := db.FindArticle(ctx, "db", "django-vs-flask")
	wantNotFound(t, err, `article "django-vs-flask" in topic "db"`)
}

// ByWeight lists articles as Hugo does: lower weight first, the unweighted
// (0) last, then newest first and by title; a list carries the weight and
// the short title (linkTitle).
func TestListArticlesByWeight(t *testing.T) {
	ctx := context.Background()
	c := sampleContent()
	weights := map[string]int{"choosing-orm": 2, "flask-tips": 2, "django-vs-flask": -1}
	for i := range c.Articles {
		c.Articles[i].Order = weights[c.Articles[i].Slug]
		if c.Articles[i].Slug == "flask-tips" {
			c.Articles[i].ShortTitle = "Tips"
		}
	}
	db := openDB(t)
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		filter kb.ArticleFilter
		want   []string
	}{
		// -1 before 2; the two of weight 2 (of one day) by title; the unweighted last.
		{kb.ArticleFilter{ByWeight: true}, []string{"web/django-vs-flask", "web/choosing-orm", "web/flask-tips", "db/postgres-intro"}},
		{kb.ArticleFilter{ByWeight: true, Limit: 2, Offset: 1}, []string{"web/choosing-orm", "web/flask-tips"}},
		{kb.ArticleFilter{ByWeight: true, Topic: "web", System: "django"}, []string{"web/django-vs-flask", "web/choosing-orm"}},
		// Without ByWeight, newest first whatever the weights.
		{kb.ArticleFilter{}, []string{"web/choosing-orm", "web/flask-tips", "web/django-vs-flask", "db/postgres-intro"}},
	} {
		got, err := db.ListArticles(ctx, tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, articleKeys(got)); diff != "" {
			t.Errorf("ListArticles(%+v) (-want +got):\n%s", tt.filter, diff)
		}
		for _, a := range got {
			if a.Order != weights[a.Slug] || (a.ShortTitle == "Tips") != (a.Slug == "flask-tips") {
				t.Errorf("%s: weight %d, short title %q", a.Slug, a.Order, a.ShortTitle)
			}
		}
	}
}
