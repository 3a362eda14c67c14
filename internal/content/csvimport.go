package content

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"versa/internal/kb"
)

// A spreadsheet matrix, the usual start of a comparison, turned into a
// topic: topic.yaml and one systems/<slug>.md per system.
//
// With systems in columns (the default) the header row is
//
//	feature, [category,] [description,] [type,] System A, System B, ...
//
// and each further row is a feature. With systems in rows it is
//
//	system, [homepage,] [summary,] Feature 1, Feature 2, ...
//
// and each further row is a system (features then all go in one category).
// A cell is a value, then optionally "; " and a note: "partial; views
// only" is support partial with the note "views only". Support words are
// mapped: yes, y, true, ✓, ✔ are yes; no, n, false, ✗, ✘, ✕ are no;
// partial, some, limited, ~ are partial; plugin, extension, addon are
// plugin; an empty cell, ? or unknown leaves the feature unknown. A
// feature's type is support when its values are support words, year when
// they are four-digit years, number when they are numbers, else text; a
// type column overrides it.

// ImportOptions says how to read a spreadsheet.
type ImportOptions struct {
	Topic     string // the topic slug, the folder name
	Title     string // the topic's title; the slug's words when empty
	SystemsIn string // "columns" (default) or "rows"
}

// ImportCSV reads a CSV matrix and returns the files of a topic, keyed by
// path relative to the content root. Every bad row is a problem at
// name:line; when there is any, no files are returned.
func ImportCSV(r io.Reader, name string, opt ImportOptions) (map[string][]byte, []kb.Problem) {
	im := &importer{name: name}
	if msg := checkSlug(opt.Topic); msg != "" {
		im.addf(0, "--topic: %s", msg)
		return nil, im.problems
	}
	// Rows of the wrong width are reported and left out; the others are
	// still checked, so every bad row is reported at once.
	rows := im.read(r)
	if len(rows) < 2 {
		if len(im.problems) > 0 {
			return nil, im.problems
		}
		im.addf(1, "the file needs a header row and at least one more row")
		return nil, im.problems
	}
	var m *matrix
	switch opt.SystemsIn {
	case "", "columns":
		m = im.byColumns(rows)
	case "rows":
		m = im.byRows(rows)
	default:
		im.addf(0, "--systems-in must be columns or rows, not %q", opt.SystemsIn)
	}
	if m == nil {
		return nil, im.problems
	}
	im.types(m)
	if len(im.problems) > 0 {
		slices.SortStableFunc(im.problems, func(a, b kb.Problem) int { return a.Line - b.Line })
		return nil, im.problems
	}
	title := opt.Title
	if title == "" {
		title = strings.ToUpper(opt.Topic[:1]) + strings.ReplaceAll(opt.Topic[1:], "-", " ")
	}
	return m.files(opt.Topic, title), nil
}

type importer struct {
	name     string
	problems []kb.Problem
}

func (im *importer) addf(line int, format string, args ...any) {
	im.problems = append(im.problems, kb.Problem{Path: im.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// row is one CSV record and its line.
type row struct {
	line   int
	fields []string
}

func (im *importer) read(r io.Reader) []row {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var rows []row
	width := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				im.addf(pe.Line, "not valid CSV: %v", pe.Err)
			} else {
				im.addf(0, "cannot read: %v", err)
			}
			return nil
		}
		line, _ := cr.FieldPos(0)
		if !utf8.ValidString(strings.Join(rec, "")) {
			im.addf(line, "row is not valid UTF-8: save the file as UTF-8")
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(strings.TrimPrefix(rec[i], "\ufeff"))
		}
		if !slices.ContainsFunc(rec, func(s string) bool { return s != "" }) {
			continue // a blank row
		}
		if len(rows) == 0 {
			width = len(rec)
		} else if len(rec) != width {
			im.addf(line, "row has %d cells, the header has %d: every row needs one cell per column (an empty cell is unknown)", len(rec), width)
			continue
		}
		rows = append(rows, row{line: line, fields: rec})
	}
	return rows
}

// matrix is what a spreadsheet says, however it is laid out.
type matrix struct {
	categories []kb.Category
	features   []importFeature
	systems    []importSystem
}

type importFeature struct {
	kb.Feature
	line      int
	typeGiven bool
}

type importSystem struct {
	slug, name, homepage, summary string
	line                          int
	cells                         []importCell // one per feature
}

type importCell struct {
	value, note string
	line        int
}

// header finds the reserved columns of a header row (case-insensitive);
// the others are data columns.
func header(h []string, reserved ...string) (map[string]int, []int) {
	at := map[string]int{}
	var data []int
	for i, name := range h {
		n := strings.ToLower(name)
		if i > 0 && slices.Contains(reserved, n) {
			if _, dup := at[n]; !dup {
				at[n] = i
				continue
			}
		}
		if i > 0 {
			data = append(data, i)
		}
	}
	return at, data
}

func cell(fields []string, at map[string]int, name string) string {
	if i, ok := at[name]; ok {
		return fields[i]
	}
	return ""
}

