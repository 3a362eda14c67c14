package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
)

// The articles in the JSON API:
//
//	GET /api/articles?tag=x&topic=y&page=n  a page of articles, newest first
//	GET /api/articles/{topic}/{article}     one article: HTML, sections, tables

// apiArticleRef is an article as lists show it.
type apiArticleRef struct {
	Topic   string   `json:"topic"`
	Slug    string   `json:"slug"`
	Title   string   `json:"title"`
	Summary string   `json:"summary"`
	Updated string   `json:"updated"` // YYYY-MM-DD
	Tags    []string `json:"tags"`
	Systems []string `json:"systems"`
	URL     string   `json:"url"`
	APIURL  string   `json:"api_url"`
}

// apiArticleList is /api/articles.
type apiArticleList struct {
	Articles []apiArticleRef `json:"articles"`
	Page     int             `json:"page"`
	Newer    *string         `json:"newer"` // the previous page; null on the first
	Older    *string         `json:"older"` // the next page; null on the last
}

// apiArticle is /api/articles/{topic}/{article}.
type apiArticle struct {
	Topic apiTopicRef `json:"topic"`
	apiArticleRef
	Aliases []string `json:"aliases"`
	// HTML is the sanitized body; each live table stands in it as the
	// comment <!--versa:matrix:N-->, N indexing Tables.
	HTML     string            `json:"html"`
	Sections []apiSection      `json:"sections"`
	Tables   []apiArticleTable `json:"tables"`
	// Params is the file's free front matter data (Hugo's params:), as
	// written; absent when it has none.
	Params map[string]any `json:"params,omitempty"`
}

// apiArticleTable is one ```matrix block of an article.
type apiArticleTable struct {
	Systems    []string `json:"systems"`
	Categories []string `json:"categories"`
	Features   []string `json:"features"`
	Diff       bool     `json:"diff"`
	CompareURL string   `json:"compare_url"` // the table's systems and filters on the compare page
	APIURL     string   `json:"api_url"`
}

func newAPIArticleRef(a kb.Article) apiArticleRef {
	ref := apiArticleRef{
		Topic: a.Topic, Slug: a.Slug, Title: a.Title, Summary: a.Summary,
		Tags: nonNil(a.Tags), Systems: nonNil(a.Systems),
		URL: link.Article(a.Topic, a.Slug), APIURL: link.APIArticle(a.Topic, a.Slug),
	}
	if !a.Updated.IsZero() {
		ref.Updated = a.Updated.UTC().Format(time.DateOnly)
	}
	return ref
}

// handleAPIArticles serves GET /api/articles: the same pages and filters as
// /articles.
func (s *server) handleAPIArticles(w http.ResponseWriter, r *http.Request) error {
	p, err := s.findArticlePage(r)
	if err != nil {
		return err
	}
	out := apiArticleList{Articles: make([]apiArticleRef, 0, len(p.articles)), Page: p.page}
	for _, a := range p.articles {
		out.Articles = append(out.Articles, newAPIArticleRef(a))
	}
	if p.page > 1 {
		u := link.API(articlesURL(p.topic, p.tag, p.page-1))
		out.Newer = &u
	}
	if p.more {
		u := link.API(articlesURL(p.topic, p.tag, p.page+1))
		out.Older = &u
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// handleAPIArticle serves GET /api/articles/{topic}/{article}; an old slug
// answers 308 to the canonical URL.
func (s *server) handleAPIArticle(w http.ResponseWriter, r *http.Request) error {
	t, err := s.findTopicParam(r)
	if err != nil {
		return err
	}
	slug := chi.URLParam(r, "article")
	a, moved, err := s.findArticle(w, r, t, slug, link.APIArticle)
	if moved || err != nil {
		return err
	}
	out := apiArticle{
		Topic:         apiTopicRef{Slug: t.Slug, Title: t.Title, URL: link.Topic(t.Slug)},
		apiArticleRef: newAPIArticleRef(a),
		Aliases:       nonNil(a.Aliases),
		HTML:          a.HTML,
		Sections:      make([]apiSection, 0, len(a.Sections)),
		Tables:        make([]apiArticleTable, 0, len(a.Matrices)),
		Params:        a.Params,
	}
	for _, sec := range a.Sections {
		out.Sections = append(out.Sections, apiSection{Kind: string(sec.Kind), Heading: sec.Heading, Anchor: sec.Anchor,
			Text: strings.TrimSpace(sec.Text), Items: nonNil(sec.Items)})
	}
	for _, m := range a.Matrices {
		q := compareQuery{diff: m.Diff, categories: m.Categories}
		out.Tables = append(out.Tables, apiArticleTable{
			Systems: nonNil(m.Systems), Categories: nonNil(m.Categories), Features: nonNil(m.Features), Diff: m.Diff,
			CompareURL: compareURL(t.Slug, m.Systems, q),
			APIURL:     compareLink(link.APICompare, t.Slug, m.Systems, "", q),
		})
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
