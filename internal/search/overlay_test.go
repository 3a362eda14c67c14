package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/content"
	"versa/internal/kb"
)

// Each item of the editable content has a word of its own, "w" + topic +
// slug, besides words they share.

func editSystem(topic, slug, word string) kb.System {
	return kb.System{Topic: topic, Slug: slug, Name: "Sys " + slug, Summary: "Summary of " + word, Tags: []string{"tagged"},
		Cells: []kb.Cell{
			{Feature: "speed", Support: kb.SupportYes, Note: "Fast thanks to " + word},
			{Feature: "plugins", Support: kb.SupportUnknown},
		},
		Sections: []kb.Section{
			{Kind: kb.KindBody, Text: "Lead about " + word + " and shared prose."},
			{Kind: kb.KindPros, Heading: "Pros", Anchor: "pros", Text: "Reliable " + word + ".\nShared strength.",
				Items: []string{"Reliable " + word + ".", "Shared strength."}},
			{Kind: kb.KindCons, Heading: "Cons", Anchor: "cons", Text: "Slow startup with " + word,
				Items: []string{"Slow startup with " + word}},
		}}
}

func editArticle(topic, slug, word string, systems ...string) kb.Article {
	return kb.Article{Topic: topic, Slug: slug, Title: "Article " + slug, Summary: "About shared things", Systems: systems,
		Tags: []string{"guide"},
		Sections: []kb.Section{
			{Kind: kb.KindBody, Text: "Intro with shared prose."},
			{Kind: kb.KindBody, Heading: "Background", Anchor: "background", Text: "Older history of the field, nothing more."},
			{Kind: kb.KindBody, Heading: "Details", Anchor: "details", Text: "The details mention " + word + " twice: " + word + "."},
			{Kind: kb.KindUseCases, Heading: "When", Anchor: "when", Text: "Use it for shared prose.", Items: []string{"Use it for shared prose."}},
		}}
}

func editTopic(slug, speed string) kb.Topic {
	return kb.Topic{Slug: slug, Title: "Topic " + slug, Categories: []kb.Category{{Key: "core", Title: "Core"}},
		Features: []kb.Feature{
			{Key: "speed", Name: speed, Category: "core", Description: "How fast it runs"},
			{Key: "plugins", Name: "Plugins", Category: "core", Description: "Extension mechanism"},
		}}
}

// editable is content of two topics, three systems and two articles each;
// s3 is named by no article.
func editable() *kb.Content {
	c := &kb.Content{Revision: "base"}
	for _, t := range []string{"t1", "t2"} {
		c.Topics = append(c.Topics, editTopic(t, "Speed"))
		for _, s := range []string{"s1", "s2", "s3"} {
			c.Systems = append(c.Systems, editSystem(t, s, "w"+t+s))
		}
		c.Articles = append(c.Articles, editArticle(t, "a1", "w"+t+"a1", "s1"), editArticle(t, "a2", "w"+t+"a2", "s1", "s2"))
	}
	return c
}

// editQueries are compared between an updated index and one built whole.
var editQueries = func() []Query {
	var qs []Query
	for _, text := range []string{"shared", "shared prose", "reliable", "slow startup", "fast", "speed", "tagged",
		"guide", "details", "history", "s1", "sys s2", "a1", "shared zzzunknown", "plugins", "wnew", "renamed", "velocity",
		"wt1s1", "wt1s2", "wt1s3", "wt1a1", "wt1a2", "wt2s1", "wt2s2", "wt2s3", "wt2a1", "wt2a2", "wt3s1", "wt3a1"} {
		qs = append(qs, Query{Text: text})
	}
	for _, text := range []string{"shared", "slow", "fast", "reliable"} {
		qs = append(qs, Query{Text: text, Kind: "cons"}, Query{Text: text, Kind: KindFeature},
			Query{Text: text, Topic: "t1"}, Query{Text: text, Topic: "t2"}, Query{Text: text, Topic: "t3"},
			Query{Text: text, System: "s1"}, Query{Text: text, System: "s2"}, Query{Text: text, System: "s3"},
			Query{Text: text, System: "s9"}, Query{Text: text, Topic: "t1", System: "s2", Kind: "pros"})
	}
	return qs
}()

