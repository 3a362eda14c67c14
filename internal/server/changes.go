package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"versa/internal/history"
	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// The change lists (see the spec's URL table), each as a page, an Atom feed
// and JSON, newest first:
//
//	/topics/{topic}/changes                 everything recorded of the topic
//	/topics/{topic}/{system}/changes        one system: its cells, its renames
//	/compare/{topic}/{a}-vs-{b}.../changes  those systems' changes and those of
//	                                        the rows (categories=, need=: only those)
//
// ?since= keeps the changes recorded after an RFC 3339 time or a content
// revision id; ?page= pages the HTML and JSON lists. The older-page links
// carry ?before=, the id of the last change shown, beside page=: the page
// then seeks to it in the index, and stays put when newer changes are
// recorded. page= alone is the canonical URL; the store finds where it
// starts through the changes' ranks (internal/history/rank.go) rather than
// by counting the changes before it.

// changesPerPage is the length of a page of changes, and of a feed.
const changesPerPage = 50

// handleTopicChanges serves GET /topics/{topic}/changes, .atom and its
// /api twin: every change recorded of the topic.
func (s *server) handleTopicChanges(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.findTopicParam(r)
		if err != nil {
			return err
		}
		sc, err := s.newScope(r, t)
		if err != nil {
			return err
		}
		sc.title = t.Title
		sc.crumbs = []web.Crumb{{Title: t.Title, URL: link.Topic(t.Slug)}, {Title: "Changes"}}
		sc.of = web.Crumb{Title: t.Title, URL: link.Topic(t.Slug)}
		sc.path = func(ext string) string { return link.TopicChanges(t.Slug) + ext }
		sc.rowURL = func(system, feature string) string {
			if system == "" {
				return link.FeatureRow(t.Slug, feature)
			}
			return link.SystemFeature(t.Slug, system, feature)
		}
		return s.serveChanges(w, r, sc, format)
	}
}

// handleSystemChanges serves GET /topics/{topic}/{system}/changes, .atom
// and its /api twin: the changes of one system (its cells, and its being
// added or renamed), under its old slugs too. An old slug redirects.
func (s *server) handleSystemChanges(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		t, err := s.findTopicParam(r)
		if err != nil {
			return err
		}
		path := func(topic, slug string) string { return changesPath(format, link.SystemChanges(topic, slug)) }
		sys, moved, err := s.findSystem(w, r, t, chi.URLParam(r, "system"), path)
		if err != nil || moved {
			return err
		}
		sc, err := s.newScope(r, t)
		if err != nil {
			return err
		}
		sc.title = sys.Name
		sc.crumbs = []web.Crumb{{Title: t.Title, URL: link.Topic(t.Slug)}, {Title: sys.Name, URL: link.System(t.Slug, sys.Slug)}, {Title: "Changes"}}
		sc.of = web.Crumb{Title: sys.Name, URL: link.System(t.Slug, sys.Slug)}
		sc.path = func(ext string) string { return link.SystemChanges(t.Slug, sys.Slug) + ext }
		sc.q.Systems = append([]string{sys.Slug}, sys.Aliases...)
		sc.systems = []apiSystemRef{{Slug: sys.Slug, Name: sys.Name, URL: link.System(t.Slug, sys.Slug)}}
		sc.rowURL = func(system, feature string) string {
			if system == "" {
				return link.FeatureRow(t.Slug, feature)
			}
			return link.SystemFeature(t.Slug, sys.Slug, feature)
		}
		return s.serveChanges(w, r, sc, format)
	}
}

