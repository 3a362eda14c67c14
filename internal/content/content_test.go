package content

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

const testTopic = `title: T
categories:
  - key: data
    title: Data
features:
  - key: orm
    name: ORM
    category: data
  - key: async
    name: Async
    category: data
  - key: year
    name: Year
    category: data
    type: year
  - key: dbs
    name: Databases
    category: data
    type: list
  - key: stars
    name: Stars
    category: data
    type: number
  - key: license
    name: Licence
    category: data
    type: text
`

// load parses an inline folder with topic t and fails on problems unless
// wantProblems.
func load(t *testing.T, files map[string]string) (*kb.Content, []kb.Problem) {
	t.Helper()
	fsys := fstest.MapFS{"t/topic.yaml": {Data: []byte(testTopic)}}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	c, problems, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c, problems
}

func system(t *testing.T, c *kb.Content, slug string) kb.System {
	t.Helper()
	for _, s := range c.Systems {
		if s.Slug == slug {
			return s
		}
	}
	t.Fatalf("system %q not loaded", slug)
	return kb.System{}
}

func TestCells(t *testing.T) {
	c, problems := load(t, map[string]string{"t/systems/a.md": `---
name: A
features:
  orm: yes
  async: {support: partial, since: 3.10, note: "Views only", via: ext, source: "https://example.org/a"}
  year: 2005
  dbs: [PostgreSQL, MySQL]
  stars: 1_000
  license: {value: BSD-3-Clause}
---
`, "t/systems/b.md": `---
name: B
features:
  orm: false
  async: true
  dbs: "SQLite, Oracle"
  license: unknown
---
`})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	a := system(t, c, "a")
	want := []kb.Cell{
		{Feature: "orm", Support: kb.SupportYes},
		{Feature: "async", Support: kb.SupportPartial, Since: "3.10", Note: "Views only", Via: "ext", Source: "https://example.org/a"},
		{Feature: "year", Value: "2005"},
		{Feature: "dbs", Value: "PostgreSQL, MySQL"},
		{Feature: "stars", Value: "1_000"},
		{Feature: "license", Value: "BSD-3-Clause"},
	}
	if diff := cmp.Diff(want, a.Cells); diff != "" {
		t.Errorf("cells of a (-want +got):\n%s", diff)
	}
	b := system(t, c, "b")
	wantB := []kb.Cell{
		{Feature: "orm", Support: kb.SupportNo},
		{Feature: "async", Support: kb.SupportYes},
		{Feature: "year", Support: kb.SupportUnknown},
		{Feature: "dbs", Value: "SQLite, Oracle"},
		{Feature: "stars", Support: kb.SupportUnknown},
		{Feature: "license", Support: kb.SupportUnknown},
	}
	if diff := cmp.Diff(wantB, b.Cells); diff != "" {
		t.Errorf("cells of b (-want +got):\n%s", diff)
	}
}

