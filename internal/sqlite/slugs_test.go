package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

func TestListSystemSlugs(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	tests := []struct {
		topic   string
		want    []string
		wantErr error
	}{
		{topic: "web", want: []string{"bottle", "django", "fastapi", "flask"}},
		{topic: "db", want: []string{"postgres"}},
		{topic: "nope", wantErr: kb.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			got, err := db.ListSystemSlugs(ctx, tt.topic)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ListSystemSlugs(%q) error = %v, want %v", tt.topic, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ListSystemSlugs(%q) (-want +got):\n%s", tt.topic, diff)
			}
			if err != nil {
				return
			}
			// The same systems ListSystems returns, by slug.
			systems, err := db.ListSystems(ctx, tt.topic)
			if err != nil {
				t.Fatal(err)
			}
			var fromList []string
			for _, s := range systems {
				fromList = append(fromList, s.Slug)
			}
			slices.Sort(fromList)
			if diff := cmp.Diff(fromList, got); diff != "" {
				t.Errorf("slugs differ from ListSystems (-ListSystems +ListSystemSlugs):\n%s", diff)
			}
		})
	}
}

// TestListSystemSlugsEmptyTopic tells a topic without systems (an empty
// list) from no topic (kb.ErrNotFound).
func TestListSystemSlugsEmptyTopic(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	c := &kb.Content{Topics: []kb.Topic{{Slug: "empty", Title: "Empty", Summary: "Nothing yet.", Path: "empty/topic.yaml"}}}
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	got, err := db.ListSystemSlugs(ctx, "empty")
	if err != nil {
		t.Fatalf("ListSystemSlugs: %v", err)
	}
	if got == nil || len(got) != 0 {
		t.Errorf("ListSystemSlugs = %#v, want an empty, non-nil list", got)
	}
	// Within a Reader too.
	err = db.Read(ctx, func(r *Reader) error {
		got, err := r.ListSystemSlugs(ctx, "empty")
		if err != nil || len(got) != 0 {
			t.Errorf("Reader.ListSystemSlugs = %v, %v; want [], nil", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ListSystemNames gives ListSystems' systems in its order, without cells.
func TestListSystemNames(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	for _, topic := range []string{"web", "db"} {
		full, err := db.ListSystems(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		var want []kb.System
		for _, s := range full {
			want = append(want, kb.System{Topic: s.Topic, Slug: s.Slug, Name: s.Name})
		}
		got, err := db.ListSystemNames(ctx, topic)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListSystemNames(%q) (-from ListSystems +got):\n%s", topic, diff)
		}
	}
	if _, err := db.ListSystemNames(ctx, "nope"); !errors.Is(err, kb.ErrNotFound) {
		t.Errorf("unknown topic: err = %v, want not found", err)
	}
}

// TestListSystemCells reads the same systems as ListSystems, with the
// asked features' cells as they are and every other cell unknown.
func TestListSystemCells(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	full, err := db.ListSystems(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	known := 0
	for _, s := range full {
		if c := s.Cell("orm"); c.Support != kb.SupportUnknown {
			known++
		}
	}
	if known == 0 {
		t.Fatal("the fixture has no known orm cell to read")
	}
	for _, features := range [][]string{{"orm"}, {"csrf", "orm"}, {}, nil} {
		got, err := db.ListSystemCells(ctx, "web", features)
		if err != nil {
			t.Fatalf("ListSystemCells(%q): %v", features, err)
		}
		if len(got) != len(full) {
			t.Fatalf("ListSystemCells(%q) = %d systems, want %d", features, len(got), len(full))
		}
		for i, s := range got {
			want := full[i]
			want.Cells = slices.Clone(want.Cells)
			for j, c := range want.Cells {
				if !slices.Contains(features, c.Feature) {
					want.Cells[j] = kb.Cell{Feature: c.Feature, Support: kb.SupportUnknown}
				}
			}
			if diff := cmp.Diff(want, s); diff != "" {
				t.Errorf("ListSystemCells(%q) system %d (-want +got):\n%s", features, i, diff)
			}
		}
	}
	if _, err := db.ListSystemCells(ctx, "nope", []string{"orm"}); !errors.Is(err, kb.ErrNotFound) {
		t.Errorf("unknown topic: err = %v, want ErrNotFound", err)
	}
}

// TestListTopicNames lists the topics ListTopics lists, in its order, with
// their slug, title, summary and path and nothing else.
func TestListTopicNames(t *testing.T) {
	ctx := context.Background()
	db := loadDB(t)
	full, err := db.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.ListTopicNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []kb.Topic
	for _, tp := range full {
		want = append(want, kb.Topic{Slug: tp.Slug, Title: tp.Title, Summary: tp.Summary, Path: tp.Path})
	}
	if len(want) < 2 {
		t.Fatalf("the fixture has %d topics, want several to check the order", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListTopicNames (-want +got):\n%s", diff)
	}
}
