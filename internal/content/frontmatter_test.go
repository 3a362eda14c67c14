package content

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

func article(t *testing.T, c *kb.Content, slug string) kb.Article {
	t.Helper()
	for _, a := range c.Articles {
		if a.Slug == slug {
			return a
		}
	}
	t.Fatalf("article %q not loaded", slug)
	return kb.Article{}
}

func problemStrings(ps []kb.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// TestHugoFrontMatter loads the front matter a Hugo site writes in YAML.
func TestHugoFrontMatter(t *testing.T) {
	c, problems := load(t, map[string]string{
		"t/systems/a.md": `---
name: A
description: What A is.
keywords: [fast]
categories: [open-source]
weight: 3
linkTitle: A!
layout: single
features:
  orm: yes
---
`,
		"t/articles/hugo.md": `---
title: From Hugo
description: Written for Hugo.
date: 2025-03-01T10:00:00+01:00
lastmod: 2025-04-02
tags: [go]
categories: [guides]
keywords: [ssg, go]
weight: 10
linkTitle: Hugo
draft: false
menu:
  main:
    weight: 2
toc: true
aliases: [/posts/old-hugo/, older-hugo]
params:
  author: Ann
  stars: 5
  seen: [a, b]
---
Body.
`,
		"t/articles/dated.md": `---
title: Only a date
date: 2024-12-31
---
`,
	})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problemStrings(problems))
	}
	a := article(t, c, "hugo")
	if a.Summary != "Written for Hugo." {
		t.Errorf("Summary = %q, want the description", a.Summary)
	}
	if want := time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC); !a.Updated.Equal(want) {
		t.Errorf("Updated = %v, want lastmod %v", a.Updated, want)
	}
	if diff := cmp.Diff([]string{"go", "guides", "ssg"}, a.Tags); diff != "" {
		t.Errorf("Tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"old-hugo", "older-hugo"}, a.Aliases); diff != "" {
		t.Errorf("Aliases (-want +got):\n%s", diff)
	}
	if a.Order != 10 || a.ShortTitle != "Hugo" {
		t.Errorf("Order, ShortTitle = %d, %q; want 10, Hugo", a.Order, a.ShortTitle)
	}
	if diff := cmp.Diff(map[string]any{"author": "Ann", "stars": int64(5), "seen": []any{"a", "b"}}, a.Params); diff != "" {
		t.Errorf("Params (-want +got):\n%s", diff)
	}
	if d := article(t, c, "dated"); !d.Updated.Equal(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Updated of a date-only article = %v, want 2024-12-31", d.Updated)
	}
	s := system(t, c, "a")
	if s.Summary != "What A is." || s.Order != 3 || s.ShortTitle != "A!" {
		t.Errorf("system Summary, Order, ShortTitle = %q, %d, %q", s.Summary, s.Order, s.ShortTitle)
	}
	if diff := cmp.Diff([]string{"fast", "open-source"}, s.Tags); diff != "" {
		t.Errorf("system Tags (-want +got):\n%s", diff)
	}
}

// TestJekyllFrontMatter: published: false is a draft, redirect_from old
// URLs, last_modified_at the updated date.
func TestJekyllFrontMatter(t *testing.T) {
	c, problems := load(t, map[string]string{
		"t/articles/jekyll.md": `---
layout: post
title: From Jekyll
date: 2020-01-01
last_modified_at: 2021-06-30
category: notes
permalink: /notes/jekyll/
redirect_from:
  - /2019/01/old-jekyll.html
---
`,
		"t/articles/hidden.md": `---
title: Hidden
date: 2020-01-01
published: false
---
`,
	})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problemStrings(problems))
	}
	a := article(t, c, "jekyll")
	if !a.Updated.Equal(time.Date(2021, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Updated = %v, want last_modified_at", a.Updated)
	}
	if diff := cmp.Diff([]string{"old-jekyll"}, a.Aliases); diff != "" {
		t.Errorf("Aliases (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"notes"}, a.Tags); diff != "" {
		t.Errorf("Tags (-want +got):\n%s", diff)
	}
	if len(c.Articles) != 1 {
		t.Errorf("loaded %d articles, want 1 (published: false is left out)", len(c.Articles))
	}
}

// TestDrafts: drafts, a publishDate to come and an expiryDate passed leave
// an article out, unless the tree includes drafts; each is still checked.
func TestDrafts(t *testing.T) {
	fsys := fstest.MapFS{"t/topic.yaml": {Data: []byte(testTopic)}}
	for name, fm := range map[string]string{
		"draft":   "draft: true",
		"future":  "publishDate: 2999-01-01",
		"expired": "expiryDate: 2001-01-01",
		"live":    "publishDate: 2001-01-01\nexpiryDate: 2999-01-01",
		"broken":  "draft: true\nsystems: [nope]",
	} {
		fsys["t/articles/"+name+".md"] = &fstest.MapFile{Data: []byte("---\ntitle: " + name + "\nupdated: 2026-01-01\n" + fm + "\n---\n")}
	}
	for _, drafts := range []bool{false, true} {
		tree, err := Read(fsys)
		if err != nil {
			t.Fatal(err)
		}
		plain := tree.Revision
		if drafts {
			tree.IncludeDrafts()
			if tree.Revision == plain {
				t.Errorf("IncludeDrafts kept the revision %s", plain)
			}
		}
		c, problems := Parse(tree)
		var got []string
		for _, a := range c.Articles {
			got = append(got, a.Slug)
		}
		want := []string{"live"}
		if drafts {
			want = []string{"broken", "draft", "expired", "future", "live"}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("drafts=%v: articles (-want +got):\n%s", drafts, diff)
		}
		if diff := cmp.Diff([]string{`t/articles/broken.md:5: systems names unknown system "nope" (none are defined): systems of t are the files in t/systems/`}, problemStrings(problems)); diff != "" {
			t.Errorf("drafts=%v: problems (-want +got):\n%s", drafts, diff)
		}
	}
}

// TestTOMLFrontMatter loads `+++` front matter with tables, dotted keys
// and inline tables, with problems at their file lines.
func TestTOMLFrontMatter(t *testing.T) {
	c, problems := load(t, map[string]string{
		"t/systems/a.md": `+++
name = "A"
tags = ["fast", "small"]
homepage = "https://a.example/"

[features]
orm = "yes"
async = { support = "partial", since = "3.10", note = "Views only" }
year = 2005
dbs = ["PostgreSQL", "MySQL"]
stars = 1_000
+++
## Pros
- Small
`,
		"t/articles/toml.md": `+++
title = "TOML article"
date = 2025-05-06T07:08:09Z
draft = false
categories = ["guides"]
params.author = "Bo"

[params.extra]
level = 2
+++
Text.
`,
	})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problemStrings(problems))
	}
	s := system(t, c, "a")
	want := []kb.Cell{
		{Feature: "orm", Support: kb.SupportYes},
		{Feature: "async", Support: kb.SupportPartial, Since: "3.10", Note: "Views only"},
		{Feature: "year", Value: "2005"},
		{Feature: "dbs", Value: "PostgreSQL, MySQL"},
		{Feature: "stars", Value: "1_000"},
		{Feature: "license", Support: kb.SupportUnknown},
	}
	if diff := cmp.Diff(want, s.Cells); diff != "" {
		t.Errorf("cells (-want +got):\n%s", diff)
	}
	if s.Name != "A" || s.Homepage != "https://a.example/" || len(s.Tags) != 2 || len(s.Sections) == 0 {
		t.Errorf("system = %+v", s)
	}
	a := article(t, c, "toml")
	if !a.Updated.Equal(time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC)) {
		t.Errorf("Updated = %v", a.Updated)
	}
	if diff := cmp.Diff(map[string]any{"author": "Bo", "extra": map[string]any{"level": int64(2)}}, a.Params); diff != "" {
		t.Errorf("Params (-want +got):\n%s", diff)
	}
}