// handleCompareChanges serves GET /compare/{topic}/{a}-vs-{b}.../changes,
// .atom and its /api twin: the changes of those systems and of the rows
// their table shows (only the categories= and need= rows when the view
// has them). Old slugs and a query out of its canonical form redirect.
func (s *server) handleCompareChanges(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		// The view's own filters decide its canonical form; the list's
		// since=, page= and before= ride along.
		view := *r.URL
		vq := r.URL.Query()
		list := url.Values{}
		for _, k := range []string{"since", "page", "before"} {
			if v, ok := vq[k]; ok {
				list[k] = v
				vq.Del(k)
			}
		}
		vq.Del("diff") // a list has no "differences only"
		view.RawQuery = vq.Encode()
		c, redirect, err := s.findCompare(r, chi.URLParam(r, "topic"), chi.URLParam(r, "systems"), &view)
		if err != nil {
			return err
		}
		c.q.diff = false
		if redirect != 0 {
			to := changesPath(format, link.CompareChanges(c.topic.Slug, c.slugs)) + c.q.encode()
			if len(list) > 0 {
				sep := "?"
				if strings.Contains(to, "?") {
					sep = "&"
				}
				to += sep + list.Encode()
			}
			http.Redirect(w, r, to, redirect)
			return nil
		}
		if err := c.check(); err != nil {
			return err
		}
		sc, err := s.newScope(r, c.topic)
		if err != nil {
			return err
		}
		title := make([]string, len(c.systems))
		for i, sys := range c.systems {
			title[i] = sys.Name
			sc.q.Systems = append(sc.q.Systems, sys.Slug)
			sc.q.Systems = append(sc.q.Systems, sys.Aliases...)
			sc.systems = append(sc.systems, apiSystemRef{Slug: sys.Slug, Name: sys.Name, URL: link.System(c.topic.Slug, sys.Slug)})
		}
		sc.q.Rows = true
		sc.q.Features = changedRows(c.topic, c.q)
		view.RawQuery = strings.TrimPrefix(c.q.encode(), "?")
		sc.filter, _ = url.ParseQuery(view.RawQuery)
		sc.filters = filterSummary(c)
		live := compareURL(c.topic.Slug, c.slugs, c.q)
		sc.title = strings.Join(title, " vs ")
		sc.crumbs = []web.Crumb{{Title: c.topic.Title, URL: link.Topic(c.topic.Slug)}, {Title: sc.title, URL: live}, {Title: "Changes"}}
		sc.of = web.Crumb{Title: "the comparison", URL: live}
		sc.path = func(ext string) string { return link.CompareChanges(c.topic.Slug, c.slugs) + ext }
		sc.rowURL = func(system, feature string) string {
			return compareURL(c.topic.Slug, c.slugs, c.q) + "#feature-" + feature
		}
		return s.serveChanges(w, r, sc, format)
	}
}

// compareChangesURL is the change list of a compare view: its systems,
// and its rows when it filters them (differences only has no bearing).
func compareChangesURL(topic string, slugs []string, q compareQuery) string {
	q.diff = false
	return link.CompareChanges(topic, slugs) + q.encode()
}

// changedRows is the features a compare view's filters keep (the
// categories' and the needs'), nil for all.
func changedRows(t kb.Topic, q compareQuery) []string {
	if len(q.categories) == 0 && len(q.need) == 0 {
		return nil
	}
	keys := slices.Clone(q.need)
	for _, f := range t.Features {
		if slices.Contains(q.categories, f.Category) && !slices.Contains(keys, f.Key) {
			keys = append(keys, f.Key)
		}
	}
	if len(keys) == 0 {
		keys = []string{""} // categories with no features: no rows
	}
	return keys
}

// changesPath is a list's path in format: the page's, its feed's or its
// API twin's, where a redirect sends each.
func changesPath(format, path string) string {
	switch format {
	case "json":
		return link.API(path)
	case "atom":
		return link.Atom(path)
	}
	return path
}

// newScope starts the scope of a list of topic t: the system names, and the
// list's ?since=, checked.
func (s *server) newScope(r *http.Request, t kb.Topic) (*changeScope, error) {
	if s.history == nil {
		return nil, notFound("This server does not record the history of its content.",
			[]web.Crumb{{Title: t.Title, URL: link.Topic(t.Slug)}}, fmt.Errorf("changes: no history store: %w", kb.ErrNotFound))
	}
	all, err := s.store.ListSystemNames(r.Context(), t.Slug)
	if err != nil {
		return nil, fmt.Errorf("list systems: %w", err)
	}
	sc := &changeScope{topic: t, names: make(map[string]string, len(all)), moved: map[string]string{}, q: history.Query{Topic: t.Slug}}
	for _, sys := range all {
		sc.names[sys.Slug] = sys.Name
	}
	if err := s.parseSince(r, &sc.q); err != nil {
		return nil, err
	}
	return sc, nil
}

// revisionRE is what a content revision id (or its start) looks like.
var revisionRE = regexp.MustCompile(`^[0-9a-f]{4,64}$`)

// parseSince reads ?since=: an RFC 3339 time, or a recorded revision id
// (or a prefix of one, as pages show it).
func (s *server) parseSince(r *http.Request, q *history.Query) error {
	v := r.URL.Query().Get("since")
	if v == "" {
		return nil
	}
	bad := func(msg string, err error) error {
		return &pageError{message: msg, err: fmt.Errorf("since %.80q: %w: %w", v, err, kb.ErrInvalid)}
	}
	// A "+" of an offset arrives as a space when the link did not escape it.
	if t, err := time.Parse(time.RFC3339, strings.Replace(v, " ", "+", 1)); err == nil {
		q.SinceTime = t
		return nil
	}
	if !revisionRE.MatchString(v) {
		return bad("since= takes an RFC 3339 time, such as 2026-03-01T00:00:00Z, or a content revision id (at least 4 of its hex digits).", errors.New("neither a time nor a revision"))
	}
	rev, err := s.history.FindRevision(r.Context(), v)
	if errors.Is(err, history.ErrNotFound) {
		return bad(fmt.Sprintf("No recorded content revision starts with %s: since= takes a revision listed on a change page, or an RFC 3339 time.", v), err)
	}
	if err != nil {
		return fmt.Errorf("find revision: %w", err)
	}
	q.SinceSeq = rev.Seq
	return nil
}

