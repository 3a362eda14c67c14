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

// parseCompareQuery reads diff, categories and need, and reports whether the
// query was already in canonical form. Form submissions (category=a&
// category=b, add=x, add_need=y) are folded in; the caller redirects to the
// canonical URL.
func parseCompareQuery(u *url.URL) (q compareQuery, add string, canonical bool) {
	v := u.Query()
	d := v.Get("diff")
	q.diff = d == "1" || d == "true" || d == "on"
	q.categories = appendNew(splitList(v.Get("categories")), v["category"]...)
	q.need = appendNew(splitList(v.Get("need")), v.Get("add_need"))
	add = v.Get("add")
	// The group and page of a long table follow the filters; parseRowView
	// reads them (and refuses a bad page) for the target.
	rv, _ := parseRowView(v)
	canonical = u.RawQuery == strings.TrimPrefix(rv.encode(q.encode()), "?")
	return q, add, canonical
}
