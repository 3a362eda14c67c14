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

// handleSystem serves GET /topics/{topic}/{system}: one system's overview,
// pros, cons and use cases, every feature value, links to compare it with
// the others and the articles that mention it. An old slug redirects.
func (s *server) handleSystem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	topicSlug := chi.URLParam(r, "topic")
	slug := chi.URLParam(r, "system")
	topic, err := s.findTopic(r, topicSlug)
	if err != nil {
		return err
	}
	// Over the row budget, the page shows one group of rows: only their
	// cells are read. A bad group or page is answered after the system's
	// own 404 or redirect.
	rv, rowsErr := parseRowView(r.URL.Query())
	var shown []kb.Feature
	var b budgeted
	if rowsErr == nil {
		shown, b, rowsErr = budgetFeatures(byCategory(topic), rowBudget, rv, func(rv rowView) string { return rv.encode(link.System(topicSlug, slug)) })
	}
	read := keysOf(shown)
	if rowsErr != nil {
		read = []string{}
	}
	sys, moved, err := s.findSystemWith(w, r, topic, slug, link.System, read)
	if moved || err != nil {
		return err
	}
	if rowsErr != nil {
		return rowsErr
	}
	all, err := s.store.ListSystemNames(ctx, topicSlug) // for the compare links
	if err != nil {
		return fmt.Errorf("list systems: %w", err)
	}
	articles, err := s.store.ListArticles(ctx, kb.ArticleFilter{Topic: topicSlug, System: slug, ByWeight: true})
	if err != nil {
		return fmt.Errorf("list articles: %w", err)
	}
	if shown != nil {
		topic.Features = shown
	}
	v := buildSystem(topic, sys, all, articles)
	v.Index, v.Pager = b.index, b.pager
	v.Site = s.site(ctx)
	if s.history != nil {
		v.ChangesURL = link.SystemChanges(topic.Slug, sys.Slug)
	}
	return s.render(w, r, http.StatusOK, web.SystemPage(v))
}

// buildSystem lays out a system's page.
func buildSystem(t kb.Topic, sys kb.System, all []kb.System, articles []kb.Article) web.SystemView {
	v := web.SystemView{
		TopicSlug:  t.Slug,
		TopicTitle: t.Title,
		Slug:       sys.Slug,
		Name:       sys.Name,
		Summary:    sys.Summary,
		Homepage:   sys.Homepage,
		Tags:       sys.Tags,
		Source:     sys.Path,
	}
	for _, sec := range sys.Sections {
		ws := web.SystemSection{Kind: string(sec.Kind), Heading: sec.Heading, Anchor: sec.Anchor, HTML: sec.HTML}
		switch {
		case sec.Heading == "":
			v.Overview += sec.HTML
		case sec.Kind == kb.KindBody:
			v.Body = append(v.Body, ws)
		default:
			v.Lists = append(v.Lists, ws)
		}
	}
	cells := sys.ByKey()
	for _, g := range byCategory(t) {
		wg := web.FeatureGroup{Key: g.key, Title: g.title}
		for _, f := range g.features {
			c := cells.Cell(f.Key)
			wg.Rows = append(wg.Rows, web.FeatureValue{Key: f.Key, Name: f.Name, Description: f.Description,
				Cell: webCell(c), Note: c.Note, Via: c.Via, Since: c.Since, Source: c.Source, Checked: c.CheckedDate()})
		}
		v.Groups = append(v.Groups, wg)
	}
	for _, o := range all {
		if o.Slug != sys.Slug {
			v.Compare = append(v.Compare, web.Crumb{Title: o.Name, URL: compareURL(t.Slug, []string{sys.Slug, o.Slug}, compareQuery{})})
		}
	}
	v.Articles = articleItems(articles, map[string]string{t.Slug: t.Title})
	return v
}

// categoryFeatures is one category of a topic with its features.
type categoryFeatures struct {
	key, title string
	features   []kb.Feature
}

// byCategory groups a topic's features by category, in the topic's order;
// features of an unknown category come last under "Other", and empty
// categories are left out.
func byCategory(t kb.Topic) []categoryFeatures {
	index := make(map[string]int, len(t.Categories))
	groups := make([]categoryFeatures, 0, len(t.Categories)+1)
	for _, c := range t.Categories {
		index[c.Key] = len(groups)
		groups = append(groups, categoryFeatures{key: c.Key, title: c.Title})
	}
	other := categoryFeatures{key: "other", title: "Other"}
	for _, f := range t.Features {
		if i, ok := index[f.Category]; ok {
			groups[i].features = append(groups[i].features, f)
		} else {
			other.features = append(other.features, f)
		}
	}
	groups = append(groups, other)
	return slices.DeleteFunc(groups, func(g categoryFeatures) bool { return len(g.features) == 0 })
}

// webCell is a cell as the tables show it: a support level, or a value.
func webCell(c kb.Cell) web.CompareCell {
	if c.Value != "" {
		return web.CompareCell{Value: c.Value}
	}
	if c.Support == "" {
		return web.CompareCell{Support: string(kb.SupportUnknown)}
	}
	return web.CompareCell{Support: string(c.Support)}
}

// articleItems lists articles for a page, naming each topic by its title
// when titles has it.
func articleItems(as []kb.Article, titles map[string]string) []web.ArticleItem {
	out := make([]web.ArticleItem, 0, len(as))
	for _, a := range as {
		title := titles[a.Topic]
		if title == "" {
			title = a.Topic
		}
		item := web.ArticleItem{URL: link.Article(a.Topic, a.Slug), Title: a.Title, TopicSlug: a.Topic,
			TopicTitle: title, Summary: a.Summary, Updated: a.Updated, Tags: a.Tags}
		if a.ShortTitle != "" && a.ShortTitle != a.Title {
			// A list shows the linkTitle, the whole title on hover.
			item.Title, item.FullTitle = a.ShortTitle, a.Title
		}
		out = append(out, item)
	}
	return out
}