// buildEdit returns an index of c, built whole.
func buildEdit(t *testing.T, c *kb.Content, revision string) *Index {
	t.Helper()
	ix, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Build(context.Background(), revision, feedContent(c)); err != nil {
		t.Fatal(err)
	}
	return ix
}

func update(t *testing.T, ix *Index, revision string, drop kb.Drop, items ...any) {
	t.Helper()
	err := ix.Update(context.Background(), revision, drop, func(s kb.Sink) error {
		for _, it := range items {
			var err error
			switch it := it.(type) {
			case kb.Topic:
				err = s.Topic(it)
			case kb.System:
				err = s.System(it)
			case kb.Article:
				err = s.Article(it)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update(%s): %v", revision, err)
	}
	if got := ix.Revision(); got != revision {
		t.Errorf("Revision after Update = %q, want %q", got, revision)
	}
}

// hitKeys describes hits without their scores, sorted: what an updated
// index and a rebuilt one must agree on.
func hitKeys(hs []Hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, strings.Join([]string{h.Doc, h.Topic, h.System, h.Article, h.Title, h.Kind, h.Heading, "#" + h.Anchor, text(h.Snippet)}, " | "))
	}
	slices.Sort(out)
	return out
}

// checkAsBuilt compares what ix finds with what an index built whole from
// c finds: totals, facets and hits (their order aside, as the statistics
// of BM25 differ a little).
func checkAsBuilt(t *testing.T, ix *Index, c *kb.Content, extra ...Query) {
	t.Helper()
	fresh := buildEdit(t, c, "fresh")
	for _, q := range append(slices.Clone(editQueries), extra...) {
		// Verbatim: spelling suggestions come from the words of the
		// built index, not the overlay's, so a correction may differ.
		q.PerPage, q.Verbatim = MaxPerPage, true
		got, want := search(t, ix, q), search(t, fresh, q)
		if got.Total != want.Total || got.Partial != want.Partial {
			t.Errorf("%+v: Total %d Partial %v, built whole %d %v", q, got.Total, got.Partial, want.Total, want.Partial)
		}
		if diff := cmp.Diff(want.Facets, got.Facets); diff != "" {
			t.Errorf("%+v: facets (-built whole +updated):\n%s", q, diff)
		}
		if diff := cmp.Diff(hitKeys(want.Hits), hitKeys(got.Hits)); diff != "" {
			t.Errorf("%+v: hits (-built whole +updated):\n%s", q, diff)
		}
	}
}

func totalOf(t *testing.T, ix *Index, q Query) int {
	t.Helper()
	return search(t, ix, q).Total
}

func articleIndex(c *kb.Content, topic, slug string) int {
	return slices.IndexFunc(c.Articles, func(a kb.Article) bool { return a.Topic == topic && a.Slug == slug })
}

func TestUpdateArticle(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	if n := totalOf(t, ix, Query{Text: "wt1a1"}); n == 0 {
		t.Fatal("the base does not find the word to remove")
	}
	a := editArticle("t1", "a1", "wnew", "s1")
	c.Articles[articleIndex(c, "t1", "a1")] = a
	err := ix.Update(context.Background(), "r1", kb.Drop{Articles: []kb.Key{{Topic: "t1", Slug: "a1"}}}, func(s kb.Sink) error {
		// Searches see nothing of an Update before it returns.
		if n, m := totalOf(t, ix, Query{Text: "wt1a1"}), totalOf(t, ix, Query{Text: "wnew"}); n == 0 || m != 0 {
			t.Errorf("during the update, the old word finds %d and the new %d", n, m)
		}
		return s.Article(a)
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev := ix.Revision(); rev != "r1" {
		t.Errorf("Revision = %q, want r1", rev)
	}

	if n := totalOf(t, ix, Query{Text: "wt1a1"}); n != 0 {
		t.Errorf("the removed word finds %d documents, want none", n)
	}
	res := search(t, ix, Query{Text: "wnew"})
	if res.Total != 1 || res.Hits[0].Article != "a1" || res.Hits[0].Topic != "t1" {
		t.Fatalf("the new word finds %d: %+v, want t1/a1", res.Total, res.Hits)
	}
	h := res.Hits[0]
	if h.Anchor != "details" || h.Heading != "Details" || h.Doc != DocArticle || h.Kind != "body" {
		t.Errorf("hit = %+v, want the Details section of a1", h)
	}
	if s := text(h.Snippet); !strings.Contains(s, "mention [wnew] twice: [wnew].") {
		t.Errorf("snippet = %q, want both words marked", s)
	}
	// Words the article still has find it once, not twice.
	res = search(t, ix, Query{Text: "history", Topic: "t1", PerPage: MaxPerPage})
	var found int
	for _, h := range res.Hits {
		if h.Article == "a1" {
			found++
		}
	}
	if found != 1 {
		t.Errorf("a1 found %d times for a word of both versions, want 1", found)
	}
	if n := ix.OverlaySize(); n == 0 {
		t.Error("OverlaySize = 0 after an update")
	}
	checkAsBuilt(t, ix, c)
}

func TestUpdateDeleteSystem(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	before := search(t, ix, Query{Text: "shared"})
	if !slices.ContainsFunc(before.Facets.System, func(f FacetCount) bool { return f.Value == "s3" }) {
		t.Fatalf("system facets %v lack s3 before the delete", before.Facets.System)
	}
	drop := kb.Drop{Systems: []kb.Key{{Topic: "t1", Slug: "s3"}, {Topic: "t2", Slug: "s3"}}}
	update(t, ix, "r1", drop)
	c.Systems = slices.DeleteFunc(c.Systems, func(s kb.System) bool { return s.Slug == "s3" })

	for _, q := range []Query{{Text: "wt1s3"}, {Text: "wt2s3"}, {Text: "shared", System: "s3"}, {Text: "s3"}} {
		if n := totalOf(t, ix, q); n != 0 {
			t.Errorf("%+v finds %d documents of a deleted system", q, n)
		}
	}
	res := search(t, ix, Query{Text: "shared"})
	if slices.ContainsFunc(res.Facets.System, func(f FacetCount) bool { return f.Value == "s3" }) {
		t.Errorf("system facets %v still count s3", res.Facets.System)
	}
	if res.Total >= before.Total {
		t.Errorf("Total = %d after the delete, %d before", res.Total, before.Total)
	}
	for _, h := range res.Hits {
		if h.System == "s3" {
			t.Errorf("hit of a deleted system: %+v", h)
		}
	}
	if got, want := ix.Docs(), buildEdit(t, c, "x").Docs(); got != want {
		t.Errorf("Docs = %d, want %d as built whole", got, want)
	}
	checkAsBuilt(t, ix, c)
}

func TestUpdateDropTopic(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	update(t, ix, "r1", kb.Drop{Topics: []string{"t2"}})
	gone := &kb.Content{}
	gone.Topics = c.Topics[:1]
	for _, s := range c.Systems {
		if s.Topic == "t1" {
			gone.Systems = append(gone.Systems, s)
		}
	}
	for _, a := range c.Articles {
		if a.Topic == "t1" {
			gone.Articles = append(gone.Articles, a)
		}
	}
	for _, q := range []Query{{Text: "wt2s1"}, {Text: "wt2a2"}, {Text: "shared", Topic: "t2"}, {Text: "speed", Topic: "t2"}} {
		if n := totalOf(t, ix, q); n != 0 {
			t.Errorf("%+v finds %d documents of a dropped topic", q, n)
		}
	}
	res := search(t, ix, Query{Text: "shared"})
	if len(res.Facets.Topic) != 1 || res.Facets.Topic[0].Value != "t1" {
		t.Errorf("topic facets = %v, want t1 alone", res.Facets.Topic)
	}
	checkAsBuilt(t, ix, gone)

	// The topic comes back with a feature renamed: its features and the
	// cells of its systems show the new name.
	t2 := editTopic("t2", "Velocity renamed")
	items := []any{t2}
	for _, s := range c.Systems {
		if s.Topic == "t2" {
			items = append(items, s)
		}
	}
	for _, a := range c.Articles {
		if a.Topic == "t2" {
			items = append(items, a)
		}
	}
	update(t, ix, "r2", kb.Drop{Topics: []string{"t2"}}, items...)
	c.Topics[1] = t2
	res = search(t, ix, Query{Text: "wt2s1", Kind: KindFeature})
	if res.Total != 1 || res.Hits[0].Heading != "Velocity renamed" || res.Hits[0].Anchor != "feature-speed" {
		t.Errorf("cell hits %+v, want s1's speed cell under the new name", res.Hits)
	}
	checkAsBuilt(t, ix, c)
}

func TestUpdateTwice(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	common := totalOf(t, ix, Query{Text: "details"})
	key := kb.Drop{Articles: []kb.Key{{Topic: "t2", Slug: "a2"}}}
	update(t, ix, "r1", key, editArticle("t2", "a2", "wfirst", "s1"))
	size := ix.OverlaySize()
	second := editArticle("t2", "a2", "wsecond", "s2")
	update(t, ix, "r2", key, second)
	c.Articles[articleIndex(c, "t2", "a2")] = second

	if n := totalOf(t, ix, Query{Text: "wfirst"}); n != 0 {
		t.Errorf("the first version's word finds %d documents", n)
	}
	if n := totalOf(t, ix, Query{Text: "wsecond"}); n != 1 {
		t.Errorf("the second version's word finds %d documents, want 1", n)
	}
	if n := totalOf(t, ix, Query{Text: "details"}); n != common {
		t.Errorf("a word of every version finds %d documents, want %d", n, common)
	}
	if n := ix.OverlaySize(); n != size {
		t.Errorf("OverlaySize = %d after updating the same article again, want %d", n, size)
	}
	// The article names s2 now, not s1.
	res := search(t, ix, Query{Text: "wsecond", System: "s2"})
	if res.Total != 1 {
		t.Errorf("System filter s2 finds %d, want the article", res.Total)
	}
	if n := totalOf(t, ix, Query{Text: "wsecond", System: "s1"}); n != 0 {
		t.Errorf("System filter s1 finds %d, want none", n)
	}
	checkAsBuilt(t, ix, c)
}

// TestUpdateMany applies a mix of changes one after another, comparing
// with an index built whole after each.
func TestUpdateMany(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	steps := []struct {
		name  string
		drop  kb.Drop
		items []any
		apply func(c *kb.Content)
	}{
		{"system edited, topic not fed", kb.Drop{Systems: []kb.Key{{Topic: "t1", Slug: "s2"}}},
			[]any{editSystem("t1", "s2", "wnew")}, func(c *kb.Content) { c.Systems[1] = editSystem("t1", "s2", "wnew") }},
		{"new topic with a new system", kb.Drop{Systems: []kb.Key{{Topic: "t3", Slug: "s9"}}, Articles: []kb.Key{{Topic: "t3", Slug: "a1"}}},
			[]any{editTopic("t3", "Velocity"), editSystem("t3", "s9", "wt3s1"), editArticle("t3", "a1", "wt3a1", "s9")},
			func(c *kb.Content) {
				c.Topics = append(c.Topics, editTopic("t3", "Velocity"))
				c.Systems = append(c.Systems, editSystem("t3", "s9", "wt3s1"))
				c.Articles = append(c.Articles, editArticle("t3", "a1", "wt3a1", "s9"))
			}},
		{"article added, fed without a drop", kb.Drop{},
			[]any{editArticle("t1", "a3", "wnew", "s3")}, func(c *kb.Content) { c.Articles = append(c.Articles, editArticle("t1", "a3", "wnew", "s3")) }},
		{"article fed again without a drop", kb.Drop{},
			[]any{editArticle("t2", "a2", "wnew", "s2")}, func(c *kb.Content) {
				c.Articles[articleIndex(c, "t2", "a2")] = editArticle("t2", "a2", "wnew", "s2")
			}},
		{"overlay system edited again", kb.Drop{Systems: []kb.Key{{Topic: "t1", Slug: "s2"}}},
			[]any{editSystem("t1", "s2", "wt1s2")}, func(c *kb.Content) { c.Systems[1] = editSystem("t1", "s2", "wt1s2") }},
		{"overlay topic dropped", kb.Drop{Topics: []string{"t3"}}, nil, func(c *kb.Content) {
			c.Topics = c.Topics[:2]
			c.Systems = slices.DeleteFunc(c.Systems, func(s kb.System) bool { return s.Topic == "t3" })
			c.Articles = slices.DeleteFunc(c.Articles, func(a kb.Article) bool { return a.Topic == "t3" })
		}},
		{"article deleted", kb.Drop{Articles: []kb.Key{{Topic: "t1", Slug: "a1"}}}, nil, func(c *kb.Content) {
			c.Articles = slices.DeleteFunc(c.Articles, func(a kb.Article) bool { return a.Topic == "t1" && a.Slug == "a1" })
		}},
		{"nothing but the revision", kb.Drop{}, nil, func(*kb.Content) {}},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			update(t, ix, fmt.Sprint("r", i+1), st.drop, st.items...)
			st.apply(c)
			checkAsBuilt(t, ix, c)
		})
	}
}

func TestUpdateFilters(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	// A new topic and system exist only in the overlay.
	update(t, ix, "r1", kb.Drop{Systems: []kb.Key{{Topic: "t3", Slug: "s9"}}},
		editTopic("t3", "Velocity"), editSystem("t3", "s9", "wt3s1"))
	tests := []struct {
		q    Query
		want int
		ok   func(Hit) bool
	}{
		{Query{Text: "wt3s1"}, 4, func(h Hit) bool { return h.System == "s9" }}, // lead, pros, cons, cell
		{Query{Text: "wt3s1", Kind: "pros"}, 1, func(h Hit) bool { return h.Kind == "pros" && h.Anchor == "pros" }},
		{Query{Text: "wt3s1", Kind: KindFeature}, 1, func(h Hit) bool { return h.Heading == "Velocity" && h.Anchor == "feature-speed" }},
		{Query{Text: "wt3s1", Topic: "t3"}, 4, func(h Hit) bool { return h.Topic == "t3" }},
		{Query{Text: "wt3s1", Topic: "t1"}, 0, nil},
		{Query{Text: "wt3s1", System: "s9"}, 4, func(h Hit) bool { return h.System == "s9" }},
		{Query{Text: "wt3s1", System: "s1"}, 0, nil},
		{Query{Text: "velocity", Topic: "t3"}, 2, func(h Hit) bool { // the feature and s9's cell
			return h.Doc == DocFeature && h.Title == "Velocity" || h.System == "s9" && h.Heading == "Velocity"
		}},
		{Query{Text: "slow startup", Topic: "t3", Kind: "cons", System: "s9"}, 1, func(h Hit) bool { return h.Kind == "cons" }},
		{Query{Text: "slow startup", Kind: "cons"}, 7, func(h Hit) bool { return h.Kind == "cons" }},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.q), func(t *testing.T) {
			res := search(t, ix, tt.q)
			if res.Total != tt.want {
				t.Errorf("Total = %d, want %d", res.Total, tt.want)
			}
			for _, h := range res.Hits {
				if !tt.ok(h) {
					t.Errorf("hit %+v", h)
				}
			}
		})
	}
	// Each facet counts what its filter finds.
	res := search(t, ix, Query{Text: "slow startup"})
	for _, f := range res.Facets.Topic {
		if n := totalOf(t, ix, Query{Text: "slow startup", Topic: f.Value}); n != f.Count {
			t.Errorf("topic facet %s = %d, filter finds %d", f.Value, f.Count, n)
		}
	}
	for _, f := range res.Facets.System {
		if n := totalOf(t, ix, Query{Text: "slow startup", System: f.Value}); n != f.Count {
			t.Errorf("system facet %s = %d, filter finds %d", f.Value, f.Count, n)
		}
	}
	if !slices.Contains(res.Facets.Topic, FacetCount{Value: "t3", Count: 1}) {
		t.Errorf("topic facets %v lack t3", res.Facets.Topic)
	}
}

