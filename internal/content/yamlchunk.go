package content

import (
	"bytes"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// goccy/go-yaml parses a block mapping by recursion, appending the rest of
// the mapping to each key: n keys cost n²/2 copies. A system of a wide
// topic has tens of thousands of feature keys (17 x 20,000 took 22 s to
// check), so large front matter is parsed in pieces instead: each top-level
// field on its own, and a big block mapping (features:) in chunks of
// chunkKeys keys, whose nodes are joined into one mapping. Lines stay the
// file's lines. Anything the pieces cannot express (an alias to an anchor
// in another piece, a value that does not start where a piece starts) makes
// a piece fail, and the whole front matter is then parsed at once, so
// mistakes are reported exactly as before.
const (
	chunkMinBytes = 32 << 10
	chunkKeys     = 256
)

// parseFrontMatter parses YAML front matter, in pieces when it is large.
func (f *file) parseFrontMatter(src []byte) (ast.Node, bool) {
	if len(src) < chunkMinBytes {
		return f.parseYAML(src)
	}
	saved, savedLine := len(f.problems), f.yamlLine
	if root, ok := f.parsePieces(src); ok {
		return root, true
	}
	f.problems, f.yamlLine = f.problems[:saved], savedLine
	return f.parseYAML(src)
}

// lineSpan is a run of lines: byte offsets and the 1-based line of start.
type lineSpan struct {
	start, end int
	line       int
}

// splitLines returns the offsets of each line of src (without newlines).
func splitLines(src []byte) []lineSpan {
	var out []lineSpan
	for off, n := 0, 1; off < len(src); n++ {
		end := bytes.IndexByte(src[off:], '\n')
		next := len(src)
		if end >= 0 {
			end += off
			next = end + 1
		} else {
			end = len(src)
		}
		out = append(out, lineSpan{start: off, end: end, line: n})
		off = next
	}
	return out
}

// keyLine reports whether a line starts a mapping key at column indent:
// not blank, not a comment, not a list entry, not a continuation.
func keyLine(l []byte, indent int) bool {
	if len(l) <= indent {
		return false
	}
	for i := range indent {
		if l[i] != ' ' {
			return false
		}
	}
	c := l[indent]
	if c == ' ' || c == '\t' || c == '#' || c == '-' || c == '[' || c == '{' || c == '}' || c == ']' {
		return false
	}
	colon := bytes.Index(l, []byte(": "))
	if colon < 0 && bytes.HasSuffix(l, []byte(":")) {
		colon = len(l) - 1
	}
	return colon > indent && bytes.IndexAny(l[indent:colon], `"'`) < 0
}

// parsePieces parses src one top-level field at a time, big block
// mappings in chunks. ok is false when any piece fails.
func (f *file) parsePieces(src []byte) (ast.Node, bool) {
	base := f.yamlLine
	defer func() { f.yamlLine = base }()
	lines := splitLines(src)
	// Top-level fields start at column 0.
	var starts []int
	for i, l := range lines {
		if keyLine(src[l.start:l.end], 0) {
			starts = append(starts, i)
		} else if len(starts) == 0 && len(bytes.TrimSpace(src[l.start:l.end])) > 0 && src[l.start] != '#' {
			return nil, false // content before the first key
		}
	}
	if len(starts) == 0 {
		return nil, false
	}
	root := ast.Mapping(tomlToken("", 1), false)
	for k, first := range starts {
		last := len(lines)
		if k+1 < len(starts) {
			last = starts[k+1]
		}
		piece := lines[first:last]
		head := src[piece[0].start:piece[0].end]
		var mv *ast.MappingValueNode
		if len(piece) > chunkKeys && bytes.HasSuffix(bytes.TrimRight(head, " \t"), []byte(":")) {
			mv = f.chunkedField(src, piece)
		} else {
			mv = f.pieceField(src, piece)
		}
		if mv == nil {
			return nil, false
		}
		root.Values = append(root.Values, mv)
	}
	return root, true
}

// pieceField parses lines holding one top-level field.
func (f *file) pieceField(src []byte, piece []lineSpan) *ast.MappingValueNode {
	f.yamlLine = 0
	n, ok := f.parseYAMLAt(src[piece[0].start:piece[len(piece)-1].end], piece[0].line)
	if !ok {
		return nil
	}
	switch v := n.(type) {
	case *ast.MappingValueNode:
		return v
	case *ast.MappingNode:
		if len(v.Values) == 1 {
			return v.Values[0]
		}
	}
	return nil
}

// chunkedField parses a "key:" line followed by a big block mapping, in
// chunks of chunkKeys keys.
func (f *file) chunkedField(src []byte, piece []lineSpan) *ast.MappingValueNode {
	head := piece[0]
	key := bytes.TrimSpace(src[head.start:head.end])
	key = key[:len(key)-1]
	if len(key) == 0 || bytes.ContainsAny(key, `"'&*!|>{}[],#`) {
		return nil
	}
	body := piece[1:]
	indent := -1
	for _, l := range body {
		t := src[l.start:l.end]
		if len(bytes.TrimSpace(t)) == 0 || bytes.HasPrefix(bytes.TrimLeft(t, " "), []byte("#")) {
			continue
		}
		indent = len(t) - len(bytes.TrimLeft(t, " "))
		break
	}
	if indent < 0 {
		return nil
	}
	if seqItem(src, body, indent) {
		return f.chunkedSequence(src, head, key, body, indent)
	}
	if indent == 0 {
		return nil
	}
	firstKey := head.line + 1
	for _, l := range body {
		if keyLine(src[l.start:l.end], indent) {
			firstKey = l.line
			break
		}
	}
	m := ast.Mapping(tomlToken("", firstKey), false)
	seen := map[string]bool{}
	for i := 0; i < len(body); {
		// Up to chunkKeys keys at the block's indentation.
		j, keys := i, 0
		for ; j < len(body); j++ {
			if keyLine(src[body[j].start:body[j].end], indent) {
				if keys == chunkKeys {
					break
				}
				keys++
			}
		}
		var vals []*ast.MappingValueNode
		fast := false
		if string(key) == "features" {
			vals, fast = fastCells(src, body[i:j], indent)
		}
		if !fast {
			n, ok := f.parseYAMLAt(src[body[i].start:body[j-1].end], body[i].line)
			if !ok {
				return nil
			}
			switch v := n.(type) {
			case nil:
			case *ast.MappingNode:
				vals = v.Values
			case *ast.MappingValueNode:
				vals = []*ast.MappingValueNode{v}
			default:
				return nil
			}
		}
		for _, mv := range vals {
			k := mv.Key.GetToken().Value
			if seen[k] {
				return nil // a duplicate key: the whole parse reports it
			}
			seen[k] = true
		}
		m.Values = append(m.Values, vals...)
		i = j
	}
	k := ast.String(tomlToken(string(key), head.line))
	return ast.MappingValue(tomlToken(":", head.line), k, m)
}

// parseYAMLAt parses a piece whose first line is line first of the front
// matter; its nodes get front matter lines, as the whole parse gives.
func (f *file) parseYAMLAt(src []byte, first int) (ast.Node, bool) {
	n, ok := f.parseYAML(src)
	if !ok || n == nil {
		return n, ok
	}
	shiftLines(n, first-1)
	return n, true
}

// shiftLines adds d to the line of every token under n, once per token
// (a mapping shares its first key's token).
func shiftLines(n ast.Node, d int) {
	if d == 0 {
		return
	}
	seen := map[*token.Token]bool{}
	ast.Walk(visitor(func(n ast.Node) {
		if tk := n.GetToken(); tk != nil && tk.Position != nil && !seen[tk] {
			seen[tk] = true
			tk.Position.Line += d
		}
	}), n)
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor {
	if n == nil {
		return nil
	}
	v(n)
	return v
}

// fastCells reads the lines of a features block that are in the simplest
// forms, `key: word` and `key: {support: word, since: "1.2", note: some
// words}`, without the YAML parser (which takes about 15 µs a cell). It
// builds the nodes the parser would, for the cell reader; ok is false at
// the first line in any other form, and the parser reads the chunk.
func fastCells(src []byte, lines []lineSpan, indent int) ([]*ast.MappingValueNode, bool) {
	out := make([]*ast.MappingValueNode, 0, len(lines))
	for _, l := range lines {
		t := src[l.start:l.end]
		if len(bytes.TrimSpace(t)) == 0 {
			continue
		}
		if !keyLine(t, indent) {
			return nil, false
		}
		t = t[indent:]
		colon := bytes.Index(t, []byte(": "))
		if colon <= 0 || !plainKey(t[:colon]) {
			return nil, false
		}
		key := string(t[:colon])
		kt := tomlToken(key, l.line)
		v := bytes.TrimSpace(t[colon+2:])
		var val ast.Node
		if len(v) > 1 && v[0] == '{' && v[len(v)-1] == '}' {
			mm, ok := fastFlowMap(v[1:len(v)-1], l.line, kt)
			if !ok {
				return nil, false
			}
			val = mm
		} else {
			if !plainValue(v, false) {
				return nil, false
			}
			val = ast.String(tomlToken(string(v), l.line))
		}
		out = append(out, ast.MappingValue(kt, ast.String(kt), val))
	}
	return out, true
}

// fastFlowMap reads `k: v, k: "v"` with plain keys and plain or simple
// double-quoted values.
func fastFlowMap(s []byte, line int, start *token.Token) (*ast.MappingNode, bool) {
	m := ast.Mapping(start, true)
	for len(bytes.TrimSpace(s)) > 0 {
		s = bytes.TrimLeft(s, " ")
		colon := bytes.Index(s, []byte(": "))
		if colon <= 0 || !plainKey(s[:colon]) {
			return nil, false
		}
		key := string(s[:colon])
		s = bytes.TrimLeft(s[colon+2:], " ")
		var v []byte
		if len(s) > 0 && s[0] == '"' {
			end := bytes.IndexByte(s[1:], '"')
			if end < 0 || bytes.IndexByte(s[1:end+1], '\\') >= 0 {
				return nil, false
			}
			v, s = s[1:end+1], s[end+2:]
			s = bytes.TrimLeft(s, " ")
		} else {
			end := bytes.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			v, s = bytes.TrimRight(s[:end], " "), s[end:]
			if !plainValue(v, true) {
				return nil, false
			}
		}
		if len(s) > 0 {
			if s[0] != ',' {
				return nil, false
			}
			s = s[1:]
		}
		kt := tomlToken(key, line)
		m.Values = append(m.Values, ast.MappingValue(kt, ast.String(kt), ast.String(tomlToken(string(v), line))))
	}
	return m, len(m.Values) > 0
}

// plainKey: letters, digits, '_', '-' and '.', as feature keys are.
func plainKey(k []byte) bool {
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return len(k) > 0
}

// plainValue reports whether v is a plain scalar that YAML reads as the
// text it is (a null is not: the parser gives it its own node).
func plainValue(v []byte, flow bool) bool {
	if len(v) == 0 || bytes.ContainsAny(v, "#{}[]&*!|>'\"%@`\t\\") || bytes.Contains(v, []byte(": ")) || v[len(v)-1] == ':' {
		return false
	}
	if flow && bytes.ContainsAny(v, ",") {
		return false
	}
	switch v[0] {
	case '-', '?', ':', ',', ' ':
		return false
	}
	switch string(v) {
	case "~", "null", "Null", "NULL":
		return false
	}
	return true
}

// itemLine reports whether a line starts a block sequence entry at column
// indent.
func itemLine(l []byte, indent int) bool {
	if len(l) <= indent || (indent > 0 && len(bytes.TrimLeft(l[:indent], " ")) > 0) || l[indent] != '-' {
		return false
	}
	return len(l) == indent+1 || l[indent+1] == ' '
}

// seqItem reports whether the first entry of body is a sequence entry.
func seqItem(src []byte, body []lineSpan, indent int) bool {
	for _, l := range body {
		t := src[l.start:l.end]
		if len(bytes.TrimSpace(t)) == 0 || bytes.HasPrefix(bytes.TrimLeft(t, " "), []byte("#")) {
			continue
		}
		return itemLine(t, indent)
	}
	return false
}

// chunkedSequence parses a "key:" line followed by a big block sequence
// (topic.yaml's features), chunkKeys entries at a time.
func (f *file) chunkedSequence(src []byte, head lineSpan, key []byte, body []lineSpan, indent int) *ast.MappingValueNode {
	seq := ast.Sequence(tomlToken("-", head.line+1), false)
	for i := 0; i < len(body); {
		j, items := i, 0
		for ; j < len(body); j++ {
			if itemLine(src[body[j].start:body[j].end], indent) {
				if items == chunkKeys {
					break
				}
				items++
			}
		}
		n, ok := f.parseYAMLAt(src[body[i].start:body[j-1].end], body[i].line)
		if !ok {
			return nil
		}
		switch v := n.(type) {
		case nil:
		case *ast.SequenceNode:
			seq.Values = append(seq.Values, v.Values...)
		default:
			return nil
		}
		i = j
	}
	k := ast.String(tomlToken(string(key), head.line))
	return ast.MappingValue(tomlToken(":", head.line), k, seq)
}
