package content

import (
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/google/go-cmp/cmp"
)

// dumpNodes lists every node under n with its line and text, to compare
// two parses.
func dumpNodes(n ast.Node) []string {
	var out []string
	ast.Walk(visitor(func(n ast.Node) {
		line := 0
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		s, _ := scalar(n)
		out = append(out, fmt.Sprintf("%T@%d:%s", n, line, s))
	}), n)
	return out
}

// bigFrontMatter is a system's front matter with n features in the forms
// editors write: bare values, flow maps, block maps, comments, block
// scalars, blank lines.
func bigFrontMatter(n int) string {
	var b strings.Builder
	b.WriteString("name: Big\n# a comment\ntags: [a, b]\nfeatures:\n")
	for i := range n {
		switch i % 7 {
		case 0:
			fmt.Fprintf(&b, "  f%d: yes\n", i)
		case 1:
			fmt.Fprintf(&b, "  f%d: {support: partial, since: \"3.%d\", note: \"n %d\"}\n", i, i, i)
		case 2:
			fmt.Fprintf(&b, "  f%d:\n    support: no\n    note: |\n      line one\n\n      line two\n", i)
		case 3:
			fmt.Fprintf(&b, "  # about f%d\n  f%d: unknown\n\n", i, i)
		case 4:
			fmt.Fprintf(&b, "  a.b.f%d: {support: yes, checked: 2026-12-01}\n", i)
		case 5:
			fmt.Fprintf(&b, "  f%d: no # trailing\n", i)
		default:
			fmt.Fprintf(&b, "  f%d: plugin\n", i)
		}
	}
	b.WriteString("summary: After the features.\n")
	return b.String()
}

// TestChunkedYAMLSameAsWhole: the piecewise parse of big front matter
// gives the same nodes at the same lines as one parse.
func TestChunkedYAMLSameAsWhole(t *testing.T) {
	src := []byte(bigFrontMatter(3000))
	whole := &file{path: "x", yamlLine: 1}
	wn, ok := whole.parseYAML(src)
	if !ok {
		t.Fatalf("whole parse: %v", whole.problems)
	}
	pieces := &file{path: "x", yamlLine: 1}
	pn, ok := pieces.parsePieces(src)
	if !ok {
		t.Fatalf("piecewise parse failed: %v", pieces.problems)
	}
	if pieces.yamlLine != 1 {
		t.Errorf("yamlLine = %d after the pieces, want 1", pieces.yamlLine)
	}
	wf, _ := whole.fields(wn, "front matter")
	pf, _ := pieces.fields(pn, "front matter")
	if len(wf) != len(pf) {
		t.Fatalf("%d fields piecewise, %d whole", len(pf), len(wf))
	}
	for i := range wf {
		if wf[i].key != pf[i].key || wf[i].line != pf[i].line {
			t.Errorf("field %d = %s@%d, want %s@%d", i, pf[i].key, pf[i].line, wf[i].key, wf[i].line)
		}
		if diff := cmp.Diff(dumpNodes(wf[i].val), dumpNodes(pf[i].val)); diff != "" {
			t.Errorf("field %s (-whole +pieces):\n%s", wf[i].key, diff)
		}
	}
}

// TestChunkedYAMLProblems: mistakes in big front matter are reported at
// the same lines, with the same words, as in small.
func TestChunkedYAMLProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\nname: Big\nfeatures:\n")
	b.WriteString("  orm: yes\n")
	for i := range 4000 {
		fmt.Fprintf(&b, "  nope%d: yes\n", i)
	}
	b.WriteString("  orn: yes\n  async: maybe\n---\n")
	_, problems := load(t, map[string]string{"t/systems/big.md": b.String()})
	got := problemStrings(problems)
	if len(got) != 4002 {
		t.Fatalf("%d problems, want 4002", len(got))
	}
	want := []string{
		`t/systems/big.md:4005: unknown feature "orn" (did you mean "orm"?): features are defined in t/topic.yaml`,
		`t/systems/big.md:4006: feature async: "maybe" is not a support level: use yes, partial, plugin, no or unknown`,
	}
	if diff := cmp.Diff(want, got[4000:]); diff != "" {
		t.Errorf("last problems (-want +got):\n%s", diff)
	}
	// A syntax error in a chunk: the whole parse reports it.
	src := "---\nname: Big\nfeatures:\n  orm: yes\n"
	for i := range 3000 {
		src += fmt.Sprintf("  x%d: yes\n", i)
	}
	src += "  bad: [unclosed\n---\n"
	_, problems = load(t, map[string]string{"t/systems/big.md": src})
	got = problemStrings(problems)
	if len(got) != 1 || !strings.HasPrefix(got[0], "t/systems/big.md:") || !strings.Contains(got[0], "invalid YAML") {
		t.Errorf("problems = %v, want one invalid YAML", got)
	}
}

