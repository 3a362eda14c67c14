package server

import (
	"slices"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// Planning a compare page under its row budget: which rows of which group
// the page reads and lays out, and the index of groups when it is cut.

// budgetCompare cuts a compare page to its row budget: the index of groups,
// and the rows of the group asked for, with their notes only. The options of
// the need picker are then the features of the rows shown (every feature
// stays reachable through the groups).
func budgetCompare(v *web.CompareView, c *compareTarget) error {
	cats := make([]tableCategory, len(v.Groups))
	for i, g := range v.Groups {
		cats[i] = tableCategory{key: g.Key, title: g.Title, keys: make([]string, len(g.Rows))}
		for j, row := range g.Rows {
			cats[i].keys[j] = row.Key
		}
	}
	b, err := applyBudget(cats, compareBudget(len(c.slugs)), c.rows, func(rv rowView) string {
		return link.Compare(c.topic.Slug, c.slugs) + rv.encode(c.q.encode())
	})
	if err != nil || b.index == nil {
		return err
	}
	v.Index, v.Pager = b.index, b.pager
	var groups []web.CompareGroup
	notes := map[int]bool{}
	for i, g := range v.Groups {
		if len(b.keep[i]) == 0 {
			continue
		}
		g.Rows = pick(g.Rows, b.keep[i])
		for _, row := range g.Rows {
			for _, cell := range row.Cells {
				notes[cell.Footnote] = true
			}
		}
		groups = append(groups, g)
	}
	v.Groups = groups
	v.Footnotes = slices.DeleteFunc(v.Footnotes, func(f web.Footnote) bool { return !notes[f.N] })
	return nil
}

// comparePage is the rows of a compare page over its row budget, picked
// from the topic's features before any cell is read (budgetCompare cuts
// the view of every cell instead, as ?diff=1 needs): the features shown,
// the group index and pager, or the error a bad group or page is.
type comparePage struct {
	shown []kb.Feature
	b     budgeted
	err   error
	// hidden counts the rows of a differences-only view left out as the
	// same everywhere (in the categories shown).
	hidden int
	// inPage: the page's counts of same rows are of its own rows (a
	// differences-only view too big to compare whole, or a page of a
	// table over its row budget).
	inPage bool
}

// diffScanCells bounds the cells a differences-only view compares to pick
// its rows (DifferingFeatures reads each once: 125,000 cells take about
// 100 ms, 50,000 about 40). Over it, the view pages its rows as the full
// view does and hides the same rows of the page shown.
var diffScanCells = 50000

// planCompareRows picks the rows of c's page, grouped as compareRows (the
// function) groups them: nil when the table fits on one page. With ?diff=1
// only the rows of differ (the keys that differ) are planned, or, inPage,
// every row as without it; either way the page is planned even when its
// rows fit on one.
func planCompareRows(c *compareTarget, differ []string, inPage bool) *comparePage {
	var keep map[string]bool
	if c.q.diff && !inPage {
		keep = make(map[string]bool, len(differ))
		for _, k := range differ {
			keep[k] = true
		}
	}
	hidden := 0
	var cats []categoryFeatures
	at := map[string]int{}
	for _, cat := range c.topic.Categories {
		if len(c.q.categories) == 0 || slices.Contains(c.q.categories, cat.Key) {
			at[cat.Key] = len(cats)
			cats = append(cats, categoryFeatures{key: cat.Key, title: cat.Title})
		}
	}
	if len(c.q.categories) == 0 {
		at[""] = len(cats)
		cats = append(cats, categoryFeatures{key: "other", title: "Other"})
	}
	for _, f := range c.topic.Features {
		i, ok := at[f.Category]
		switch {
		case !ok:
		case keep != nil && !keep[f.Key]:
			hidden++
		default:
			cats[i].features = append(cats[i].features, f)
		}
	}
	shown, b, err := budgetFeatures(cats, compareBudget(len(c.slugs)), c.rows, func(rv rowView) string {
		return link.Compare(c.topic.Slug, c.slugs) + rv.encode(c.q.encode())
	})
	if shown == nil && err == nil {
		if !c.q.diff {
			return nil
		}
		shown = []kb.Feature{}     // non-nil: read these cells only, even none
		for _, cat := range cats { // all on one page
			shown = append(shown, cat.features...)
		}
	}
	return &comparePage{shown: shown, b: b, err: err, hidden: hidden, inPage: inPage || (!c.q.diff && b.index != nil)}
}

// read is the features whose cells the page needs: its rows' and the
// needs' (scored on every system). None for a bad group or page.
func (p *comparePage) read(q compareQuery) []string {
	if p.err != nil {
		return []string{}
	}
	return appendNew(keysOf(p.shown), q.need...)
}

// view lays out the page of the rows shown.
func (p *comparePage) view(c *compareTarget) (web.CompareView, error) {
	if p.err != nil {
		return web.CompareView{}, p.err
	}
	t := c.topic
	t.Features = p.shown
	v := buildCompare(t, c.systems, c.all, c.q, 0)
	// A need's chip names it even when its row is in another group.
	for i := range v.Needs {
		if j := slices.IndexFunc(c.topic.Features, func(f kb.Feature) bool { return f.Key == v.Needs[i].Key }); j >= 0 {
			v.Needs[i].Name = c.topic.Features[j].Name
		}
	}
	v.Index, v.Pager = p.b.index, p.b.pager
	v.InPage = p.inPage
	if c.q.diff {
		v.Hidden += p.hidden
		v.Same += p.hidden
	}
	return v, nil
}
