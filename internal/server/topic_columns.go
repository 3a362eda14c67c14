package server

import (
	"cmp"
	"slices"

	"versa/internal/kb"
)

// The topic page's default columns, when the URL names none (no ?cols=),
// follow one rule that needs nothing of the content folder but its types
// and cells:
//
//  1. Candidates are the topic's first maxColumns features in type order
//     (text, list, number, year, then support), each type in the topic's
//     order: descriptive values say most about a system in one cell, and
//     a yes/no grid is what the compare page is for.
//  2. Of those, a feature known for at least half of the systems comes
//     before one known for fewer; then the type order; then the feature
//     known for more systems; then the topic's order.
//  3. The first defaultColumns of them are shown, in that order, leaving
//     out features known for no system at all.
//
// Reading the candidates' cells bounds the work at maxColumns cells a
// system, whatever the topic's size.

// typeRank orders feature types for the default columns.
func typeRank(t kb.FeatureType) int {
	switch t {
	case kb.TypeText:
		return 0
	case kb.TypeList:
		return 1
	case kb.TypeNumber:
		return 2
	case kb.TypeYear:
		return 3
	default: // support, and an unset type, which is support
		return 4
	}
}

// columnCandidates are the features whose cells decide the default
// columns (rule 1).
func columnCandidates(t kb.Topic) []string {
	order := make([]int, len(t.Features))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(typeRank(t.Features[a].Type), typeRank(t.Features[b].Type))
	})
	keys := make([]string, 0, min(maxColumns, len(order)))
	for _, i := range order[:min(maxColumns, len(order))] {
		keys = append(keys, t.Features[i].Key)
	}
	return keys
}

// defaultTopicColumns picks the default columns from the candidates'
// cells in systems (rules 2 and 3).
func defaultTopicColumns(t kb.Topic, systems []kb.System) []string {
	idx := newFeatureIndex(t)
	type candidate struct {
		key         string
		rank, known int
	}
	var cs []candidate
	for _, k := range columnCandidates(t) {
		c := candidate{key: k, rank: typeRank(idx.features[k].Type)}
		for i := range systems {
			if idx.cell(&systems[i], k).Known() {
				c.known++
			}
		}
		if c.known > 0 {
			cs = append(cs, c)
		}
	}
	half := func(c candidate) int {
		if 2*c.known >= len(systems) {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(cs, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(half(a), half(b)), cmp.Compare(a.rank, b.rank), cmp.Compare(b.known, a.known))
	})
	cols := make([]string, 0, defaultColumns)
	for _, c := range cs[:min(defaultColumns, len(cs))] {
		cols = append(cols, c.key)
	}
	return cols
}

// featureIndex finds a topic's features by key, and a system's cell by the
// feature's position, as stores keep cells in the topic's order.
type featureIndex struct {
	features map[string]kb.Feature
	pos      map[string]int
}

func newFeatureIndex(t kb.Topic) featureIndex {
	idx := featureIndex{features: make(map[string]kb.Feature, len(t.Features)), pos: make(map[string]int, len(t.Features))}
	for i, f := range t.Features {
		idx.features[f.Key], idx.pos[f.Key] = f, i
	}
	return idx
}

// cell is s's cell of the feature key, by position, falling back to a search.
func (idx featureIndex) cell(s *kb.System, key string) kb.Cell {
	if i, ok := idx.pos[key]; ok && i < len(s.Cells) && s.Cells[i].Feature == key {
		return s.Cells[i]
	}
	return s.Cell(key)
}
