package content

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"versa/internal/kb"
)

// file is one content file being checked; it collects the file's problems
// with their line numbers in the file (not in the YAML block).
type file struct {
	path     string
	problems []kb.Problem
	// yamlLine is the file line of the YAML block's first line, minus one.
	yamlLine int
	// aliasLine is the line of the front matter's aliases field.
	aliasLine int
	// refs are the system slugs an article names; unresolved is set when
	// one of them is not a system of the topic. An incremental load re-parses
	// the articles whose refs a new or deleted system touches.
	refs       []string
	unresolved bool
	// toml is set for front matter between "+++" lines (Hugo's TOML).
	toml bool
	// warnings are what `versa check` shows without failing (an unknown
	// shortcode dropped).
	warnings []kb.Problem
	// include reads another content file for the include shortcode;
	// includes are the paths the file's include shortcodes name, found or
	// not. An incremental load re-parses the files that include a file that
	// changed, came or went.
	include  includer
	includes []string
	// staleBefore, when set, makes a system's cells without a checked date
	// or with one before it warnings (Tree.StaleBefore).
	staleBefore time.Time
}

func (f *file) addf(line int, format string, args ...any) {
	f.problems = append(f.problems, kb.Problem{Path: f.path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// line converts a YAML node's line into a file line.
func (f *file) line(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return f.yamlLine + 1
	}
	return f.yamlLine + n.GetToken().Position.Line
}

// checkText rejects files that are not UTF-8 and normalises line endings.
func (f *file) checkText(src []byte) ([]byte, bool) {
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(src) {
		line, col := 1, 1
		for i := 0; i < len(src); {
			r, size := utf8.DecodeRune(src[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			i += size
		}
		f.addf(line, "file is not valid UTF-8 (invalid byte at column %d): save it as UTF-8", col)
		return nil, false
	}
	// CRLF (Windows) and a lone CR (classic Mac) end lines, as YAML and
	// CommonMark read them: as LF, the line numbers of every problem agree
	// with what editors show.
	if bytes.IndexByte(src, '\r') >= 0 {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
		src = bytes.ReplaceAll(src, []byte("\r"), []byte("\n"))
	}
	return src, true
}

// splitFrontMatter separates the YAML front matter from the Markdown body.
// It returns the YAML, the body and the file line the body starts on.
// A file that starts with "+++" has TOML front matter, closed by "+++", as
// Hugo writes it; f.toml is set.
func (f *file) splitFrontMatter(src []byte) (fm, body []byte, bodyLine int, ok bool) {
	delim := "---"
	if bytes.HasPrefix(src, []byte("+++\n")) || bytes.Equal(bytes.TrimRight(src, " \t"), []byte("+++")) {
		delim, f.toml = "+++", true
	} else if !bytes.HasPrefix(src, []byte("---\n")) && !bytes.Equal(bytes.TrimRight(src, " \t"), []byte("---")) {
		f.addf(1, "missing front matter: the file must start with a line \"---\", then YAML fields, then a line \"---\" (or \"+++\", TOML, \"+++\")")
		return nil, nil, 0, false
	}
	var rest []byte
	if len(src) > 4 {
		rest = src[4:]
	}
	line := 2
	for off := 0; off < len(rest); {
		end := bytes.IndexByte(rest[off:], '\n')
		var l []byte
		next := len(rest)
		if end >= 0 {
			l = rest[off : off+end]
			next = off + end + 1
		} else {
			l = rest[off:]
		}
		if t := bytes.TrimRight(l, " \t"); bytes.Equal(t, []byte(delim)) || (!f.toml && bytes.Equal(t, []byte("..."))) {
			f.yamlLine = 1
			return rest[:off], rest[next:], line + 1, true
		}
		off = next
		line++
	}
	if f.toml {
		f.addf(1, "front matter is not closed: add a line \"+++\" after the last TOML field")
		return nil, nil, 0, false
	}
	f.addf(1, "front matter is not closed: add a line \"---\" after the last YAML field")
	return nil, nil, 0, false
}

// markdownFile reads a Markdown file with front matter: its fields, its
// body and the file line the body starts on. ok is false when the file
// cannot be read at all (not UTF-8, no or unclosed front matter, bad YAML).
func (f *file) markdownFile(src []byte) (fields []field, body []byte, bodyLine int, ok bool) {
	if src, ok = f.checkText(src); !ok {
		return nil, nil, 0, false
	}
	fm, body, bodyLine, ok := f.splitFrontMatter(src)
	if !ok {
		return nil, nil, 0, false
	}
	var root ast.Node
	if f.toml {
		root, ok = f.parseTOML(fm)
	} else {
		root, ok = f.parseFrontMatter(fm)
	}
	if !ok {
		return nil, nil, 0, false
	}
	if fields, ok = f.fields(root, "front matter"); !ok {
		return nil, nil, 0, false
	}
	return fields, body, bodyLine, true
}

// parseYAML parses one YAML document and returns its root node (nil for an
// empty document). A syntax error becomes a problem at the YAML's line.
func (f *file) parseYAML(src []byte) (ast.Node, bool) {
	af, err := parser.ParseBytes(src, 0)
	if err != nil {
		var ye interface {
			GetToken() *token.Token
			GetMessage() string
		}
		line, msg := f.yamlLine+1, err.Error()
		if errors.As(err, &ye) {
			msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil {
				line = f.yamlLine + tk.Position.Line
			}
		}
		f.addf(line, "invalid YAML: %s", msg)
		return nil, false
	}
	if len(af.Docs) == 0 {
		return nil, true
	}
	if len(af.Docs) > 1 {
		f.addf(f.line(af.Docs[1].Body), "more than one YAML document: remove the extra \"---\"")
	}
	return unwrap(af.Docs[0].Body), true
}

// unwrap strips anchors, tags and comments around a node.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.CommentGroupNode:
			return nil
		default:
			return n
		}
	}
}

// field is one key of a YAML mapping.
type field struct {
	key  string
	line int
	val  ast.Node // unwrapped; nil for an empty value
}

// fields returns the entries of a mapping node. what names the mapping in
// messages ("front matter", "feature orm").
func (f *file) fields(n ast.Node, what string) ([]field, bool) {
	var vals []*ast.MappingValueNode
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.MappingNode:
		vals = v.Values
	case *ast.MappingValueNode:
		vals = []*ast.MappingValueNode{v}
	default:
		f.addf(f.line(n), "%s must be a mapping of \"key: value\" lines, not %s", what, describe(n))
		return nil, false
	}
	out := make([]field, 0, len(vals))
	for _, mv := range vals {
		key := ""
		if tk := mv.Key.GetToken(); tk != nil {
			key = tk.Value
		}
		out = append(out, field{key: key, line: f.line(mv.Key), val: unwrap(mv.Value)})
	}
	return out, true
}

