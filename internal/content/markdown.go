package content

import (
	"bufio"
	"bytes"
	stdhtml "html"
	"strings"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"versa/internal/kb"
)

// markdown is one worker's renderer: goldmark instances and buffers are not
// shared between goroutines, and are reused from file to file.
type markdown struct {
	md   goldmark.Markdown
	node bytes.Buffer  // one top-level node's HTML
	bw   *bufio.Writer // writes into node; goldmark would allocate one per call
}

func newMarkdown() *markdown {
	m := &markdown{md: newGoldmark()}
	m.bw = bufio.NewWriterSize(&m.node, 8<<10)
	return m
}

// newGoldmark returns the one goldmark configuration every body is rendered
// with: GFM tables, strikethrough and task lists, footnotes, heading ids, highlighted code with CSS classes (so the
// strict Content-Security-Policy needs no inline styles), raw HTML dropped
// (goldmark's default without html.WithUnsafe) and ```matrix blocks turned
// into markers for live tables.
func newGoldmark() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			// GFM without Linkify: bare-URL autolinking costs 7% of a cold
			// load, and editors write links explicitly.
			extension.Table,
			extension.Strikethrough,
			extension.TaskList,
			extension.Footnote,
			highlighting.NewHighlighting(
				highlighting.WithFormatOptions(chromahtml.WithClasses(true)),
				highlighting.WithGuessLanguage(false),
			),
		),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(
				util.Prioritized(linkSanitizer{}, 100),
				util.Prioritized(matrixTransformer{}, 101),
				util.Prioritized(calloutTransformer{}, 102),
			),
		),
		goldmark.WithRendererOptions(
			renderer.WithNodeRenderers(util.Prioritized(matrixRenderer{}, 10)),
		),
	)
}

// safeURL reports whether a link or image destination may be kept: relative
// references, fragments and the http, https and mailto schemes. Everything
// else (javascript:, data:, vbscript:, file: ...) is removed. The scheme is
// read the way browsers read it: after character references are decoded and
// tabs and newlines dropped, so "java&#x09;script:" is still javascript.
func safeURL(dest []byte, image bool) bool {
	s := stdhtml.UnescapeString(string(dest))
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimLeft(s, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return true
	}
	scheme := s[:colon]
	for i, r := range scheme {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return true // the colon is in a path, query or fragment: relative
		}
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		return true
	case "mailto":
		return !image
	}
	return false
}

// linkSanitizer unwraps links and drops images whose destination is unsafe,
// keeping their text.
type linkSanitizer struct{}

func (linkSanitizer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	var unsafe []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if !safeURL(n.Destination, false) {
				unsafe = append(unsafe, n)
			}
		case *ast.Image:
			if !safeURL(n.Destination, true) {
				unsafe = append(unsafe, n)
			}
		case *ast.AutoLink:
			if !safeURL(n.URL(reader.Source()), false) {
				unsafe = append(unsafe, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range unsafe {
		parent := n.Parent()
		switch n.(type) {
		case *ast.Link, *ast.Image:
			// Keep the visible text (or the alt text) as plain inline content.
			for c := n.FirstChild(); c != nil; {
				next := c.NextSibling()
				parent.InsertBefore(parent, n, c)
				c = next
			}
		case *ast.AutoLink:
			al := n.(*ast.AutoLink)
			parent.InsertBefore(parent, n, ast.NewString(al.Label(reader.Source())))
		}
		parent.RemoveChild(parent, n)
	}
}

// matrixKind is the AST kind of an embedded live table.
var matrixKind = ast.NewNodeKind("VersaMatrix")

// matrixNode replaces a ```matrix fenced block; the article loader reads
// its lines, and the renderer writes kb.MatrixMarker(Index).
type matrixNode struct {
	ast.BaseBlock
	Index int
	Src   []byte // the block's content
	Start int    // byte offset of the content in the body
}

func (n *matrixNode) Kind() ast.NodeKind { return matrixKind }

func (n *matrixNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// matrixTransformer turns every fenced block whose info string is "matrix"
// into a matrixNode, numbered in document order.
type matrixTransformer struct{}

func (matrixTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var blocks []*ast.FencedCodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if fb, ok := n.(*ast.FencedCodeBlock); ok && entering && fb.Info != nil &&
			strings.TrimSpace(string(fb.Language(src))) == "matrix" {
			blocks = append(blocks, fb)
		}
		return ast.WalkContinue, nil
	})
	for i, fb := range blocks {
		var buf bytes.Buffer
		lines := fb.Lines()
		start := fb.Info.Segment.Start
		for j := 0; j < lines.Len(); j++ {
			seg := lines.At(j)
			if j == 0 {
				start = seg.Start
			}
			buf.Write(seg.Value(src))
		}
		m := &matrixNode{Index: i, Src: buf.Bytes(), Start: start}
		if lines.Len() == 0 {
			// An empty block: point at the line after the info string.
			m.Start = fb.Info.Segment.Stop + 1
		}
		fb.Parent().ReplaceChild(fb.Parent(), fb, m)
	}
}

// matrixRenderer writes the marker that the web layer replaces with the
// live table.
type matrixRenderer struct{}

func (matrixRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(matrixKind, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(kb.MatrixMarker(n.(*matrixNode).Index))
			_ = w.WriteByte('\n')
		}
		return ast.WalkSkipChildren, nil
	})
}