// TestUpdateBundled edits an article of the bundled content: the hit
// shows the edited section, marked, and the old text is gone.
func TestUpdateBundled(t *testing.T) {
	ix := openBuilt(t)
	tree, err := bundled()
	if err != nil {
		t.Fatal(err)
	}
	c, problems := content.Parse(tree)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	a := c.Articles[articleIndex(c, "python-web-frameworks", "django-vs-flask")]
	a.Sections = slices.Clone(a.Sections)
	i := slices.IndexFunc(a.Sections, func(s kb.Section) bool { return s.Anchor == "claims-worth-correcting" })
	if i < 0 {
		t.Fatal("no section claims-worth-correcting")
	}
	a.Sections[i].Text = "Nobody says Flask cannot scale to a quokkafied workload any more."
	if n := totalOf(t, ix, Query{Text: "claims worth correcting"}); n == 0 {
		t.Fatal("the base finds no claims")
	}
	update(t, ix, "edited", kb.Drop{Articles: []kb.Key{{Topic: a.Topic, Slug: a.Slug}}}, a)
	res := search(t, ix, Query{Text: "quokkafied"})
	if res.Total != 1 {
		t.Fatalf("Total = %d, want the edited article", res.Total)
	}
	h := res.Hits[0]
	if h.Article != "django-vs-flask" || h.Anchor != "claims-worth-correcting" || h.Heading != "Claims worth correcting" {
		t.Errorf("hit = %+v, want django-vs-flask#claims-worth-correcting", h)
	}
	if s := text(h.Snippet); s != "Nobody says Flask cannot scale to a [quokkafied] workload any more." {
		t.Errorf("snippet = %q", s)
	}
	// Judgements of TestRelevance still hold.
	for _, tt := range []struct {
		q      Query
		system string
		kind   string
	}{
		{Query{Text: "admin"}, "django", "pros"},
		{Query{Text: "traversal"}, "pyramid", "pros"},
		{Query{Text: "dependency injection"}, "fastapi", "pros"},
	} {
		res := search(t, ix, tt.q)
		if len(res.Hits) == 0 || res.Hits[0].System != tt.system || res.Hits[0].Kind != tt.kind {
			t.Errorf("%q: top hit %+v, want %s %s", tt.q.Text, res.Hits, tt.system, tt.kind)
		}
	}
}

