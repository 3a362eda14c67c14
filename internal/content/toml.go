package content

import (
	"errors"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
	"github.com/pelletier/go-toml/v2/unstable"
)

// parseTOML reads TOML front matter (Hugo's `+++` block) into the same YAML
// nodes a `---` block gives, with each key's line, so every check after it
// (fields, cells, types, "did you mean") is the one YAML front matter gets.
// Tables ([features], [params]) and dotted keys (features.orm = "yes")
// become nested mappings; arrays of tables become lists of mappings.
func (f *file) parseTOML(src []byte) (ast.Node, bool) {
	var p unstable.Parser
	p.Reset(src)
	t := &tomlTree{p: &p, root: newTOMLMap(1)}
	cur := t.root
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.KeyValue:
			t.keyValue(f, cur, e)
		case unstable.Table:
			parts, line := t.key(e.Key())
			cur = t.table(f, t.root, parts, line)
		case unstable.ArrayTable:
			parts, line := t.key(e.Key())
			cur = t.arrayTable(f, parts, line)
		}
	}
	if err := p.Error(); err != nil {
		line, msg := f.yamlLine+1, err.Error()
		var pe *unstable.ParserError
		if errors.As(err, &pe) && pe.Highlight != nil {
			line = f.yamlLine + p.Shape(p.Range(pe.Highlight)).Start.Line
			msg = pe.Message
		}
		f.addf(line, "invalid TOML: %s", msg)
		return nil, false
	}
	if cur == nil || len(t.root.node.Values) == 0 {
		return nil, true
	}
	return t.root.node, true
}

// tomlTree builds YAML nodes from TOML expressions.
type tomlTree struct {
	p    *unstable.Parser
	root *tomlMap
}

// tomlMap is a mapping under construction, indexed by key: a [features]
// table may hold tens of thousands of keys.
type tomlMap struct {
	node  *ast.MappingNode
	index map[string]*ast.MappingValueNode
	sub   map[string]*tomlMap // child tables, by key
	// defined is set for a table given by its own [header], which TOML
	// allows once.
	defined bool
}

func newTOMLMap(line int) *tomlMap {
	return &tomlMap{node: ast.Mapping(tomlToken("", line), false), index: map[string]*ast.MappingValueNode{}, sub: map[string]*tomlMap{}}
}

// tokenPos is a token and its position in one allocation: the fast path
// of big front matter makes one per key and value.
type tokenPos struct {
	tok token.Token
	pos token.Position
}

func tomlToken(v string, line int) *token.Token {
	tp := &tokenPos{pos: token.Position{Line: line, Column: 1}}
	tp.tok = token.Token{Type: token.StringType, Value: v, Origin: v, Position: &tp.pos}
	return &tp.tok
}

// key returns a key's dotted parts and the line of its first part.
func (t *tomlTree) key(it unstable.Iterator) ([]string, int) {
	var parts []string
	line := 0
	for it.Next() {
		k := it.Node()
		if line == 0 {
			line = t.p.Shape(k.Raw).Start.Line
		}
		parts = append(parts, string(k.Data))
	}
	return parts, line
}

// set adds key to m, reporting a key given twice.
func (t *tomlTree) set(f *file, m *tomlMap, key string, line int, val ast.Node) {
	if _, ok := m.index[key]; ok {
		f.addf(f.yamlLine+line, "duplicate TOML key %q: give each key once", key)
		return
	}
	mv := ast.MappingValue(tomlToken(":", line), ast.String(tomlToken(key, line)), val)
	m.index[key] = mv
	m.node.Values = append(m.node.Values, mv)
	if sm, ok := val.(*ast.MappingNode); ok {
		if _, ok := m.sub[key]; !ok {
			m.sub[key] = &tomlMap{node: sm, index: indexOf(sm), sub: map[string]*tomlMap{}}
		}
	}
}

func indexOf(m *ast.MappingNode) map[string]*ast.MappingValueNode {
	idx := make(map[string]*ast.MappingValueNode, len(m.Values))
	for _, mv := range m.Values {
		idx[mv.Key.GetToken().Value] = mv
	}
	return idx
}

