package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"versa/internal/history"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// rev is the revision id after seq: as the loader records them.
func rev(id, parent string, follows int64, at time.Time) history.Revision {
	return history.Revision{ID: id, Parent: parent, Follows: follows, RecordedAt: at,
		Commit: "c0ffee" + id, Subject: "edit " + id, Baseline: parent == ""}
}

func cell(topic, system, feature, from, to string) history.Change {
	return history.Change{Kind: history.CellChanged, Topic: topic, System: system, Feature: feature, Category: "core",
		Old: history.Cell{Support: from}, New: history.Cell{Support: to}}
}

func mustRecord(t *testing.T, s store, r history.Revision, changes ...history.Change) history.Revision {
	t.Helper()
	ok, err := s.Record(context.Background(), r, changes)
	if err != nil || !ok {
		t.Fatalf("Record(%s after %d) = %v, %v; want true, nil", r.ID, r.Follows, ok, err)
	}
	latest, err := s.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return latest
}

// say is a change as one comparable line.
func say(e history.Entry) string {
	c := e.Change
	s := c.Kind + " " + c.Topic + "/" + c.System + "/" + c.Feature
	if c.OldSlug != "" {
		s += " from " + c.OldSlug
	}
	if c.Kind == history.CellChanged {
		s += " " + c.Old.Support + "->" + c.New.Support
	}
	return s + " @" + e.Revision.ID
}

func changes(t *testing.T, s store, q history.Query) []string {
	t.Helper()
	entries, err := s.Changes(context.Background(), q)
	if err != nil {
		t.Fatalf("Changes(%+v): %v", q, err)
	}
	out := []string{}
	for _, e := range entries {
		out = append(out, say(e))
	}
	return out
}

// fixture records a baseline and three revisions over two topics:
//
//	b (seq 2): web flask/csrf no->yes, web django/orm yes->plugin, db pg/json no->yes
//	c (seq 3): web feature "async" added, web flask renamed from flask-old, web flask/async unknown->yes
//	d (seq 4): web tornado/csrf no->yes, web system tornado added
func fixture(t *testing.T, s store) (b, c, d history.Revision) {
	a := mustRecord(t, s, rev("aaaa", "", 0, t0))
	b = mustRecord(t, s, rev("bbbb", "aaaa", a.Seq, t0.Add(time.Hour)),
		cell("web", "flask", "csrf", "no", "yes"),
		cell("web", "django", "orm", "yes", "plugin"),
		cell("db", "pg", "json", "no", "yes"))
	c = mustRecord(t, s, rev("cccc", "bbbb", b.Seq, t0.Add(2*time.Hour)),
		history.Change{Kind: history.FeatureAdded, Topic: "web", Feature: "async", Category: "core", NewName: "Async"},
		history.Change{Kind: history.SystemRenamed, Topic: "web", System: "flask", OldSlug: "flask-old", OldName: "Flask (old)", NewName: "Flask"},
		cell("web", "flask", "async", "unknown", "yes"))
	d = mustRecord(t, s, rev("dddd", "cccc", c.Seq, t0.Add(3*time.Hour)),
		cell("web", "tornado", "csrf", "no", "yes"),
		history.Change{Kind: history.SystemAdded, Topic: "web", System: "tornado", NewName: "Tornado"})
	return b, c, d
}