// TestUpdateWhileSearching moves a word from one article to another in
// each Update, and deletes one of many other articles, while searches run
// (under -race, they must share nothing an Update writes): every search
// finds the word exactly once, so none sees half an update, and the other
// articles only ever decrease.
func TestUpdateWhileSearching(t *testing.T) {
	c := editable()
	const many = 150
	for i := range many {
		c.Articles = append(c.Articles, editArticle("t1", fmt.Sprintf("x%03d", i), "xdoc"))
	}
	ix := buildEdit(t, c, "r0")
	var (
		stop     atomic.Bool
		searches atomic.Int64
		wg       sync.WaitGroup
	)
	moving := kb.Drop{Articles: []kb.Key{{Topic: "t1", Slug: "a1"}, {Topic: "t1", Slug: "a2"}}}
	update(t, ix, "m0", moving, editArticle("t1", "a1", "wmoving", "s1"), editArticle("t1", "a2", "wstill", "s1"))
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			last := many
			for !stop.Load() {
				res, err := ix.Search(context.Background(), Query{Text: "wmoving"})
				if err != nil {
					errs <- err
					return
				}
				if res.Total != 1 {
					errs <- fmt.Errorf("found the moving word %d times, want once", res.Total)
					return
				}
				if res, err = ix.Search(context.Background(), Query{Text: "xdoc"}); err != nil {
					errs <- err
					return
				}
				if res.Total > last {
					errs <- fmt.Errorf("deleted articles came back: %d, then %d", last, res.Total)
					return
				}
				last = res.Total
				searches.Add(1)
			}
		})
	}
	for i := range many {
		a1, a2 := "wstill", "wmoving"
		if i%2 == 0 {
			a1, a2 = a2, a1
		}
		drop := moving
		drop.Articles = append(slices.Clone(drop.Articles), kb.Key{Topic: "t1", Slug: fmt.Sprintf("x%03d", i)})
		update(t, ix, fmt.Sprint("m", i+1), drop, editArticle("t1", "a1", a1, "s1"), editArticle("t1", "a2", a2, "s1"))
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if searches.Load() == 0 {
		t.Error("no search ran")
	}
	if n := totalOf(t, ix, Query{Text: "xdoc"}); n != 0 {
		t.Errorf("%d documents of deleted articles found", n)
	}
}

