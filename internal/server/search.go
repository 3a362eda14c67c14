package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// Search: GET /search is the page, GET /api/search the same as JSON. Both
// take q (the words), kind, topic, system and page; the API also takes
// per_page. The server does not import internal/search: both speak the
// kb.Search* types, and cmd/versa passes the index in as a Searcher.

// Searcher runs searches; *search.Index is one. Search returns an error
// wrapping kb.ErrSearchNotReady until an index is built and one wrapping
// kb.ErrInvalid for a query it cannot run (too long, unknown kind, page too
// far). Any text is otherwise a valid query.
type Searcher interface {
	Search(ctx context.Context, q kb.SearchQuery) (kb.SearchResults, error)
}

// Search limits, as the search package has them.
const (
	maxSearchLen     = 256
	searchPerPage    = 10
	maxSearchPerPage = 50
	maxSearchPage    = 100
)

// searchKinds are the kinds a search may be narrowed to, with their
// facet labels.
var searchKinds = map[string]string{
	"pros":      "Pros",
	"cons":      "Cons",
	"use_cases": "Use cases",
	"body":      "Sections",
	"feature":   "Features",
}

// searchExamples are the example searches of the help text.
var searchExamples = []string{"async", "orm migrations", "websockets", "type hints"}

// searchParams is a parsed search URL.
type searchParams struct {
	text                string
	kind, topic, system string
	page, perPage       int
	perPageSet          bool // per_page (or limit) was given (API only)
	// verbatim turns typo correction off (verbatim=1): the link "search
	// instead for" of a corrected search.
	verbatim bool
}

