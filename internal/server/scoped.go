package server

import (
	"context"

	"versa/internal/kb"
)

// ScopedReader is implemented by a Store that reads only some cells of
// systems: a page of a topic of 25,000 features reads the rows it shows,
// and one feature across 500 systems reads 500 cells. A feature with
// nothing stored then has no cell (kb.System.Cell reads it as unknown).
// *sqlite.DB and *sqlite.Reader implement it; with a Store that does not,
// pages read through ListSystems, ListSystemCells, CompareSystems and
// FindSystem instead.
type ScopedReader interface {
	// ListSystemsWith is the systems named by slugs, in that order (every
	// system, as ListSystems sorts them, when slugs is nil), with the cells
	// of the given features (every one when features is nil), tags and
	// aliases; kb.ErrNotFound names a missing system.
	ListSystemsWith(ctx context.Context, topic string, slugs, features []string) ([]kb.System, error)
	// FindSystemWith is FindSystem with the cells of the given features.
	FindSystemWith(ctx context.Context, topic, slug string, features []string) (kb.System, error)
}

// ListSystemsWith reads through the request's store's ScopedReader, or
// else through the whole reads it stands for.
func (s scopedStore) ListSystemsWith(ctx context.Context, topic string, slugs, features []string) ([]kb.System, error) {
	st := s.pick(ctx)
	if sr, ok := st.(ScopedReader); ok {
		return sr.ListSystemsWith(ctx, topic, slugs, features)
	}
	switch {
	case slugs != nil:
		return st.CompareSystems(ctx, topic, slugs)
	case features != nil:
		return st.ListSystemCells(ctx, topic, features)
	}
	return st.ListSystems(ctx, topic)
}

// FindSystemWith is ListSystemsWith for FindSystem.
func (s scopedStore) FindSystemWith(ctx context.Context, topic, slug string, features []string) (kb.System, error) {
	st := s.pick(ctx)
	if sr, ok := st.(ScopedReader); ok {
		return sr.FindSystemWith(ctx, topic, slug, features)
	}
	return st.FindSystem(ctx, topic, slug)
}

// DiffReader is implemented by a Store that finds the rows "differences
// only" keeps without reading every cell (*sqlite.DB and *sqlite.Reader).
type DiffReader interface {
	// DifferingFeatures is the keys, in no order, of the features whose
	// cells do not all show the same value (kb.Cell.Same) in the systems
	// named by slugs.
	DifferingFeatures(ctx context.Context, topic string, slugs []string) ([]string, error)
}

// DifferingFeatures asks the request's store's DiffReader, or else
// compares the systems' cells itself.
func (s scopedStore) DifferingFeatures(ctx context.Context, topic string, slugs []string) ([]string, error) {
	st := s.pick(ctx)
	if dr, ok := st.(DiffReader); ok {
		return dr.DifferingFeatures(ctx, topic, slugs)
	}
	systems, err := st.CompareSystems(ctx, topic, slugs)
	if err != nil {
		return nil, err
	}
	return differing(systems), nil
}

// differing is DifferingFeatures over systems read whole.
func differing(systems []kb.System) []string {
	if len(systems) == 0 {
		return nil
	}
	byKey := make([]kb.CellsByKey, len(systems))
	keys := map[string]bool{}
	for i := range systems {
		byKey[i] = systems[i].ByKey()
		for _, c := range systems[i].Cells {
			keys[c.Feature] = true
		}
	}
	var out []string
	for k := range keys {
		first := byKey[0].Cell(k)
		for i := 1; i < len(systems); i++ {
			if !byKey[i].Cell(k).Same(first) {
				out = append(out, k)
				break
			}
		}
	}
	return out
}
