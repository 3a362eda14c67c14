package server

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// Topic page limits: the default columns, the most a reader may pick, and
// the feature count above which the feature list starts collapsed.
const (
	defaultColumns = 5
	maxColumns     = 24
	collapseOver   = 60
	// maxFilter bounds the filter box's text, in bytes: longer text names
	// nothing, and it would make every link on the page long.
	maxFilter = 100
)

// topicQuery is the filter part of a topic URL.
type topicQuery struct {
	cols []string // explicit columns; nil means the default ones
	need []string
	sort string // a feature key; empty sorts by name
	// filter keeps the systems and features whose name or key contains
	// every word of it, ignoring case; empty keeps all.
	filter string
}

// encode writes the query in its one canonical form.
func (q topicQuery) encode() string {
	var parts []string
	if len(q.need) > 0 {
		parts = append(parts, "need="+escapeList(q.need))
	}
	if q.sort != "" {
		parts = append(parts, "sort="+url.QueryEscape(q.sort))
	}
	if len(q.cols) > 0 {
		parts = append(parts, "cols="+escapeList(q.cols))
	}
	// Last, so that the filter box, whose form sends the other fields
	// first, lands on the canonical URL, and site.js can rewrite it alone.
	if q.filter != "" {
		parts = append(parts, "q="+url.QueryEscape(q.filter))
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

// topicURL is the path and query of a topic view.
func topicURL(topic string, q topicQuery) string { return link.Topic(topic) + q.encode() }

// listParam joins every value of a repeated, comma-separated parameter.
func listParam(v url.Values, key string) []string {
	return splitList(strings.Join(v[key], ","))
}

// parseTopicQuery reads cols, need, sort and the filter q, folding in the
// add_col and add_need fields of the page's forms, and reports whether the
// query was already in canonical form.
func parseTopicQuery(u *url.URL) (q topicQuery, canonical bool) {
	v := u.Query()
	q.cols = appendNew(listParam(v, "cols"), listParam(v, "add_col")...)
	q.need = appendNew(listParam(v, "need"), listParam(v, "add_need")...)
	q.sort = strings.TrimSpace(v.Get("sort"))
	q.filter = cleanFilter(v.Get("q"))
	// The feature list's group and page follow, then the page of systems.
	rv, _ := parseRowView(v)
	spage, _ := pageParam(v, "spage")
	return q, u.RawQuery == strings.TrimPrefix(encodeSystemsPage(spage, rv.encode(q.encode())), "?")
}

// cleanFilter is the canonical form of the filter box's text: valid UTF-8,
// runs of spaces as one, at most maxFilter bytes.
func cleanFilter(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	if len(s) <= maxFilter {
		return s
	}
	s = s[:maxFilter]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.TrimSpace(s)
}

// matcher reports whether a name or key contains every word of a filter,
// ignoring case; site.js filters the same way as one types.
func matcher(filter string) func(name, key string) bool {
	words := strings.Fields(strings.ToLower(filter))
	return func(name, key string) bool {
		text := strings.ToLower(name) + " " + strings.ToLower(key)
		for _, w := range words {
			if !strings.Contains(text, w) {
				return false
			}
		}
		return true
	}
}

// handleTopic serves GET /topics/{topic}: the topic's systems as rows with a
// few feature columns (?cols=), a requirement profile (?need=) that ranks
// them, a sort by any feature (?sort=), and every feature by category.
func (s *server) handleTopic(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	topicSlug := chi.URLParam(r, "topic")
	topic, err := s.findTopic(r, topicSlug)
	if err != nil {
		return err
	}
	q, canonical := parseTopicQuery(r.URL)
	rv, err := parseRowView(r.URL.Query())
	if err != nil {
		return err
	}
	spage, err := pageParam(r.URL.Query(), "spage")
	if err != nil {
		return err
	}
	keys := slices.Concat(q.cols, q.need)
	if q.sort != "" {
		keys = append(keys, q.sort)
	}
	for _, k := range keys {
		if !slices.ContainsFunc(topic.Features, func(f kb.Feature) bool { return f.Key == k }) {
			return notFound(fmt.Sprintf("The topic %s has no feature %q. Its features are listed on the topic page.", topic.Title, k),
				[]web.Crumb{{Title: topic.Title, URL: link.Features(topic.Slug)}},
				fmt.Errorf("feature %q: %w", k, kb.ErrNotFound))
		}
	}
	if len(q.cols) > maxColumns || len(q.need) > maxColumns {
		return &pageError{
			message: fmt.Sprintf("The topic page shows at most %d feature columns; compare fewer systems side by side instead.", maxColumns),
			links:   []web.Crumb{{Title: topic.Title, URL: link.Topic(topic.Slug)}},
			err:     fmt.Errorf("topic view with %d columns, %d needs: %w", len(q.cols), len(q.need), kb.ErrInvalid),
		}
	}
	if !canonical {
		http.Redirect(w, r, encodeSystemsPage(spage, rv.encode(topicURL(topicSlug, q))), http.StatusSeeOther)
		return nil
	}
	v, err := s.topicView(ctx, topic, q, rv, spage)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, web.TopicPage(v))
}

// topicView builds the topic page's view of a canonical query: its
// systems, columns, feature list and pages.
func (s *server) topicView(ctx context.Context, topic kb.Topic, q topicQuery, rv rowView, spage int) (web.TopicView, error) {
	// Only the cells of the columns shown, scored or sorted on are read (a
	// topic of 400 systems by 550 features has 220,000), and without ?cols=
	// those that pick the default columns (topic_columns.go), once a
	// revision.
	var defaults []string
	rev, revErr := s.store.Revision(ctx)
	pick := q.cols == nil
	if pick && revErr == nil {
		if cols, ok := s.topics.defaultColumns(rev, topic.Slug); ok {
			defaults, pick = cols, false
		}
	}
	read := topicColumns(topic, q, defaults)
	if pick {
		read = appendNew(columnCandidates(topic), read...)
	}
	systems, err := s.store.ListSystemsWith(ctx, topic.Slug, nil, read)
	if err != nil {
		return web.TopicView{}, fmt.Errorf("list systems: %w", err)
	}
	if pick {
		defaults = defaultTopicColumns(topic, systems)
		if revErr == nil {
			s.topics.putDefaultColumns(rev, topic.Slug, defaults)
		}
	}
	v := buildTopic(topic, systems, q, defaults)
	if err := budgetTopic(&v, rv, func(rv rowView) string { return rv.encode(topicURL(topic.Slug, q)) }); err != nil {
		return web.TopicView{}, err
	}
	if err := budgetSystemRows(&v, spage, func(page int) string { return encodeSystemsPage(page, rv.encode(topicURL(topic.Slug, q))) }); err != nil {
		return web.TopicView{}, err
	}
	v.Site = s.site(ctx)
	if s.history != nil {
		v.ChangesURL = link.TopicChanges(topic.Slug)
	}
	return v, nil
}

// topicColumns returns the feature columns a topic view shows: the chosen
// ones (or the defaults), then the needs and the sort feature.
func topicColumns(t kb.Topic, q topicQuery, defaults []string) []string {
	cols := q.cols
	if cols == nil {
		cols = defaults
	}
	shown := slices.Clone(cols)
	for _, k := range q.need {
		if !slices.Contains(shown, k) {
			shown = append(shown, k)
		}
	}
	if q.sort != "" && !slices.Contains(shown, q.sort) {
		shown = append(shown, q.sort)
	}
	return shown
}

// buildTopic lays out the topic page: the shown columns (q's, or the
// defaults), the rows scored and sorted, and the feature list.
func buildTopic(t kb.Topic, systems []kb.System, q topicQuery, defaults []string) web.TopicView {
	idx := newFeatureIndex(t)
	shown := topicColumns(t, q, defaults)
	v := topicHeader(t, idx, shown, q)
	v.Systems = len(systems)
	match := matcher(q.filter)
	v.Rows = topicRows(t, idx, systems, shown, q, match)
	v.Features, v.Matched = topicFeatureList(t, match)
	return v
}

// topicHeader is the page's title and its controls: the shown columns with
// their sort links, the needs asked for, and the links that clear them.
func topicHeader(t kb.Topic, idx featureIndex, shown []string, q topicQuery) web.TopicView {
	v := web.TopicView{
		Slug:     t.Slug,
		Title:    t.Title,
		Summary:  t.Summary,
		Path:     link.Topic(t.Slug),
		Scored:   len(q.need) > 0,
		Sorted:   q.sort != "",
		Count:    len(t.Features),
		Collapse: len(t.Features) > collapseOver,
		Query:    web.TopicQuery{Cols: strings.Join(q.cols, ","), Need: strings.Join(q.need, ","), Sort: q.sort, Filter: q.filter},
		Source:   t.Path,
	}
	unfiltered := q
	unfiltered.filter = ""
	v.ClearFilter = topicURL(t.Slug, unfiltered)
	unsorted := q
	unsorted.sort = ""
	v.NameSort = topicURL(t.Slug, unsorted)
	for _, k := range shown {
		f := idx.features[k]
		sorted := q
		sorted.sort = k
		v.Columns = append(v.Columns, web.TopicColumn{Key: k, Name: f.Name, SortURL: topicURL(t.Slug, sorted),
			Sorted: k == q.sort, Needed: slices.Contains(q.need, k)})
	}
	for _, n := range q.need {
		rest := q
		rest.need = slices.DeleteFunc(slices.Clone(q.need), func(x string) bool { return x == n })
		v.Needs = append(v.Needs, web.NeedChip{Key: n, Name: idx.features[n].Name, RemoveURL: topicURL(t.Slug, rest)})
	}
	for _, f := range t.Features {
		v.Options = append(v.Options, web.Option{Value: f.Key, Label: f.Name})
	}
	return v
}

// topicRows are the systems the filter keeps, by name (the store's order),
// then by the sort feature, then by how well they meet the needs; each sort
// is stable, so the last one leads and the earlier ones break its ties.
func topicRows(t kb.Topic, idx featureIndex, systems []kb.System, shown []string, q topicQuery, match func(name, slug string) bool) []web.TopicRow {
	order := make([]*kb.System, 0, len(systems))
	for i := range systems {
		if match(systems[i].Name, systems[i].Slug) {
			order = append(order, &systems[i])
		}
	}
	if q.sort != "" {
		f := idx.features[q.sort]
		slices.SortStableFunc(order, func(a, b *kb.System) int { return compareCells(f.Type, idx.cell(a, f.Key), idx.cell(b, f.Key)) })
	}
	scores := make(map[*kb.System]*web.NeedScore, len(order))
	if len(q.need) > 0 {
		for _, s := range order {
			scores[s] = score(s, t, q.need)
		}
		slices.SortStableFunc(order, func(a, b *kb.System) int {
			sa, sb := scores[a], scores[b]
			return cmp.Or(cmp.Compare(sb.Meets, sa.Meets), cmp.Compare(sb.Partial, sa.Partial))
		})
	}
	rows := make([]web.TopicRow, 0, len(order))
	for _, s := range order {
		row := web.TopicRow{Slug: s.Slug, Name: s.Name, URL: link.System(t.Slug, s.Slug), Summary: s.Summary, Score: scores[s]}
		for _, k := range shown {
			row.Cells = append(row.Cells, webCell(idx.cell(s, k)))
		}
		rows = append(rows, row)
	}
	return rows
}

// topicFeatureList is the feature list, category by category, of the
// features the filter keeps, and how many it keeps.
func topicFeatureList(t kb.Topic, match func(name, slug string) bool) (list []web.FeatureCategory, matched int) {
	for _, g := range byCategory(t) {
		c := web.FeatureCategory{Key: g.key, Title: g.title}
		for _, f := range g.features {
			if !match(f.Name, f.Key) {
				continue
			}
			matched++
			c.Features = append(c.Features, web.FeatureInfo{Key: f.Key, Name: f.Name, Description: f.Description,
				Type: string(cmp.Or(f.Type, kb.TypeSupport))})
		}
		if len(c.Features) > 0 {
			list = append(list, c)
		}
	}
	return list, matched
}

// supportRank orders support levels best first; anything else goes last.
func supportRank(s kb.Support) int {
	if i := slices.Index(kb.SupportLevels, s); i >= 0 {
		return i
	}
	return len(kb.SupportLevels)
}

// compareCells orders two cells of a feature for the topic page's sort:
// support levels best first, numbers and years highest first, text
// alphabetically; unknown values always last.
func compareCells(typ kb.FeatureType, a, b kb.Cell) int {
	switch typ {
	case kb.TypeNumber, kb.TypeYear:
		na, erra := strconv.ParseFloat(strings.TrimSpace(a.Value), 64)
		nb, errb := strconv.ParseFloat(strings.TrimSpace(b.Value), 64)
		switch {
		case erra != nil && errb != nil:
			return 0
		case erra != nil:
			return 1
		case errb != nil:
			return -1
		}
		return cmp.Compare(nb, na)
	case kb.TypeText, kb.TypeList:
		switch {
		case a.Value == "" && b.Value == "":
			return 0
		case a.Value == "":
			return 1
		case b.Value == "":
			return -1
		}
		return strings.Compare(strings.ToLower(a.Value), strings.ToLower(b.Value))
	default:
		return cmp.Compare(supportRank(a.Support), supportRank(b.Support))
	}
}