func TestCellProblems(t *testing.T) {
	tests := []struct {
		name, features, want string
	}{
		{"both support and value", "  orm: {support: yes, value: no}", `t/systems/a.md:5: feature orm: give "support" or "value", not both`},
		{"no support in map", "  orm: {note: hm}", "t/systems/a.md:5: feature orm has no support level: add `support: yes` (or partial, plugin, no, unknown)"},
		{"empty value", "  orm:", "t/systems/a.md:5: feature orm has an empty value: write yes, partial, plugin, no or unknown, or leave the feature out to show it as unknown"},
		{"list for support", "  orm: [yes]", "t/systems/a.md:5: feature orm (support) takes a single value, not a list"},
		{"bad number", "  stars: lots", `t/systems/a.md:5: feature stars is a number, but "lots" is not one: write digits like 42 or 3.5`},
		{"unknown cell key", "  orm: {support: yes, notes: x}", `t/systems/a.md:5: unknown field "notes" in feature orm (did you mean "note"?); known fields: support, value, note, since, via, source, checked`},
		{"support typo hint", "  orm: partal", `t/systems/a.md:5: feature orm: "partal" is not a support level: use yes, partial, plugin, no or unknown (did you mean "partial"?)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := load(t, map[string]string{"t/systems/a.md": "---\nname: A\nsummary: s\nfeatures:\n" + tt.features + "\n---\n"})
			if len(problems) != 1 || problems[0].String() != tt.want {
				t.Errorf("problems = %v, want [%s]", problems, tt.want)
			}
		})
	}
}

func TestSections(t *testing.T) {
	c, problems := load(t, map[string]string{"t/systems/a.md": `---
name: A
---
Lead paragraph.

## Advantages
- Fast, really *fast*
- Small

## Drawbacks:
- Young

## When to choose A
- APIs

## Best for
- Tiny apps

## Architecture
Text.
`})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	a := system(t, c, "a")
	type sec struct {
		Kind    kb.SectionKind
		Heading string
		Anchor  string
		Items   []string
	}
	var got []sec
	for _, s := range a.Sections {
		got = append(got, sec{s.Kind, s.Heading, s.Anchor, s.Items})
	}
	want := []sec{
		{kb.KindBody, "", "", nil},
		{kb.KindPros, "Advantages", "advantages", []string{"Fast, really fast", "Small"}},
		{kb.KindCons, "Drawbacks:", "drawbacks", []string{"Young"}},
		{kb.KindUseCases, "When to choose A", "when-to-choose-a", []string{"APIs"}},
		{kb.KindUseCases, "Best for", "best-for", []string{"Tiny apps"}},
		{kb.KindBody, "Architecture", "architecture", nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if a.Sections[0].Text != "Lead paragraph." {
		t.Errorf("lead Text = %q, want %q", a.Sections[0].Text, "Lead paragraph.")
	}
	if !strings.Contains(a.Sections[1].HTML, "<em>fast</em>") || strings.Contains(a.Sections[1].HTML, "<h2") {
		t.Errorf("pros HTML = %q, want the list without its heading", a.Sections[1].HTML)
	}
}

// TestSanitize holds hostile Markdown: raw HTML and unsafe links never reach
// the rendered page.
func TestSanitize(t *testing.T) {
	hostile := []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror=alert(1)>`,
		`[x](javascript:alert(1))`,
		`[x](JaVaScRiPt:alert(1))`,
		`[x](java&#x09;script:alert(1))`,
		`[x](vbscript:msgbox(1))`,
		`[x](data:text/html;base64,PHNjcmlwdD4=)`,
		`![x](data:image/svg+xml;base64,PHN2Zz4=)`,
		`<a href="javascript:alert(1)">x</a>`,
		`<iframe src="https://evil.example"></iframe>`,
		`[x](file:///etc/passwd)`,
		"<javascript:alert(1)>",
		`<div onclick="alert(1)">x</div>`,
	}
	for _, h := range hostile {
		t.Run(h, func(t *testing.T) {
			c, _ := load(t, map[string]string{"t/systems/a.md": "---\nname: A\n---\nBefore " + h + " after.\n"})
			html := system(t, c, "a").Sections[0].HTML
			low := strings.ToLower(html)
			for _, bad := range []string{"<script", `href="javascript`, `href="java`, `href="vbscript`, `href="data:`, `src="data:`, `href="file:`, "onerror", "onclick", "<iframe", `<img src="x"`, "<div"} {
				if strings.Contains(low, bad) {
					t.Errorf("HTML %q contains %q", html, bad)
				}
			}
			if !strings.Contains(html, "Before") || !strings.Contains(html, "after.") {
				t.Errorf("HTML %q lost the surrounding text", html)
			}
		})
	}
	c, _ := load(t, map[string]string{"t/systems/a.md": "---\nname: A\n---\n[ok](https://example.org/) [rel](/topics/t) [frag](#x) [mail](mailto:a@example.org)\n"})
	html := system(t, c, "a").Sections[0].HTML
	for _, keep := range []string{`href="https://example.org/"`, `href="/topics/t"`, `href="#x"`, `href="mailto:a@example.org"`} {
		if !strings.Contains(html, keep) {
			t.Errorf("HTML %q dropped safe link %s", html, keep)
		}
	}
}

func TestMarkdownFeatures(t *testing.T) {
	c, problems := load(t, map[string]string{
		"t/systems/a.md": "---\nname: A\n---\nx\n",
		"t/systems/b.md": "---\nname: B\n---\nx\n",
		"t/articles/x.md": "---\ntitle: X\nupdated: 2026-02-03\nsystems: [a, b]\n---\n" +
			"Intro[^1].\n\n[^1]: A note.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n## Go code\n\n```go\nfunc main() {}\n```\n\n" +
			"```matrix\ncategories: data\ndiff: true\n```\n\n```matrix\nsystems: b\nfeatures: orm, async\n```\n",
	})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	a := c.Articles[0]
	for _, want := range []string{
		`<table>`, `id="go-code"`, `class="footnotes"`, `<span class="kd">func</span>`,
		kb.MatrixMarker(0), kb.MatrixMarker(1),
	} {
		if !strings.Contains(a.HTML, want) {
			t.Errorf("article HTML lacks %q:\n%s", want, a.HTML)
		}
	}
	if strings.Contains(a.HTML, "style=") {
		t.Errorf("article HTML has inline styles, which the CSP forbids:\n%s", a.HTML)
	}
	wantM := []kb.Matrix{
		{Systems: []string{"a", "b"}, Categories: []string{"data"}, Diff: true},
		{Systems: []string{"b"}, Features: []string{"orm", "async"}},
	}
	if diff := cmp.Diff(wantM, a.Matrices); diff != "" {
		t.Errorf("matrices (-want +got):\n%s", diff)
	}
	if got := a.Updated.Format("2006-01-02"); got != "2026-02-03" {
		t.Errorf("Updated = %s, want 2026-02-03", got)
	}
}

func TestMatrixProblemLines(t *testing.T) {
	_, problems := load(t, map[string]string{
		"t/systems/a.md":  "---\nname: A\n---\n",
		"t/articles/x.md": "---\ntitle: X\nupdated: 2026-02-03\n---\nText.\n\n```matrix\nsystems: a\nfeatures: orm, nope\nshow: all\n```\n",
	})
	want := []string{
		`t/articles/x.md:9: matrix names unknown feature "nope" (known: orm, async, year, dbs, stars, license)`,
		`t/articles/x.md:10: unknown field "show" in a matrix block; known fields: systems, categories, features, diff`,
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestRevisionAndIgnoredFiles(t *testing.T) {
	base := fstest.MapFS{
		"t/topic.yaml":   {Data: []byte(testTopic)},
		"t/systems/a.md": {Data: []byte("---\nname: A\n---\n")},
		"README.md":      {Data: []byte("# not content")},
	}
	t1, err := Read(base)
	if err != nil {
		t.Fatal(err)
	}
	withJunk := fstest.MapFS{}
	for k, v := range base {
		withJunk[k] = v
	}
	for _, junk := range []string{"t/systems/.a.md.swp", "t/systems/a.md~", "t/systems/4913", "t/systems/.#a.md", ".git/HEAD", "t/systems/notes.txt"} {
		withJunk[junk] = &fstest.MapFile{Data: []byte("junk")}
	}
	t2, err := Read(withJunk)
	if err != nil {
		t.Fatal(err)
	}
	if t1.Revision != t2.Revision {
		t.Errorf("ignored files changed the revision")
	}
	if len(t2.Files) != 2 {
		t.Errorf("read %d files, want 2 (topic.yaml and a.md)", len(t2.Files))
	}
	base["t/systems/a.md"] = &fstest.MapFile{Data: []byte("---\nname: A2\n---\n")}
	t3, _ := Read(base)
	if t3.Revision == t1.Revision {
		t.Errorf("an edit left the revision unchanged")
	}
}

func TestLineEndingsAndBOM(t *testing.T) {
	c, problems := load(t, map[string]string{
		"t/systems/a.md": "\xef\xbb\xbf---\r\nname: A\r\nfeatures:\r\n  orm: yes\r\n---\r\n## Pros\r\n- x\r\n",
	})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	a := system(t, c, "a")
	if a.Name != "A" || a.Cells[0].Support != kb.SupportYes || len(a.Sections) != 1 || a.Sections[0].Kind != kb.KindPros {
		t.Errorf("CRLF/BOM file parsed as %+v", a)
	}
	// Classic Mac line endings (a lone CR) end lines too: the file parses,
	// and a problem names the line an editor shows.
	c, problems = load(t, map[string]string{
		"t/systems/b.md": "---\rname: B\rfeatures:\r  orm: yes\r  async: maybe\r---\r## Pros\r- y\r",
	})
	b := system(t, c, "b")
	if b.Name != "B" || b.Cells[0].Support != kb.SupportYes || len(b.Sections) != 1 {
		t.Errorf("CR file parsed as %+v", b)
	}
	if len(problems) != 1 || problems[0].Line != 5 {
		t.Errorf("problems = %v, want one on line 5", problems)
	}
}

// TestFeatureKeys accepts the keys public data sets use (any case, '.', '_'
// and '-') and refuses what would break a row anchor or a ?need= list.
func TestFeatureKeys(t *testing.T) {
	tests := []struct {
		key  string
		want string // the problem, or "" for none
	}{
		{key: "orm"},
		{key: "async_views"},
		{key: "es6.module"},
		{key: "css-grid"},
		{key: "HTTP2"},
		{key: "Secondary_Indexes"},
		{key: "x__y"},
		{key: "has space", want: `t/topic.yaml:3: bad feature key "has space": use letters, digits, and - _ . (no spaces or commas), starting with a letter or digit`},
		{key: "a,b", want: `t/topic.yaml:3: bad feature key "a,b": use letters, digits, and - _ . (no spaces or commas), starting with a letter or digit`},
		{key: "_private", want: `t/topic.yaml:3: bad feature key "_private": use letters, digits, and - _ . (no spaces or commas), starting with a letter or digit`},
		{key: "a/b", want: `t/topic.yaml:3: bad feature key "a/b": use letters, digits, and - _ . (no spaces or commas), starting with a letter or digit`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			fsys := fstest.MapFS{
				"t/topic.yaml":     {Data: []byte("title: T\nfeatures:\n  - key: \"" + tt.key + "\"\n    name: N\n")},
				"t/systems/one.md": {Data: []byte("---\nname: One\nfeatures:\n  \"" + tt.key + "\": yes\n---\n")},
			}
			c, problems, err := Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if tt.want == "" {
				if len(got) > 0 {
					t.Fatalf("problems = %q, want none", got)
				}
				if cell := c.Systems[0].Cell(tt.key); cell.Support != kb.SupportYes {
					t.Errorf("cell %s = %+v, want yes", tt.key, cell)
				}
				return
			}
			if !slices.Contains(got, tt.want) {
				t.Errorf("problems = %q, want %q among them", got, tt.want)
			}
		})
	}
}