// scalar returns a scalar's text as written (so `yes` stays "yes" and
// "3.10" keeps its zero).
func scalar(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "", true
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return strings.TrimRight(v.Value.Value, "\n"), true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// describe names a node's shape for messages.
func describe(n ast.Node) string {
	switch unwrap(n).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "a YAML alias (*name), which is not supported here"
	case nil, *ast.NullNode:
		return "empty"
	}
	return "a single value"
}

// str reads a field that must be a single value.
func (f *file) str(fd field) string {
	s, ok := scalar(fd.val)
	if !ok {
		f.addf(fd.line, "%s must be a single value, not %s", fd.key, describe(fd.val))
		return ""
	}
	return strings.TrimSpace(s)
}

// list reads a field that is a YAML list or a comma-separated string.
func (f *file) list(fd field) []string {
	var out []string
	if seq, ok := fd.val.(*ast.SequenceNode); ok {
		for _, it := range seq.Values {
			s, ok := scalar(unwrap(it))
			if !ok {
				f.addf(f.line(it), "%s: each entry must be a single value, not %s", fd.key, describe(it))
				continue
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	s, ok := scalar(fd.val)
	if !ok {
		f.addf(fd.line, "%s must be a list like [a, b] or a comma-separated value, not %s", fd.key, describe(fd.val))
		return nil
	}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// unknownPageField reports a key of a Markdown file's front matter that
// neither the format nor Hugo or Jekyll have, with the closest of all of
// them as a hint.
func (f *file) unknownPageField(fd field, where string, own []string) {
	f.addf(fd.line, "unknown field %q in %s%s; known fields: %s, and Hugo's and Jekyll's (description, lastmod, weight, params ...)", fd.key, where,
		didYouMean(fd.key, knownWith(own)), strings.Join(own, ", "))
}

// unknownField reports a key the format does not have, with the closest
// known key as a hint.
func (f *file) unknownField(fd field, where string, known []string) {
	f.addf(fd.line, "unknown field %q in %s%s; known fields: %s", fd.key, where, didYouMean(fd.key, known), strings.Join(known, ", "))
}

// Length limits of display text, in characters (warn) and bytes (refuse).
// A name shows in table headers, links and the link-preview image; past
// the warning it is cut there. Past the refusal it is not a plausible name
// but a mistake or an attack on every page that shows it.
var textLimits = map[string]struct{ warn, refuse int }{
	"name":    {warn: 60, refuse: 1 << 10},
	"title":   {warn: 120, refuse: 2 << 10},
	"summary": {warn: 300, refuse: 4 << 10},
}

// sized reads a display-text field (a name, title or summary, its limits
// those of kind), warning when it is long and refusing it when absurd.
func (f *file) sized(fd field, kind string) string {
	s := f.str(fd)
	lim := textLimits[kind]
	switch n := utf8.RuneCountInString(s); {
	case len(s) > lim.refuse:
		f.addf(fd.line, "%s is %d bytes long, over the limit of %d: shorten it", fd.key, len(s), lim.refuse)
	case n > lim.warn:
		f.warnf(fd.line, "%s is %d characters long, over the %d that show in full: pages and previews cut it", fd.key, n, lim.warn)
	}
	return s
}
