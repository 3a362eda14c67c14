package server

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// handleFeature serves GET /topics/{topic}/features/{feature}: one feature
// across every system of the topic, as caniuse shows one feature.
func (s *server) handleFeature(w http.ResponseWriter, r *http.Request) error {
	t, f, systems, err := s.findFeature(r)
	if errors.Is(err, kb.ErrNotFound) {
		if h := s.shadowedChanges(r, false); h != nil {
			return h(w, r)
		}
	}
	if err != nil {
		return err
	}
	v := buildFeature(t, f, systems)
	v.Site = s.site(r.Context())
	if s.history != nil {
		v.ChangesURL = link.TopicChanges(t.Slug)
	}
	return s.render(w, r, http.StatusOK, web.FeaturePage(v))
}

// apiFeatureDoc is /api/topics/{topic}/features/{feature}.
type apiFeatureDoc struct {
	Topic       apiTopicRef        `json:"topic"`
	Key         string             `json:"key"`
	Name        string             `json:"name"`
	Category    string             `json:"category"`
	Description string             `json:"description"`
	Type        string             `json:"type"`
	URL         string             `json:"url"`
	Systems     []apiFeatureSystem `json:"systems"`
}

// apiFeatureSystem is one system's cell of the feature.
type apiFeatureSystem struct {
	Slug string  `json:"slug"`
	Name string  `json:"name"`
	URL  string  `json:"url"`
	Cell apiCell `json:"cell"`
}

// handleAPIFeature serves GET /api/topics/{topic}/features/{feature}.
func (s *server) handleAPIFeature(w http.ResponseWriter, r *http.Request) error {
	t, f, systems, err := s.findFeature(r)
	if errors.Is(err, kb.ErrNotFound) {
		if h := s.shadowedChanges(r, true); h != nil {
			return h(w, r)
		}
	}
	if err != nil {
		return err
	}
	out := apiFeatureDoc{
		Topic: apiTopicRef{Slug: t.Slug, Title: t.Title, URL: link.Topic(t.Slug)},
		Key:   f.Key, Name: f.Name, Category: f.Category, Description: f.Description,
		Type: string(cmp.Or(f.Type, kb.TypeSupport)), URL: link.Feature(t.Slug, f.Key),
		Systems: make([]apiFeatureSystem, 0, len(systems)),
	}
	for _, sys := range systems {
		out.Systems = append(out.Systems, apiFeatureSystem{Slug: sys.Slug, Name: sys.Name,
			URL: link.System(t.Slug, sys.Slug), Cell: newAPICell(sys.Cell(f.Key))})
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// findFeature reads the topic and feature of the route, and every system
// of the topic with that feature's cell only. An unknown feature is the 404
// that links to the topic's feature list.
func (s *server) findFeature(r *http.Request) (kb.Topic, kb.Feature, []kb.System, error) {
	t, err := s.findTopicParam(r)
	if err != nil {
		return t, kb.Feature{}, nil, err
	}
	key := chi.URLParam(r, "feature")
	i := slices.IndexFunc(t.Features, func(f kb.Feature) bool { return f.Key == key })
	if i < 0 {
		return t, kb.Feature{}, nil, notFound(fmt.Sprintf("%s has no feature %q.", t.Title, key),
			[]web.Crumb{{Title: "Every feature of " + t.Title, URL: link.Features(t.Slug)}},
			fmt.Errorf("feature %q of topic %q: %w", key, t.Slug, kb.ErrNotFound))
	}
	f := t.Features[i]
	systems, err := s.store.ListSystemsWith(r.Context(), t.Slug, nil, []string{f.Key})
	if err != nil {
		return t, f, nil, fmt.Errorf("list systems: %w", err)
	}
	return t, f, systems, nil
}

// buildFeature lays out a feature's page: for a support feature, the count
// of each level and the systems best supported first; for any other type,
// how many systems have a value, and the systems in the store's order with
// the known values first.
func buildFeature(t kb.Topic, f kb.Feature, systems []kb.System) web.FeatureView {
	typ := cmp.Or(f.Type, kb.TypeSupport)
	v := web.FeatureView{
		TopicSlug: t.Slug, TopicTitle: t.Title, Key: f.Key, Name: f.Name, Description: f.Description,
		Type: string(typ), CategoryTitle: "Features", CategoryURL: link.Features(t.Slug),
		APIURL: link.APIFeature(t.Slug, f.Key),
	}
	for _, c := range t.Categories {
		if c.Key == f.Category {
			v.CategoryTitle, v.CategoryURL = c.Title, link.Category(t.Slug, c.Key)
		}
	}
	order := make([]*kb.System, len(systems))
	for i := range systems {
		order[i] = &systems[i]
	}
	rank := func(s *kb.System) int {
		c := s.Cell(f.Key)
		if typ == kb.TypeSupport {
			return supportRank(cmp.Or(c.Support, kb.SupportUnknown))
		}
		if c.Known() {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(order, func(a, b *kb.System) int { return cmp.Compare(rank(a), rank(b)) })
	counts := map[string]int{}
	for _, s := range order {
		c := s.Cell(f.Key)
		key := string(cmp.Or(c.Support, kb.SupportUnknown))
		if typ != kb.TypeSupport && c.Known() {
			key = "value"
		}
		counts[key]++
		v.Rows = append(v.Rows, web.FeatureSystem{Slug: s.Slug, Name: s.Name, URL: link.System(t.Slug, s.Slug),
			Value: web.FeatureValue{Key: f.Key, Name: f.Name, Cell: webCell(c), Note: c.Note, Via: c.Via, Since: c.Since, Source: c.Source, Checked: c.CheckedDate()}})
	}
	levels := kb.SupportLevels
	if typ != kb.TypeSupport {
		if n := counts["value"]; n > 0 {
			v.Counts = append(v.Counts, web.SupportCount{Label: "Has a value", Count: n})
		}
		levels = []kb.Support{kb.SupportUnknown}
	}
	for _, l := range levels {
		if n := counts[string(l)]; n > 0 {
			v.Counts = append(v.Counts, web.SupportCount{Support: string(l), Label: web.SupportLabel(string(l)), Count: n})
		}
	}
	return v
}

// shadowedChanges is the change list of a system whose slug is "features"
// (a slug the spec allows), whose path /topics/{topic}/features/changes
// has the shape of a feature's page: when the topic has no feature of that
// key but has that system, the request is its change list. Otherwise nil.
func (s *server) shadowedChanges(r *http.Request, api bool) handlerFunc {
	format := ""
	switch key := chi.URLParam(r, "feature"); {
	case key == "changes" && api:
		format = "json"
	case key == "changes":
		format = "html"
	case key == "changes.atom" && !api:
		format = "atom"
	default:
		return nil
	}
	if _, err := s.store.FindSystem(r.Context(), chi.URLParam(r, "topic"), "features"); err != nil {
		return nil
	}
	chi.RouteContext(r.Context()).URLParams.Add("system", "features")
	return s.handleSystemChanges(format)
}
