package content

import (
	"fmt"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"versa/internal/kb"
)

var (
	topicFields    = []string{"title", "summary", "categories", "features"}
	categoryFields = []string{"key", "title"}
	featureFields  = []string{"key", "name", "category", "description", "type"}
)

// topicInfo is a parsed topic.yaml with what the files of the topic are
// checked against.
type topicInfo struct {
	kb.Topic
	features map[string]kb.Feature
	featKeys []string
	catKeys  map[string]bool
}

// parseTopic reads topic.yaml. It returns nil when the file cannot be read
// as YAML at all; other mistakes are problems and the rest is kept.
func parseTopic(f *file, slug string, src []byte) *topicInfo {
	src, ok := f.checkText(src)
	if !ok {
		return nil
	}
	root, ok := f.parseFrontMatter(src)
	if !ok {
		return nil
	}
	t := &topicInfo{Topic: kb.Topic{Slug: slug, Path: f.path}, features: map[string]kb.Feature{}, catKeys: map[string]bool{}}
	fields, ok := f.fields(root, "topic.yaml")
	if !ok {
		return nil
	}
	var cats, feats *field
	seen := map[string]bool{}
	for i, fd := range fields {
		seen[fd.key] = true
		switch fd.key {
		case "title":
			t.Title = f.sized(fd, "title")
		case "summary":
			t.Summary = f.sized(fd, "summary")
		case "categories":
			cats = &fields[i]
		case "features":
			feats = &fields[i]
		default:
			f.unknownField(fd, "topic.yaml", topicFields)
		}
	}
	if t.Title == "" {
		f.addf(titleLine(fields), "missing title: add `title: ...` naming the topic")
	}
	if cats != nil {
		t.parseCategories(f, *cats)
	}
	if feats != nil {
		t.parseFeatures(f, *feats)
	}
	return t
}

func titleLine(fields []field) int {
	for _, fd := range fields {
		if fd.key == "title" {
			return fd.line
		}
	}
	return 1
}

// entries returns the items of a list field, each a mapping.
func (f *file) entries(fd field) []ast.Node {
	switch v := fd.val.(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.SequenceNode:
		return v.Values
	}
	f.addf(fd.line, "%s must be a list of entries, each starting with \"- key: ...\"", fd.key)
	return nil
}

func (t *topicInfo) parseCategories(f *file, fd field) {
	first := map[string]int{}
	for _, n := range f.entries(fd) {
		entry, ok := f.fields(n, "a category")
		if !ok {
			continue
		}
		var c kb.Category
		for _, e := range entry {
			switch e.key {
			case "key":
				c.Key = f.str(e)
			case "title":
				c.Title = f.str(e)
			default:
				f.unknownField(e, "a category", categoryFields)
			}
		}
		line := f.line(n)
		if !f.checkKey("category", c.Key, line, first) {
			continue
		}
		if c.Title == "" {
			f.addf(line, "category %q has no title: add `title: ...`", c.Key)
			c.Title = c.Key
		}
		t.Categories = append(t.Categories, c)
		t.catKeys[c.Key] = true
	}
}

// checkKey reports whether key, of the category or feature (what) defined
// on line, is there, well formed and not defined before (first holds the
// line of each key seen); otherwise it adds the problem at line.
func (f *file) checkKey(what, key string, line int, first map[string]int) bool {
	switch {
	case key == "":
		f.addf(line, "%s without a key: add `key: ...`", what)
		return false
	case !keyRE.MatchString(key):
		f.addf(line, "bad %s key %q: use letters, digits, and - _ . (no spaces or commas), starting with a letter or digit", what, key)
		return false
	case first[key] > 0:
		f.addf(line, "duplicate %s key %q (first defined on line %d)", what, key, first[key])
		return false
	}
	first[key] = line
	return true
}

func (t *topicInfo) parseFeatures(f *file, fd field) {
	first := map[string]int{}
	catKeys := make([]string, 0, len(t.Categories))
	for _, c := range t.Categories {
		catKeys = append(catKeys, c.Key)
	}
	for _, n := range f.entries(fd) {
		entry, ok := f.fields(n, "a feature")
		if !ok {
			continue
		}
		ft := kb.Feature{Type: kb.TypeSupport}
		line := f.line(n)
		catLine, typeLine := line, line
		for _, e := range entry {
			switch e.key {
			case "key":
				ft.Key = f.str(e)
			case "name":
				ft.Name = f.str(e)
			case "category":
				ft.Category, catLine = f.str(e), e.line
			case "description":
				ft.Description = f.str(e)
			case "type":
				typeLine = e.line
				if s := f.str(e); s != "" {
					ft.Type = kb.FeatureType(strings.ToLower(s))
				}
			default:
				f.unknownField(e, "a feature", featureFields)
			}
		}
		if !f.checkKey("feature", ft.Key, line, first) {
			continue
		}
		if ft.Name == "" {
			f.addf(line, "feature %q has no name: add `name: ...`", ft.Key)
			ft.Name = ft.Key
		}
		if !ft.Type.Valid() {
			f.addf(typeLine, "feature %q has unknown type %q: use one of %s", ft.Key, ft.Type, joinTypes())
			ft.Type = kb.TypeSupport
		}
		switch {
		case ft.Category == "" && len(t.Categories) > 0:
			f.addf(line, "feature %q has no category: add `category: ...` (one of %s)", ft.Key, strings.Join(catKeys, ", "))
		case ft.Category != "" && !t.catKeys[ft.Category]:
			f.addf(catLine, "feature %q names unknown category %q%s", ft.Key, ft.Category, orList(ft.Category, catKeys))
			ft.Category = ""
		}
		t.Features = append(t.Features, ft)
		t.features[ft.Key] = ft
		t.featKeys = append(t.featKeys, ft.Key)
	}
}

func joinTypes() string {
	s := make([]string, len(kb.FeatureTypes))
	for i, t := range kb.FeatureTypes {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// orList hints at the closest of known, or lists them when there are few.
func orList(s string, known []string) string {
	if h := didYouMean(s, known); h != "" {
		return h
	}
	if len(known) == 0 {
		return " (none are defined)"
	}
	if len(known) <= 12 {
		return fmt.Sprintf(" (known: %s)", strings.Join(known, ", "))
	}
	return ""
}
