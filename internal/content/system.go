package content

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"versa/internal/kb"
)

var (
	systemFields = []string{"name", "homepage", "summary", "tags", "aliases", "checked", "features"}
	cellFields   = []string{"support", "value", "note", "since", "via", "source", "checked"}
)

// parseSystem reads systems/<slug>.md. It returns nil when the file cannot
// be read at all (not UTF-8, no front matter, bad YAML).
func parseSystem(f *file, md *markdown, t *topicInfo, slug string, src []byte) *kb.System {
	fields, bodySrc, bodyLine, ok := f.markdownFile(src)
	if !ok {
		return nil
	}
	s := &kb.System{Topic: t.Slug, Slug: slug, Path: f.path}
	if msg := checkSlug(slug); msg != "" {
		f.addf(1, "%s (the file name is the slug)", msg)
	} else if strings.Contains(slug, "-vs-") {
		f.addf(1, "system slug %q contains \"-vs-\", which compare URLs use to separate systems: rename the file", slug)
	}
	fm := systemFrontMatter(f, t, s, fields)
	s.Cells = fm.cellsOf(f, t)
	b, rendered, lines, err := f.renderBody(md, bodySrc, bodyLine, true)
	if err != nil {
		f.addf(bodyLine, "cannot render Markdown: %v", err)
		return nil
	}
	s.Sections = b.Sections
	for _, m := range b.Matrices {
		f.addf(fileLine(rendered, lines, m.Start, bodyLine), "```matrix blocks belong in articles, not in system pages")
	}
	return s
}

// systemCells is what a system's front matter says of its cells: the cells
// it writes, their lines, and the file's default checked date.
type systemCells struct {
	cells   map[string]kb.Cell
	lines   map[string]int
	checked time.Time
}

// systemFrontMatter reads a system's front matter fields into s, Hugo's
// page fields included, and returns its cells.
func systemFrontMatter(f *file, t *topicInfo, s *kb.System, fields []field) systemCells {
	sc := systemCells{cells: map[string]kb.Cell{}}
	nameLine := 1
	var meta pageMeta
	for _, fd := range fields {
		if f.pageField(fd, &meta, false) {
			continue
		}
		switch fd.key {
		case "name":
			s.Name, nameLine = f.sized(fd, "name"), fd.line
		case "homepage":
			s.Homepage = f.str(fd)
			if s.Homepage != "" && !httpURL(s.Homepage) {
				f.addf(fd.line, "homepage %q is not an http or https URL", s.Homepage)
				s.Homepage = ""
			}
		case "summary":
			s.Summary = f.sized(fd, "summary")
		case "tags":
			s.Tags = f.list(fd)
		case "aliases":
			s.Aliases, f.aliasLine = f.slugList(fd), fd.line
		case "features":
			sc.cells, sc.lines = parseCells(f, t, fd)
		case "checked":
			sc.checked = f.checked(fd, "")
		default:
			f.unknownPageField(fd, "system front matter", systemFields)
		}
	}
	meta.merge(f, &s.Summary, &s.Tags, &s.Aliases)
	s.Order, s.ShortTitle, s.Params = meta.order, meta.shortTitle, meta.params
	if s.Name == "" {
		f.addf(nameLine, "missing name: add `name: ...` with the system's display name")
	}
	return sc
}

// cellsOf is one cell per feature of the topic, in its order: unknown
// where the file writes none; a written cell takes the file's checked
// date when it has none, and is checked for staleness.
func (sc systemCells) cellsOf(f *file, t *topicInfo) []kb.Cell {
	out := make([]kb.Cell, len(t.Features))
	for i, ft := range t.Features {
		c, ok := sc.cells[ft.Key]
		if !ok {
			c = kb.Cell{Support: kb.SupportUnknown}
		} else {
			if c.Checked.IsZero() {
				c.Checked = sc.checked
			}
			f.checkStale(ft.Key, c, sc.lines[ft.Key])
		}
		c.Feature = ft.Key
		out[i] = c
	}
	return out
}

// slugList reads a list of slugs (aliases), reporting bad ones.
func (f *file) slugList(fd field) []string {
	var out []string
	for _, s := range f.list(fd) {
		if msg := checkSlug(s); msg != "" {
			f.addf(fd.line, "%s: %s", fd.key, msg)
			continue
		}
		out = append(out, s)
	}
	return out
}

// parseCells reads the features map of a system: its cells and the line
// of each.
func parseCells(f *file, t *topicInfo, fd field) (map[string]kb.Cell, map[string]int) {
	entries, ok := f.fields(fd.val, "features")
	if !ok {
		return nil, nil
	}
	cells := make(map[string]kb.Cell, len(entries))
	lines := make(map[string]int, len(entries))
	for _, e := range entries {
		ft, ok := t.features[e.key]
		if !ok {
			f.addf(e.line, "unknown feature %q%s: features are defined in %s", e.key, orList(e.key, t.featKeys), t.Path)
			continue
		}
		if c, ok := parseCell(f, ft, e); ok {
			cells[ft.Key] = c
			lines[ft.Key] = e.line
		}
	}
	return cells, lines
}

// checkStale warns, when the check asks for it (staleBefore), about a
// written cell with no checked date or one older than asked.
func (f *file) checkStale(feature string, c kb.Cell, line int) {
	switch {
	case f.staleBefore.IsZero():
	case c.Checked.IsZero():
		f.warnf(line, "feature %s has no checked date: verify it and add `checked: YYYY-MM-DD` to the cell or once to the front matter", feature)
	case c.Checked.Before(f.staleBefore):
		f.warnf(line, "feature %s was last checked %s, before %s: verify it and update checked", feature, c.CheckedDate(), f.staleBefore.Format(time.DateOnly))
	}
}