func (im *importer) byColumns(rows []row) *matrix {
	h := rows[0]
	at, cols := header(h.fields, "category", "description", "type")
	if len(cols) == 0 {
		im.addf(h.line, "the header names no system: after the feature column (and category, description, type), each column is a system")
		return nil
	}
	m := &matrix{}
	for _, c := range cols {
		m.systems = append(m.systems, importSystem{name: h.fields[c], line: h.line})
	}
	cats := map[string]int{}
	for _, r := range rows[1:] {
		f, ok := im.feature(m, r.fields[0], cell(r.fields, at, "category"), r.line, cats)
		if !ok {
			continue
		}
		f.Description = cell(r.fields, at, "description")
		if t := cell(r.fields, at, "type"); t != "" {
			ft := kb.FeatureType(strings.ToLower(t))
			if !slices.Contains(kb.FeatureTypes, ft) {
				im.addf(r.line, "type %q of feature %q is not one of %s", t, f.Name, typeList())
				continue
			}
			f.Type, f.typeGiven = ft, true
		}
		m.features = append(m.features, f)
		for i, c := range cols {
			m.systems[i].cells = append(m.systems[i].cells, splitCell(r.fields[c], r.line))
		}
	}
	im.systemSlugs(m)
	return m
}

func (im *importer) byRows(rows []row) *matrix {
	h := rows[0]
	at, cols := header(h.fields, "homepage", "summary")
	if len(cols) == 0 {
		im.addf(h.line, "the header names no feature: after the system column (and homepage, summary), each column is a feature")
		return nil
	}
	m := &matrix{}
	cats := map[string]int{}
	for _, c := range cols {
		if f, ok := im.feature(m, h.fields[c], "", h.line, cats); ok {
			m.features = append(m.features, f)
		}
	}
	for _, r := range rows[1:] {
		s := importSystem{name: r.fields[0], homepage: cell(r.fields, at, "homepage"), summary: cell(r.fields, at, "summary"), line: r.line}
		if s.homepage != "" && !httpURL(s.homepage) {
			im.addf(r.line, "homepage %q of %s is not an http or https URL", s.homepage, s.name)
		}
		for _, c := range cols {
			s.cells = append(s.cells, splitCell(r.fields[c], r.line))
		}
		m.systems = append(m.systems, s)
	}
	im.systemSlugs(m)
	return m
}

// feature reads a feature's name (or key) and category.
func (im *importer) feature(m *matrix, name, category string, line int, cats map[string]int) (importFeature, bool) {
	if name == "" {
		im.addf(line, "empty feature name: give each row a feature in its first cell")
		return importFeature{}, false
	}
	key := name
	if !keyRE.MatchString(key) || strings.ToLower(key) != key {
		key = strings.ReplaceAll(suggestSlug(name), "-", "_")
	}
	if key == "" {
		im.addf(line, "feature %q has no letters or digits to make a key of", name)
		return importFeature{}, false
	}
	for _, f := range m.features {
		if f.Key == key {
			im.addf(line, "duplicate feature %q (key %s, first on line %d)", name, key, f.line)
			return importFeature{}, false
		}
	}
	if category == "" {
		category = "General"
	}
	ckey := strings.ReplaceAll(suggestSlug(category), "-", "_")
	if ckey == "" {
		im.addf(line, "category %q has no letters or digits to make a key of", category)
		return importFeature{}, false
	}
	if _, ok := cats[ckey]; !ok {
		cats[ckey] = len(m.categories)
		m.categories = append(m.categories, kb.Category{Key: ckey, Title: category})
	}
	return importFeature{Feature: kb.Feature{Key: key, Name: name, Category: ckey}, line: line}, true
}

func (im *importer) systemSlugs(m *matrix) {
	seen := map[string]int{}
	for i := range m.systems {
		s := &m.systems[i]
		if s.name == "" {
			im.addf(s.line, "empty system name: every system needs a name")
			continue
		}
		s.slug = suggestSlug(s.name)
		s.slug = strings.ReplaceAll(s.slug, "-vs-", "-v-")
		if s.slug == "" || s.slug == "changes" {
			im.addf(s.line, "system %q makes no usable slug: rename it", s.name)
			continue
		}
		if first, dup := seen[s.slug]; dup {
			im.addf(s.line, "duplicate system %q (slug %s, like %q)", s.name, s.slug, m.systems[first].name)
			continue
		}
		seen[s.slug] = i
	}
}

// splitCell separates a cell's value from its note ("partial; views only").
func splitCell(s string, line int) importCell {
	v, note, _ := strings.Cut(s, ";")
	return importCell{value: strings.TrimSpace(v), note: strings.TrimSpace(note), line: line}
}

// supportWord maps a spreadsheet's support words to a support level.
func supportWord(s string) (kb.Support, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "✓", "✔", "✔️", "☑", "supported", "full":
		return kb.SupportYes, true
	case "no", "n", "false", "✗", "✘", "✕", "❌", "none", "unsupported":
		return kb.SupportNo, true
	case "partial", "partly", "some", "limited", "~", "◐":
		return kb.SupportPartial, true
	case "plugin", "extension", "addon", "add-on", "via plugin":
		return kb.SupportPlugin, true
	case "", "?", "unknown", "n/a", "na":
		return kb.SupportUnknown, true
	}
	return "", false
}

