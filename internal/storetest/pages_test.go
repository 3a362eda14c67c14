package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"versa/internal/history"
)

// pageHistory records a baseline and 40 revisions over two topics of every
// kind of change: cells of five systems and four features, renames (flask
// from flask-old, both slugs of one system; quart from flask, a slug
// another system took; an article from "flask"), features and categories
// added and changed, articles, systems added and removed. The clock goes
// back once (revision 30 is recorded before 29). It returns the revisions.
func pageHistory(t *testing.T, s store) []history.Revision {
	systems := []string{"flask", "django", "tornado", "pyramid", "flask-old"}
	features := []string{"orm", "csrf", "async", "license"}
	supports := []string{"no", "yes", "partial", "plugin"}
	revs := []history.Revision{mustRecord(t, s, rev("r00", "", 0, t0))}
	n := 0
	for r := 1; r <= 40; r++ {
		at := t0.Add(time.Duration(r) * time.Hour)
		if r == 30 {
			at = t0.Add(28*time.Hour + 30*time.Minute) // before 29
		}
		var cs []history.Change
		for range 3 + r%5 {
			topic := "web"
			if n%7 == 3 {
				topic = "db"
			}
			sys, f := systems[n%len(systems)], features[n/3%len(features)]
			cs = append(cs, cell(topic, sys, f, supports[n%4], supports[(n+1)%4]))
			n++
		}
		switch r % 8 {
		case 1:
			cs = append(cs, history.Change{Kind: history.FeatureAdded, Topic: "web", Feature: features[r%4], Category: "core", NewName: "F"})
		case 2:
			cs = append(cs, history.Change{Kind: history.CategoryChanged, Topic: "web", Category: "core", OldName: "Core", NewName: "Core " + fmt.Sprint(r)})
		case 3:
			cs = append(cs, history.Change{Kind: history.ArticleUpdated, Topic: "web", Article: "intro", OldName: "Intro", NewName: "Intro"})
		case 4:
			cs = append(cs, history.Change{Kind: history.SystemAdded, Topic: "web", System: "tornado", NewName: "Tornado"},
				history.Change{Kind: history.SystemRemoved, Topic: "web", System: "pyramid", OldName: "Pyramid"})
		case 5:
			cs = append(cs, history.Change{Kind: history.SystemRenamed, Topic: "web", System: "flask", OldSlug: "flask-old", OldName: "Flask (old)", NewName: "Flask"})
		case 6:
			cs = append(cs, history.Change{Kind: history.SystemRenamed, Topic: "web", System: "quart", OldSlug: "flask", OldName: "Flask", NewName: "Quart"},
				history.Change{Kind: history.FeatureChanged, Topic: "web", Feature: "csrf", Category: "core", OldName: "CSRF", NewName: "CSRF tokens"})
		case 7:
			cs = append(cs, history.Change{Kind: history.ArticleAdded, Topic: "web", Article: "flask-guide", OldSlug: "flask", NewName: "Flask guide"},
				history.Change{Kind: history.CategoryAdded, Topic: "db", Category: "core", NewName: "Core"})
		}
		prev := revs[len(revs)-1]
		revs = append(revs, mustRecord(t, s, rev(fmt.Sprintf("r%02d", r), prev.ID, prev.Seq, at), cs...))
	}
	return revs
}