// url is the search at base with p's parameters, page 1 omitted.
func (p searchParams) url(base string) string {
	v := url.Values{}
	if p.text != "" {
		v.Set("q", p.text)
	}
	if p.kind != "" {
		v.Set("kind", p.kind)
	}
	if p.topic != "" {
		v.Set("topic", p.topic)
	}
	if p.system != "" {
		v.Set("system", p.system)
	}
	if p.page > 1 {
		v.Set("page", strconv.Itoa(p.page))
	}
	if p.verbatim {
		v.Set("verbatim", "1")
	}
	if p.perPageSet {
		v.Set("per_page", strconv.Itoa(p.perPage))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// with returns p with one filter changed (name is kind, topic or system;
// value "" drops it), back on page 1.
func (p searchParams) with(name, value string) searchParams {
	switch name {
	case "kind":
		p.kind = value
	case "topic":
		p.topic = value
	case "system":
		p.system = value
	}
	p.page = 1
	return p
}

// invalidSearch is a 400 that says what is wrong with the search.
func invalidSearch(message string, err error) error {
	return &pageError{
		message: message,
		links:   []web.Crumb{{Title: "New search", URL: "/search"}},
		err:     fmt.Errorf("%w: %w", err, kb.ErrInvalid),
	}
}

// parseSearch reads and checks a search URL's parameters.
func parseSearch(r *http.Request, api bool) (searchParams, error) {
	v := r.URL.Query()
	p := searchParams{
		text:    strings.TrimSpace(v.Get("q")),
		kind:    v.Get("kind"),
		topic:   v.Get("topic"),
		system:  v.Get("system"),
		page:    1,
		perPage: searchPerPage,
	}
	if n := utf8.RuneCountInString(p.text); n > maxSearchLen {
		return p, invalidSearch(fmt.Sprintf("Searches are limited to %d characters.", maxSearchLen),
			fmt.Errorf("search of %d characters", n))
	}
	if p.kind != "" {
		if _, ok := searchKinds[p.kind]; !ok {
			return p, invalidSearch("That kind of section does not exist: use pros, cons, use_cases, body or feature.",
				fmt.Errorf("search kind %q", p.kind))
		}
	}
	if p.topic != "" && !slugRE.MatchString(p.topic) {
		return p, invalidSearch("That topic filter is not a topic name.", fmt.Errorf("search topic %q", p.topic))
	}
	if p.system != "" && !slugRE.MatchString(p.system) {
		return p, invalidSearch("That system filter is not a system name.", fmt.Errorf("search system %q", p.system))
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxSearchPage {
			return p, invalidSearch(fmt.Sprintf("Result pages go from 1 to %d.", maxSearchPage),
				fmt.Errorf("search page %q", s))
		}
		p.page = n
	}
	switch v.Get("verbatim") {
	case "", "0":
	case "1":
		p.verbatim = true
	default:
		return p, invalidSearch("verbatim is 1 (search the words as typed) or 0.", fmt.Errorf("search verbatim %q", v.Get("verbatim")))
	}
	// limit is per_page by the name the search box's script uses.
	if s := cmp.Or(v.Get("per_page"), v.Get("limit")); api && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxSearchPerPage {
			return p, invalidSearch(fmt.Sprintf("per_page (or limit) goes from 1 to %d.", maxSearchPerPage),
				fmt.Errorf("search per_page %q", s))
		}
		p.perPage, p.perPageSet = n, true
	}
	return p, nil
}

// runSearch asks the searcher; a nil searcher is not ready.
func (s *server) runSearch(ctx context.Context, p searchParams) (kb.SearchResults, error) {
	if s.search == nil {
		return kb.SearchResults{}, kb.ErrSearchNotReady
	}
	start := time.Now()
	res, err := s.search.Search(ctx, kb.SearchQuery{
		Text: p.text, Kind: p.kind, Topic: p.topic, System: p.system,
		Page: p.page, PerPage: p.perPage, Verbatim: p.verbatim,
	})
	s.metrics.ObserveSearch(time.Since(start), err)
	if err != nil {
		return kb.SearchResults{}, fmt.Errorf("search %q: %w", p.text, err)
	}
	return res, nil
}

// retryAfterNotReady is how many seconds a reader is asked to wait while
// the index is being built.
const retryAfterNotReady = "5"

// handleSearch serves GET /search.
func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := parseSearch(r, false)
	if err != nil {
		return err
	}
	v := web.SearchView{
		Site: s.site(ctx),
		Text: p.text, Kind: p.kind, Topic: p.topic, System: p.system,
		Page: p.page,
	}
	topics := s.topicTitles(ctx)
	v.Filters = searchChips(p, topics)
	if p.text == "" {
		v.Help = true
		for _, e := range searchExamples {
			v.Examples = append(v.Examples, web.Crumb{Title: e, URL: searchParams{text: e}.url(link.Search)})
		}
		return s.render(w, r, http.StatusOK, web.SearchPage(v))
	}
	res, err := s.runSearch(ctx, p)
	if errors.Is(err, kb.ErrSearchNotReady) {
		v.NotReady = true
		w.Header().Set("Retry-After", retryAfterNotReady)
		return s.render(w, r, http.StatusServiceUnavailable, web.SearchPage(v))
	}
	if errors.Is(err, kb.ErrInvalid) {
		return invalidSearch("This search cannot be run; try fewer words or fewer filters.", err)
	}
	if err != nil {
		return err
	}

	searchPaging(&v, p, res)
	v.Hits = s.searchCards(ctx, res.Hits, topics)
	v.Facets = searchFacets(p, res.Facets, topics, hitSystems(res.Hits))
	return s.render(w, r, http.StatusOK, web.SearchPage(v))
}

// searchPaging fills in the counts, the page links and the "did you
// mean" or "showing results for" line of a results page.
func searchPaging(v *web.SearchView, p searchParams, res kb.SearchResults) {
	v.Total = res.Total
	v.Pages = pageCount(res.Total, p.perPage)
	if p.page > 1 {
		v.PrevURL = p.withPage(min(p.page-1, max(v.Pages, 1))).url(link.Search)
	}
	if p.page < v.Pages {
		v.NextURL = p.withPage(p.page + 1).url(link.Search)
	}
	v.Partial = res.Partial
	switch {
	case res.Corrected:
		// The results are those of the corrected query; the reader may
		// still ask for the words as typed.
		v.Corrected = res.Suggestion
		sp := p
		sp.verbatim, sp.page = true, 1
		v.VerbatimURL = sp.url(link.Search)
	case res.Suggestion != "" && res.Suggestion != p.text:
		v.Suggestion = res.Suggestion
		sp := p
		sp.text, sp.page = res.Suggestion, 1
		v.SuggestionURL = sp.url(link.Search)
	}
}

