package server

import (
	"slices"
	"strings"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// Laying out a compare view: the table of the systems resolved, grouped by
// category, for the page, the API and the exports.

// buildCompare lays out the compare view: rows grouped by category, the
// filters applied, the needs scored and every control's URL. Footnotes are
// numbered after notesBefore, for pages that show several tables.
func buildCompare(t kb.Topic, systems, all []kb.System, q compareQuery, notesBefore int) web.CompareView {
	slugs := make([]string, len(systems))
	for i, s := range systems {
		slugs[i] = s.Slug
	}
	v := compareHeader(t, systems, slugs, q)
	v.Systems = compareColumns(t, systems, q)
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
func compareColumns(t kb.Topic, systems []kb.System, q compareQuery) []web.CompareColumn {
	cols := make([]web.CompareColumn, 0, len(systems))
	for i, s := range systems {
		col := web.CompareColumn{Slug: s.Slug, Name: s.Name, URL: link.System(t.Slug, s.Slug)}
		if len(systems) > 2 {
			col.RemoveURL = columnQuery(q, "remove", s.Slug)
		}
		if i > 0 {
			col.LeftURL = columnQuery(q, "left", s.Slug)
		}
		if i < len(systems)-1 {
			col.RightURL = columnQuery(q, "right", s.Slug)
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
	}
	v.AddNeed = len(q.need) < len(t.Features) // the needs are distinct keys of t (checkFilters)
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
