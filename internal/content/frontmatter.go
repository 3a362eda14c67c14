package content

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// Front matter that Hugo and Jekyll sites write, so their Markdown pages
// load as they are. Keys with a meaning here are mapped (description is the
// summary, lastmod the updated date, categories and keywords are tags,
// weight the order, linkTitle the short title, params free data; draft,
// publishDate and expiryDate decide whether an article is published); keys
// that only steer those tools' templates (layout, menu, url ...) are
// accepted and have no effect. Keys are matched without case, as Hugo does.
var (
	// pageKeys are the mapped keys, as Hugo and Jekyll spell them.
	pageKeys = []string{"description", "date", "lastmod", "last_modified_at", "publishDate", "expiryDate",
		"draft", "published", "weight", "linkTitle", "keywords", "categories", "category", "params", "redirect_from"}
	// templateKeys steer Hugo's or Jekyll's templates and output only.
	templateKeys = []string{"layout", "type", "url", "slug", "permalink", "menu", "menus", "outputs", "resources",
		"markup", "headless", "build", "cascade", "sitemap", "translationKey", "isCJKLanguage", "series",
		"images", "image", "author", "authors", "toc", "excerpt", "excerpt_separator", "comments", "hidden"}
	pageKeyIndex = func() map[string]string {
		m := map[string]string{}
		for _, k := range append(slices.Clone(pageKeys), templateKeys...) {
			m[strings.ToLower(k)] = k
		}
		return m
	}()
)

// pageMeta is what the Hugo and Jekyll keys of one file said.
type pageMeta struct {
	description string
	// updated is lastmod (or Jekyll's last_modified_at), else date.
	lastmod, date       time.Time
	lastmodSet, dateSet bool
	// dated is set when any date key was given, readable or not (a bad
	// one is reported as such, not as missing).
	dated           bool
	tags            []string
	order           int
	shortTitle      string
	params          map[string]any
	draft           bool
	publish, expiry time.Time
	aliases         []string
	aliasLine       int
}

// pageField reads fd if it is a Hugo or Jekyll key and reports whether it
// was one. article is false for system files, where the publishing keys
// (draft, dates) have no meaning.
func (f *file) pageField(fd field, m *pageMeta, article bool) bool {
	canon, ok := pageKeyIndex[strings.ToLower(fd.key)]
	if !ok {
		return false
	}
	date := func() (time.Time, bool) {
		s := f.str(fd)
		d, err := parseDate(s)
		if err != nil {
			f.addf(fd.line, "%s %q is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31", fd.key, s)
			return time.Time{}, false
		}
		return d, true
	}
	switch canon {
	case "description":
		m.description = f.sized(fd, "summary")
	case "keywords", "categories", "category":
		m.tags = append(m.tags, f.list(fd)...)
	case "weight":
		s := f.str(fd)
		n, err := strconv.Atoi(s)
		if err != nil {
			f.addf(fd.line, "weight %q is not a whole number: write e.g. 10 (lower comes first)", s)
			break
		}
		m.order = n
	case "linkTitle":
		m.shortTitle = f.str(fd)
	case "params":
		if _, isMap := fd.val.(*ast.MappingNode); !isMap && !isMapValue(fd.val) && fd.val != nil {
			f.addf(fd.line, "params must be a mapping of \"key: value\" lines, not %s", describe(fd.val))
			break
		}
		if p, ok := nodeValue(fd.val).(map[string]any); ok {
			m.params = p
		}
	case "redirect_from":
		// Jekyll's redirect_from plugin: old URLs, as aliases.
		m.aliases, m.aliasLine = f.pathAliases(fd), fd.line
	default:
		if !article {
			switch canon {
			case "date", "lastmod", "last_modified_at", "publishDate", "expiryDate", "draft", "published":
				f.addf(fd.line, "%s is for articles: a system file is always published (move the file out of systems/ to hide it)", fd.key)
			}
			return true
		}
		switch canon {
		case "date":
			m.date, m.dateSet = date()
			m.dated = true
		case "lastmod", "last_modified_at":
			m.lastmod, m.lastmodSet = date()
			m.dated = true
		case "publishDate":
			m.publish, _ = date()
		case "expiryDate":
			m.expiry, _ = date()
		case "draft", "published":
			b, ok := f.boolean(fd)
			if ok {
				m.draft = b == (canon == "draft")
			}
		}
	}
	return true
}

// boolean reads true/false (and yes/no).
func (f *file) boolean(fd field) (bool, bool) {
	switch v := strings.ToLower(f.str(fd)); v {
	case "true", "yes":
		return true, true
	case "false", "no", "":
		return false, true
	default:
		f.addf(fd.line, "%s must be true or false, not %q", fd.key, v)
		return false, false
	}
}

// pathAliases reads aliases that may be Hugo's URL paths (/posts/old-name/)
// rather than slugs: the last segment of a path is the old slug.
func (f *file) pathAliases(fd field) []string {
	var out []string
	for _, s := range f.list(fd) {
		if strings.Contains(s, "/") {
			s = path.Base(strings.Trim(s, "/"))
			s = strings.TrimSuffix(strings.TrimSuffix(s, ".html"), ".htm")
		}
		if msg := checkSlug(s); msg != "" {
			f.addf(fd.line, "%s: %s", fd.key, msg)
			continue
		}
		out = append(out, s)
	}
	return out
}

// published reports whether an article with this front matter is shown at
// now: not a draft, its publishDate reached and its expiryDate not.
func (m *pageMeta) published(now time.Time) bool {
	if m.draft {
		return false
	}
	if !m.publish.IsZero() && now.Before(m.publish) {
		return false
	}
	if !m.expiry.IsZero() && !now.Before(m.expiry) {
		return false
	}
	return true
}

// knownWith is the list of known keys for "did you mean": the format's own
// and the Hugo and Jekyll keys.
func knownWith(own []string) []string {
	return append(append(slices.Clone(own), pageKeys...), templateKeys...)
}

// nodeValue turns a YAML node into plain Go values (string, int64,
// float64, bool, []any, map[string]any), for free data such as params.
func nodeValue(n ast.Node) any {
	switch v := unwrap(n).(type) {
	case nil, *ast.NullNode:
		return nil
	case *ast.MappingNode:
		m := make(map[string]any, len(v.Values))
		for _, mv := range v.Values {
			m[mv.Key.GetToken().Value] = nodeValue(mv.Value)
		}
		return m
	case *ast.MappingValueNode:
		return map[string]any{v.Key.GetToken().Value: nodeValue(v.Value)}
	case *ast.SequenceNode:
		out := make([]any, 0, len(v.Values))
		for _, it := range v.Values {
			out = append(out, nodeValue(it))
		}
		return out
	case *ast.BoolNode:
		return v.Value
	case *ast.IntegerNode:
		if i, err := strconv.ParseInt(strings.ReplaceAll(v.GetToken().Value, "_", ""), 0, 64); err == nil {
			return i
		}
		return v.GetToken().Value
	case *ast.FloatNode:
		return v.Value
	}
	s, _ := scalar(unwrap(n))
	return s
}
