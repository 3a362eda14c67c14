package server

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// The JSON API: the same data as the pages, field names in snake_case.
//
//	GET /api/topics                         every topic with its categories, features and systems
//	GET /api/topics/{topic}                 a topic with every system and its cells
//	GET /api/topics/{topic}/{system}        one system: cells and sections
//	GET /api/compare/{topic}/{a}-vs-{b}...  a compare view, as the .json export
//	GET /api/articles[/{topic}/{article}]   articles (see api_article.go)
//
// Old system slugs answer 308 to the canonical /api/ URL; errors are JSON
// (see writeErrorPage).

// apiTopicRef names a topic.
type apiTopicRef struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

type apiCategory struct {
	Key   string `json:"key"`
	Title string `json:"title"`
}

type apiFeature struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
	Type        string `json:"type"`
}

// apiSystemRef names a system.
type apiSystemRef struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// apiTopicSummary is a topic as /api/topics lists it.
type apiTopicSummary struct {
	Slug       string         `json:"slug"`
	Title      string         `json:"title"`
	Summary    string         `json:"summary"`
	URL        string         `json:"url"`
	APIURL     string         `json:"api_url"`
	Categories []apiCategory  `json:"categories"`
	Features   []apiFeature   `json:"features"`
	Systems    []apiSystemRef `json:"systems"`
}

// apiTopic is /api/topics/{topic}.
type apiTopic struct {
	Slug       string        `json:"slug"`
	Title      string        `json:"title"`
	Summary    string        `json:"summary"`
	URL        string        `json:"url"`
	Categories []apiCategory `json:"categories"`
	Features   []apiFeature  `json:"features"`
	Systems    []apiSystem   `json:"systems"`
}

// apiSystem is a system with a cell for every feature of its topic, keyed
// by feature key.
type apiSystem struct {
	Slug     string             `json:"slug"`
	Name     string             `json:"name"`
	Summary  string             `json:"summary"`
	Homepage string             `json:"homepage"`
	Tags     []string           `json:"tags"`
	Aliases  []string           `json:"aliases"`
	URL      string             `json:"url"`
	APIURL   string             `json:"api_url"`
	Cells    map[string]apiCell `json:"cells"`
}

// apiSystemDoc is /api/topics/{topic}/{system}.
type apiSystemDoc struct {
	Topic apiTopicRef `json:"topic"`
	apiSystem
	Sections []apiSection `json:"sections"`
	// Params is the file's free front matter data (Hugo's params:), as
	// written; absent when it has none.
	Params map[string]any `json:"params,omitempty"`
}

// apiCell is one system's value of one feature: support for support
// features, value for the others (the other one is empty).
type apiCell struct {
	Support string `json:"support"`
	Value   string `json:"value"`
	Note    string `json:"note,omitempty"`
	Via     string `json:"via,omitempty"`
	Since   string `json:"since,omitempty"`
	Source  string `json:"source,omitempty"`
	// Checked is the day the cell was last verified, YYYY-MM-DD (an RFC
	// 3339 full-date); absent when the content gives none.
	Checked string `json:"checked,omitempty"`
}

type apiSection struct {
	Kind    string   `json:"kind"`
	Heading string   `json:"heading"`
	Anchor  string   `json:"anchor"`
	Text    string   `json:"text"`
	Items   []string `json:"items"`
}

// apiCompare is a compare view: /api/compare/... and the .json export.
type apiCompare struct {
	Topic        apiTopicRef          `json:"topic"`
	Title        string               `json:"title"`
	URL          string               `json:"url"`
	CanonicalURL string               `json:"canonical_url"`
	Systems      []apiCompareSystem   `json:"systems"`
	Filters      apiFilters           `json:"filters"`
	HiddenRows   int                  `json:"hidden_rows"`
	Categories   []apiCompareCategory `json:"categories"`
	Needs        []apiFeatureRef      `json:"needs"`
	Footnotes    []apiCompareFootnote `json:"footnotes"`
	Exports      map[string]string    `json:"exports"`
}

type apiCompareSystem struct {
	Slug  string    `json:"slug"`
	Name  string    `json:"name"`
	URL   string    `json:"url"`
	Score *apiScore `json:"score"` // null without needs
}

type apiScore struct {
	Meets   int `json:"meets"`
	Partial int `json:"partial"`
	Of      int `json:"of"`
}

type apiFilters struct {
	Diff       bool     `json:"diff"`
	Categories []string `json:"categories"`
	Need       []string `json:"need"`
}

type apiFeatureRef struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type apiCompareCategory struct {
	Key   string          `json:"key"`
	Title string          `json:"title"`
	Rows  []apiCompareRow `json:"rows"`
}

