package server

import (
	"net/url"
	"slices"
	"strings"

	"versa/internal/link"
)

// The compare URL's query: its filters, their one canonical encoding and
// the parse that tells a canonical URL from one to redirect.

// maxCompare bounds the systems of one compare view.
const maxCompare = 24

// compareQuery is the filter part of a compare URL.
type compareQuery struct {
	diff       bool
	categories []string
	need       []string
}

// encode writes the query in its one canonical form.
func (q compareQuery) encode() string {
	var parts []string
	if q.diff {
		parts = append(parts, "diff=1")
	}
	if len(q.categories) > 0 {
		parts = append(parts, "categories="+escapeList(q.categories))
	}
	if len(q.need) > 0 {
		parts = append(parts, "need="+escapeList(q.need))
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

// escapeList joins keys with literal commas, as the spec's URLs show them.
func escapeList(keys []string) string {
	esc := make([]string, len(keys))
	for i, k := range keys {
		esc[i] = url.QueryEscape(k)
	}
	return strings.Join(esc, ",")
}

// compareURL is the path and query of a compare view.
func compareURL(topic string, systems []string, q compareQuery) string {
	return compareLink(link.Compare, topic, systems, "", q)
}

// compareLink is a compare URL, path being link.Compare or link.APICompare,
// with an export's extension (".csv") or none, and the canonical query.
func compareLink(path func(topic string, systems []string) string, topic string, systems []string, ext string, q compareQuery) string {
	return path(topic, systems) + ext + q.encode()
}

// splitList splits a comma-separated parameter, dropping empty and repeated
// entries.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// appendNew appends to list each of items that is not empty and not in it yet.
func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if it != "" && !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// columnEdit is what a compare URL's query asks of its systems: one to
// add (the "Add a system" form's add=x), or one to move or remove (the
// column controls' links, ?left=x, ?right=x and ?remove=x, which are
// relative to the page and so carry no list of systems of their own).
type columnEdit struct {
	add, left, right, remove string
}

// apply returns slugs as e edits them: a system moved by one place or
// removed, a new one added last. A system to move or remove that is not
// in slugs changes nothing.
func (e columnEdit) apply(slugs []string) []string {
	slugs = slices.Clone(slugs)
	if i := slices.Index(slugs, e.left); i > 0 {
		slugs[i-1], slugs[i] = slugs[i], slugs[i-1]
	}
	if i := slices.Index(slugs, e.right); i >= 0 && i < len(slugs)-1 {
		slugs[i], slugs[i+1] = slugs[i+1], slugs[i]
	}
	if i := slices.Index(slugs, e.remove); i >= 0 {
		slugs = slices.Delete(slugs, i, i+1)
	}
	if e.add != "" && !slices.Contains(slugs, e.add) {
		slugs = append(slugs, e.add)
	}
	return slugs
}

// named is the systems e names, for the caller to check they exist.
func (e columnEdit) named() []string {
	var out []string
	for _, s := range []string{e.add, e.left, e.right, e.remove} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// columnQuery is the relative link of a column control: the page's own
// path (the link has none) with its filters and the edit, as the page's
// canonical query and one more parameter.
func columnQuery(q compareQuery, param, slug string) string {
	sep := "?"
	enc := q.encode()
	if enc != "" {
		sep = "&"
	}
	return enc + sep + param + "=" + url.QueryEscape(slug)
}

// parseCompareQuery reads diff, categories and need, and reports whether the
// query was already in canonical form. Form submissions (category=a&
// category=b, add=x, add_need=y) and the column controls' edits are folded
// in; the caller redirects to the canonical URL.
func parseCompareQuery(u *url.URL) (q compareQuery, edit columnEdit, canonical bool) {
	v := u.Query()
	d := v.Get("diff")
	q.diff = d == "1" || d == "true" || d == "on"
	q.categories = appendNew(splitList(v.Get("categories")), v["category"]...)
	q.need = appendNew(splitList(v.Get("need")), strings.TrimSpace(v.Get("add_need")))
	edit = columnEdit{add: v.Get("add"), left: v.Get("left"), right: v.Get("right"), remove: v.Get("remove")}
	// The group and page of a long table follow the filters; parseRowView
	// reads them (and refuses a bad page) for the target.
	rv, _ := parseRowView(v)
	canonical = u.RawQuery == strings.TrimPrefix(rv.encode(q.encode()), "?")
	return q, edit, canonical
}
