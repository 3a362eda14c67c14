package history

import (
	"context"
	"slices"
	"testing"
)

// TestPageStart: over lists of ids with gaps, the cursor PageStart finds
// for each offset is one past the id at that offset, newest first; past
// the end it reports false.
func TestPageStart(t *testing.T) {
	ctx := context.Background()
	for _, list := range [][]int64{{1}, {5}, {1, 2, 3}, {2, 9, 10, 11, 40, 41, 77}, {3, 4, 100}} {
		for _, end := range []int64{list[len(list)-1] + 1, list[len(list)-1] + 50, list[len(list)/2]} {
			count := func(_ context.Context, below int64) (int64, error) {
				n := int64(0)
				for _, id := range list {
					if id < below && id < end {
						n++
					}
				}
				return n, nil
			}
			var newest []int64
			for _, id := range slices.Backward(list) {
				if id < end {
					newest = append(newest, id)
				}
			}
			for offset := range len(newest) + 2 {
				before, ok, err := PageStart(ctx, end, offset, count)
				if err != nil {
					t.Fatal(err)
				}
				if offset >= len(newest) {
					if ok {
						t.Errorf("ids %v below %d, offset %d: cursor %d, want none", list, end, offset, before)
					}
					continue
				}
				if !ok || before != newest[offset]+1 {
					t.Errorf("ids %v below %d, offset %d: cursor %d, %v; want %d", list, end, offset, before, ok, newest[offset]+1)
				}
			}
		}
	}
}

// TestRanksCarry: an article's change counts in its topic only and
// carries the ranks of its group's change before it; the rows' changes
// count in System "".
func TestRanksCarry(t *testing.T) {
	cs := []Change{
		{Kind: FeatureAdded, Topic: "web", Feature: "orm"},
		{Kind: ArticleUpdated, Topic: "web"},
		{Kind: CategoryAdded, Topic: "web"},
		{Kind: CellChanged, Topic: "web", System: "flask", Feature: "orm"},
		{Kind: ArticleAdded, Topic: "web"},
		{Kind: CellChanged, Topic: "db", System: "flask", Feature: "orm"},
	}
	got := Ranks(cs, Bases{Topic: map[string]int64{"web": 10}, Feature: map[FeatureKey]int64{{"web", "flask", "orm"}: 3}})
	want := []Rank{{11, 1, 1}, {12, 1, 0}, {13, 2, 1}, {14, 1, 4}, {15, 2, 1}, {1, 1, 1}}
	if !slices.Equal(got, want) {
		t.Errorf("Ranks = %v, want %v", got, want)
	}
}