// sectionKind classifies a `##` heading as the spec lists.
func sectionKind(heading string) kb.SectionKind {
	h := strings.ToLower(strings.TrimSpace(heading))
	h = strings.TrimRight(h, ":")
	h = strings.Join(strings.Fields(h), " ")
	switch h {
	case "pros", "advantages", "strengths":
		return kb.KindPros
	case "cons", "disadvantages", "drawbacks", "limitations":
		return kb.KindCons
	case "use cases", "when to use", "best for":
		return kb.KindUseCases
	}
	for _, p := range []string{"when to choose ", "when to use ", "best for ", "use cases "} {
		if strings.HasPrefix(h, p) {
			return kb.KindUseCases
		}
	}
	return kb.KindBody
}

// body is a rendered Markdown body.
type body struct {
	HTML     string // the whole body
	Sections []kb.Section
	Matrices []*matrixNode
}

// render parses and renders src. withSectionHTML keeps each section's own
// HTML (system pages show pros, cons and use cases apart); articles only need
// the whole.
func (m *markdown) render(src []byte, withSectionHTML bool) (body, error) {
	doc := m.md.Parser().Parse(text.NewReader(src))
	var (
		out     body
		full    bytes.Buffer
		secHTML bytes.Buffer
		secText strings.Builder
		cur     = kb.Section{Kind: kb.KindBody}
		r       = m.md.Renderer()
		node    = &m.node
		bw      = m.bw
	)
	full.Grow(len(src) + len(src)/2)
	flush := func() {
		cur.Text = strings.TrimSpace(secText.String())
		if withSectionHTML {
			cur.HTML = secHTML.String()
		}
		if cur.Heading != "" || cur.Text != "" || secHTML.Len() > 0 {
			out.Sections = append(out.Sections, cur)
		}
		secHTML.Reset()
		secText.Reset()
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		node.Reset()
		if err := r.Render(bw, src, n); err != nil {
			return body{}, err
		}
		if err := bw.Flush(); err != nil {
			return body{}, err
		}
		full.Write(node.Bytes())
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			flush()
			title := plainText(h, src)
			cur = kb.Section{Kind: sectionKind(title), Heading: title}
			if id, ok := h.AttributeString("id"); ok {
				if b, ok := id.([]byte); ok {
					cur.Anchor = string(b)
				}
			}
			continue
		}
		if m, ok := n.(*matrixNode); ok {
			out.Matrices = append(out.Matrices, m)
		}
		if withSectionHTML {
			secHTML.Write(node.Bytes())
		}
		if list, ok := n.(*ast.List); ok && cur.Kind != kb.KindBody {
			for it := list.FirstChild(); it != nil; it = it.NextSibling() {
				if t := plainText(it, src); t != "" {
					cur.Items = append(cur.Items, t)
				}
			}
		}
		if _, ok := n.(*matrixNode); !ok {
			if t := plainText(n, src); t != "" {
				if secText.Len() > 0 {
					secText.WriteByte('\n')
				}
				secText.WriteString(t)
			}
		}
	}
	flush()
	out.HTML = full.String()
	return out, nil
}

