package content

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"
)

// fuzzSystemB is a valid second system, so that articles and matrices of
// the fuzzed files have two systems to name.
const fuzzSystemB = "---\nname: B\nfeatures:\n  orm: yes\n---\nB overview.\n\n## Pros\n- fast\n"

// FuzzParse feeds the loader a topic.yaml, a system file and an article of
// the fuzzer's making, beside a valid system. Whatever the input, the load
// must not panic; every problem names one of the files and a line in it;
// and no rendered HTML carries script, an event handler, or a link or
// image to a javascript:, vbscript: or data: URL.
//
// Run it with: go test -run='^$' -fuzz='^FuzzParse$' -fuzztime=60s ./internal/content
// The seeds are the fixtures of testdata/valid and testdata/broken, the
// hostile Markdown of TestSanitize and the corpus in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	valid := func(name string) string {
		b, err := os.ReadFile("testdata/valid/web/" + name)
		if err != nil {
			f.Fatal(err)
		}
		return string(b)
	}
	topic, django, article := valid("topic.yaml"), valid("systems/django.md"), valid("articles/django-vs-flask.md")
	f.Add(topic, django, article)
	f.Add(testTopic, "---\nname: A\nfeatures:\n  orm: {support: partial, note: \"x\", since: \"1\", source: https://e.org/}\n  year: 2005\n  dbs: [a, b]\n---\n", "---\ntitle: X\nupdated: 2026-01-02\nsystems: [a, b]\n---\n```matrix\nsystems: a, b\ncategories: data\n```\n")
	for _, h := range []string{
		`<script>alert(1)</script>`,
		`[x](java&#x09;script:alert(1))`,
		`[x](data:text/html;base64,PHNjcmlwdD4=)`,
		`![x](data:image/svg+xml;base64,PHN2Zz4=)`,
		`<a href="javascript:alert(1)">x</a>`,
		"<javascript:alert(1)>",
		"[x]: javascript:alert(1)\n\n[y][x]",
		`<div onclick="alert(1)">x</div>`,
	} {
		f.Add(testTopic, "---\nname: A\n---\n"+h+"\n\n## Pros\n- "+h+"\n", "---\ntitle: X\nupdated: 2026-01-02\nsystems: [a, b]\n---\n"+h+"\n")
	}
	// Hugo: TOML front matter and shortcodes, escaped and in fences.
	f.Add(testTopic, "+++\nname = \"A\"\n[features]\norm = \"yes\"\n+++\n{{< note >}}\nx\n", "+++\ntitle = \"X\"\ndate = 2026-01-02\n+++\n{{</*/>}} {{< figure src=\"a\" >}}\n```\n{{< x >}}\n```\n{{% tip %}}y{{% /tip %}} {{< highlight go >}}\nz\n")
	f.Add("", "", "")
	f.Add("title: [", "---\n", "---\ntitle: x\n")
	f.Add("\xef\xbb\xbftitle: T\r\n", "---\r\nname: A\r\n---\r\n\xff\xfe", "no front matter")

	f.Fuzz(func(t *testing.T, topicYAML, systemMD, articleMD string) {
		files := map[string]string{
			"t/topic.yaml":      topicYAML,
			"t/systems/a.md":    systemMD,
			"t/systems/b.md":    fuzzSystemB,
			"t/articles/x.md":   articleMD,
			"t/articles/y-z.md": articleMD, // the same text under a second slug: duplicates, aliases
		}
		fsys := fstest.MapFS{}
		for p, s := range files {
			fsys[p] = &fstest.MapFile{Data: []byte(s)}
		}
		tree, err := Read(fsys)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		c, problems := Parse(tree)
		for _, p := range problems {
			src, ok := files[p.Path]
			if !ok {
				t.Errorf("problem %q names a file that does not exist", p)
				continue
			}
			// Lines end in LF, CRLF or a lone CR, as YAML and CommonMark
			// read them.
			if lines := strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(src, "\r\n", ""), "\r") + 1; p.Line < 1 || p.Line > lines {
				t.Errorf("problem %q: line %d outside the file's %d lines", p, p.Line, lines)
			}
			if p.Msg == "" {
				t.Errorf("problem at %s:%d has no message", p.Path, p.Line)
			}
		}
		for _, s := range c.Systems {
			checkURL(t, s.Path+" homepage", s.Homepage)
			for _, cell := range s.Cells {
				checkURL(t, s.Path+" source of "+cell.Feature, cell.Source)
			}
			for _, sec := range s.Sections {
				checkHTML(t, s.Path, sec.HTML)
			}
		}
		for _, a := range c.Articles {
			checkHTML(t, a.Path, a.HTML)
			for _, sec := range a.Sections {
				checkHTML(t, a.Path, sec.HTML)
			}
		}
	})
}