// serveChanges reads one page of sc's changes and answers it in format:
// "html", "atom" or "json".
func (s *server) serveChanges(w http.ResponseWriter, r *http.Request, sc *changeScope, format string) error {
	ctx := r.Context()
	page := 1
	q := sc.q
	if format != "atom" { // a feed is the newest changes only
		p, err := listPage(r.URL.Query().Get("page"))
		if err != nil {
			return err
		}
		page = p
		if q.Before, err = listCursor(r.URL.Query().Get("before"), page); err != nil {
			return err
		}
	}
	q.Limit = changesPerPage + 1
	if q.Before == 0 {
		q.Offset = (page - 1) * changesPerPage
	}
	entries, err := s.history.Changes(ctx, q)
	if err != nil {
		return fmt.Errorf("changes: %w", err)
	}
	more := len(entries) > changesPerPage
	entries = entries[:min(len(entries), changesPerPage)]
	if len(entries) == 0 && page > 1 {
		return notFound(fmt.Sprintf("There is no page %d of these changes.", page),
			[]web.Crumb{{Title: "The first page", URL: sc.listURL("", r, 1)}},
			fmt.Errorf("changes page %d: %w", page, kb.ErrNotFound))
	}
	if err := s.followMoves(r, sc, entries); err != nil {
		return err
	}
	latest, err := s.history.Latest(ctx)
	recording := err == nil
	if err != nil && !errors.Is(err, history.ErrNotFound) {
		return fmt.Errorf("latest revision: %w", err)
	}
	// Pages are cached per content revision; until the revision being
	// served is recorded, a list may lack its changes, so it is not kept.
	if rev, err := s.store.Revision(ctx); err != nil || !recording || rev.ID != latest.ID {
		w.Header().Set("Cache-Control", "no-cache")
	}
	switch format {
	case "atom":
		return s.writeChangesFeed(w, r, sc, entries, latest)
	case "json":
		s.writeJSON(w, r, http.StatusOK, sc.apiChanges(r, entries, page, more))
		return nil
	}
	v := web.ChangesView{
		Site:      s.site(ctx),
		Title:     sc.title,
		Crumbs:    sc.crumbs,
		Of:        sc.of,
		Filters:   sc.filters,
		Canonical: sc.listURL("", r, page),
		FeedURL:   sc.listURL(".atom", nil, 1),
		JSONURL:   link.API(sc.listURL("", r, page)),
		Since:     r.URL.Query().Get("since"),
		AllURL:    sc.listURL("", nil, 1),
		Recording: recording,
		Page:      page,
	}
	if page > 1 {
		v.NewerURL = sc.listURL("", r, page-1)
	}
	if more {
		v.OlderURL = sc.olderURL("", r, page, entries)
	}
	for _, e := range entries {
		if n := len(v.Revisions); n == 0 || v.Revisions[n-1].ID != e.Revision.ID || v.Revisions[n-1].RecordedAt != e.Revision.RecordedAt {
			v.Revisions = append(v.Revisions, web.ChangeRevision{ID: e.Revision.ID, RecordedAt: e.Revision.RecordedAt,
				Commit: e.Revision.Commit, Subject: e.Revision.Subject})
		}
		rev := &v.Revisions[len(v.Revisions)-1]
		rev.Changes = append(rev.Changes, sc.item(e))
	}
	return s.render(w, r, http.StatusOK, web.ChangesPage(v))
}

// followMoves finds the slugs systems have now for the old slugs entries
// name, so that a change recorded before a rename shows the system's name
// and links to its page.
func (s *server) followMoves(r *http.Request, sc *changeScope, entries []history.Entry) error {
	for _, e := range entries {
		slug := e.System
		if _, ok := sc.names[slug]; ok || slug == "" {
			continue
		}
		if _, done := sc.moved[slug]; done {
			continue
		}
		to, err := s.store.ResolveAlias(r.Context(), sc.topic.Slug, kb.AliasSystem, slug)
		if err != nil && !errors.Is(err, kb.ErrNotFound) {
			return fmt.Errorf("resolve alias: %w", err)
		}
		sc.moved[slug] = to // "" when it is gone
	}
	return nil
}

// listCursor reads before=, the id of the last change of the page before
// page (0 when absent); it goes with the page= of the link that carries it.
func listCursor(v string, page int) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil || id < 1:
		return 0, &pageError{message: fmt.Sprintf("The cursor before=%.40q is not a change id: follow the page's “Older” link, or use page= alone.", v),
			err: fmt.Errorf("changes before %.40q: %w", v, kb.ErrInvalid)}
	case page < 2:
		return 0, &pageError{message: "before= goes with the page= of the link that carries it (2 or more): follow the page's “Older” link, or use page= alone.",
			err: fmt.Errorf("changes before %d on page %d: %w", id, page, kb.ErrInvalid)}
	}
	return id, nil
}
