package server

import (
	"encoding/json"
	"reflect"
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

// Hugo's params: are kept as free data: the API gives them back as written
// (YAML on the system, TOML on the article), the page shows none of them,
// and a file without params has no "params" in its document.
func TestHugoParamsKept(t *testing.T) {
	h := realServer(t, writeContent(t, map[string]string{
		"t/topic.yaml":     "title: T\nsummary: A topic.\nfeatures:\n  - key: f\n    name: F\n",
		"t/systems/a.md":   "---\nname: Alpha\nsummary: A system.\nparams:\n  logo: alpha.svg\n  rank: 3\n  maintainers: [ann, bob]\nfeatures:\n  f: yes\n---\nText.\n",
		"t/systems/b.md":   "---\nname: Beta\nsummary: Another.\nfeatures:\n  f: no\n---\nText.\n",
		"t/articles/on.md": "+++\ntitle = \"On Alpha\"\nsummary = \"About Alpha.\"\nsystems = [\"a\"]\ndate = 2026-01-02\n[params]\nhero = \"wide.png\"\nshow_toc = true\n+++\nText.\n",
	}))
	doc := func(target string) map[string]any {
		t.Helper()
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("GET %s = %d: %s", target, rec.Code, rec.Body.String())
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		return m
	}
	if got, want := doc("/api/topics/t/a")["params"], map[string]any{"logo": "alpha.svg", "rank": 3.0, "maintainers": []any{"ann", "bob"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("system params = %#v, want %#v", got, want)
	}
	if got, ok := doc("/api/topics/t/b")["params"]; ok {
		t.Errorf("a system without params has params %#v", got)
	}
	if got, want := doc("/api/articles/t/on")["params"], map[string]any{"hero": "wide.png", "show_toc": true}; !reflect.DeepEqual(got, want) {
		t.Errorf("article params = %#v, want %#v", got, want)
	}
	if body := get(t, h, "/topics/t/a").Body.String(); strings.Contains(body, "alpha.svg") {
		t.Errorf("the system page shows a param")
	}
}
