package server

import (
	"slices"
	"testing"
)

// TestHomeRecentArticles: the home page lists the five newest articles,
// in the order /articles gives them (newest first, as the feed), and
// links to all of them.
func TestHomeRecentArticles(t *testing.T) {
	h, _ := bundled(t, Config{})
	home := send(h, "GET", "/")
	list := send(h, "GET", "/articles")
	if home.Code != 200 || list.Code != 200 {
		t.Fatalf("GET / = %d, GET /articles = %d", home.Code, list.Code)
	}
	all := attrs(parse(t, list.Body.String()), "article-link", "href")
	if len(all) <= homeArticles {
		t.Fatalf("/articles lists %d articles; the bundled content should have more than %d", len(all), homeArticles)
	}
	doc := parse(t, home.Body.String())
	if got, want := attrs(doc, "article-link", "href"), all[:homeArticles]; !slices.Equal(got, want) {
		t.Errorf("home articles = %v, want the newest %d: %v", got, homeArticles, want)
	}
	if got := attrs(doc, "all-articles", "href"); !slices.Equal(got, []string{"/articles"}) {
		t.Errorf("home's all-articles link = %v, want /articles", got)
	}
}

// TestCompareWithItself: /compare/{t}/django-vs-django leads to Django's
// page (303), which answers 200, not to a one-system table that is a 400.
func TestCompareWithItself(t *testing.T) {
	h, _ := bundled(t, Config{})
	rec := send(h, "GET", "/compare/python-web-frameworks/django-vs-django")
	if rec.Code != 303 || rec.Header().Get("Location") != "/topics/python-web-frameworks/django" {
		t.Fatalf("GET django-vs-django = %d to %q, want 303 to Django's page", rec.Code, rec.Header().Get("Location"))
	}
	if got := send(h, "GET", rec.Header().Get("Location")).Code; got != 200 {
		t.Errorf("Django's page = %d, want 200", got)
	}
}