// checkURL fails unless u is empty or an http(s) URL.
func checkURL(t *testing.T, what, u string) {
	t.Helper()
	if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		t.Errorf("%s = %q, not an http(s) URL", what, u)
	}
}

// checkHTML fails if rendered content could run script or load a URL of an
// unsafe scheme.
func checkHTML(t *testing.T, path, s string) {
	t.Helper()
	for _, f := range unsafeHTML(s) {
		t.Errorf("%s: %s in %q", path, f, s)
	}
}

// unsafeHTML parses HTML as a browser would and lists what could run
// script or load a URL of a scheme other than http(s) (and mailto links).
func unsafeHTML(s string) []string {
	var found []string
	if strings.Contains(strings.ToLower(s), "<script") {
		found = append(found, "<script")
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return found
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "iframe", "object", "embed", "style", "link", "meta", "base", "form", "svg", "math":
			found = append(found, "a <"+tok.Data+"> element")
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") || key == "style" || key == "srcdoc" || key == "formaction" {
				found = append(found, "attribute "+key)
			}
			if key == "href" || key == "src" || key == "action" || key == "xlink:href" || key == "poster" {
				if scheme := urlScheme(a.Val); scheme != "" && scheme != "http" && scheme != "https" && !(scheme == "mailto" && key == "href") {
					found = append(found, key+" with scheme "+scheme)
				}
			}
		}
	}
}

// urlScheme is the scheme a browser reads from an attribute value (already
// unescaped by the tokenizer), as the URL standard reads it: control
// characters and spaces at the start, tabs and newlines anywhere, are
// ignored. "" means a relative URL.
func urlScheme(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.TrimLeft(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	colon := strings.IndexByte(v, ':')
	if colon <= 0 {
		return ""
	}
	for i, r := range v[:colon] {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return "" // not a scheme: the colon is in a path
		}
	}
	return strings.ToLower(v[:colon])
}

// TestFuzzOracles holds FuzzParse's checks to catching what they exist for.
func TestFuzzOracles(t *testing.T) {
	for _, s := range []string{
		`<script>x</script>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" java&#x09;script:alert(1)">x</a>`,
		`<a href="JAVASCRIPT:x">x</a>`,
		`<img src="data:image/png;base64,AAAA">`,
		`<a href="vbscript:x">x</a>`,
		`<img src="mailto:a@e.org">`,
		`<p onclick="x">x</p>`,
		`<iframe src="https://e.org"></iframe>`,
	} {
		if len(unsafeHTML(s)) == 0 {
			t.Errorf("unsafeHTML(%q) found nothing", s)
		}
	}
	for _, s := range []string{
		`<a href="https://e.org/">x</a>`,
		`<a href="/topics/t">x</a>`,
		`<a href="#f">x</a>`,
		`<a href="mailto:a@e.org">x</a>`,
		`<a href="a b:c">x</a>`,
		`<img src="/x.png" alt="javascript:x">`,
		`<p>&lt;script&gt; javascript:x</p>`,
	} {
		if f := unsafeHTML(s); len(f) > 0 {
			t.Errorf("unsafeHTML(%q) = %q, want nothing", s, f)
		}
	}
}