// hitSystems names the systems of the system hits, for the facet labels.
func hitSystems(hits []kb.SearchHit) map[string]string {
	systems := map[string]string{}
	for _, h := range hits {
		if h.Doc == "system" && h.System != "" {
			systems[h.System] = h.Title
		}
	}
	return systems
}

// searchCards is the hits as result cards; a feature's card carries the
// first of its values across systems.
func (s *server) searchCards(ctx context.Context, hits []kb.SearchHit, topics map[string]string) []web.SearchResult {
	values := s.featureValues(ctx, hits)
	var cards []web.SearchResult
	for _, h := range hits {
		r := web.SearchResult{
			Title:      h.Title,
			URL:        hitURL(h),
			Kind:       h.Kind,
			KindLabel:  kindLabel(h),
			Heading:    hitHeading(h),
			TopicTitle: orSlug(topics[h.Topic], h.Topic),
			TopicURL:   link.Topic(h.Topic),
			Snippet:    snippetParts(h.Snippet),
		}
		if key, ok := featureKey(h); ok {
			r.Values, r.MoreValues = values.of(h.Topic, key)
		}
		cards = append(cards, r)
	}
	return cards
}

// withPage returns p on another page.
func (p searchParams) withPage(n int) searchParams {
	p.page = n
	return p
}

// pageCount is how many pages total hits fill, at most the last page a
// search may ask for.
func pageCount(total, perPage int) int {
	if total <= 0 || perPage <= 0 {
		return 0
	}
	return min(int(math.Ceil(float64(total)/float64(perPage))), maxSearchPage)
}

// topicTitles maps topic slugs to titles for labels; without them labels
// fall back to slugs.
func (s *server) topicTitles(ctx context.Context) map[string]string {
	out := map[string]string{}
	topics, err := s.store.ListTopicNames(ctx)
	if err != nil {
		s.log.DebugContext(ctx, "list topics for search labels", "err", err)
		return out
	}
	for _, t := range topics {
		out[t.Slug] = t.Title
	}
	return out
}

func orSlug(title, slug string) string {
	if title != "" {
		return title
	}
	return slug
}

// searchChips are the active filters, each with the search without it.
func searchChips(p searchParams, topics map[string]string) []web.SearchChip {
	var out []web.SearchChip
	if p.kind != "" {
		out = append(out, web.SearchChip{Label: "Kind: " + searchKinds[p.kind], RemoveURL: p.with("kind", "").url(link.Search)})
	}
	if p.topic != "" {
		out = append(out, web.SearchChip{Label: "Topic: " + orSlug(topics[p.topic], p.topic), RemoveURL: p.with("topic", "").url(link.Search)})
	}
	if p.system != "" {
		out = append(out, web.SearchChip{Label: "System: " + p.system, RemoveURL: p.with("system", "").url(link.Search)})
	}
	return out
}

// searchFacets are the facet counts as links that add the filter, or drop
// it when it is the active one.
func searchFacets(p searchParams, f kb.SearchFacets, topics, systems map[string]string) []web.SearchFacet {
	group := func(name, title string, counts []kb.FacetCount, current string, label func(string) string) *web.SearchFacet {
		if len(counts) == 0 {
			return nil
		}
		g := web.SearchFacet{Name: name, Title: title}
		for _, c := range counts {
			l := web.FacetLink{Label: label(c.Value), Count: c.Count, Current: c.Value == current}
			if l.Current {
				l.URL = p.with(name, "").url(link.Search)
			} else {
				l.URL = p.with(name, c.Value).url(link.Search)
			}
			g.Values = append(g.Values, l)
		}
		return &g
	}
	var out []web.SearchFacet
	for _, g := range []*web.SearchFacet{
		group("kind", "Kind", f.Kind, p.kind, func(v string) string { return orSlug(searchKinds[v], v) }),
		group("topic", "Topic", f.Topic, p.topic, func(v string) string { return orSlug(topics[v], v) }),
		group("system", "System", f.System, p.system, func(v string) string { return orSlug(systems[v], v) }),
	} {
		if g != nil {
			out = append(out, *g)
		}
	}
	return out
}

