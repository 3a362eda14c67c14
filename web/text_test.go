package web

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestTextContent: what textContent writes inside an element parses back
// to the text it was given, as one text node, whatever the text holds,
// and leaves quotes as they are.
func TestTextContent(t *testing.T) {
	for _, s := range []string{
		"Django's FAQ",
		`say "hi"`,
		"<script>alert(1)</script>",
		"</td><td>",
		"a & b &amp; c &lt;",
		"<!-- comment -->",
		"<![CDATA[x]]>",
		"tab\tnew\nline",
		"",
	} {
		func(s string) {
			var buf bytes.Buffer
			buf.WriteString("<p>")
			if err := textContent(s).Render(context.Background(), &buf); err != nil {
				t.Fatal(err)
			}
			buf.WriteString("</p>")
			if strings.ContainsAny(s, `'"`) && !strings.ContainsAny(buf.String(), `'"`) {
				t.Errorf("%q: quotes escaped in %q", s, buf.String())
			}
			nodes, err := html.ParseFragment(strings.NewReader(buf.String()), &html.Node{Type: html.ElementNode, Data: "td", DataAtom: atom.Td})
			if err != nil {
				t.Fatal(err)
			}
			if len(nodes) != 1 || nodes[0].Data != "p" {
				t.Fatalf("%q: %q parses to %d nodes, want one <p>", s, buf.String(), len(nodes))
			}
			p := nodes[0]
			got := ""
			if c := p.FirstChild; c != nil {
				if c.Type != html.TextNode || c.NextSibling != nil {
					t.Fatalf("%q: %q holds more than text", s, buf.String())
				}
				got = c.Data
			}
			if got != s {
				t.Errorf("%q written as %q, parsed back as %q", s, buf.String(), got)
			}
		}(s)
	}
}

// FuzzTextContent holds the same for any text.
func FuzzTextContent(f *testing.F) {
	f.Add("Django's <b>FAQ</b> & more")
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsRune(s, 0) || strings.Contains(s, "\r") || !utf8.ValidString(s) {
			return // the parser rewrites NUL, CR and invalid UTF-8 in any text, escaped or not
		}
		var buf bytes.Buffer
		if err := textContent(s).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		nodes, err := html.ParseFragment(strings.NewReader("<p>"+buf.String()+"</p>"), &html.Node{Type: html.ElementNode, Data: "td", DataAtom: atom.Td})
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for c := nodes[0].FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.TextNode {
				t.Fatalf("%q written as %q makes a %v node", s, buf.String(), c.Type)
			}
			got.WriteString(c.Data)
		}
		if len(nodes) != 1 || got.String() != s {
			t.Errorf("%q written as %q, parsed back as %q", s, buf.String(), got.String())
		}
	})
}
