package server

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"time"

	"versa/internal/kb"
	"versa/internal/link"
)

// feedSize is how many of the newest articles /feed.xml carries.
const feedSize = 50

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	NS      string      `xml:"xmlns,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	Title      atomText       `xml:"title"`
	Link       atomLink       `xml:"link"`
	ID         string         `xml:"id"`
	Updated    string         `xml:"updated"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
}

// handleFeed serves GET /feed.xml: an Atom feed of the newest articles.
// Entry ids are the articles' absolute URLs, so set Config.BaseURL for ids
// that do not change with the Host a reader used.
func (s *server) handleFeed(w http.ResponseWriter, r *http.Request) error {
	base, err := s.baseURL(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	rev, err := s.store.Revision(ctx)
	if err != nil && !errors.Is(err, kb.ErrNotFound) {
		return fmt.Errorf("feed: %w", err)
	}
	articles, err := s.store.ListArticles(ctx, kb.ArticleFilter{Limit: feedSize})
	if err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	// The feed changes when its newest article does; with no dates at all
	// it is as new as the content.
	var updated time.Time
	for _, a := range articles {
		if a.Updated.After(updated) {
			updated = a.Updated
		}
	}
	if updated.IsZero() {
		updated = rev.LoadedAt
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	feed := atomFeed{
		NS:      atomNS,
		Title:   "Versa articles",
		ID:      base + "/feed.xml",
		Updated: atomTime(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/feed.xml"},
			{Rel: "alternate", Type: "text/html", Href: base + "/articles"},
		},
		Author:  atomPerson{Name: "Versa"},
		Entries: make([]atomEntry, 0, len(articles)),
	}
	for _, a := range articles {
		u := base + link.Article(a.Topic, a.Slug)
		mod := a.Updated
		if mod.IsZero() {
			mod = updated
		}
		e := atomEntry{
			Title:   atomText{Type: "text", Text: a.Title},
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: u},
			ID:      u,
			Updated: atomTime(mod),
		}
		if a.Summary != "" {
			e.Summary = &atomText{Type: "text", Text: a.Summary}
		}
		for _, tag := range a.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: tag})
		}
		feed.Entries = append(feed.Entries, e)
	}
	return s.writeXML(w, r, "application/atom+xml; charset=utf-8", feed)
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