// hitURL is the page and section a hit links to.
func hitURL(h kb.SearchHit) string {
	var u string
	switch h.Doc {
	case "system":
		u = link.System(h.Topic, h.System)
	case "article":
		u = link.Article(h.Topic, h.Article)
	default: // feature: its own page
		if key, ok := strings.CutPrefix(h.Anchor, "feature-"); ok {
			return link.Feature(h.Topic, key)
		}
		u = link.Topic(h.Topic)
	}
	if h.Anchor != "" {
		u += "#" + url.PathEscape(h.Anchor)
	}
	return u
}

// featureKey is the feature key of a feature's hit.
func featureKey(h kb.SearchHit) (string, bool) {
	if h.Doc != "feature" {
		return "", false
	}
	return strings.CutPrefix(h.Anchor, "feature-")
}

// hitValuesMax is how many systems' values a feature's card shows; the
// feature's page has them all.
const hitValuesMax = 8

// hitValues are the values of the features hit, by topic and key: the
// first hitValuesMax systems' and how many more there are.
type hitValues map[[2]string]*featureValuesShown

type featureValuesShown struct {
	values []web.HitValue
	more   int
}

// of is a feature's values, at most hitValuesMax, and how many more.
func (hv hitValues) of(topic, key string) ([]web.HitValue, int) {
	if f := hv[[2]string{topic, key}]; f != nil {
		return f.values, f.more
	}
	return nil, 0
}

// featureValues reads each system's value of the features among hits, one
// read per topic, so a feature's card shows who has it. Only the values
// shown are built (a topic may have hundreds of systems). A failed read
// leaves the cards without values: the search still answers.
func (s *server) featureValues(ctx context.Context, hits []kb.SearchHit) hitValues {
	keys := map[string][]string{}
	for _, h := range hits {
		if key, ok := featureKey(h); ok && !slices.Contains(keys[h.Topic], key) {
			keys[h.Topic] = append(keys[h.Topic], key)
		}
	}
	out := hitValues{}
	for topic, ks := range keys {
		systems, err := s.store.ListSystemCells(ctx, topic, ks)
		if err != nil {
			s.log.DebugContext(ctx, "feature values for search", "topic", topic, "err", err)
			continue
		}
		for _, k := range ks {
			f := &featureValuesShown{}
			for _, sys := range systems {
				if len(f.values) == hitValuesMax {
					f.more = len(systems) - hitValuesMax
					break
				}
				f.values = append(f.values, web.HitValue{System: sys.Name, URL: link.SystemFeature(topic, sys.Slug, k), Cell: webCell(sys.Cell(k))})
			}
			out[[2]string{topic, k}] = f
		}
	}
	return out
}

// kindLabel names the kind of section a hit is in.
func kindLabel(h kb.SearchHit) string {
	switch h.Kind {
	case "pros":
		return "Pros"
	case "cons":
		return "Cons"
	case "use_cases":
		return "Use cases"
	case "feature":
		return "Feature"
	}
	if h.Doc == "article" {
		return "Article"
	}
	if h.Anchor == "" {
		return "Overview"
	}
	return "Section"
}

// hitHeading is the heading shown under a hit's title, unless it repeats
// the title or the kind's label.
func hitHeading(h kb.SearchHit) string {
	if strings.EqualFold(h.Heading, h.Title) || strings.EqualFold(h.Heading, kindLabel(h)) {
		return ""
	}
	return h.Heading
}

func snippetParts(frags []kb.Fragment) []web.SnippetPart {
	out := make([]web.SnippetPart, len(frags))
	for i, f := range frags {
		out[i] = web.SnippetPart{Text: f.Text, Mark: f.Mark}
	}
	return out
}