// TestFrontMatterProblems: unknown keys still get "did you mean" (from
// Versa's and Hugo's keys), in YAML and TOML, at the right line.
func TestFrontMatterProblems(t *testing.T) {
	tests := []struct {
		name, file, src string
		want            []string
	}{
		{"misspelt hugo key", "t/articles/x.md", "---\ntitle: X\nupdated: 2026-01-01\nlastmdo: 2026-01-02\n---\n",
			[]string{`t/articles/x.md:4: unknown field "lastmdo" in article front matter (did you mean "lastmod"?); known fields: title, summary, systems, tags, updated, aliases, and Hugo's and Jekyll's (description, lastmod, weight, params ...)`}},
		{"misspelt toml key", "t/articles/x.md", "+++\ntitle = \"X\"\ndate = 2026-01-01\ndescripton = \"d\"\n+++\n",
			[]string{`t/articles/x.md:4: unknown field "descripton" in article front matter (did you mean "description"?); known fields: title, summary, systems, tags, updated, aliases, and Hugo's and Jekyll's (description, lastmod, weight, params ...)`}},
		{"toml syntax", "t/articles/x.md", "+++\ntitle = \"X\"\ndate = 2026-01-01\nbad = = 1\n+++\n",
			[]string{`t/articles/x.md:4: invalid TOML: unexpected character U+003D '=' at start of value`}},
		{"toml duplicate", "t/articles/x.md", "+++\ntitle = \"X\"\ntitle = \"Y\"\ndate = 2026-01-01\n+++\n",
			[]string{`t/articles/x.md:3: duplicate TOML key "title": give each key once`}},
		{"toml unclosed", "t/articles/x.md", "+++\ntitle = \"X\"\n",
			[]string{`t/articles/x.md:1: front matter is not closed: add a line "+++" after the last TOML field`}},
		{"toml unknown feature", "t/systems/s.md", "+++\nname = \"S\"\n[features]\norm = \"yes\"\norn = \"no\"\n+++\n",
			[]string{`t/systems/s.md:5: unknown feature "orn" (did you mean "orm"?): features are defined in t/topic.yaml`}},
		{"toml bad support", "t/systems/s.md", "+++\nname = \"S\"\nfeatures.orm = \"maybe\"\n+++\n",
			[]string{`t/systems/s.md:3: feature orm: "maybe" is not a support level: use yes, partial, plugin, no or unknown`}},
		{"bad weight", "t/articles/x.md", "---\ntitle: X\ndate: 2026-01-01\nweight: heavy\n---\n",
			[]string{`t/articles/x.md:4: weight "heavy" is not a whole number: write e.g. 10 (lower comes first)`}},
		{"draft on a system", "t/systems/s.md", "---\nname: S\ndraft: true\n---\n",
			[]string{`t/systems/s.md:3: draft is for articles: a system file is always published (move the file out of systems/ to hide it)`}},
		{"params not a mapping", "t/articles/x.md", "---\ntitle: X\ndate: 2026-01-01\nparams: [a, b]\n---\n",
			[]string{`t/articles/x.md:4: params must be a mapping of "key: value" lines, not a list`}},
		{"bad lastmod", "t/articles/x.md", "---\ntitle: X\nlastmod: soon\n---\n",
			[]string{`t/articles/x.md:3: lastmod "soon" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := load(t, map[string]string{tt.file: tt.src})
			if diff := cmp.Diff(tt.want, problemStrings(problems)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