func TestBuildAfterUpdates(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	a := editArticle("t1", "a1", "wnew", "s1")
	update(t, ix, "r1", kb.Drop{Articles: []kb.Key{{Topic: "t1", Slug: "a1"}}, Systems: []kb.Key{{Topic: "t2", Slug: "s3"}}}, a)
	c.Articles[articleIndex(c, "t1", "a1")] = a
	c.Systems = slices.DeleteFunc(c.Systems, func(s kb.System) bool { return s.Topic == "t2" && s.Slug == "s3" })
	before := map[string]Results{}
	for _, q := range editQueries {
		q.PerPage, q.Verbatim = MaxPerPage, true // as in checkAsBuilt
		before[fmt.Sprint(q)] = search(t, ix, q)
	}
	if err := ix.Build(context.Background(), "r2", feedContent(c)); err != nil {
		t.Fatal(err)
	}
	if n := ix.OverlaySize(); n != 0 {
		t.Errorf("OverlaySize = %d after a Build, want 0", n)
	}
	if rev := ix.Revision(); rev != "r2" {
		t.Errorf("Revision = %q, want the build's", rev)
	}
	for _, q := range editQueries {
		q.PerPage, q.Verbatim = MaxPerPage, true
		got, want := search(t, ix, q), before[fmt.Sprint(q)]
		if got.Total != want.Total || !cmp.Equal(got.Facets, want.Facets) || !cmp.Equal(hitKeys(got.Hits), hitKeys(want.Hits)) {
			t.Errorf("%+v: after the build %d hits %v, before %d %v", q, got.Total, hitKeys(got.Hits), want.Total, hitKeys(want.Hits))
		}
	}
	// Updates go on on top of the new build.
	update(t, ix, "r3", kb.Drop{Articles: []kb.Key{{Topic: "t1", Slug: "a1"}}})
	if n := totalOf(t, ix, Query{Text: "wnew"}); n != 0 {
		t.Errorf("a deleted article is found %d times", n)
	}
}