// TestHistory runs the same cases on each engine: what ingest.History
// writes and history.Store reads.
func TestHistory(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T, s store)
	}{
		{"empty history", func(t *testing.T, s store) {
			if _, err := s.Latest(ctx); !errors.Is(err, history.ErrNotFound) {
				t.Errorf("Latest = %v, want ErrNotFound", err)
			}
			if _, err := s.FindRevision(ctx, "aa"); !errors.Is(err, history.ErrNotFound) {
				t.Errorf("FindRevision = %v, want ErrNotFound", err)
			}
			if revs, err := s.Revisions(ctx, 0, 0); err != nil || len(revs) != 0 {
				t.Errorf("Revisions = %v, %v; want none", revs, err)
			}
			if got := changes(t, s, history.Query{}); len(got) != 0 {
				t.Errorf("Changes = %v, want none", got)
			}
		}},
		{"revision and changes round-trip", func(t *testing.T, s store) {
			a := mustRecord(t, s, rev("aaaa", "", 0, t0))
			if !a.Baseline || a.Seq <= 0 || a.Follows != 0 || a.Changes != 0 {
				t.Errorf("baseline = %+v", a)
			}
			want := history.Change{Kind: history.ArticleUpdated, Topic: "web", Article: "intro", OldName: "Intro", NewName: "Intro «2»",
				Updated: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)}
			cellChange := history.Change{Kind: history.CellChanged, Topic: "web", System: "flask", Feature: "csrf", Category: "security",
				Old: history.Cell{Support: "plugin", Value: "v1", Note: "n <b>", Since: "1.0", Via: "Flask-WTF", Source: "https://a.example", Checked: ""},
				New: history.Cell{Support: "yes", Value: "v2", Note: "é", Since: "2.0", Via: "", Source: "https://b.example", Checked: "2026-01-02"}}
			r := rev("bbbb", "aaaa", a.Seq, t0.Add(time.Minute))
			b := mustRecord(t, s, r, want, cellChange)
			if b.Seq <= a.Seq || b.Follows != a.Seq || b.ID != "bbbb" || b.Parent != "aaaa" || b.Commit != r.Commit ||
				b.Subject != r.Subject || b.Baseline || b.Changes != 2 || !b.RecordedAt.Equal(r.RecordedAt) || b.RecordedAt.Location() != time.UTC {
				t.Errorf("Latest = %+v, recorded %+v", b, r)
			}
			entries, err := s.Changes(ctx, history.Query{})
			if err != nil || len(entries) != 2 {
				t.Fatalf("Changes = %d entries, %v; want 2", len(entries), err)
			}
			// Newest first: the cell was recorded after the article.
			got := []history.Change{entries[1].Change, entries[0].Change}
			for i, w := range []history.Change{want, cellChange} {
				g := got[i]
				if g.ID <= 0 || g.Seq != b.Seq {
					t.Errorf("change %d: id %d seq %d, want an id and seq %d", i, g.ID, g.Seq, b.Seq)
				}
				g.ID, g.Seq = 0, 0
				if !reflect.DeepEqual(g, w) {
					t.Errorf("change %d =\n%+v\nwant\n%+v", i, g, w)
				}
			}
			if entries[0].ID <= entries[1].ID {
				t.Errorf("ids %d, %d: want newest first", entries[0].ID, entries[1].ID)
			}
			if entries[0].Revision != b {
				t.Errorf("entry revision = %+v, want %+v", entries[0].Revision, b)
			}
		}},
		{"the same revision twice is recorded once", func(t *testing.T, s store) {
			a := mustRecord(t, s, rev("aaaa", "", 0, t0))
			r := rev("bbbb", "aaaa", a.Seq, t0)
			mustRecord(t, s, r, cell("web", "flask", "csrf", "no", "yes"))
			// Another replica loaded the same content after the same revision.
			ok, err := s.Record(ctx, r, []history.Change{cell("web", "flask", "csrf", "no", "yes")})
			if err != nil || ok {
				t.Fatalf("second Record = %v, %v; want false, nil", ok, err)
			}
			// A baseline when one exists is refused too.
			if ok, err := s.Record(ctx, rev("zzzz", "", 0, t0), nil); err != nil || ok {
				t.Fatalf("second baseline = %v, %v; want false, nil", ok, err)
			}
			if revs, _ := s.Revisions(ctx, 0, 0); len(revs) != 2 {
				t.Errorf("%d revisions, want 2", len(revs))
			}
			if got := changes(t, s, history.Query{}); len(got) != 1 {
				t.Errorf("changes = %v, want one", got)
			}
		}},
		{"a revert is recorded again", func(t *testing.T, s store) {
			prev := mustRecord(t, s, rev("aaaa", "", 0, t0))
			for _, id := range []string{"bbbb", "aaaa", "bbbb"} {
				prev = mustRecord(t, s, rev(id, prev.ID, prev.Seq, t0), cell("web", "flask", "csrf", "no", id))
			}
			revs, err := s.Revisions(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i, r := range revs {
				ids = append(ids, r.ID)
				if i+1 < len(revs) && r.Follows != revs[i+1].Seq {
					t.Errorf("revision %s follows %d, want %d", r.ID, r.Follows, revs[i+1].Seq)
				}
			}
			if strings.Join(ids, ",") != "bbbb,aaaa,bbbb,aaaa" {
				t.Errorf("revisions = %v, want bbbb,aaaa,bbbb,aaaa", ids)
			}
		}},
		{"concurrent records after one revision store one", func(t *testing.T, s store) {
			a := mustRecord(t, s, rev("aaaa", "", 0, t0))
			var wg sync.WaitGroup
			var mu sync.Mutex
			stored := 0
			for i := range 8 {
				wg.Go(func() {
					ok, err := s.Record(ctx, rev(fmt.Sprint("r", i), "aaaa", a.Seq, t0), []history.Change{cell("web", "flask", "csrf", "no", "yes")})
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						stored++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if stored != 1 {
				t.Errorf("%d of 8 concurrent records stored, want 1", stored)
			}
			if got := changes(t, s, history.Query{}); len(got) != 1 {
				t.Errorf("changes = %v, want one", got)
			}
		}},
		{"many changes in one revision", func(t *testing.T, s store) {
			a := mustRecord(t, s, rev("aaaa", "", 0, t0))
			var cs []history.Change
			for i := range 250 {
				cs = append(cs, cell("web", "flask", fmt.Sprintf("f%03d", i), "no", "yes"))
			}
			mustRecord(t, s, rev("bbbb", "aaaa", a.Seq, t0), cs...)
			got := changes(t, s, history.Query{})
			if len(got) != 250 || got[0] != "cell web/flask/f249 no->yes @bbbb" || got[249] != "cell web/flask/f000 no->yes @bbbb" {
				t.Errorf("%d changes, first %q: want 250, newest (f249) first", len(got), got[0])
			}
		}},
		{"query filters", func(t *testing.T, s store) {
			b, c, _ := fixture(t, s)
			for _, tc := range []struct {
				name string
				q    history.Query
				want []string
			}{
				{"topic", history.Query{Topic: "db"}, []string{"cell db/pg/json no->yes @bbbb"}},
				{"all, newest first", history.Query{Limit: 3}, []string{
					"system_added web/tornado/ @dddd", "cell web/tornado/csrf no->yes @dddd", "cell web/flask/async unknown->yes @cccc"}},
				{"offset", history.Query{Limit: 2, Offset: 6}, []string{"cell web/django/orm yes->plugin @bbbb", "cell web/flask/csrf no->yes @bbbb"}},
				{"offset past the end", history.Query{Limit: 2, Offset: 8}, []string{}},
				{"system by new and old slug", history.Query{Topic: "web", Systems: []string{"flask"}}, []string{
					"cell web/flask/async unknown->yes @cccc", "system_renamed web/flask/ from flask-old @cccc", "cell web/flask/csrf no->yes @bbbb"}},
				{"system by old slug only", history.Query{Topic: "web", Systems: []string{"flask-old"}}, []string{
					"system_renamed web/flask/ from flask-old @cccc"}},
				{"systems with rows", history.Query{Topic: "web", Systems: []string{"django", "tornado"}, Rows: true}, []string{
					"system_added web/tornado/ @dddd", "cell web/tornado/csrf no->yes @dddd", "feature_added web//async @cccc", "cell web/django/orm yes->plugin @bbbb"}},
				{"systems without rows", history.Query{Topic: "web", Systems: []string{"django"}}, []string{"cell web/django/orm yes->plugin @bbbb"}},
				{"features keep system kinds", history.Query{Topic: "web", Features: []string{"csrf"}}, []string{
					"system_added web/tornado/ @dddd", "cell web/tornado/csrf no->yes @dddd", "system_renamed web/flask/ from flask-old @cccc", "cell web/flask/csrf no->yes @bbbb"}},
				{"features and systems and rows", history.Query{Topic: "web", Systems: []string{"flask"}, Rows: true, Features: []string{"async"}}, []string{
					"cell web/flask/async unknown->yes @cccc", "system_renamed web/flask/ from flask-old @cccc", "feature_added web//async @cccc"}},
				{"since a revision", history.Query{Topic: "web", SinceSeq: c.Seq}, []string{"system_added web/tornado/ @dddd", "cell web/tornado/csrf no->yes @dddd"}},
				{"since a revision, systems", history.Query{Topic: "web", Systems: []string{"flask", "tornado"}, SinceSeq: b.Seq}, []string{
					"system_added web/tornado/ @dddd", "cell web/tornado/csrf no->yes @dddd", "cell web/flask/async unknown->yes @cccc", "system_renamed web/flask/ from flask-old @cccc"}},
				{"since a time", history.Query{SinceTime: t0.Add(90 * time.Minute), Systems: []string{"flask"}}, []string{
					"cell web/flask/async unknown->yes @cccc", "system_renamed web/flask/ from flask-old @cccc"}},
				{"since a time after all", history.Query{SinceTime: t0.Add(4 * time.Hour)}, []string{}},
				{"since the latest", history.Query{SinceSeq: b.Seq + 1000}, []string{}},
				{"unknown system", history.Query{Topic: "web", Systems: []string{"nope"}}, []string{}},
			} {
				if got := changes(t, s, tc.q); !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: Changes(%+v) =\n%q\nwant\n%q", tc.name, tc.q, got, tc.want)
				}
			}
		}},
		{"before a change: a page's cursor", func(t *testing.T, s store) {
			b, _, _ := fixture(t, s)
			for _, q := range []history.Query{
				{},
				{Topic: "web"},
				{Topic: "web", Systems: []string{"flask", "tornado"}, Rows: true},
				{Topic: "web", Systems: []string{"flask"}, Features: []string{"async", "csrf"}},
				{Topic: "web", SinceSeq: b.Seq - 1},
			} {
				all, err := s.Changes(ctx, q)
				if err != nil || len(all) < 3 {
					t.Fatalf("Changes(%+v) = %d, %v; want 3 or more", q, len(all), err)
				}
				want := changes(t, s, q)
				for i := range all {
					at := q
					at.Before, at.Limit = all[i].ID, 2
					if got, w := changes(t, s, at), want[i+1:min(len(want), i+3)]; !reflect.DeepEqual(got, w) {
						t.Errorf("Changes(%+v) =\n%q\nwant\n%q", at, got, w)
					}
				}
			}
		}},
		{"revisions and find by prefix", func(t *testing.T, s store) {
			_, c, d := fixture(t, s)
			revs, err := s.Revisions(ctx, 2, 1)
			if err != nil || len(revs) != 2 || revs[0].ID != "cccc" || revs[1].ID != "bbbb" {
				t.Errorf("Revisions(2, 1) = %+v, %v; want cccc, bbbb", revs, err)
			}
			if revs, _ := s.Revisions(ctx, 0, 0); len(revs) != 4 || revs[0] != d {
				t.Errorf("Revisions(0, 0) = %+v; want 4, newest first", revs)
			}
			if r, err := s.FindRevision(ctx, "ccc"); err != nil || r != c {
				t.Errorf("FindRevision(ccc) = %+v, %v; want %+v", r, err, c)
			}
			// The newest of a revision recorded twice.
			e := mustRecord(t, s, rev("cccc", "dddd", d.Seq, t0.Add(5*time.Hour)))
			if r, err := s.FindRevision(ctx, "cccc"); err != nil || r.Seq != e.Seq {
				t.Errorf("FindRevision(cccc) = %+v, %v; want seq %d", r, err, e.Seq)
			}
			for _, id := range []string{"", "c%", "_ccc", "cccd", "ccccc", "CCCC"} {
				if _, err := s.FindRevision(ctx, id); !errors.Is(err, history.ErrNotFound) {
					t.Errorf("FindRevision(%q) = %v, want ErrNotFound", id, err)
				}
			}
		}},
		{"the latest revision's state", func(t *testing.T, s store) {
			if _, err := s.State(ctx, 1); !errors.Is(err, history.ErrNotFound) {
				t.Errorf("State of an empty history = %v, want ErrNotFound", err)
			}
			r := rev("aaaa", "", 0, t0)
			r.State = "\x00\x1f\x8b state of aaaa \xff"
			a := mustRecord(t, s, r)
			if a.State != "" {
				t.Errorf("Latest returned the state: %q", a.State)
			}
			if got, err := s.State(ctx, a.Seq); err != nil || string(got) != r.State {
				t.Errorf("State(%d) = %q, %v; want %q", a.Seq, got, err, r.State)
			}
			// Without a state, the next revision has none: SaveState
			// keeps one for it, only while it is the latest and has none.
			b := mustRecord(t, s, rev("bbbb", "aaaa", a.Seq, t0.Add(time.Minute)))
			if _, err := s.State(ctx, b.Seq); !errors.Is(err, history.ErrNotFound) {
				t.Errorf("State of a revision recorded without one = %v, want ErrNotFound", err)
			}
			if ok, err := s.SaveState(ctx, a.Seq, []byte("late a")); err != nil || ok {
				t.Errorf("SaveState of an older revision = %v, %v; want false", ok, err)
			}
			if ok, err := s.SaveState(ctx, b.Seq, []byte("b")); err != nil || !ok {
				t.Errorf("SaveState(%d) = %v, %v; want true", b.Seq, ok, err)
			}
			if ok, err := s.SaveState(ctx, b.Seq, []byte("b again")); err != nil || ok {
				t.Errorf("SaveState of a revision with a state = %v, %v; want false", ok, err)
			}
			if got, err := s.State(ctx, b.Seq); err != nil || string(got) != "b" {
				t.Errorf("State(%d) = %q, %v; want b", b.Seq, got, err)
			}
			if _, err := s.State(ctx, a.Seq); !errors.Is(err, history.ErrNotFound) {
				t.Errorf("the older state is kept: %v", err)
			}
			// A revision recorded with a state replaces the last one; one
			// refused (recorded already) changes nothing.
			c := rev("cccc", "bbbb", b.Seq, t0.Add(2*time.Minute))
			c.State = "c"
			mustRecord(t, s, c)
			c.State = "c from another server"
			if ok, err := s.Record(ctx, c, nil); err != nil || ok {
				t.Fatalf("Record again = %v, %v; want false", ok, err)
			}
			latest, _ := s.Latest(ctx)
			if got, err := s.State(ctx, latest.Seq); err != nil || string(got) != "c" {
				t.Errorf("State(%d) = %q, %v; want c", latest.Seq, got, err)
			}
			if _, err := s.State(ctx, b.Seq); !errors.Is(err, history.ErrNotFound) {
				t.Errorf("the older state is kept: %v", err)
			}
		}},
	}
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.run(t, e.open(t)) })
			}
		})
	}
}
