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