type apiCompareRow struct {
	Key         string           `json:"key"`
	Name        string           `json:"name"`
	Description string           `json:"description"`
	Type        string           `json:"type"`
	Needed      bool             `json:"needed"`
	Cells       []apiCompareCell `json:"cells"` // in the order of systems
}

type apiCompareCell struct {
	System string `json:"system"`
	apiCell
	Footnote int `json:"footnote,omitempty"`
}

type apiCompareFootnote struct {
	N       int    `json:"n"`
	System  string `json:"system"`
	Feature string `json:"feature"`
	Note    string `json:"note,omitempty"`
	Via     string `json:"via,omitempty"`
	Since   string `json:"since,omitempty"`
	Source  string `json:"source,omitempty"`
	Checked string `json:"checked,omitempty"`
}

func newAPICategories(t kb.Topic) []apiCategory {
	out := make([]apiCategory, 0, len(t.Categories))
	for _, c := range t.Categories {
		out = append(out, apiCategory{Key: c.Key, Title: c.Title})
	}
	return out
}

func newAPIFeatures(t kb.Topic) []apiFeature {
	out := make([]apiFeature, 0, len(t.Features))
	for _, f := range t.Features {
		typ := f.Type
		if typ == "" {
			typ = kb.TypeSupport
		}
		out = append(out, apiFeature{Key: f.Key, Name: f.Name, Category: f.Category, Description: f.Description, Type: string(typ)})
	}
	return out
}

