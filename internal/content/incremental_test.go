package content

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

const incTopic = `title: Web
categories:
  - key: data
    title: Data
features:
  - key: orm
    name: ORM
    category: data
  - key: license
    name: Licence
    category: data
    type: text
`

func incSystem(name string, n int, aliases ...string) string {
	support := []string{"yes", "no", "partial", "plugin"}[n%4]
	al := ""
	if len(aliases) > 0 {
		al = "aliases: [" + strings.Join(aliases, ", ") + "]\n"
	}
	return fmt.Sprintf("---\nname: %s\n%scells:\n  orm: %s\n  license: v%d\n---\n## Pros\n- edit %d\n", name, al, support, n, n)
}

func incArticle(systems []string, n int, aliases ...string) string {
	al := ""
	if len(aliases) > 0 {
		al = "aliases: [" + strings.Join(aliases, ", ") + "]\n"
	}
	return fmt.Sprintf("---\ntitle: Article %d\nupdated: 2026-01-%02d\nsystems: [%s]\n%s---\nBody %d.\n\n```matrix\nfeatures: [orm]\n```\n",
		n, 1+n%28, strings.Join(systems, ", "), al, n)
}

// model applies changes to a set of items, as a store does.
type model map[string]any

func (m model) sink() kb.Sink {
	return kb.Sink{
		Topic:   func(t kb.Topic) error { m["topic/"+t.Slug] = t; return nil },
		System:  func(s kb.System) error { m["system/"+s.Topic+"/"+s.Slug] = s; return nil },
		Article: func(a kb.Article) error { m["article/"+a.Topic+"/"+a.Slug] = a; return nil },
	}
}

func (m model) drop(d kb.Drop) {
	for _, k := range d.Systems {
		delete(m, "system/"+k.Topic+"/"+k.Slug)
	}
	for _, k := range d.Articles {
		delete(m, "article/"+k.Topic+"/"+k.Slug)
	}
}

// TestChangeMatchesFullParse applies random edits one by one, each as an
// incremental change, and checks after every step that the items, the
// problems and the revision are what a full read and parse of the folder
// gives.
func TestChangeMatchesFullParse(t *testing.T) {
	fsys := fstest.MapFS{"web/topic.yaml": {Data: []byte(incTopic)}}
	names := []string{"alpha", "beta", "gamma", "delta", "eps", "bad-vs-slug", "Bad_Slug"}
	for i, n := range names[:3] {
		fsys["web/systems/"+n+".md"] = &fstest.MapFile{Data: []byte(incSystem(n, i))}
	}
	for i := range 4 {
		fsys[fmt.Sprintf("web/articles/a%d.md", i)] = &fstest.MapFile{Data: []byte(incArticle([]string{"alpha", "beta"}, i))}
	}
	tree, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	st, err := StreamState(tree, m.sink())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	kinds := map[string]int{}
	for step := range 400 {
		var touched []string
		sys := "web/systems/" + pick(names) + ".md"
		art := fmt.Sprintf("web/articles/a%d.md", rng.IntN(7))
		switch op := rng.IntN(9); op {
		case 0, 1: // edit or add a system, sometimes with an alias
			var al []string
			if rng.IntN(3) == 0 {
				al = []string{pick(names)}
			}
			fsys[sys] = &fstest.MapFile{Data: []byte(incSystem("S", step, al...))}
			touched = append(touched, sys)
		case 2: // delete a system
			delete(fsys, sys)
			touched = append(touched, sys)
		case 3, 4: // edit or add an article naming any systems, known or not
			var al []string
			if rng.IntN(3) == 0 {
				al = []string{fmt.Sprintf("a%d", rng.IntN(7))}
			}
			fsys[art] = &fstest.MapFile{Data: []byte(incArticle([]string{pick(names), pick(names)}, step, al...))}
			touched = append(touched, art)
		case 5: // break a file
			fsys[art] = &fstest.MapFile{Data: []byte("---\ntitle: [unclosed\n---\n")}
			touched = append(touched, art)
		case 6: // delete an article
			delete(fsys, art)
			touched = append(touched, art)
		case 7: // write a file again unchanged, and an ignored one
			touched = append(touched, art, sys, "web/articles/.a1.md.swp", "web/articles/notes.txt")
			fsys["web/articles/.a1.md.swp"] = &fstest.MapFile{Data: []byte("x")}
		case 8: // several at once, as a git checkout does
			fsys[sys] = &fstest.MapFile{Data: []byte(incSystem("S", step))}
			fsys[art] = &fstest.MapFile{Data: []byte(incArticle([]string{pick(names)}, step))}
			touched = append(touched, sys, art)
		}
		c, err := st.Change(fsys, touched)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if c.Full {
			t.Fatalf("step %d: change of %v asked for a full load", step, touched)
		}
		m.drop(c.Drop)
		if err := c.Stream(m.sink()); err != nil {
			t.Fatal(err)
		}
		st = c.Next()
		if c.Parsed > 0 {
			kinds["parsed"]++
		}

		wantTree, err := Read(fsys)
		if err != nil {
			t.Fatal(err)
		}
		want := model{}
		wantProblems, err := Stream(wantTree, want.sink())
		if err != nil {
			t.Fatal(err)
		}
		if c.Revision != wantTree.Revision {
			t.Fatalf("step %d (%v): revision %s, a full read gives %s", step, touched, c.Revision, wantTree.Revision)
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Fatalf("step %d (%v): items differ from a full parse (-full +incremental):\n%s", step, touched, diff)
		}
		if diff := cmp.Diff(wantProblems, c.Problems); diff != "" {
			t.Fatalf("step %d (%v): problems differ from a full parse (-full +incremental):\n%s", step, touched, diff)
		}
		if len(c.Problems) > 0 {
			kinds["problems"]++
		}
	}
	// The walk must have exercised both clean and broken states.
	if kinds["problems"] == 0 || kinds["parsed"] < 100 {
		t.Errorf("the random walk was too tame: %v", kinds)
	}
}

func TestChangeNeedsFullLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"web/topic.yaml":       {Data: []byte(incTopic)},
		"web/systems/alpha.md": {Data: []byte(incSystem("Alpha", 1))},
		"README.md":            {Data: []byte("hello")},
	}
	tree, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	st, err := StreamState(tree, model{}.sink())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		paths []string
		full  bool
	}{
		{[]string{"web/topic.yaml"}, true},
		{[]string{"web"}, true},
		{[]string{"web/systems"}, true},
		{[]string{"other"}, false}, // neither on disk nor known
		{[]string{"README.md"}, false},
		{[]string{"web/notes.txt"}, false},
		{[]string{".git/index"}, false},
		{[]string{"web/systems/alpha.md"}, false},
		{[]string{"nope/systems/x.md"}, true}, // a topic with no topic.yaml
	} {
		c, err := st.Change(fsys, tc.paths)
		if err != nil {
			t.Fatal(err)
		}
		if c.Full != tc.full {
			t.Errorf("Change(%v).Full = %v, want %v", tc.paths, c.Full, tc.full)
		}
		if !c.Full && c.Changed(st) {
			t.Errorf("Change(%v) says the revision moved, but nothing changed", tc.paths)
		}
	}
}