// child returns the table at key under m, creating it; nil when key holds
// a value that is not a table.
func (t *tomlTree) child(f *file, m *tomlMap, key string, line int) *tomlMap {
	if c, ok := m.sub[key]; ok {
		return c
	}
	if mv, ok := m.index[key]; ok {
		if seq, ok := mv.Value.(*ast.SequenceNode); ok && len(seq.Values) > 0 {
			// [[a]] then [a.b]: b belongs to the last element of a.
			if last, ok := seq.Values[len(seq.Values)-1].(*ast.MappingNode); ok {
				c := &tomlMap{node: last, index: indexOf(last), sub: map[string]*tomlMap{}}
				return c
			}
		}
		f.addf(f.yamlLine+line, "TOML key %q is already a value, not a table", key)
		return nil
	}
	c := newTOMLMap(line)
	t.set(f, m, key, line, c.node)
	m.sub[key] = c
	return c
}

func (t *tomlTree) keyValue(f *file, cur *tomlMap, e *unstable.Node) {
	if cur == nil {
		return // under a table header that was refused
	}
	parts, line := t.key(e.Key())
	m := cur
	for _, k := range parts[:len(parts)-1] {
		if m = t.child(f, m, k, line); m == nil {
			return
		}
	}
	t.set(f, m, parts[len(parts)-1], line, t.value(f, e.Value(), line))
}

func (t *tomlTree) table(f *file, m *tomlMap, parts []string, line int) *tomlMap {
	for _, k := range parts {
		if m = t.child(f, m, k, line); m == nil {
			return nil
		}
	}
	if m.defined {
		f.addf(f.yamlLine+line, "TOML table [%s] is given twice: merge the two", strings.Join(parts, "."))
	}
	m.defined = true
	return m
}

func (t *tomlTree) arrayTable(f *file, parts []string, line int) *tomlMap {
	m := t.root
	for _, k := range parts[:len(parts)-1] {
		if m = t.child(f, m, k, line); m == nil {
			return nil
		}
	}
	last := parts[len(parts)-1]
	elem := newTOMLMap(line)
	mv, ok := m.index[last]
	if !ok {
		seq := ast.Sequence(tomlToken("[", line), false)
		t.set(f, m, last, line, seq)
		mv = m.index[last]
	}
	seq, ok := mv.Value.(*ast.SequenceNode)
	if !ok {
		f.addf(f.yamlLine+line, "TOML key %q is already a value, not an array of tables", last)
		return nil
	}
	seq.Values = append(seq.Values, elem.node)
	return elem
}

// value converts a TOML value. Strings keep their decoded text; numbers,
// booleans and dates their text as written, the way YAML scalars are read.
func (t *tomlTree) value(f *file, v *unstable.Node, line int) ast.Node {
	if v.Raw.Length > 0 {
		line = t.p.Shape(v.Raw).Start.Line
	}
	tk := tomlToken(string(v.Data), line)
	switch v.Kind {
	case unstable.String, unstable.LocalDate, unstable.LocalTime, unstable.LocalDateTime, unstable.DateTime:
		return ast.String(tk)
	case unstable.Bool:
		tk.Type = token.BoolType
		return ast.Bool(tk)
	case unstable.Integer:
		tk.Type = token.IntegerType
		return ast.Integer(tk)
	case unstable.Float:
		tk.Type = token.FloatType
		return ast.Float(tk)
	case unstable.Array:
		seq := ast.Sequence(tomlToken("[", line), true)
		for it := v.Children(); it.Next(); {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			seq.Values = append(seq.Values, t.value(f, c, line))
		}
		return seq
	case unstable.InlineTable:
		m := newTOMLMap(line)
		for it := v.Children(); it.Next(); {
			c := it.Node()
			if c.Kind == unstable.KeyValue {
				t.keyValue(f, m, c)
			}
		}
		return m.node
	}
	return ast.Null(tk)
}
