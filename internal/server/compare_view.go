package server

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// A compare view: its URL and canonical query, the topic and systems it
// names (resolved, with aliases and repeats redirected), its filters
// checked, and the table laid out for the page, the API and the exports.

// slugRE is the spec's slug: lowercase a-z, 0-9 and single hyphens.
var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

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

// resolveCompare reads the topic and the systems of a compare URL, base
// (link.Compare or link.APICompare) followed by topic/spec, ext and the query. Aliases,
// repeats and a non-canonical query are answered with a redirect to the
// same kind of URL (same base and ext) and a nil target; unknown names and
// filters are errors.
func (s *server) resolveCompare(w http.ResponseWriter, r *http.Request, base func(topic string, systems []string) string, spec, ext string) (*compareTarget, error) {
	return s.resolveCompareFor(w, r, base, spec, ext, false)
}

// resolveCompareFor is resolveCompare; for the HTML page (page true) of a
// table over its row budget, it reads the cells of the rows shown only
// (see findCompareFor).
func (s *server) resolveCompareFor(w http.ResponseWriter, r *http.Request, base func(topic string, systems []string) string, spec, ext string, page bool) (*compareTarget, error) {
	c, redirect, err := s.findCompareFor(r, chi.URLParam(r, "topic"), spec, r.URL, page)
	if err != nil {
		return nil, err
	}
	if redirect != 0 {
		target := base(c.topic.Slug, c.slugs) + ext + c.rows.encode(c.q.encode())
		if len(c.slugs) == 1 && ext == "" && strings.HasPrefix(target, "/compare/") {
			// A system compared with itself (django-vs-django) is that
			// system's page, not a one-system table that answers 400.
			target, redirect = link.System(c.topic.Slug, c.slugs[0]), http.StatusSeeOther
		}
		http.Redirect(w, r, target, redirect)
		return nil, nil
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// findCompare resolves a compare URL's topic, its systems part (spec) and
// the query of u, without writing anything. It returns the status of the
// redirect the URL deserves, or 0 when it is canonical: 308 when it names
// a system by an old slug, 303 when it repeats a system or its query is
// not canonical. Unknown topics and systems are errors; the caller checks
// the rest with check.
func (s *server) findCompare(r *http.Request, topicSlug, spec string, u *url.URL) (*compareTarget, int, error) {
	return s.findCompareFor(r, topicSlug, spec, u, false)
}

// findCompareFor is findCompare; with page, a table over its row budget
// (its rows do not depend on the cells unless ?diff=1) has its rows picked
// first, and only their cells and the needs' are read (c.page).
func (s *server) findCompareFor(r *http.Request, topicSlug, spec string, u *url.URL, page bool) (*compareTarget, int, error) {
	ctx := r.Context()
	topic, err := s.findTopic(r, topicSlug)
	if err != nil {
		return nil, 0, err
	}
	// Names of every system, for the pickers; cells of the chosen ones only.
	all, err := s.store.ListSystemNames(ctx, topicSlug)
	if err != nil {
		return nil, 0, fmt.Errorf("list systems: %w", err)
	}
	bySlug := make(map[string]bool, len(all))
	for _, sys := range all {
		bySlug[sys.Slug] = true
	}

	// Resolve the path's systems: aliases redirect, unknown ones are a 404
	// that lists what exists, repeats are dropped by a redirect.
	var slugs []string
	redirect := false
	for _, slug := range strings.Split(spec, "-vs-") {
		if !bySlug[slug] {
			to, err := s.store.ResolveAlias(ctx, topicSlug, kb.AliasSystem, slug)
			if err != nil {
				return nil, 0, s.systemNotFound(topic, all, slug, err)
			}
			slug, redirect = to, true
		}
		if slices.Contains(slugs, slug) {
			redirect = true
			continue
		}
		slugs = append(slugs, slug)
	}
	q, add, canonical := parseCompareQuery(u)
	rv, err := parseRowView(u.Query())
	if err != nil {
		return nil, 0, err
	}
	if allCategories(topic, q.categories) {
		// Every category ticked is the same view as none: one URL for it.
		q.categories, canonical = nil, false
	}
	if add != "" {
		if !bySlug[add] {
			return nil, 0, s.systemNotFound(topic, all, add, kb.ErrNotFound)
		}
		if !slices.Contains(slugs, add) {
			slugs = append(slugs, add)
		}
	}
	if len(slugs) > maxCompare {
		return nil, 0, &pageError{
			message: fmt.Sprintf("A comparison shows at most %d systems.", maxCompare),
			err:     fmt.Errorf("compare of %d systems: %w", len(slugs), kb.ErrInvalid),
		}
	}
	c := &compareTarget{topic: topic, slugs: slugs, all: all, q: q, rows: rv}
	if page && !q.diff {
		c.page = planCompareRows(c)
	}
	if c.page != nil {
		c.systems, err = s.store.ListSystemsWith(ctx, topicSlug, slugs, c.page.read(q))
	} else {
		c.systems, err = s.store.CompareSystems(ctx, topicSlug, slugs)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("compare systems: %w", err)
	}
	switch {
	case redirect && canonical:
		return c, http.StatusPermanentRedirect, nil // an old slug: the move is permanent
	case redirect || !canonical:
		return c, http.StatusSeeOther, nil // a form submission
	}
	return c, 0, nil
}

// allCategories reports whether keys names every category of t (and
// nothing else), which shows the same rows as no category filter.
func allCategories(t kb.Topic, keys []string) bool {
	if len(keys) == 0 || len(keys) != len(t.Categories) {
		return false
	}
	for _, c := range t.Categories {
		if !slices.Contains(keys, c.Key) {
			return false
		}
	}
	return true
}

// check refuses a view of fewer than two systems and unknown filters.
func (c *compareTarget) check() error {
	if len(c.slugs) < 2 {
		return &pageError{
			message: "A comparison needs at least two systems.",
			links:   systemLinks(c.topic, c.all),
			err:     fmt.Errorf("compare of one system: %w", kb.ErrInvalid),
		}
	}
	return checkFilters(c.topic, c.q)
}

// checkFilters answers unknown categories and needs with a 404 that lists
// what exists.
func checkFilters(t kb.Topic, q compareQuery) error {
	for _, c := range q.categories {
		if !slices.ContainsFunc(t.Categories, func(x kb.Category) bool { return x.Key == c }) {
			var links []web.Crumb
			for _, x := range t.Categories {
				links = append(links, web.Crumb{Title: x.Title, URL: link.Category(t.Slug, x.Key)})
			}
			return notFound(fmt.Sprintf("The topic %s has no category %q. Its categories are listed below.", t.Title, c), links,
				fmt.Errorf("category %q: %w", c, kb.ErrNotFound))
		}
	}
	for _, n := range q.need {
		if !slices.ContainsFunc(t.Features, func(x kb.Feature) bool { return x.Key == n }) {
			return notFound(fmt.Sprintf("The topic %s has no feature %q. Its features are listed on the topic page.", t.Title, n),
				[]web.Crumb{{Title: t.Title, URL: link.Topic(t.Slug)}},
				fmt.Errorf("feature %q: %w", n, kb.ErrNotFound))
		}
	}
	return nil
}

// buildCompare lays out the compare view: rows grouped by category, the
// filters applied, the needs scored and every control's URL. Footnotes are
// numbered after notesBefore, for pages that show several tables.
func buildCompare(t kb.Topic, systems, all []kb.System, q compareQuery, notesBefore int) web.CompareView {
	slugs := make([]string, len(systems))
	for i, s := range systems {
		slugs[i] = s.Slug
	}
	v := compareHeader(t, systems, slugs, q)
	v.Systems = compareColumns(t, systems, slugs, q)
	for _, s := range all {
		if !slices.Contains(slugs, s.Slug) {
			v.AddOptions = append(v.AddOptions, web.Option{Value: s.Slug, Label: s.Name})
		}
	}
	compareFilters(&v, t, slugs, q)
	compareRows(&v, t, systems, q, notesBefore)
	return v
}

// compareHeader is the view's title, its canonical URL (systems sorted, no
// filters) and the links that toggle its filters.
func compareHeader(t kb.Topic, systems []kb.System, slugs []string, q compareQuery) web.CompareView {
	names := make([]string, len(systems))
	for i, s := range systems {
		names[i] = s.Name
	}
	sorted := slices.Clone(slugs)
	slices.Sort(sorted)
	v := web.CompareView{
		TopicSlug:    t.Slug,
		TopicTitle:   t.Title,
		Title:        strings.Join(names, " vs "),
		CanonicalURL: compareURL(t.Slug, sorted, compareQuery{}),
		Diff:         q.diff,
		RowPrefix:    "feature-",
		Path:         compareURL(t.Slug, slugs, compareQuery{}),
		Query: web.Query{Diff: q.diff, Categories: strings.Join(q.categories, ","),
			Need: strings.Join(q.need, ",")},
	}
	toggled := q
	toggled.diff = !q.diff
	v.DiffURL = compareURL(t.Slug, slugs, toggled)
	noCats := q
	noCats.categories = nil
	v.AllCatsURL = compareURL(t.Slug, slugs, noCats)
	return v
}

// compareColumns are the view's systems with their move and remove links
// and need scores.
func compareColumns(t kb.Topic, systems []kb.System, slugs []string, q compareQuery) []web.CompareColumn {
	cols := make([]web.CompareColumn, 0, len(systems))
	for i, s := range systems {
		col := web.CompareColumn{Slug: s.Slug, Name: s.Name, URL: link.System(t.Slug, s.Slug)}
		if len(systems) > 2 {
			col.RemoveURL = compareURL(t.Slug, slices.Delete(slices.Clone(slugs), i, i+1), q)
		}
		if i > 0 {
			moved := slices.Clone(slugs)
			moved[i-1], moved[i] = moved[i], moved[i-1]
			col.LeftURL = compareURL(t.Slug, moved, q)
		}
		if i < len(systems)-1 {
			moved := slices.Clone(slugs)
			moved[i], moved[i+1] = moved[i+1], moved[i]
			col.RightURL = compareURL(t.Slug, moved, q)
		}
		if len(q.need) > 0 {
			col.Score = score(&s, t, q.need)
		}
		cols = append(cols, col)
	}
	return cols
}

// compareFilters fills the category and need choices of the filter form
// and the chips of the needs asked for.
func compareFilters(v *web.CompareView, t kb.Topic, slugs []string, q compareQuery) {
	for _, c := range t.Categories {
		v.Categories = append(v.Categories, web.CategoryOption{Key: c.Key, Title: c.Title, Checked: len(q.categories) == 0 || slices.Contains(q.categories, c.Key)})
	}
	featureName := map[string]string{}
	for _, f := range t.Features {
		featureName[f.Key] = f.Name
		if !slices.Contains(q.need, f.Key) {
			v.NeedOptions = append(v.NeedOptions, web.Option{Value: f.Key, Label: f.Name})
		}
	}
	for _, n := range q.need {
		rest := q
		rest.need = slices.DeleteFunc(slices.Clone(q.need), func(x string) bool { return x == n })
		v.Needs = append(v.Needs, web.NeedChip{Key: n, Name: featureName[n], RemoveURL: compareURL(t.Slug, slugs, rest)})
	}
}

// compareRows groups the features the filters keep by category, in the
// topic's order (features of no category last, under "Other", unless
// categories were chosen), dropping rows that are all the same under
// ?diff=1 (counted in Hidden; Same counts them either way), and numbers the notes from notesBefore+1.
func compareRows(v *web.CompareView, t kb.Topic, systems []kb.System, q compareQuery, notesBefore int) {
	groups := map[string]*web.CompareGroup{}
	var order []string
	for _, c := range t.Categories {
		if len(q.categories) == 0 || slices.Contains(q.categories, c.Key) {
			groups[c.Key] = &web.CompareGroup{Key: c.Key, Title: c.Title}
			order = append(order, c.Key)
		}
	}
	if len(q.categories) == 0 {
		groups[""] = &web.CompareGroup{Key: "other", Title: "Other"}
		order = append(order, "")
	}
	byKey := make([]kb.CellsByKey, len(systems))
	for i := range systems {
		byKey[i] = systems[i].ByKey()
	}
	for _, f := range t.Features {
		g, ok := groups[f.Category]
		if !ok {
			continue
		}
		cells := make([]kb.Cell, len(systems))
		same := true
		for i := range systems {
			cells[i] = byKey[i].Cell(f.Key)
			if i > 0 && !cells[i].Same(cells[0]) {
				same = false
			}
		}
		if same {
			v.Same++
		}
		if q.diff && same {
			v.Hidden++
			continue
		}
		row := web.CompareRow{Key: f.Key, Name: f.Name, Description: f.Description, Needed: slices.Contains(q.need, f.Key)}
		for i, c := range cells {
			row.Cells = append(row.Cells, compareCell(v, c, systems[i].Name, f.Name, notesBefore))
		}
		g.Rows = append(g.Rows, row)
	}
	for _, k := range order {
		if g := groups[k]; len(g.Rows) > 0 {
			v.Groups = append(v.Groups, *g)
		}
	}
}

// compareCell is one cell: its value, or its support level (unknown when
// unset), and a numbered note when it has a note, via, since or source.
// A checked date alone makes no note (once every cell is dated, every cell
// would have one): the date joins the note of a cell that has one, and is
// in the exports and the API for all.
func compareCell(v *web.CompareView, c kb.Cell, system, feature string, notesBefore int) web.CompareCell {
	wc := web.CompareCell{Value: c.Value, Checked: c.CheckedDate()}
	if c.Value == "" {
		wc.Support = string(c.Support)
		if wc.Support == "" {
			wc.Support = string(kb.SupportUnknown)
		}
	}
	if c.Note != "" || c.Via != "" || c.Since != "" || c.Source != "" {
		wc.Footnote = notesBefore + len(v.Footnotes) + 1
		v.Footnotes = append(v.Footnotes, web.Footnote{N: wc.Footnote, System: system, Feature: feature,
			Note: c.Note, Via: c.Via, Since: c.Since, Source: c.Source, Checked: c.CheckedDate()})
	}
	return wc
}

// score counts how a system meets the needs: yes (or any known value of a
// non-support feature) meets, partial and plugin count as partial.
func score(s *kb.System, t kb.Topic, need []string) *web.NeedScore {
	sc := &web.NeedScore{Of: len(need)}
	for _, n := range need {
		c := s.Cell(n)
		switch {
		case c.Support == kb.SupportYes || (c.Value != "" && c.Support != kb.SupportUnknown):
			sc.Meets++
		case c.Support == kb.SupportPartial || c.Support == kb.SupportPlugin:
			sc.Partial++
		}
	}
	return sc
}

// compareTarget is a resolved compare request: the topic, the systems in
// the order asked and the filters, all checked.
type compareTarget struct {
	topic   kb.Topic
	systems []kb.System // in the order of the URL
	slugs   []string
	all     []kb.System // every system of the topic
	q       compareQuery
	rows    rowView // the group and page of rows asked for (pages only)
	// page is the rows of the HTML page of a table over its row budget,
	// picked before the cells are read; nil for every other view.
	page *comparePage
}