func TestUpdateLifecycle(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	feed := func(s kb.Sink) error { return s.Article(editArticle("t1", "a1", "wnew")) }
	if err := ix.Update(context.Background(), "r1", kb.Drop{}, feed); !errors.Is(err, ErrNotReady) {
		t.Errorf("Update before a build = %v, want ErrNotReady", err)
	}
	if err := ix.Build(context.Background(), "r0", feedContent(editable())); err != nil {
		t.Fatal(err)
	}

	// A failed or cancelled update changes nothing.
	boom := errors.New("parse failed")
	err = ix.Update(context.Background(), "r1", kb.Drop{Topics: []string{"t1"}}, func(s kb.Sink) error {
		if err := feed(s); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("Update = %v, want the feed's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ix.Update(ctx, "r1", kb.Drop{Topics: []string{"t1"}}, feed); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context = %v, want context.Canceled", err)
	}
	if rev, n := ix.Revision(), totalOf(t, ix, Query{Text: "wt1s1"}); rev != "r0" || n == 0 || ix.OverlaySize() != 0 {
		t.Errorf("after failed updates: Revision %q, %d hits, OverlaySize %d; want r0 unchanged", rev, n, ix.OverlaySize())
	}

	update(t, ix, "r1", kb.Drop{Articles: []kb.Key{{Topic: "t1", Slug: "a1"}}}, editArticle("t1", "a1", "wnew"))
	if n := totalOf(t, ix, Query{Text: "wnew"}); n != 1 {
		t.Errorf("the update finds %d, want 1", n)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Update(context.Background(), "r2", kb.Drop{}, feed); err == nil {
		t.Error("Update after Close succeeded")
	}

	// Reopened, the index serves its last build: the overlay was memory.
	ix, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if rev := ix.Revision(); rev != "r0" {
		t.Errorf("reopened Revision = %q, want the build's r0", rev)
	}
	if n := totalOf(t, ix, Query{Text: "wnew"}); n != 0 {
		t.Errorf("reopened index finds the update %d times", n)
	}
}

// TestArticleKindsInterleaved indexes an article whose sections go back
// to a kind after another, which once made the build panic.
func TestArticleKindsInterleaved(t *testing.T) {
	c := editable()
	a := &c.Articles[0]
	a.Sections = append(a.Sections, kb.Section{Kind: kb.KindBody, Heading: "Verdict", Anchor: "verdict", Text: "Final wverdict."})
	ix := buildEdit(t, c, "r0")
	res := search(t, ix, Query{Text: "wverdict"})
	if res.Total != 1 || res.Hits[0].Anchor != "verdict" || res.Hits[0].Article != a.Slug {
		t.Errorf("hits %+v, want %s#verdict", res.Hits, a.Slug)
	}
}

// TestUpdateCompacts makes many small Updates, as an editing session does:
// the overlay keeps few segments, drops what later Updates replaced, and
// answers as an index built whole.
func TestUpdateCompacts(t *testing.T) {
	c := editable()
	ix := buildEdit(t, c, "r0")
	for i := range 400 {
		word := fmt.Sprintf("wedit%d", i%7)
		if i%5 == 0 {
			k := i / 5 % len(c.Systems)
			s := editSystem(c.Systems[k].Topic, c.Systems[k].Slug, word)
			c.Systems[k] = s
			update(t, ix, fmt.Sprint("r", i), kb.Drop{Systems: []kb.Key{{Topic: s.Topic, Slug: s.Slug}}}, s)
			continue
		}
		k := i % len(c.Articles)
		a := editArticle(c.Articles[k].Topic, c.Articles[k].Slug, word, c.Articles[k].Systems...)
		c.Articles[k] = a
		update(t, ix, fmt.Sprint("r", i), kb.Drop{Articles: []kb.Key{{Topic: a.Topic, Slug: a.Slug}}}, a)
	}
	ix.mu.RLock()
	ov := ix.ov
	ix.mu.RUnlock()
	if len(ov.segs) > 12 {
		t.Errorf("%d segments for %d documents, want a few", len(ov.segs), ov.nlive)
	}
	if ov.ndocs > 2*ov.nlive {
		t.Errorf("segments hold %d documents, %d of them live", ov.ndocs, ov.nlive)
	}
	// An article has two documents (body, use cases), a system four
	// (lead, pros, cons, a cell).
	if n, want := ix.OverlaySize(), 2*len(c.Articles)+4*len(c.Systems); n != want {
		t.Errorf("OverlaySize = %d, want every article and system once (%d)", n, want)
	}
	var qs []Query
	for i := range 7 {
		qs = append(qs, Query{Text: fmt.Sprintf("wedit%d", i)}, Query{Text: fmt.Sprintf("wedit%d shared", i)})
	}
	checkAsBuilt(t, ix, c, qs...)
}
