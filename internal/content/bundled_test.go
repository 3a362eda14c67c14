package content

import (
	"os"
	"strings"
	"testing"

	"versa/internal/kb"
)

// TestBundledContent holds the knowledge base that ships with Versa to its
// promise: no problems, every system with pros, cons and use cases, a value
// for every feature, and every source an https URL.
func TestBundledContent(t *testing.T) {
	c, problems, err := Load(os.DirFS("../../content"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	if len(c.Topics) == 0 {
		t.Fatal("no topics in content/")
	}
	for _, topic := range c.Topics {
		if len(topic.Features) < 40 || len(topic.Categories) < 8 {
			t.Errorf("%s: %d features in %d categories, want at least 40 in 8", topic.Slug, len(topic.Features), len(topic.Categories))
		}
		for _, f := range topic.Features {
			if f.Description == "" {
				t.Errorf("%s: feature %s has no description", topic.Slug, f.Key)
			}
		}
	}
	for _, s := range c.Systems {
		kinds := map[kb.SectionKind]int{}
		for _, sec := range s.Sections {
			kinds[sec.Kind] += len(sec.Items)
		}
		for _, k := range []kb.SectionKind{kb.KindPros, kb.KindCons, kb.KindUseCases} {
			if kinds[k] < 3 {
				t.Errorf("%s: %d %s bullets, want at least 3", s.Path, kinds[k], k)
			}
		}
		if s.Summary == "" || s.Homepage == "" {
			t.Errorf("%s: summary %q, homepage %q; want both", s.Path, s.Summary, s.Homepage)
		}
		for _, cell := range s.Cells {
			if !cell.Known() && cell.Note == "" {
				t.Errorf("%s: feature %s is unknown, with no note saying why", s.Path, cell.Feature)
			}
			if cell.Source != "" && !strings.HasPrefix(cell.Source, "https://") {
				t.Errorf("%s: feature %s source %q is not https", s.Path, cell.Feature, cell.Source)
			}
		}
	}
	if len(c.Articles) < 5 {
		t.Errorf("%d articles, want at least 5", len(c.Articles))
	}
	for _, a := range c.Articles {
		if len(a.Matrices) == 0 {
			t.Errorf("%s: no matrix block", a.Path)
		}
		if a.Summary == "" || a.Updated.IsZero() {
			t.Errorf("%s: summary %q, updated %v; want both", a.Path, a.Summary, a.Updated)
		}
	}
}