// types decides each feature's type from its values (unless the type
// column gave it) and reports the values that do not fit: in a feature
// whose values are at least half support words, one that is not is a
// mistake.
func (im *importer) types(m *matrix) {
	for fi := range m.features {
		f := &m.features[fi]
		var values []importCell
		for _, s := range m.systems {
			if c := s.cells[fi]; c.value != "" {
				values = append(values, c)
			}
		}
		if !f.typeGiven {
			f.Type = inferType(values)
		}
		for si := range m.systems {
			c := &m.systems[si].cells[fi]
			if c.value == "" {
				continue
			}
			if msg := checkValue(f.Type, c.value); msg != "" {
				im.addf(c.line, "%s, feature %q: %s", m.systems[si].name, f.Name, msg)
			}
		}
	}
}

func inferType(values []importCell) kb.FeatureType {
	if len(values) == 0 {
		return kb.TypeSupport
	}
	support, years, numbers := 0, 0, 0
	for _, c := range values {
		if _, ok := supportWord(c.value); ok {
			support++
		}
		if y, err := strconv.Atoi(c.value); err == nil && y >= 1000 && y <= 9999 {
			years++
		}
		if _, err := strconv.ParseFloat(strings.ReplaceAll(c.value, "_", ""), 64); err == nil {
			numbers++
		}
	}
	switch {
	case support*2 >= len(values):
		return kb.TypeSupport // the rest are mistakes, reported
	case years == len(values):
		return kb.TypeYear
	case numbers == len(values):
		return kb.TypeNumber
	}
	return kb.TypeText
}

func checkValue(t kb.FeatureType, v string) string {
	switch t {
	case kb.TypeSupport:
		if _, ok := supportWord(v); !ok {
			levels := []string{"yes", "no", "partial", "plugin", "unknown"}
			return fmt.Sprintf("%q is not a support word (yes, no, partial, plugin, unknown, y, n, ✓, ✗ ...)%s; if the feature is text, give it a type column", v, didYouMean(strings.ToLower(v), levels))
		}
	case kb.TypeYear:
		if y, err := strconv.Atoi(v); err != nil || y < 1000 || y > 9999 {
			return fmt.Sprintf("%q is not a year: write four digits like 2005", v)
		}
	case kb.TypeNumber:
		if _, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64); err != nil {
			return fmt.Sprintf("%q is not a number", v)
		}
	}
	return ""
}

func typeList() string {
	s := make([]string, len(kb.FeatureTypes))
	for i, t := range kb.FeatureTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// files writes the matrix as content files.
func (m *matrix) files(topic, title string) map[string][]byte {
	out := map[string][]byte{}
	var b bytes.Buffer
	fmt.Fprintf(&b, "title: %s\ncategories:\n", yq(title))
	for _, c := range m.categories {
		fmt.Fprintf(&b, "  - key: %s\n    title: %s\n", c.Key, yq(c.Title))
	}
	b.WriteString("features:\n")
	for _, f := range m.features {
		fmt.Fprintf(&b, "  - key: %s\n    name: %s\n    category: %s\n", f.Key, yq(f.Name), f.Category)
		if f.Description != "" {
			fmt.Fprintf(&b, "    description: %s\n", yq(f.Description))
		}
		if f.Type != kb.TypeSupport {
			fmt.Fprintf(&b, "    type: %s\n", f.Type)
		}
	}
	out[path.Join(topic, "topic.yaml")] = bytes.Clone(b.Bytes())
	for _, s := range m.systems {
		b.Reset()
		fmt.Fprintf(&b, "---\nname: %s\n", yq(s.name))
		if s.homepage != "" {
			fmt.Fprintf(&b, "homepage: %s\n", yq(s.homepage))
		}
		if s.summary != "" {
			fmt.Fprintf(&b, "summary: %s\n", yq(s.summary))
		}
		b.WriteString("features:\n")
		for fi, f := range m.features {
			c := s.cells[fi]
			v := c.value
			if f.Type == kb.TypeSupport {
				sup, _ := supportWord(v)
				if sup == kb.SupportUnknown && c.note == "" {
					continue
				}
				v = string(sup)
			} else if v == "" && c.note == "" {
				continue
			} else if v == "" {
				v = "unknown" // a note on an empty cell
			} else {
				v = yq(v)
			}
			if c.note != "" {
				key := "value"
				if f.Type == kb.TypeSupport {
					key = "support"
				}
				fmt.Fprintf(&b, "  %s: {%s: %s, note: %s}\n", f.Key, key, v, yq(c.note))
			} else {
				fmt.Fprintf(&b, "  %s: %s\n", f.Key, v)
			}
		}
		b.WriteString("---\n")
		out[path.Join(topic, "systems", s.slug+".md")] = bytes.Clone(b.Bytes())
	}
	return out
}

// yq quotes a string for YAML: a double-quoted scalar, whose escapes Go's
// strconv.Quote writes.
func yq(s string) string { return strconv.Quote(s) }