// The JSON of GET /api/search.
type apiSearch struct {
	Query      string          `json:"query"`
	Filters    apiSearchFilter `json:"filters"`
	Total      int             `json:"total"`
	Page       int             `json:"page"`
	PerPage    int             `json:"per_page"`
	Pages      int             `json:"pages"`
	Hits       []apiSearchHit  `json:"hits"`
	Facets     apiSearchFacets `json:"facets"`
	Suggestion string          `json:"suggestion"`
	// Corrected says the hits are those of Suggestion, the query as typed
	// having found nothing (verbatim=1 asks for the words as typed).
	Corrected bool `json:"corrected"`
	Partial   bool `json:"partial"`
}

type apiSearchFilter struct {
	Kind   string `json:"kind"`
	Topic  string `json:"topic"`
	System string `json:"system"`
}

type apiSearchHit struct {
	Doc     string        `json:"doc"`
	Topic   string        `json:"topic"`
	System  string        `json:"system"`
	Article string        `json:"article"`
	Title   string        `json:"title"`
	Kind    string        `json:"kind"`
	Label   string        `json:"label"` // what the hit is, as its card says: "Cons", "Feature", "Article"
	Heading string        `json:"heading"`
	URL     string        `json:"url"`
	Snippet []apiFragment `json:"snippet"`
}

type apiFragment struct {
	Text string `json:"text"`
	Mark bool   `json:"mark"`
}

type apiSearchFacets struct {
	Kind   []apiFacetCount `json:"kind"`
	Topic  []apiFacetCount `json:"topic"`
	System []apiFacetCount `json:"system"`
}

type apiFacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// handleAPISearch serves GET /api/search. An empty query answers no hits
// without asking the index.
func (s *server) handleAPISearch(w http.ResponseWriter, r *http.Request) error {
	p, err := parseSearch(r, true)
	if err != nil {
		return err
	}
	out := apiSearch{
		Query:   p.text,
		Filters: apiSearchFilter{Kind: p.kind, Topic: p.topic, System: p.system},
		Page:    p.page,
		PerPage: p.perPage,
		Hits:    []apiSearchHit{},
		Facets:  apiSearchFacets{Kind: []apiFacetCount{}, Topic: []apiFacetCount{}, System: []apiFacetCount{}},
	}
	if p.text != "" {
		res, err := s.runSearch(r.Context(), p)
		if errors.Is(err, kb.ErrSearchNotReady) {
			w.Header().Set("Retry-After", retryAfterNotReady)
			s.writeErrorPage(w, r, http.StatusServiceUnavailable, "The search index is still being built. Try again in a few seconds.", nil)
			return nil
		}
		if err != nil {
			return err
		}
		out.Total, out.Pages = res.Total, pageCount(res.Total, p.perPage)
		out.Suggestion, out.Corrected, out.Partial = res.Suggestion, res.Corrected, res.Partial
		for _, h := range res.Hits {
			hit := apiSearchHit{
				Doc: h.Doc, Topic: h.Topic, System: h.System, Article: h.Article,
				Title: h.Title, Kind: h.Kind, Label: kindLabel(h), Heading: h.Heading, URL: hitURL(h),
				Snippet: make([]apiFragment, len(h.Snippet)),
			}
			for i, f := range h.Snippet {
				hit.Snippet[i] = apiFragment(f)
			}
			out.Hits = append(out.Hits, hit)
		}
		out.Facets.Kind = append(out.Facets.Kind, apiFacets(res.Facets.Kind)...)
		out.Facets.Topic = append(out.Facets.Topic, apiFacets(res.Facets.Topic)...)
		out.Facets.System = append(out.Facets.System, apiFacets(res.Facets.System)...)
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

func apiFacets(counts []kb.FacetCount) []apiFacetCount {
	out := make([]apiFacetCount, len(counts))
	for i, c := range counts {
		out[i] = apiFacetCount(c)
	}
	return out
}
