package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"versa/internal/history"
	"versa/internal/link"
	"versa/web"
)

// writeChangesFeed answers a change list as an Atom feed of its newest
// changes, one entry a change. An entry's id is the change's place in the
// topic's list (base + /topics/{topic}/changes#change-{id}): changes are
// numbered once, when recorded, and never renumbered, so a reader never
// shows one twice, whichever of the topic's feeds it came through.
func (s *server) writeChangesFeed(w http.ResponseWriter, r *http.Request, sc *changeScope, entries []history.Entry, latest history.Revision) error {
	base, err := s.baseURL(w, r)
	if err != nil {
		return err
	}
	// The feed is as new as its newest change; with none, as its
	// history (a fixed time before any).
	updated := time.Unix(0, 0)
	if len(entries) > 0 {
		updated = entries[0].Revision.RecordedAt
	} else if !latest.RecordedAt.IsZero() {
		updated = latest.RecordedAt
	}
	self := base + sc.listURL(".atom", r, 1)
	feed := atomFeed{
		NS:      atomNS,
		Title:   "Changes to " + sc.title + " · Versa",
		ID:      base + sc.listURL(".atom", nil, 1),
		Updated: atomTime(updated),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: base + sc.listURL("", r, 1)},
		},
		Author:  atomPerson{Name: "Versa"},
		Entries: make([]atomEntry, 0, len(entries)),
	}
	for _, e := range entries {
		it := sc.item(e)
		href := base + sc.listURL("", nil, 1) + "#change-" + strconv.FormatInt(e.ID, 10)
		if it.URL != "" {
			href = base + it.URL
		}
		summary := []string{}
		if it.Old != nil {
			summary = append(summary, "Was "+historyWords(e.Old)+", now "+historyWords(e.New)+".")
		}
		if it.Detail != "" {
			summary = append(summary, upperFirst(it.Detail)+".")
		}
		for _, n := range it.Notes {
			summary = append(summary, upperFirst(n)+".")
		}
		rev := "Content revision " + web.ShortRevision(e.Revision.ID)
		if e.Revision.Commit != "" {
			rev += ", commit " + web.ShortRevision(e.Revision.Commit)
			if e.Revision.Subject != "" {
				rev += " (" + e.Revision.Subject + ")"
			}
		}
		summary = append(summary, rev+".")
		entry := atomEntry{
			Title:   atomText{Type: "text", Text: sc.summary(e)},
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: href},
			ID:      base + link.TopicChanges(sc.topic.Slug) + "#change-" + strconv.FormatInt(e.ID, 10),
			Updated: atomTime(e.Revision.RecordedAt),
			Summary: &atomText{Type: "text", Text: strings.Join(summary, " ")},
		}
		feed.Entries = append(feed.Entries, entry)
	}
	return s.writeXML(w, r, "application/atom+xml; charset=utf-8", feed)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// apiChanges is a change list as JSON (/api/.../changes).
type apiChanges struct {
	Topic      apiTopicRef    `json:"topic"`
	Systems    []apiSystemRef `json:"systems,omitempty"` // of a system's or a comparison's list
	Categories []string       `json:"categories,omitempty"`
	Need       []string       `json:"need,omitempty"`
	URL        string         `json:"url"`      // the HTML page
	FeedURL    string         `json:"feed_url"` // the Atom feed
	Since      string         `json:"since,omitempty"`
	Page       int            `json:"page"`
	NewerURL   string         `json:"newer_url,omitempty"`
	OlderURL   string         `json:"older_url,omitempty"`
	Changes    []apiChange    `json:"changes"`
}

// apiChange is one recorded change; which fields say something depends on
// kind, as in internal/history.
type apiChange struct {
	ID       int64       `json:"id"`
	Kind     string      `json:"kind"`
	Summary  string      `json:"summary"` // the change in words
	URL      string      `json:"url,omitempty"`
	System   string      `json:"system,omitempty"`
	OldSlug  string      `json:"old_slug,omitempty"`
	Feature  string      `json:"feature,omitempty"`
	Category string      `json:"category,omitempty"`
	Article  string      `json:"article,omitempty"`
	OldName  string      `json:"old_name,omitempty"`
	NewName  string      `json:"new_name,omitempty"`
	Updated  string      `json:"updated,omitempty"` // an article's date
	Old      *apiCell    `json:"old,omitempty"`
	New      *apiCell    `json:"new,omitempty"`
	Revision apiRevision `json:"revision"`
}

type apiRevision struct {
	ID         string    `json:"id"`
	RecordedAt time.Time `json:"recorded_at"`
	Commit     string    `json:"commit,omitempty"`
	Subject    string    `json:"subject,omitempty"`
}

func (sc *changeScope) apiChanges(r *http.Request, entries []history.Entry, page int, more bool) apiChanges {
	t := sc.topic
	out := apiChanges{
		Topic:      apiTopicRef{Slug: t.Slug, Title: t.Title, URL: link.Topic(t.Slug)},
		Systems:    sc.systems,
		Categories: splitList(sc.filter.Get("categories")),
		Need:       splitList(sc.filter.Get("need")),
		URL:        sc.listURL("", r, page),
		FeedURL:    sc.listURL(".atom", nil, 1),
		Since:      r.URL.Query().Get("since"),
		Page:       page,
		Changes:    make([]apiChange, 0, len(entries)),
	}
	if page > 1 {
		out.NewerURL = link.API(sc.listURL("", r, page-1))
	}
	if more {
		out.OlderURL = link.API(sc.olderURL("", r, page, entries))
	}
	for _, e := range entries {
		c := e.Change
		ac := apiChange{ID: c.ID, Kind: c.Kind, Summary: sc.summary(e), URL: sc.item(e).URL,
			System: c.System, OldSlug: c.OldSlug, Feature: c.Feature, Category: c.Category, Article: c.Article,
			OldName: c.OldName, NewName: c.NewName,
			Revision: apiRevision{ID: e.Revision.ID, RecordedAt: e.Revision.RecordedAt.UTC(), Commit: e.Revision.Commit, Subject: e.Revision.Subject}}
		if !c.Updated.IsZero() {
			ac.Updated = c.Updated.UTC().Format("2006-01-02")
		}
		if c.Kind == history.CellChanged {
			old, new := newAPICell(kbCell(c.Old)), newAPICell(kbCell(c.New))
			ac.Old, ac.New = &old, &new
		}
		out.Changes = append(out.Changes, ac)
	}
	return out
}
