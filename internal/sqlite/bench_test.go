package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"versa/internal/kb"
)

// benchContent builds a content load of the benchmark corpus's shape: topics
// x systems x features cells, and articles per topic with five sections of
// about 400 bytes of text and HTML each.
func benchContent(topics, systems, features, articles int) *kb.Content {
	text := strings.Repeat("lorem ipsum dolor sit amet, consectetur adipiscing elit. ", 8)[:400]
	html := "<p>" + text[:393] + "</p>"
	supports := []kb.Support{kb.SupportYes, kb.SupportPartial, kb.SupportNo, kb.SupportPlugin, kb.SupportUnknown}
	kinds := []kb.SectionKind{kb.KindBody, kb.KindPros, kb.KindCons, kb.KindUseCases, kb.KindBody}
	sections := func() []kb.Section {
		ss := make([]kb.Section, 5)
		for i := range ss {
			ss[i] = kb.Section{
				Kind: kinds[i], Heading: fmt.Sprintf("Heading %d", i), Anchor: fmt.Sprintf("heading-%d", i),
				HTML: html, Text: text,
			}
			if kinds[i] != kb.KindBody {
				ss[i].Items = []string{"first item", "second item", "third item"}
			}
		}
		return ss
	}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	c := &kb.Content{Revision: "bench"}
	for t := range topics {
		topic := kb.Topic{
			Slug: fmt.Sprintf("topic-%d", t), Title: fmt.Sprintf("Topic %d", t), Summary: "A topic.",
			Categories: []kb.Category{{Key: "general", Title: "General"}, {Key: "data", Title: "Data"}},
			Path:       fmt.Sprintf("topic-%d/topic.yaml", t),
		}
		for f := range features {
			topic.Features = append(topic.Features, kb.Feature{
				Key: fmt.Sprintf("feature-%d", f), Name: fmt.Sprintf("Feature %d", f),
				Category: topic.Categories[f%2].Key, Description: "What it does.", Type: kb.TypeSupport,
			})
		}
		c.Topics = append(c.Topics, topic)
		for s := range systems {
			sys := kb.System{
				Topic: topic.Slug, Slug: fmt.Sprintf("system-%d", s), Name: fmt.Sprintf("System %d", s),
				Homepage: "https://example.com/", Summary: "A system.", Tags: []string{"fast", "open-source"},
				Aliases: []string{fmt.Sprintf("old-system-%d", s)}, Sections: sections(),
				Path: fmt.Sprintf("%s/systems/system-%d.md", topic.Slug, s),
			}
			for f, feat := range topic.Features {
				cell := kb.Cell{Feature: feat.Key, Support: supports[(s+f)%len(supports)]}
				if f%7 == 0 {
					cell.Note = "Since the rewrite."
				}
				sys.Cells = append(sys.Cells, cell)
			}
			c.Systems = append(c.Systems, sys)
		}
		for a := range articles {
			c.Articles = append(c.Articles, kb.Article{
				Topic: topic.Slug, Slug: fmt.Sprintf("article-%d", a), Title: fmt.Sprintf("Article %d", a),
				Summary: "What the article says.",
				Systems: []string{fmt.Sprintf("system-%d", a%systems), fmt.Sprintf("system-%d", (a+1)%systems)},
				Tags:    []string{"guide", fmt.Sprintf("tag-%d", a%20)}, Updated: day.AddDate(0, 0, a%900),
				HTML:     strings.Repeat(html, 5) + kb.MatrixMarker(0),
				Matrices: []kb.Matrix{{Systems: []string{"system-0", "system-1"}, Diff: true}},
				Sections: sections(), Path: fmt.Sprintf("%s/articles/article-%d.md", topic.Slug, a),
			})
		}
	}
	return c
}

// BenchmarkReplaceContent measures a full content load of the benchmark
// corpus's shape (5 topics, 40 systems x 60 features each, 2,000 articles
// per topic) into a database that already holds the same amount of content.
func BenchmarkReplaceContent(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "versa.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	c := benchContent(5, 40, 60, 2000)
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := db.ReplaceContent(ctx, c, nil); err != nil {
			b.Fatal(err)
		}
	}
}
