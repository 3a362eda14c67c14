package server

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkSnakeCase fails on any JSON object key that is not snake_case.
func checkSnakeCase(t *testing.T, path string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !snakeCase.MatchString(k) {
				t.Errorf("%s: key %q is not snake_case", path, k)
			}
			checkSnakeCase(t, path+"."+k, x)
		}
	case []any:
		for _, x := range v {
			checkSnakeCase(t, path+"[]", x)
		}
	}
}

func TestAPI(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")
	fetch := func(t *testing.T, target string, status int, out any) {
		t.Helper()
		rec := get(t, h, target)
		if rec.Code != status {
			t.Fatalf("GET %s = %d, want %d\n%s", target, rec.Code, status, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("GET %s: Content-Type = %q", target, ct)
		}
		var generic any
		if err := json.Unmarshal(rec.Body.Bytes(), &generic); err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		checkSnakeCase(t, target, generic)
		if out != nil {
			if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
				t.Fatalf("GET %s: %v", target, err)
			}
		}
	}

	t.Run("topics", func(t *testing.T) {
		var doc struct {
			Topics []apiTopicSummary `json:"topics"`
		}
		fetch(t, "/api/topics", 200, &doc)
		if len(doc.Topics) != 1 {
			t.Fatalf("topics = %+v", doc.Topics)
		}
		tp := doc.Topics[0]
		if tp.Slug != "web" || tp.Title != "Web frameworks" || tp.Summary == "" || tp.APIURL != "/api/topics/web" {
			t.Errorf("topic = %+v", tp)
		}
		if len(tp.Categories) != 2 || len(tp.Features) != 4 || tp.Features[2].Type != "year" || tp.Features[0].Type != "support" {
			t.Errorf("categories %+v features %+v", tp.Categories, tp.Features)
		}
		if len(tp.Systems) != 2 || tp.Systems[0] != (apiSystemRef{Slug: "django", Name: "Django", URL: "/topics/web/django"}) {
			t.Errorf("systems = %+v", tp.Systems)
		}
	})

	t.Run("topic", func(t *testing.T) {
		var doc apiTopic
		fetch(t, "/api/topics/web", 200, &doc)
		if doc.Slug != "web" || len(doc.Systems) != 2 || len(doc.Features) != 4 {
			t.Fatalf("topic = %+v", doc)
		}
		django, flask := doc.Systems[0], doc.Systems[1]
		if len(django.Cells) != 4 || len(flask.Cells) != 4 {
			t.Errorf("cells: every feature has one: %v %v", django.Cells, flask.Cells)
		}
		if c := django.Cells["csrf"]; c.Support != "yes" || c.Note != "Middleware on by default" {
			t.Errorf("django csrf = %+v", c)
		}
		if c := django.Cells["first_release"]; c.Value != "2005" || c.Support != "" {
			t.Errorf("django first_release = %+v", c)
		}
		if c := flask.Cells["license"]; c.Support != "unknown" || c.Value != "" {
			t.Errorf("flask license (missing) = %+v", c)
		}
		if c := flask.Cells["orm"]; c.Support != "plugin" || c.Via != "Flask-SQLAlchemy" {
			t.Errorf("flask orm = %+v", c)
		}
		if !slices.Equal(django.Aliases, []string{"djangoproject"}) || django.APIURL != "/api/topics/web/django" {
			t.Errorf("django = %+v", django)
		}
	})

	t.Run("system", func(t *testing.T) {
		var doc apiSystemDoc
		fetch(t, "/api/topics/web/django", 200, &doc)
		if doc.Topic.Slug != "web" || doc.Slug != "django" || doc.Homepage != "https://www.djangoproject.com/" || len(doc.Cells) != 4 {
			t.Errorf("system = %+v", doc)
		}
		var kinds []string
		for _, s := range doc.Sections {
			kinds = append(kinds, s.Kind)
			switch s.Kind {
			case "pros":
				if s.Heading != "Pros" || s.Anchor == "" || !slices.Equal(s.Items, []string{"Admin built in."}) {
					t.Errorf("pros = %+v", s)
				}
			case "cons":
				if !slices.Equal(s.Items, []string{"Large."}) {
					t.Errorf("cons = %+v", s)
				}
			}
		}
		if !slices.Contains(kinds, "pros") || !slices.Contains(kinds, "cons") {
			t.Errorf("section kinds = %v", kinds)
		}
		if !strings.Contains(doc.Sections[0].Text, "Django overview.") {
			t.Errorf("lead section = %+v", doc.Sections[0])
		}
	})

	t.Run("compare", func(t *testing.T) {
		var doc apiCompare
		fetch(t, "/api/compare/web/flask-vs-django?categories=security", 200, &doc)
		if len(doc.Systems) != 2 || doc.Systems[0].Slug != "flask" || len(doc.Categories) != 1 || doc.Categories[0].Key != "security" {
			t.Errorf("compare = %+v", doc)
		}
	})

	t.Run("articles", func(t *testing.T) {
		var doc apiArticleList
		fetch(t, "/api/articles?tag=choosing", 200, &doc)
		want := apiArticleRef{Topic: "web", Slug: "django-vs-flask", Title: "Django vs Flask", Summary: "Which one to pick.",
			Updated: "2026-01-15", Tags: []string{"choosing"}, Systems: []string{"django", "flask"},
			URL: "/articles/web/django-vs-flask", APIURL: "/api/articles/web/django-vs-flask"}
		if len(doc.Articles) != 1 || !reflect.DeepEqual(doc.Articles[0], want) || doc.Page != 1 || doc.Newer != nil || doc.Older != nil {
			t.Errorf("articles = %+v, want one: %+v", doc, want)
		}
	})

	t.Run("article", func(t *testing.T) {
		var doc apiArticle
		fetch(t, "/api/articles/web/django-vs-flask", 200, &doc)
		if doc.Title != "Django vs Flask" || doc.Topic.Slug != "web" || !strings.Contains(doc.HTML, "<!--versa:matrix:0-->") {
			t.Errorf("article = %+v", doc)
		}
		wantTables := []apiArticleTable{{Systems: []string{"django", "flask"}, Categories: []string{"data"}, Features: []string{},
			CompareURL: "/compare/web/django-vs-flask?categories=data", APIURL: "/api/compare/web/django-vs-flask?categories=data"}}
		if !reflect.DeepEqual(doc.Tables, wantTables) {
			t.Errorf("tables = %+v, want %+v", doc.Tables, wantTables)
		}
		if !slices.ContainsFunc(doc.Sections, func(s apiSection) bool { return s.Heading == "Verdict" }) {
			t.Errorf("sections = %+v, want a Verdict section", doc.Sections)
		}
		// The table's links lead to the same view.
		var cmp apiCompare
		fetch(t, doc.Tables[0].APIURL, 200, &cmp)
		if len(cmp.Categories) != 1 || cmp.Categories[0].Key != "data" {
			t.Errorf("table's compare = %+v", cmp)
		}
	})

	errs := []struct{ target, inMessage string }{
		{"/api/articles/web/nope", `has no article "nope"`},
		{"/api/articles/nope/django-vs-flask", `There is no topic "nope"`},
		{"/api/articles?topic=nope", `There is no topic "nope"`},
		{"/api/articles?tag=nope", `No article is tagged "nope"`},
		{"/api/articles?page=2", `There is no page 2`},
		{"/api/topics/nope", `There is no topic "nope"`},
		{"/api/topics/nope/django", `There is no topic "nope"`},
		{"/api/topics/web/rails", `has no system "rails"`},
		{"/api/topics/web/django/more", ""},
		{"/api/compare/nope/django-vs-flask", `There is no topic "nope"`},
		{"/api/compare/web/django-vs-rails", `has no system "rails"`},
		{"/api/compare/web/django-vs-flask.json", `has no system "flask.json"`},
		{"/api/compare/web/django-vs-flask?categories=speed", `has no category "speed"`},
		{"/api/compare/web/django-vs-flask?need=admin", `has no feature "admin"`},
		{"/api/nope", ""},
	}
	for _, tt := range errs {
		t.Run("404 "+tt.target, func(t *testing.T) {
			var e apiError
			fetch(t, tt.target, 404, &e)
			if e.Status != 404 || !strings.Contains(e.Message, tt.inMessage) {
				t.Errorf("error = %+v, want a message with %q", e, tt.inMessage)
			}
		})
	}
	t.Run("400 bad page", func(t *testing.T) {
		var e apiError
		fetch(t, "/api/articles?page=0", 400, &e)
		if e.Status != 400 || !strings.Contains(e.Message, "not a page number") {
			t.Errorf("error = %+v", e)
		}
	})
	t.Run("400 one system", func(t *testing.T) {
		var e apiError
		fetch(t, "/api/compare/web/django", 400, &e)
		if e.Status != 400 {
			t.Errorf("error = %+v", e)
		}
	})

	redirects := []routeCase{
		{name: "system alias", target: "/api/topics/web/djangoproject", status: 308, location: "/api/topics/web/django"},
		{name: "compare alias", target: "/api/compare/web/djangoproject-vs-flask?diff=1", status: 308, location: "/api/compare/web/django-vs-flask?diff=1"},
		{name: "compare form query", target: "/api/compare/web/django-vs-flask?category=data", status: 303, location: "/api/compare/web/django-vs-flask?categories=data"},
	}
	for _, tt := range redirects {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, h) })
	}
}