func newAPICell(c kb.Cell) apiCell {
	out := apiCell{Support: string(c.Support), Value: c.Value, Note: c.Note, Via: c.Via, Since: c.Since, Source: c.Source, Checked: c.CheckedDate()}
	if out.Value == "" && out.Support == "" {
		out.Support = string(kb.SupportUnknown)
	}
	if out.Value != "" && out.Support == string(kb.SupportUnknown) {
		out.Support = ""
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func newAPISystem(t kb.Topic, sys kb.System) apiSystem {
	out := apiSystem{
		Slug: sys.Slug, Name: sys.Name, Summary: sys.Summary, Homepage: sys.Homepage,
		Tags: nonNil(sys.Tags), Aliases: nonNil(sys.Aliases),
		URL:    link.System(t.Slug, sys.Slug),
		APIURL: link.APISystem(t.Slug, sys.Slug),
		Cells:  make(map[string]apiCell, len(t.Features)),
	}
	cells := sys.ByKey()
	for _, f := range t.Features {
		out.Cells[f.Key] = newAPICell(cells.Cell(f.Key))
	}
	return out
}

// newAPICompare lays out the compare view v of c as JSON.
func newAPICompare(c *compareTarget, v web.CompareView) apiCompare {
	t := c.topic
	out := apiCompare{
		Topic:        apiTopicRef{Slug: t.Slug, Title: t.Title, URL: link.Topic(t.Slug)},
		Title:        v.Title,
		URL:          compareURL(t.Slug, c.slugs, c.q),
		CanonicalURL: v.CanonicalURL,
		Filters:      apiFilters{Diff: c.q.diff, Categories: nonNil(c.q.categories), Need: nonNil(c.q.need)},
		HiddenRows:   v.Hidden,
		Categories:   []apiCompareCategory{},
		Needs:        []apiFeatureRef{},
		Footnotes:    []apiCompareFootnote{},
		Exports: map[string]string{
			"csv":      compareLink(link.Compare, t.Slug, c.slugs, ".csv", c.q),
			"json":     compareLink(link.Compare, t.Slug, c.slugs, ".json", c.q),
			"markdown": compareLink(link.Compare, t.Slug, c.slugs, ".md", c.q),
		},
	}
	for _, s := range v.Systems {
		cs := apiCompareSystem{Slug: s.Slug, Name: s.Name, URL: s.URL}
		if s.Score != nil {
			cs.Score = &apiScore{Meets: s.Score.Meets, Partial: s.Score.Partial, Of: s.Score.Of}
		}
		out.Systems = append(out.Systems, cs)
	}
	for _, n := range v.Needs {
		out.Needs = append(out.Needs, apiFeatureRef{Key: n.Key, Name: n.Name})
	}
	types := make(map[string]string, len(t.Features))
	for _, f := range t.Features {
		types[f.Key] = string(f.Type)
		if f.Type == "" {
			types[f.Key] = string(kb.TypeSupport)
		}
	}
	byKey := make([]kb.CellsByKey, len(c.systems))
	for i := range c.systems {
		byKey[i] = c.systems[i].ByKey()
	}
	for _, g := range v.Groups {
		cat := apiCompareCategory{Key: g.Key, Title: g.Title, Rows: []apiCompareRow{}}
		for _, row := range g.Rows {
			ar := apiCompareRow{Key: row.Key, Name: row.Name, Description: row.Description, Type: types[row.Key], Needed: row.Needed}
			for i, cell := range row.Cells {
				// The view's cell says what is shown; the system's cell
				// adds its note, via, since, source and checked date.
				full := byKey[i].Cell(row.Key)
				ac := apiCell{Support: cell.Support, Value: cell.Value, Note: full.Note, Via: full.Via, Since: full.Since, Source: full.Source,
					Checked: full.CheckedDate()}
				ar.Cells = append(ar.Cells, apiCompareCell{System: c.slugs[i], apiCell: ac, Footnote: cell.Footnote})
			}
			cat.Rows = append(cat.Rows, ar)
		}
		out.Categories = append(out.Categories, cat)
	}
	for _, f := range v.Footnotes {
		out.Footnotes = append(out.Footnotes, apiCompareFootnote{N: f.N, System: f.System, Feature: f.Feature,
			Note: f.Note, Via: f.Via, Since: f.Since, Source: f.Source, Checked: f.Checked})
	}
	return out
}

// handleAPITopics serves GET /api/topics.
func (s *server) handleAPITopics(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	topics, err := s.store.ListTopics(ctx)
	if err != nil {
		return fmt.Errorf("list topics: %w", err)
	}
	out := make([]apiTopicSummary, 0, len(topics))
	for _, t := range topics {
		systems, err := s.store.ListSystemNames(ctx, t.Slug)
		if err != nil {
			return fmt.Errorf("list systems of %s: %w", t.Slug, err)
		}
		ts := apiTopicSummary{
			Slug: t.Slug, Title: t.Title, Summary: t.Summary,
			URL: link.Topic(t.Slug), APIURL: link.APITopic(t.Slug),
			Categories: newAPICategories(t), Features: newAPIFeatures(t),
			Systems: make([]apiSystemRef, 0, len(systems)),
		}
		for _, sys := range systems {
			ts.Systems = append(ts.Systems, apiSystemRef{Slug: sys.Slug, Name: sys.Name, URL: link.System(t.Slug, sys.Slug)})
		}
		out = append(out, ts)
	}
	s.writeJSON(w, r, http.StatusOK, struct {
		Topics []apiTopicSummary `json:"topics"`
	}{out})
	return nil
}

// handleAPITopic serves GET /api/topics/{topic}.
func (s *server) handleAPITopic(w http.ResponseWriter, r *http.Request) error {
	t, err := s.findTopicParam(r)
	if err != nil {
		return err
	}
	systems, err := s.store.ListSystems(r.Context(), t.Slug)
	if err != nil {
		return fmt.Errorf("list systems: %w", err)
	}
	out := apiTopic{
		Slug: t.Slug, Title: t.Title, Summary: t.Summary, URL: link.Topic(t.Slug),
		Categories: newAPICategories(t), Features: newAPIFeatures(t),
		Systems: make([]apiSystem, 0, len(systems)),
	}
	for _, sys := range systems {
		out.Systems = append(out.Systems, newAPISystem(t, sys))
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// handleAPISystem serves GET /api/topics/{topic}/{system}; an old slug
// answers 308 to the canonical URL.
func (s *server) handleAPISystem(w http.ResponseWriter, r *http.Request) error {
	t, err := s.findTopicParam(r)
	if err != nil {
		return err
	}
	slug := chi.URLParam(r, "system")
	sys, moved, err := s.findSystem(w, r, t, slug, link.APISystem)
	if moved || err != nil {
		return err
	}
	doc := apiSystemDoc{Topic: apiTopicRef{Slug: t.Slug, Title: t.Title, URL: link.Topic(t.Slug)}, apiSystem: newAPISystem(t, sys), Params: sys.Params}
	doc.Sections = make([]apiSection, 0, len(sys.Sections))
	for _, sec := range sys.Sections {
		doc.Sections = append(doc.Sections, apiSection{Kind: string(sec.Kind), Heading: sec.Heading, Anchor: sec.Anchor,
			Text: strings.TrimSpace(sec.Text), Items: nonNil(sec.Items)})
	}
	s.writeJSON(w, r, http.StatusOK, doc)
	return nil
}

// handleAPICompare serves GET /api/compare/{topic}/{a}-vs-{b}...: the same
// document as the .json export of the compare page.
func (s *server) handleAPICompare(w http.ResponseWriter, r *http.Request) error {
	c, err := s.resolveCompare(w, r, link.APICompare, chi.URLParam(r, "systems"), "")
	if err != nil || c == nil {
		return err
	}
	v := buildCompare(c.topic, c.systems, c.all, c.q, 0)
	s.writeJSON(w, r, http.StatusOK, newAPICompare(c, v))
	return nil
}