// plainText returns the words of n and its descendants, for search and
// snippets: text, code and link labels, with blocks separated by spaces.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	space := func() {
		if b.Len() > 0 {
			last := b.String()[b.Len()-1]
			if last != ' ' && last != '\n' {
				b.WriteByte(' ')
			}
		}
	}
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				space()
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			b.Write(n.Segment.Value(src))
			if n.SoftLineBreak() || n.HardLineBreak() {
				space()
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.Label(src))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(bytes.TrimRight(seg.Value(src), "\n"))
				b.WriteByte(' ')
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// calloutLabels are the kinds of GitHub's alert syntax (> [!NOTE]), which
// Hugo's box shortcodes are rewritten into, with their labels.
var calloutLabels = map[string]string{"NOTE": "Note", "TIP": "Tip", "IMPORTANT": "Important", "WARNING": "Warning", "CAUTION": "Caution"}

// calloutTransformer turns a blockquote that starts with [!NOTE] (or TIP,
// IMPORTANT, WARNING, CAUTION) into a labelled box: the class callout and
// callout-note, and the label in bold in place of the marker.
type calloutTransformer struct{}

func (calloutTransformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	var quotes []*ast.Blockquote
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if q, ok := n.(*ast.Blockquote); ok && entering {
			quotes = append(quotes, q)
		}
		return ast.WalkContinue, nil
	})
	for _, q := range quotes {
		p, ok := q.FirstChild().(*ast.Paragraph)
		if !ok {
			continue
		}
		// The marker is split into text nodes ("[", "!NOTE", "]") by the
		// link parser: read leading text nodes until "]".
		var marker strings.Builder
		var nodes []ast.Node
		var tail *ast.Text // the node holding "]" and text after it
		tailAt := 0
		for c := p.FirstChild(); c != nil && marker.Len() < 12; c = c.NextSibling() {
			t, ok := c.(*ast.Text)
			if !ok {
				break
			}
			v := t.Segment.Value(src)
			if i := bytes.IndexByte(v, ']'); i >= 0 {
				marker.Write(v[:i+1])
				if rest := bytes.TrimLeft(v[i+1:], " \t"); len(rest) > 0 {
					tail, tailAt = t, t.Segment.Start+(len(v)-len(rest))
				} else {
					nodes = append(nodes, c)
				}
				break
			}
			marker.Write(v)
			nodes = append(nodes, c)
		}
		m := marker.String()
		if !strings.HasPrefix(m, "[!") || !strings.HasSuffix(m, "]") {
			continue
		}
		kind := strings.ToUpper(m[2 : len(m)-1])
		label, ok := calloutLabels[kind]
		if !ok {
			continue
		}
		for _, n := range nodes {
			p.RemoveChild(p, n)
		}
		if tail != nil {
			tail.Segment = tail.Segment.WithStart(tailAt)
		}
		strong := ast.NewEmphasis(2)
		strong.AppendChild(strong, ast.NewString([]byte(label)))
		strong.SetAttributeString("class", []byte("callout-label"))
		first := p.FirstChild()
		if first == nil {
			p.AppendChild(p, strong)
		} else {
			p.InsertBefore(p, first, strong)
			// A title or the text follows the label after a line break
			// when the marker stood alone on its line.
			if t, ok := first.(*ast.Text); ok {
				v := t.Segment.Value(src)
				if len(bytes.TrimSpace(v)) == 0 && !t.SoftLineBreak() {
					p.RemoveChild(p, t)
				}
			}
			br := ast.NewString([]byte(" "))
			p.InsertAfter(p, strong, br)
		}
		q.SetAttributeString("class", []byte("callout callout-"+strings.ToLower(kind)))
	}
}
