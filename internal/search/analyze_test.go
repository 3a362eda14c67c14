package search

import (
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/google/go-cmp/cmp"

	"versa/internal/content"
	"versa/internal/kb"
)

func TestWords(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Django's ORM, admin & auth.", []string{"Django's", "ORM", "admin", "auth"}},
		{"async_views: since 3.1 (1,000 req/s)", []string{"async", "views", "since", "3.1", "1,000", "req", "s"}},
		{"don't stop—users' data", []string{"don't", "stop", "users", "data"}},
		{"Flask-Admin builds CRUD", []string{"Flask", "Admin", "builds", "CRUD"}},
		{"café naïve Ünïcödé", []string{"café", "naïve", "Ünïcödé"}},
		{"日本語テキスト", []string{"日", "本", "語", "テキスト"}},
		{"end.", []string{"end"}},
		{"'quoted' \"words\"", []string{"quoted", "words"}},
		{"", nil},
		{strings.Repeat("x", maxWordBytes+1) + " ok", []string{"ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []string
			words(tt.text, func(w string, start, end int) {
				if tt.text[start:end] != w {
					t.Errorf("word %q at %d:%d is %q in the text", w, start, end, tt.text[start:end])
				}
				got = append(got, w)
			})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("words(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	st := newStemmer(100)
	tests := []struct {
		text string
		want []string
	}{
		{"Django's admin", []string{"django", "admin"}},
		{"The databases and the Database", []string{"databas"}},
		{"running runs ran", []string{"run", "ran"}},
		{"AND OR NOT the", nil},
		{"Ünïcödé CAFÉ", []string{"ünïcödé", "café"}},
	}
	for _, tt := range tests {
		if got := termsOf(st, tt.text); !cmp.Equal(got, tt.want) {
			t.Errorf("termsOf(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestAnalysisMatchesBleve holds the claim that this package analyses text
// as bleve's "en" analyzer does: on the bundled content, nearly every term
// is the same. They differ where Unicode word segmentation keeps "a.b"
// or "snake_case" together.
func TestAnalysisMatchesBleve(t *testing.T) {
	tree, err := bundled()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	_, err = content.Stream(tree, kb.Sink{
		Topic:  func(kb.Topic) error { return nil },
		System: func(s kb.System) error { texts = append(texts, sectionTexts(s.Sections)...); return nil },
		Article: func(a kb.Article) error {
			texts = append(texts, sectionTexts(a.Sections)...)
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	an := mapping.NewIndexMapping().AnalyzerNamed(en.AnalyzerName)
	st := newStemmer(1 << 16)
	same, total := 0, 0
	for _, text := range texts {
		theirs := map[string]int{}
		for _, tok := range an.Analyze([]byte(text)) {
			theirs[string(tok.Term)]++
		}
		words(text, func(w string, _, _ int) {
			if t := st.term(w); t != "" {
				total++
				if theirs[t] > 0 {
					theirs[t]--
					same++
				}
			}
		})
	}
	if total == 0 || float64(same) < 0.98*float64(total) {
		t.Errorf("%d of %d terms are bleve's, want 98%%", same, total)
	}
}

func sectionTexts(secs []kb.Section) []string {
	var out []string
	for _, s := range secs {
		out = append(out, s.Text)
	}
	return out
}

func TestSnippet(t *testing.T) {
	st := newStemmer(100)
	terms := func(ws ...string) *matcher {
		m := map[string]uint32{}
		for i, w := range ws {
			m[st.term(w)] = 1 << i
		}
		return newMatcher(st, m)
	}
	long := strings.Repeat("Filler words pad the text. ", 20)
	tests := []struct {
		name string
		text string
		m    *matcher
		want string
	}{
		{"marks stems", "The admin site is free; admins love it.", terms("admin"),
			"The [admin] site is free; [admins] love it."},
		{"no match shows the start", "Plain text.\nSecond line.", terms("zebra"),
			"Plain text. Second line."},
		{"cuts around the best passage", long + "Here the cache and the queue meet. " + long, terms("cache", "queue"),
			"…Here the [cache] and the [queue] meet. Filler words pad the text. Filler words pad the text. Filler words pad the text. Filler words pad the text. Filler words pad the text. Filler words pad the text."},
		{"markup stays text", "<b>admin</b> & co", terms("admin"), "<b>[admin]</b> & co"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := text(snippet(tt.text, tt.m))
			if got != tt.want {
				t.Errorf("snippet =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestLeads(t *testing.T) {
	sec := kb.Section{Kind: kb.KindPros, Items: []string{
		"The admin site is free. A working back office appears.",
		"Runs on any WSGI server, with built-in adapters to start production servers",
		"Short",
	}}
	want := "The admin site is free\nRuns on any WSGI server, with built-in\nShort\n" // eight words
	if got := leads(sec); got != want {
		t.Errorf("leads = %q, want %q", got, want)
	}
	if got := leads(kb.Section{Kind: kb.KindBody, Items: sec.Items}); got != "" {
		t.Errorf("leads of a body section = %q, want none", got)
	}
}

// termsOf returns the distinct index terms of text, as the index
// analyses it, in the order they first
// appear.
func termsOf(s *stemmer, text string) []string {
	var out []string
	seen := map[string]bool{}
	words(text, func(w string, _, _ int) {
		if t := s.term(w); t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	})
	return out
}
