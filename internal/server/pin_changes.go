package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// What changed since a pin: the pinned view read again from the live
// content and compared with the stored one, cell by cell.

// pinnedFilterWords says in words which filters shape a pinned view.
func pinnedFilterWords(p *pinnedView) string {
	t, _, q := p.compare()
	return filterSummary(&compareTarget{topic: t, q: q})
}

// liveView is the pinned view read from the live content.
type liveView struct {
	view  *pinnedView
	match []int  // for each pinned system, its index in view.Systems, or -1
	url   string // the live view's URL
	// changes is the live view's change list, without its since=.
	changes string
	gone    string // why there is no live view; the rest is then empty
}

// livePinned reads the view p pinned from the live content: the same
// systems, followed to their new slugs, less those that no longer exist,
// with the filters that still apply.
func (s *server) livePinned(r *http.Request, p *pinnedView) (*liveView, error) {
	ctx := r.Context()
	t, err := s.store.FindTopic(ctx, p.Topic.Slug)
	if errors.Is(err, kb.ErrNotFound) {
		return &liveView{gone: fmt.Sprintf("The topic %s no longer exists, so there is nothing live to compare with.", p.Topic.Title)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find topic: %w", err)
	}
	all, err := s.store.ListSystemNames(ctx, t.Slug)
	if err != nil {
		return nil, fmt.Errorf("list systems: %w", err)
	}
	exists := make(map[string]bool, len(all))
	for _, sys := range all {
		exists[sys.Slug] = true
	}
	lv := &liveView{match: make([]int, len(p.Systems))}
	c := &compareTarget{topic: t, all: all}
	for i, ps := range p.Systems {
		lv.match[i] = -1
		slug := ps.Slug
		if !exists[slug] {
			to, err := s.store.ResolveAlias(ctx, t.Slug, kb.AliasSystem, slug)
			if err != nil && !errors.Is(err, kb.ErrNotFound) {
				return nil, fmt.Errorf("resolve alias: %w", err)
			}
			slug = to
		}
		if !exists[slug] || slices.Contains(c.slugs, slug) {
			continue
		}
		lv.match[i] = len(c.slugs)
		c.slugs = append(c.slugs, slug)
	}
	if len(c.slugs) > 0 {
		if c.systems, err = s.store.CompareSystems(ctx, t.Slug, c.slugs); err != nil {
			return nil, fmt.Errorf("compare systems: %w", err)
		}
	}
	c.q.diff = p.Filters.Diff
	for _, k := range p.Filters.Categories {
		if slices.ContainsFunc(t.Categories, func(x kb.Category) bool { return x.Key == k }) {
			c.q.categories = append(c.q.categories, k)
		}
	}
	for _, k := range p.Filters.Need {
		if slices.ContainsFunc(t.Features, func(x kb.Feature) bool { return x.Key == k }) {
			c.q.need = append(c.q.need, k)
		}
	}
	if len(p.Filters.Categories) > 0 && len(c.q.categories) == 0 {
		return &liveView{gone: "None of the pinned table's categories exist any more, so there is nothing live to compare with."}, nil
	}
	lv.view = newPinnedView(c)
	lv.url = compareURL(t.Slug, c.slugs, c.q)
	lv.changes = compareChangesURL(t.Slug, c.slugs, c.q)
	if len(c.slugs) < 2 {
		lv.url, lv.changes = link.Topic(t.Slug), link.TopicChanges(t.Slug)
	}
	return lv, nil
}

// pinChanges compares the pinned view with the live one: cells changed in
// the features and systems both have, features added and removed, and
// systems removed. It returns nil when nothing changed.
func pinChanges(p *pinnedView, live *liveView) *web.PinChanges {
	var n pinCounts
	out := &web.PinChanges{Systems: pinColumns(p, live, &n)}
	rows, pinnedRow := pinnedRows(p, live, &n)
	out.Rows = append(rows, addedRows(p, live, pinnedRow, &n)...)
	if out.Summary = n.summary(); out.Summary == "" {
		return nil
	}
	return out
}

// pinCounts counts what changed since a pin, for its summary line.
type pinCounts struct{ cells, added, removed, gone int }

// summary is the counts in words ("3 cells changed, 1 feature added"),
// "" when nothing changed.
func (n pinCounts) summary() string {
	var parts []string
	for _, c := range []struct {
		n         int
		one, many string
	}{
		{n.cells, "cell changed", "cells changed"},
		{n.added, "feature added", "features added"},
		{n.removed, "feature removed", "features removed"},
		{n.gone, "system removed", "systems removed"},
	} {
		if c.n == 1 {
			parts = append(parts, "1 "+c.one)
		} else if c.n > 1 {
			parts = append(parts, strconv.Itoa(c.n)+" "+c.many)
		}
	}
	return strings.Join(parts, ", ")
}

// pinColumns is the pinned view's systems, each marked when the live
// content no longer has it.
func pinColumns(p *pinnedView, live *liveView, n *pinCounts) []web.PinColumn {
	cols := make([]web.PinColumn, 0, len(p.Systems))
	for i, ps := range p.Systems {
		cols = append(cols, web.PinColumn{Name: ps.Name, Removed: live.match[i] < 0})
		if live.match[i] < 0 {
			n.gone++
		}
	}
	return cols
}

// pinnedRows is the pinned rows that changed or are gone, and the set of
// the pinned rows' keys.
func pinnedRows(p *pinnedView, live *liveView, n *pinCounts) ([]web.PinRow, map[string]bool) {
	lv := live.view
	liveRow := map[string]int{}
	for j, f := range lv.Topic.Features {
		if lv.isRow(f) {
			liveRow[f.Key] = j
		}
	}
	var rows []web.PinRow
	pinnedRow := map[string]bool{}
	for fi, f := range p.Topic.Features {
		if !p.isRow(f) {
			continue
		}
		pinnedRow[f.Key] = true
		row := web.PinRow{Key: f.Key, Name: f.Name, Status: "changed"}
		j, still := liveRow[f.Key]
		if !still {
			row.Status = "removed"
			n.removed++
		}
		changed := false
		for i, ps := range p.Systems {
			was := ps.Cells[fi]
			cell := web.PinCell{State: "removed", Was: cellWords(was)}
			if still {
				if m := live.match[i]; m < 0 {
					cell = web.PinCell{State: "none", Was: cellWords(was)}
				} else if now := lv.Systems[m].Cells[j]; !sameFacts(was, now) {
					w, nw := changeWords(was, now)
					cell = web.PinCell{State: "changed", Was: w, Now: nw}
					n.cells++
					changed = true
				} else {
					cell = web.PinCell{State: "same", Was: cellValue(was), Now: cellValue(now)}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		if changed || !still {
			rows = append(rows, row)
		}
	}
	return rows, pinnedRow
}

// addedRows is the live view's rows that the pinned view did not have.
func addedRows(p *pinnedView, live *liveView, pinnedRow map[string]bool, n *pinCounts) []web.PinRow {
	lv := live.view
	var rows []web.PinRow
	for j, f := range lv.Topic.Features {
		if !lv.isRow(f) || pinnedRow[f.Key] {
			continue
		}
		n.added++
		row := web.PinRow{Key: f.Key, Name: f.Name, Status: "added"}
		for i := range p.Systems {
			cell := web.PinCell{State: "none"}
			if m := live.match[i]; m >= 0 {
				cell = web.PinCell{State: "added", Now: cellWords(lv.Systems[m].Cells[j])}
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// sameFacts reports whether two cells state the same: a new checked date
// alone is a re-check, not a change (the change history records no dates
// either), and snapshots pinned before dates were kept have none.
func sameFacts(a, b pinnedCell) bool {
	a.Checked, b.Checked = "", ""
	return a == b
}

// cellValue is a cell's support level in words, or its value.
func cellValue(c pinnedCell) string {
	if c.Value != "" {
		return c.Value
	}
	return web.SupportLabel(c.Support)
}

// changeWords is a changed cell in words, then and now: only the parts that
// changed (the value, note, via, since or source), each named but the
// value, so that a changed note does not repeat an unchanged value.
func changeWords(was, now pinnedCell) (then, later string) {
	var w, n []string
	if a, b := cellValue(was), cellValue(now); a != b {
		w, n = append(w, a), append(n, b)
	}
	for _, f := range []struct{ name, a, b string }{
		{"note", was.Note, now.Note},
		{"via", was.Via, now.Via},
		{"since", was.Since, now.Since},
		{"source", was.Source, now.Source},
	} {
		if f.a == f.b {
			continue
		}
		part := func(v string) string {
			if v == "" {
				return "no " + f.name
			}
			return f.name + " " + v
		}
		w, n = append(w, part(f.a)), append(n, part(f.b))
	}
	return strings.Join(w, "; "), strings.Join(n, "; ")
}

// cellWords is a cell in words: its support level or value, then what
// backs it.
func cellWords(c pinnedCell) string {
	w := c.Value
	if w == "" {
		w = web.SupportLabel(c.Support)
	}
	if c.Note != "" {
		w += " (" + c.Note + ")"
	}
	if c.Via != "" {
		w += ", via " + c.Via
	}
	if c.Since != "" {
		w += ", since " + c.Since
	}
	if c.Source != "" {
		w += ", source " + c.Source
	}
	return w
}
