package server

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// handleCompareForm serves GET /compare?topic=t&system=a&system=b: the topic
// page's "compare selected" form lands here and is sent to the path form.
func (s *server) handleCompareForm(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	topic := v.Get("topic")
	var systems []string
	for _, sys := range v["system"] {
		if sys != "" && !slices.Contains(systems, sys) {
			systems = append(systems, sys)
		}
	}
	if !slugRE.MatchString(topic) {
		return notFound("That comparison names no topic.", nil, fmt.Errorf("compare form topic %q: %w", topic, kb.ErrNotFound))
	}
	if len(systems) < 2 {
		return s.pickMore(w, r, topic, systems)
	}
	q, _, _ := parseCompareQuery(r.URL)
	http.Redirect(w, r, compareURL(topic, systems, q), http.StatusSeeOther)
	return nil
}

// pickMore answers a "compare selected" with fewer than two systems: the
// topic page again, with the tick kept and a hint beside the button,
// rather than an error page. The form's needs are kept when the topic has
// them.
func (s *server) pickMore(w http.ResponseWriter, r *http.Request, slug string, picked []string) error {
	t, err := s.findTopic(r, slug)
	if err != nil {
		return err
	}
	var q topicQuery
	for _, k := range listParam(r.URL.Query(), "need") {
		if slices.ContainsFunc(t.Features, func(f kb.Feature) bool { return f.Key == k }) && len(q.need) < maxColumns {
			q.need = appendNew(q.need, k)
		}
	}
	v, err := s.topicView(r.Context(), t, q, rowView{}, 1)
	if err != nil {
		return err
	}
	v.Picked = picked
	v.PickHint = "Tick at least two systems to compare them side by side."
	if len(picked) == 1 {
		v.PickHint = "You ticked one system: tick at least one more to compare them side by side, or open its page from its name."
	}
	return s.render(w, r, http.StatusOK, web.TopicPage(v))
}

// handleCompareTopic serves GET /compare/{topic}, a compare URL without its
// systems: the topic page is where they are picked.
func (s *server) handleCompareTopic(w http.ResponseWriter, r *http.Request) error {
	t, err := s.findTopicParam(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, link.Topic(t.Slug), http.StatusSeeOther)
	return nil
}

// handleCompare serves GET /compare/{topic}/{a}-vs-{b}[-vs-{c}...]: the
// systems side by side in the order given, with ?diff=1, ?categories= and
// ?need= filters. The same path ending in .csv, .json or .md is the same
// view as an export (see export.go).
func (s *server) handleCompare(w http.ResponseWriter, r *http.Request) error {
	spec, ext := splitExportExt(chi.URLParam(r, "systems"))
	c, err := s.resolveCompareFor(w, r, link.Compare, spec, ext, ext == "")
	if err != nil || c == nil {
		return err
	}
	var v web.CompareView
	if c.page != nil {
		if v, err = c.page.view(c); err != nil {
			return err
		}
	} else {
		v = buildCompare(c.topic, c.systems, c.all, c.q, 0)
		if ext != "" {
			return s.writeExport(w, r, ext, c, v)
		}
		if err := budgetCompare(&v, c); err != nil {
			return err
		}
	}
	v.Site = s.site(r.Context())
	v.CSVURL = compareLink(link.Compare, c.topic.Slug, c.slugs, ".csv", c.q)
	v.JSONURL = compareLink(link.Compare, c.topic.Slug, c.slugs, ".json", c.q)
	v.MarkdownURL = compareLink(link.Compare, c.topic.Slug, c.slugs, ".md", c.q)
	v.ImageURL = compareLink(link.Compare, c.topic.Slug, c.slugs, ".png", c.q)
	if s.pin != nil {
		v.PinURL = compareURL(c.topic.Slug, c.slugs, c.q)
	}
	if s.history != nil {
		v.ChangesURL = compareChangesURL(c.topic.Slug, c.slugs, c.q)
	}
	return s.render(w, r, http.StatusOK, web.ComparePage(v))
}