// parseCell reads one cell: a bare value or a map with support/value, note,
// since, via, source and checked.
func parseCell(f *file, ft kb.Feature, e field) (kb.Cell, bool) {
	var c kb.Cell
	valField := e
	if _, isMap := e.val.(*ast.MappingNode); isMap || isMapValue(e.val) {
		entries, _ := f.fields(e.val, "feature "+ft.Key)
		var have *field
		for i, m := range entries {
			switch m.key {
			case "support", "value":
				if have != nil {
					f.addf(m.line, "feature %s: give %q or %q, not both", ft.Key, have.key, m.key)
					continue
				}
				have = &entries[i]
			case "note":
				c.Note = f.str(m)
			case "since":
				c.Since = f.str(m)
			case "via":
				c.Via = f.str(m)
			case "source":
				c.Source = f.str(m)
				if c.Source != "" && !httpURL(c.Source) {
					f.addf(m.line, "feature %s: source %q is not an http or https URL", ft.Key, c.Source)
					c.Source = ""
				}
			case "checked":
				c.Checked = f.checked(m, "feature "+ft.Key+": ")
			default:
				f.unknownField(m, "feature "+ft.Key, cellFields)
			}
		}
		if have == nil {
			if ft.Type == kb.TypeSupport {
				f.addf(e.line, "feature %s has no support level: add `support: yes` (or partial, plugin, no, unknown)", ft.Key)
			} else {
				f.addf(e.line, "feature %s has no value: add `value: ...`", ft.Key)
			}
			return c, false
		}
		valField = *have
		valField.key = ft.Key
	}
	if !setValue(f, ft, valField, &c) {
		return c, false
	}
	return c, true
}

// checked reads a `checked:` date, YYYY-MM-DD; a bad one is a problem at
// its line and reads as no date. prefix starts the message.
func (f *file) checked(fd field, prefix string) time.Time {
	raw, ok := scalar(fd.val)
	if !ok {
		f.addf(fd.line, "%schecked must be a single date (YYYY-MM-DD), not %s", prefix, describe(fd.val))
		return time.Time{}
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		f.addf(fd.line, "%schecked is empty: write the date the value was last verified, as YYYY-MM-DD (e.g. 2026-12-01), or leave the field out", prefix)
		return time.Time{}
	}
	d, err := kb.ParseChecked(s)
	if err != nil {
		f.addf(fd.line, "%schecked %q is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01", prefix, s)
		return time.Time{}
	}
	if d.After(time.Now().Add(36 * time.Hour)) {
		f.warnf(fd.line, "%schecked %s is in the future: is the year right?", prefix, s)
	}
	return d
}

func isMapValue(n ast.Node) bool {
	_, ok := n.(*ast.MappingValueNode)
	return ok
}

// setValue checks a cell's value against the feature's type.
func setValue(f *file, ft kb.Feature, fd field, c *kb.Cell) bool {
	if ft.Type == kb.TypeList {
		if _, ok := fd.val.(*ast.SequenceNode); ok {
			items := f.list(fd)
			c.Value = strings.Join(items, ", ")
			c.Support = ""
			return true
		}
	}
	raw, ok := scalar(fd.val)
	if !ok {
		f.addf(fd.line, "feature %s (%s) takes a single value, not %s", ft.Key, ft.Type, describe(fd.val))
		return false
	}
	v := strings.TrimSpace(raw)
	if v == "" {
		f.addf(fd.line, "feature %s has an empty value: write %s, or leave the feature out to show it as unknown", ft.Key, typeHint(ft.Type))
		return false
	}
	if strings.EqualFold(v, "unknown") {
		c.Support = kb.SupportUnknown
		return true
	}
	switch ft.Type {
	case kb.TypeSupport:
		s := kb.Support(strings.ToLower(v))
		switch s {
		case "true":
			s = kb.SupportYes
		case "false":
			s = kb.SupportNo
		}
		if !s.Valid() {
			f.addf(fd.line, "feature %s: %q is not a support level: use yes, partial, plugin, no or unknown%s", ft.Key, v, supportHint(v))
			return false
		}
		c.Support = s
		return true
	case kb.TypeNumber:
		if _, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64); err != nil {
			f.addf(fd.line, "feature %s is a number, but %q is not one: write digits like 42 or 3.5", ft.Key, v)
			return false
		}
	case kb.TypeYear:
		y, err := strconv.Atoi(v)
		if err != nil || y < 1000 || y > 9999 {
			f.addf(fd.line, "feature %s is a year, but %q is not one: write four digits like 2005", ft.Key, v)
			return false
		}
	case kb.TypeList:
		items := f.list(fd)
		v = strings.Join(items, ", ")
	}
	c.Value = v
	return true
}

func typeHint(t kb.FeatureType) string {
	switch t {
	case kb.TypeSupport:
		return "yes, partial, plugin, no or unknown"
	case kb.TypeNumber:
		return "a number"
	case kb.TypeYear:
		return "a year like 2005"
	case kb.TypeList:
		return "a list like [a, b]"
	}
	return "a value"
}

func supportHint(v string) string {
	levels := make([]string, len(kb.SupportLevels))
	for i, l := range kb.SupportLevels {
		levels[i] = string(l)
	}
	return didYouMean(strings.ToLower(v), levels)
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// lineAt returns the 1-based line of byte offset off in src.
func lineAt(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	n := 1
	for _, b := range src[:off] {
		if b == '\n' {
			n++
		}
	}
	return n
}