// BenchmarkWideSystem parses one system of a wide topic: linear in its
// features, not quadratic.
func BenchmarkWideSystem(b *testing.B) {
	for _, n := range []int{5000, 20000} {
		src := []byte(bigFrontMatter(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				f := &file{path: "x", yamlLine: 1}
				if _, ok := f.parseFrontMatter(src); !ok {
					b.Fatal(f.problems)
				}
			}
		})
	}
}

// TestFastCellsSameAsParser: the cells read by the fast path are the cells
// the YAML parser's nodes give, types and mistakes included.
func TestFastCellsSameAsParser(t *testing.T) {
	var topic, sys strings.Builder
	topic.WriteString("title: T\ncategories:\n  - key: c\n    title: C\nfeatures:\n")
	sys.WriteString("name: S\nfeatures:\n")
	types := []string{"support", "text", "number", "year", "list"}
	values := map[string][]string{
		"support": {"yes", "no", "partial", "plugin", "unknown", "true", "False", "maybe", `{support: yes, since: "3.10", note: Views only}`, `{support: no, note: x.y-z_1, via: ext}`, "{support: partial}", `{value: yes}`, `{support: yes, source: https://example.org/a}`},
		"text":    {"BSD-3-Clause", "MIT or Apache 2.0", "3.10", "0x1F", `{value: GPL, note: "v2 only"}`},
		"number":  {"42", "3.5", "1_000", "-7", "12abc", ".inf"},
		"year":    {"2005", "1999", "20", "2005.0"},
		"list":    {"a", `{value: b}`},
	}
	n := 0
	for _, ty := range types {
		for _, v := range values[ty] {
			for k := range 60 {
				key := fmt.Sprintf("g%d.f%d", n, k)
				fmt.Fprintf(&topic, "  - key: %s\n    name: F\n    category: c\n    type: %s\n", key, ty)
				fmt.Fprintf(&sys, "  %s: %s\n", key, v)
			}
			n++
		}
	}
	tf := &file{path: "t/topic.yaml"}
	ti := parseTopic(tf, "t", []byte(topic.String()))
	if ti == nil || len(tf.problems) > 0 {
		t.Fatalf("topic: %v", tf.problems)
	}
	src := []byte(sys.String())
	cellsOf := func(root ast.Node, f *file) (map[string]string, []string) {
		fields, _ := f.fields(root, "front matter")
		for _, fd := range fields {
			if fd.key == "features" {
				cells, _ := parseCells(f, ti, fd)
				out := map[string]string{}
				for k, c := range cells {
					out[k] = fmt.Sprintf("%+v", c)
				}
				return out, problemStrings(f.problems)
			}
		}
		t.Fatal("no features field")
		return nil, nil
	}
	whole := &file{path: "s", yamlLine: 1}
	wn, ok := whole.parseYAML(src)
	if !ok {
		t.Fatal(whole.problems)
	}
	pieces := &file{path: "s", yamlLine: 1}
	pn, ok := pieces.parsePieces(src)
	if !ok {
		t.Fatal("piecewise parse failed")
	}
	wc, wp := cellsOf(wn, whole)
	pc, pp := cellsOf(pn, pieces)
	if diff := cmp.Diff(wc, pc); diff != "" {
		t.Errorf("cells (-parser +fast):\n%s", diff)
	}
	if diff := cmp.Diff(wp, pp); diff != "" {
		t.Errorf("problems (-parser +fast):\n%s", diff)
	}
	if len(wp) == 0 {
		t.Error("no problems: the mistakes in the values were not read")
	}
}

// TestChunkedTopicSameAsWhole: a big topic.yaml (a features list at two
// indentations) parses in pieces to the same nodes.
func TestChunkedTopicSameAsWhole(t *testing.T) {
	for _, pre := range []string{"  ", ""} {
		var b strings.Builder
		b.WriteString("title: T\ncategories:\n" + pre + "- key: c\n" + pre + "  title: C\nfeatures:\n")
		for i := range 3000 {
			fmt.Fprintf(&b, "%s- key: f%d\n%s  name: \"F %d\"\n%s  category: c\n", pre, i, pre, i, pre)
			if i%5 == 0 {
				fmt.Fprintf(&b, "%s  description: >\n%s    Folded\n%s    text.\n\n# comment\n", pre, pre, pre)
			}
		}
		b.WriteString("summary: S\n")
		src := []byte(b.String())
		whole := &file{path: "x"}
		wn, ok := whole.parseYAML(src)
		if !ok {
			t.Fatalf("whole parse: %v", whole.problems)
		}
		pieces := &file{path: "x"}
		pn, ok := pieces.parsePieces(src)
		if !ok {
			t.Fatalf("piecewise parse failed: %v", pieces.problems)
		}
		if diff := cmp.Diff(dumpNodes(wn)[1:], dumpNodes(pn)[1:]); diff != "" {
			t.Errorf("indent %q (-whole +pieces):\n%s", pre, diff)
		}
	}
}
