package content

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

// parseWithWarnings parses an inline folder and returns its content,
// problems and warnings.
func parseWithWarnings(t *testing.T, files map[string]string) (map[string]string, []string, []string) {
	t.Helper()
	fsys := fstest.MapFS{"t/topic.yaml": {Data: []byte(testTopic)}}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	tree, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := Parse(tree)
	st, err := StreamState(tree, discardSink())
	if err != nil {
		t.Fatal(err)
	}
	html := map[string]string{}
	for _, a := range c.Articles {
		html[a.Slug] = a.HTML
	}
	return html, problemStrings(st.Problems()), problemStrings(st.Warnings())
}

func TestShortcodes(t *testing.T) {
	const fm = "---\ntitle: S\nupdated: 2026-01-01\n---\n"
	tests := []struct {
		name     string
		body     string
		contains []string // in the HTML
		absent   []string
		warnings []string
	}{
		{
			name:     "note box",
			body:     "{{< note >}}\nKeep **this** in mind.\n{{< /note >}}\n\nAfter.\n",
			contains: []string{`<blockquote class="callout callout-note">`, `<strong class="callout-label">Note</strong>`, `<strong>this</strong> in mind.`, "<p>After.</p>"},
			absent:   []string{"{{", "[!NOTE]"},
		},
		{
			name:     "warning with percent delimiters and a title",
			body:     "{{% alert title=\"Careful\" type=\"warning\" %}}\nIt *breaks*.\n{{% /alert %}}\n",
			contains: []string{`callout-warning`, `Warning</strong>`, `<strong>Careful</strong>`, `<em>breaks</em>`},
			absent:   []string{"{{"},
		},
		{
			name:     "box on one line",
			body:     "{{< tip >}}Use it.{{< /tip >}}\n",
			contains: []string{`callout-tip`, `Tip</strong> Use it.`},
		},
		{
			name:     "figure",
			body:     "{{< figure src=\"/img/chart.png\" alt=\"A chart\" caption=\"Speed by year\" >}}\n",
			contains: []string{`<img src="/img/chart.png" alt="A chart">`, `<em>Speed by year</em>`},
			absent:   []string{"{{"},
		},
		{
			name:     "include",
			body:     "Before.\n\n{{< include \"t/articles/shared.md\" >}}\n\nAfter.\n",
			contains: []string{"<p>Before.</p>", "<p>Shared <em>words</em>.</p>", "<p>After.</p>"},
			absent:   []string{"{{", "title: Shared"},
		},
		{
			name:     "highlight",
			body:     "{{< highlight go >}}\nfunc main() {}\n{{< /highlight >}}\n",
			contains: []string{`<pre class="chroma">`, "main"},
			absent:   []string{"{{"},
		},
		{
			name:     "video and ref",
			body:     "{{< youtube dQw4w9WgXcQ >}} and [the other]({{< ref \"other.md\" >}}).\n",
			contains: []string{`<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">YouTube video dQw4w9WgXcQ</a>`, `<a href="/articles/t/other">the other</a>`},
			absent:   []string{"{{"},
		},
		{
			name:     "unknown dropped with a warning",
			body:     "Intro.\n\nA {{< sparkles count=3 >}} B\n\n{{< panel >}}\nInside.\n{{< /panel >}}\n",
			contains: []string{"<p>A  B</p>", "<p>Inside.</p>"},
			absent:   []string{"{{", "sparkles", "panel"},
			warnings: []string{
				`t/articles/s.md:7: unknown shortcode "sparkles" dropped: Versa renders note, tip, warning, caution, important, alert, details, figure, include, highlight, ref, relref, youtube, vimeo and gist`,
				`t/articles/s.md:9: unknown shortcode "panel" dropped: Versa renders note, tip, warning, caution, important, alert, details, figure, include, highlight, ref, relref, youtube, vimeo and gist`,
				`t/articles/s.md:11: unknown shortcode "panel" dropped (its text is kept): Versa renders note, tip, warning, caution, important, alert, details, figure, include, highlight, ref, relref, youtube, vimeo and gist`,
			},
		},
		{
			name:     "in a fence: literal, escapes shown as Hugo shows them",
			body:     "```markdown\n{{< note >}}\n{{</* figure src=\"x.png\" */>}}\n```\n",
			contains: []string{"{{&lt; note &gt;}}", "{{&lt; figure src=&#34;x.png&#34; &gt;}}"},
			absent:   []string{"callout", "/*", "<img"},
		},
		{
			name:     "in inline code: literal",
			body:     "Write `{{< note >}}` to open a box.\n",
			contains: []string{"<code>{{&lt; note &gt;}}</code>"},
			absent:   []string{"callout"},
		},
		{
			name:     "escaped in text",
			body:     "Write {{</* note */>}} to open a box.\n",
			contains: []string{"Write {{&lt; note &gt;}} to open a box."},
			absent:   []string{"callout", "/*"},
		},
		{
			name:     "include of a missing file",
			body:     "{{< include \"t/articles/nope.md\" >}}\n",
			warnings: []string{`t/articles/s.md:5: include names "t/articles/nope.md", which is not a system or article file of the content folder (a path like topic/articles/name.md): it was dropped`},
		},
		{
			name:     "box not closed",
			body:     "{{< warning >}}\nStill inside.\n",
			contains: []string{"callout-warning", "Still inside."},
			warnings: []string{`t/articles/s.md:5: shortcode "warning" is not closed: add {{< /warning >}}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			html, problems, warnings := parseWithWarnings(t, map[string]string{
				"t/articles/s.md":      fm + tt.body,
				"t/articles/shared.md": "---\ntitle: Shared\nupdated: 2026-01-01\n---\nShared *words*.\n",
			})
			if len(problems) > 0 {
				t.Fatalf("problems: %v", problems)
			}
			got := html["s"]
			for _, s := range tt.contains {
				if !strings.Contains(got, s) {
					t.Errorf("HTML lacks %q:\n%s", s, got)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(got, s) {
					t.Errorf("HTML has %q:\n%s", s, got)
				}
			}
			if diff := cmp.Diff(tt.warnings, warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestShortcodeMatrixLines: a matrix block after a multi-line include is
// still reported at its own line.
func TestShortcodeMatrixLines(t *testing.T) {
	_, problems, _ := parseWithWarnings(t, map[string]string{
		"t/articles/s.md":      "---\ntitle: S\nupdated: 2026-01-01\n---\n{{< include \"t/articles/shared.md\" >}}\n\n```matrix\nsystems: nope\n```\n",
		"t/articles/shared.md": "---\ntitle: Shared\nupdated: 2026-01-01\n---\nOne.\n\nTwo.\n\nThree.\n",
	})
	want := []string{`t/articles/s.md:8: matrix names unknown system "nope" (none are defined): systems of t are the files in t/systems/`}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func discardSink() kb.Sink {
	return kb.Sink{
		Topic:   func(kb.Topic) error { return nil },
		System:  func(kb.System) error { return nil },
		Article: func(kb.Article) error { return nil },
	}
}
