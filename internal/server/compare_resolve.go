package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"

	"github.com/go-chi/chi/v5"
)

// Resolving a compare URL: the topic and systems it names (aliases and
// repeats redirected), its filters checked, and the page of rows planned.

// slugRE is the spec's slug: lowercase a-z, 0-9 and single hyphens.
var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

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
	q, edit, canonical := parseCompareQuery(u)
	rv, err := parseRowView(u.Query())
	if err != nil {
		return nil, 0, err
	}
	if allCategories(topic, q.categories) {
		// Every category ticked is the same view as none: one URL for it.
		q.categories, canonical = nil, false
	}
	if !canonical { // a name comes only from the need box's add_need=
		q.need = needKeys(topic.Features, q.need)
	}
	for _, slug := range edit.named() {
		if !bySlug[slug] {
			return nil, 0, s.systemNotFound(topic, all, slug, kb.ErrNotFound)
		}
	}
	slugs = edit.apply(slugs)
	if len(slugs) > maxCompare {
		return nil, 0, &pageError{
			message: fmt.Sprintf("A comparison shows at most %d systems.", maxCompare),
			err:     fmt.Errorf("compare of %d systems: %w", len(slugs), kb.ErrInvalid),
		}
	}
	c := &compareTarget{topic: topic, slugs: slugs, all: all, q: q, rows: rv}
	if err := s.readCompare(ctx, c, page); err != nil {
		return nil, 0, err
	}
	switch {
	case redirect && canonical:
		return c, http.StatusPermanentRedirect, nil // an old slug: the move is permanent
	case redirect || !canonical:
		return c, http.StatusSeeOther, nil // a form submission
	}
	return c, 0, nil
}

// readCompare reads the cells of c's systems: with page, of the rows its
// page shows (planned first) and the needs', else every one.
func (s *server) readCompare(ctx context.Context, c *compareTarget, page bool) error {
	var err error
	if page {
		var differ []string
		inPage := false
		switch {
		case !c.q.diff:
		case len(c.slugs)*len(c.topic.Features) > diffScanCells:
			// Too many cells to compare for one page: the rows are
			// paged as without ?diff=1, and the page hides its own
			// same rows.
			inPage = true
		default:
			// The rows that differ, found by the store: a page of them,
			// not every cell, is read.
			if differ, err = s.store.DifferingFeatures(ctx, c.topic.Slug, c.slugs); err != nil {
				return fmt.Errorf("compare systems: %w", err)
			}
		}
		c.page = planCompareRows(c, differ, inPage)
	}
	if c.page != nil {
		c.systems, err = s.store.ListSystemsWith(ctx, c.topic.Slug, c.slugs, c.page.read(c.q))
	} else {
		c.systems, err = s.store.CompareSystems(ctx, c.topic.Slug, c.slugs)
	}
	if err != nil {
		return fmt.Errorf("compare systems: %w", err)
	}
	return nil
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

// needKeys turns the needs typed or picked by their name (the page's "Add
// a need" box takes a feature's name, as the table shows it) into their
// keys, ignoring case and surrounding space. A need that is neither a key
// nor a name is kept for checkFilters to refuse; one named twice is kept
// once.
func needKeys(features []kb.Feature, need []string) []string {
	var out []string
	for _, n := range need {
		if !slices.ContainsFunc(features, func(f kb.Feature) bool { return f.Key == n }) {
			if j := slices.IndexFunc(features, func(f kb.Feature) bool { return strings.EqualFold(strings.TrimSpace(f.Name), n) }); j >= 0 {
				n = features[j].Key
			}
		}
		out = appendNew(out, n)
	}
	return out
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
	// page is the rows of the HTML page of a table over its row budget, or
	// of a differences-only view, picked before the cells are read; nil for
	// every other view.
	page *comparePage
}
