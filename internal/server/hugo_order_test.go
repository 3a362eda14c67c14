package server

import (
	"slices"
	"strings"
	"testing"
)

// Articles with Hugo front matter: a system's page lists the articles about
// it by weight (lower first, unweighted last, then newest first, then by
// title); /articles stays newest first, as the spec says. Every list shows
// the linkTitle, with the whole title on hover.
func TestHugoArticleOrder(t *testing.T) {
	article := func(title, extra, date string) string {
		return "---\ntitle: " + title + "\nsummary: About Alpha.\nsystems: [a]\ndate: " + date + "\n" + extra + "---\nText.\n"
	}
	h := realServer(t, writeContent(t, map[string]string{
		"t/topic.yaml":          "title: T\nsummary: A topic.\ncategories:\n  - key: c\n    title: C\nfeatures:\n  - key: f\n    name: F\n    category: c\n",
		"t/systems/a.md":        "---\nname: Alpha\nsummary: A system.\nfeatures:\n  f: yes\n---\nText.\n",
		"t/articles/newest.md":  article("Newest, unweighted", "", "2026-03-01"),
		"t/articles/second.md":  article("Weighted two, the long title", "weight: 2\nlinkTitle: Second\n", "2026-01-01"),
		"t/articles/first.md":   article("Weighted one", "weight: 1\n", "2025-01-01"),
		"t/articles/second2.md": article("Also weighted two, newer", "weight: 2\n", "2026-02-01"),
	}))
	titles := func(target string) []string {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", target, rec.Code)
		}
		var out []string
		for n := range parse(t, rec.Body.String()).Descendants() {
			if attr(n, "data-testid") == "article-link" {
				s := textOf(n)
				if full := attr(n, "title"); full != "" {
					s += " (" + full + ")"
				}
				out = append(out, strings.TrimSpace(s))
			}
		}
		return out
	}
	if got, want := titles("/topics/t/a"), []string{"Weighted one", "Also weighted two, newer", "Second (Weighted two, the long title)", "Newest, unweighted"}; !slices.Equal(got, want) {
		t.Errorf("system page articles:\n%q\nwant\n%q", got, want)
	}
	if got, want := titles("/articles"), []string{"Newest, unweighted", "Also weighted two, newer", "Second (Weighted two, the long title)", "Weighted one"}; !slices.Equal(got, want) {
		t.Errorf("/articles:\n%q\nwant\n%q", got, want)
	}
}
