package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

// storedOnly is s with the cells ListSystemsWith reads for features (every
// feature when nil): those that say something, in the topic's order.
func storedOnly(s kb.System, features []string) kb.System {
	var cells []kb.Cell
	for _, c := range s.Cells {
		if stored(c) && (features == nil || slices.Contains(features, c.Feature)) {
			cells = append(cells, c)
		}
	}
	s.Cells = cells
	return s
}

// ListSystemsWith reads ListSystems' systems (all, or those named in the
// order named) with the stored cells of the features asked, and nothing
// for the others; FindSystemWith is FindSystem cut the same way.
func TestListSystemsWith(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	full, err := db.ListSystems(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	bySlug := map[string]kb.System{}
	for _, s := range full {
		bySlug[s.Slug] = s
	}
	for _, features := range [][]string{nil, {"orm"}, {"csrf", "orm", "nope"}, {}} {
		for _, slugs := range [][]string{nil, {"flask", "django"}, {"django"}} {
			got, err := db.ListSystemsWith(ctx, "web", slugs, features)
			if err != nil {
				t.Fatalf("ListSystemsWith(%q, %q): %v", slugs, features, err)
			}
			var want []kb.System
			if slugs == nil {
				for _, s := range full {
					want = append(want, storedOnly(s, features))
				}
			}
			for _, slug := range slugs {
				want = append(want, storedOnly(bySlug[slug], features))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ListSystemsWith(%q, %q) (-want +got):\n%s", slugs, features, diff)
			}
			for _, s := range got {
				whole := bySlug[s.Slug]
				for _, f := range []string{"orm", "csrf", "admin"} {
					if (features == nil || slices.Contains(features, f)) && s.Cell(f) != whole.Cell(f) {
						t.Errorf("%s: cell %s = %+v, want %+v", s.Slug, f, s.Cell(f), whole.Cell(f))
					}
				}
			}
		}
	}
	one, err := db.FindSystem(ctx, "web", "django")
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.FindSystemWith(ctx, "web", "django", []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(storedOnly(one, []string{"admin"}), got); diff != "" {
		t.Errorf("FindSystemWith (-want +got):\n%s", diff)
	}
	for _, err := range []error{
		func() error { _, err := db.ListSystemsWith(ctx, "nope", nil, nil); return err }(),
		func() error { _, err := db.ListSystemsWith(ctx, "web", []string{"django", "nope"}, nil); return err }(),
		func() error { _, err := db.FindSystemWith(ctx, "web", "nope", nil); return err }(),
		func() error { _, err := db.FindSystemWith(ctx, "nope", "django", nil); return err }(),
	} {
		if !errors.Is(err, kb.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	}
}
