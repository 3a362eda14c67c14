package server

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"versa/web"
)

var update = flag.Bool("update", false, "rewrite the golden HTML files under testdata/golden")

// goldenPage is a page whose whole HTML is held in
// testdata/golden/{name}.html, rendered from the content in testdata/site.
type goldenPage struct {
	name   string
	target string
	status int
}

var goldenPages = []goldenPage{
	{"compare", "/compare/queues/rabbitmq-vs-kafka-vs-beanstalkd?need=replication,exactly_once", http.StatusOK},
	{"compare-diff", "/compare/queues/kafka-vs-rabbitmq?diff=1&categories=delivery,facts", http.StatusOK},
	{"topic", "/topics/queues", http.StatusOK},
	{"topic-filtered", "/topics/queues?need=ordering&sort=first_release&q=r", http.StatusOK},
	{"system", "/topics/queues/rabbitmq", http.StatusOK},
	{"article", "/articles/queues/kafka-vs-rabbitmq", http.StatusOK},
	{"404-system", "/topics/queues/nope", http.StatusNotFound},
	{"404-topic", "/topics/nope", http.StatusNotFound},
}

// TestGolden compares whole pages with their golden files, so that any
// change to the markup shows in review. After an intended change, refresh
// them with
//
//	go test ./internal/server -run TestGolden -update
//
// and read the diff of testdata/golden before committing it.
func TestGolden(t *testing.T) {
	db := openDB(t)
	loadDir(t, db, "testdata/site")
	rev, err := db.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{}, db)
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range goldenPages {
		t.Run(p.name, func(t *testing.T) {
			rec := get(t, h, p.target)
			if rec.Code != p.status {
				t.Fatalf("GET %s = %d, want %d", p.target, rec.Code, p.status)
			}
			got := normalizeHTML(t, rec.Body.String(), rev.ID)
			path := filepath.Join(dir, p.name+".html")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden file: %v (run go test ./internal/server -run TestGolden -update to write it)", err)
			}
			if diff := lineDiff(string(want), got); diff != "" {
				saved := ""
				if d := os.Getenv("VERSA_ARTIFACTS"); d != "" {
					if err := os.MkdirAll(d, 0o755); err == nil {
						saved = filepath.Join(d, "golden-"+p.name+".html")
						if err := os.WriteFile(saved, []byte(got), 0o644); err == nil {
							saved = "; the page as rendered is in " + saved
						}
					}
				}
				t.Errorf("GET %s differs from %s (- golden, + rendered)%s:\n%s"+
					"If the change is intended, run: go test ./internal/server -run 'TestGolden/%s' -update",
					p.target, path, saved, diff, p.name)
			}
		})
	}

	// A golden file no page writes would never fail, and never be updated.
	t.Run("no stale files", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join(dir, "*.html"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".html")
			if !slices.ContainsFunc(goldenPages, func(p goldenPage) bool { return p.name == name }) {
				t.Errorf("%s belongs to no page of goldenPages: delete it", f)
			}
		}
	})
}

// hashedStatic matches a content-hashed static file name.
var hashedStatic = regexp.MustCompile(`/static/([A-Za-z0-9_-]+)\.[0-9a-f]{10}\.([a-z0-9]+)`)

// normalizeHTML lays a page out one tag or text per line, indented by
// depth, so that a diff points at what changed. What changes without the
// page changing is replaced: hashed static names by NAME.HASH.EXT, and the
// content revision (which hashes the content files) by REVISION.
func normalizeHTML(t *testing.T, body, revision string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	line := func(depth int, s string) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(s)
		b.WriteByte('\n')
	}
	walk = func(n *html.Node, depth int) {
		switch n.Type {
		case html.DocumentNode:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, depth)
			}
		case html.DoctypeNode:
			line(depth, "<!DOCTYPE "+n.Data+">")
		case html.CommentNode:
			line(depth, "<!--"+n.Data+"-->")
		case html.TextNode:
			if text := strings.Join(strings.Fields(n.Data), " "); text != "" {
				line(depth, html.EscapeString(text))
			}
		case html.ElementNode:
			var tag strings.Builder
			tag.WriteString("<" + n.Data)
			for _, a := range n.Attr {
				tag.WriteString(" " + a.Key)
				if a.Val != "" {
					tag.WriteString(`="` + html.EscapeString(a.Val) + `"`)
				}
			}
			tag.WriteString(">")
			switch {
			case n.DataAtom == atom.Pre || n.DataAtom == atom.Script || n.DataAtom == atom.Style:
				// Whitespace counts here: the element as it came.
				var raw strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if err := html.Render(&raw, c); err != nil {
						t.Fatal(err)
					}
				}
				line(depth, tag.String()+raw.String()+"</"+n.Data+">")
				return
			case voidElement(n.DataAtom):
				line(depth, tag.String())
				return
			}
			line(depth, tag.String())
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, depth+1)
			}
			line(depth, "</"+n.Data+">")
		}
	}
	walk(doc, 0)
	out := hashedStatic.ReplaceAllString(b.String(), "/static/$1.HASH.$2")
	if revision != "" {
		out = strings.ReplaceAll(out, revision, "REVISION")
		out = strings.ReplaceAll(out, web.ShortRevision(revision), "REVISION")
	}
	return out
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// lineDiff is a unified diff of two texts, line by line, with three lines
// of context and line numbers; empty when they are equal.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	a, b := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:]; golden pages are a few hundred lines, so this is cheap.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-' or '+'
		text string
		i, j int // line numbers (from 1) in a and b
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{' ', a[i], i + 1, j + 1})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', a[i], i + 1, j + 1})
			i++
		default:
			ops = append(ops, op{'+', b[j], i + 1, j + 1})
			j++
		}
	}
	const context = 3
	var out strings.Builder
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk: from context lines before this change to context lines
		// after the last change that is at most 2*context lines on.
		start := max(0, k-context)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			next := end
			for next < len(ops) && ops[next].kind == ' ' {
				next++
			}
			if next == len(ops) || next-end > 2*context {
				end = min(len(ops), end+context)
				break
			}
			end = next
		}
		fmt.Fprintf(&out, "@@ golden line %d, rendered line %d @@\n", ops[start].i, ops[start].j)
		for _, o := range ops[start:end] {
			out.WriteByte(o.kind)
			out.WriteString(strings.TrimSuffix(o.text, "\n"))
			out.WriteByte('\n')
		}
		k = end
	}
	return out.String()
}