// TestPagesAtOffsets: a page asked by its number (an offset, which the
// stores seek through the changes' ranks) is the page the older-page links
// reach (the before= cursor of the page before), and both are that slice
// of the whole list: of a topic, of systems by new and old slug, with and
// without rows and features, since a revision or a time (one the clock
// went back after too), before a cursor; past the end, nothing.
func TestPagesAtOffsets(t *testing.T) {
	ctx := context.Background()
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			s := e.open(t)
			revs := pageHistory(t, s)
			all := func(q history.Query) []history.Entry {
				t.Helper()
				q.Limit, q.Offset = 0, 0
				got, err := s.Changes(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			web := history.Query{Topic: "web"}
			for _, tc := range []struct {
				name string
				q    history.Query
			}{
				{"topic", web},
				{"other topic", history.Query{Topic: "db"}},
				{"no topic (counted)", history.Query{}},
				{"system", history.Query{Topic: "web", Systems: []string{"flask"}}},
				{"system by both slugs", history.Query{Topic: "web", Systems: []string{"flask", "flask-old"}}},
				{"system by its old slug", history.Query{Topic: "web", Systems: []string{"flask-old"}}},
				{"removed system", history.Query{Topic: "web", Systems: []string{"pyramid"}}},
				{"unknown system", history.Query{Topic: "web", Systems: []string{"nope"}}},
				{"systems and rows", history.Query{Topic: "web", Systems: []string{"django", "flask"}, Rows: true}},
				{"systems, rows, a feature", history.Query{Topic: "web", Systems: []string{"flask", "django"}, Rows: true, Features: []string{"csrf"}}},
				{"systems, rows, features", history.Query{Topic: "web", Systems: []string{"tornado", "flask", "flask-old"}, Rows: true, Features: []string{"orm", "async"}}},
				{"systems, rows, no feature", history.Query{Topic: "web", Systems: []string{"django", "quart"}, Rows: true, Features: []string{""}}},
				{"systems, features, no rows", history.Query{Topic: "web", Systems: []string{"django", "flask"}, Features: []string{"license", "csrf"}}},
				{"features alone (counted)", history.Query{Topic: "web", Features: []string{"csrf"}}},
				{"since a revision", history.Query{Topic: "web", SinceSeq: revs[12].Seq}},
				{"since a revision, systems and rows", history.Query{Topic: "web", Systems: []string{"django", "flask"}, Rows: true, SinceSeq: revs[20].Seq}},
				{"since a time", history.Query{Topic: "web", Systems: []string{"flask"}, SinceTime: t0.Add(31 * time.Hour)}},
				{"since a time the clock went back after", history.Query{Topic: "web", SinceTime: t0.Add(28*time.Hour + 45*time.Minute)}},
				{"since a time, before the clock went back", history.Query{Topic: "web", Systems: []string{"django"}, Rows: true, SinceTime: t0.Add(10 * time.Hour)}},
				{"before a cursor", history.Query{Topic: "web", Systems: []string{"flask"}, Rows: true, Before: all(web)[40].ID}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					whole := all(tc.q)
					if len(whole) < 5 && tc.name != "unknown system" {
						t.Fatalf("%d changes: the case shows nothing", len(whole))
					}
					for _, size := range []int{1, 7, 50} {
						q := tc.q
						q.Limit = size
						cursor := tc.q.Before
						for page := 0; page*size <= len(whole)+size; page++ {
							q.Offset, q.Before = page*size, tc.q.Before
							byNumber, err := s.Changes(ctx, q)
							if err != nil {
								t.Fatal(err)
							}
							want := whole[min(page*size, len(whole)):min((page+1)*size, len(whole))]
							if !sameChanges(byNumber, want) {
								t.Fatalf("page %d of %d (Offset %d): %v\nwant %v", page+1, size, q.Offset, ids(byNumber), ids(want))
							}
							if page == 0 || cursor != 0 {
								q.Offset, q.Before = 0, cursor
								byCursor, err := s.Changes(ctx, q)
								if err != nil {
									t.Fatal(err)
								}
								if !reflect.DeepEqual(byCursor, byNumber) {
									t.Fatalf("page %d of %d by cursor %d: %v\nby number %v", page+1, size, cursor, ids(byCursor), ids(byNumber))
								}
								if len(byCursor) == 0 {
									break
								}
								cursor = byCursor[len(byCursor)-1].ID
							}
						}
					}
				})
			}
		})
	}
}

func sameChanges(a, b []history.Entry) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func ids(es []history.Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}
