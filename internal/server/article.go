package server

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// markerRE matches kb.MatrixMarker's comments in an article's HTML.
var markerRE = regexp.MustCompile(`<!--versa:matrix:(\d+)-->`)

// handleArticle serves GET /articles/{topic}/{article}: one article with its
// live tables in place. An old slug redirects.
func (s *server) handleArticle(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	topicSlug := chi.URLParam(r, "topic")
	slug := chi.URLParam(r, "article")
	topic, err := s.findTopic(r, topicSlug)
	if err != nil {
		return err
	}
	a, moved, err := s.findArticle(w, r, topic, slug, link.Article)
	if moved || err != nil {
		return err
	}
	// Names of every system (for links), cells of only those the tables show.
	all, err := s.store.ListSystemNames(ctx, topicSlug)
	if err != nil {
		return fmt.Errorf("list systems: %w", err)
	}
	var shown []string
	for _, m := range a.Matrices {
		for _, slug := range m.Systems {
			if !slices.Contains(shown, slug) && slices.ContainsFunc(all, func(s kb.System) bool { return s.Slug == slug }) {
				shown = append(shown, slug)
			}
		}
	}
	var full []kb.System
	if len(shown) > 0 {
		if full, err = s.store.CompareSystems(ctx, topicSlug, shown); err != nil {
			return fmt.Errorf("systems of the tables: %w", err)
		}
	}
	v := buildArticle(topic, a, full, all)
	v.Site = s.site(ctx)
	return s.render(w, r, http.StatusOK, web.ArticlePage(v))
}

// handleTopicArticles serves GET /articles/{topic}: the topic's articles
// are the article list filtered by topic.
func (s *server) handleTopicArticles(w http.ResponseWriter, r *http.Request) error {
	t, err := s.findTopicParam(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, articlesURL(t.Slug, "", 1), http.StatusSeeOther)
	return nil
}

// buildArticle lays out an article: its HTML split at the matrix markers,
// each marker replaced by its live table. full holds the systems the tables
// show, with their cells; all names every system of the topic.
func buildArticle(t kb.Topic, a kb.Article, full, all []kb.System) web.ArticleView {
	v := web.ArticleView{
		TopicSlug:  t.Slug,
		TopicTitle: t.Title,
		Slug:       a.Slug,
		Title:      a.Title,
		Summary:    a.Summary,
		Updated:    a.Updated,
		Tags:       a.Tags,
		Source:     a.Path,
	}
	bySlug := make(map[string]*kb.System, len(full))
	for i := range full {
		bySlug[full[i].Slug] = &full[i]
	}
	for _, slug := range a.Systems {
		name := slug
		if i := slices.IndexFunc(all, func(s kb.System) bool { return s.Slug == slug }); i >= 0 {
			name = all[i].Name
		}
		v.Systems = append(v.Systems, web.Crumb{Title: name, URL: link.System(t.Slug, slug)})
	}
	notes, tables := 0, 0 // footnotes and tables so far, so that ids stay unique
	rest := a.HTML
	for {
		loc := markerRE.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		if before := rest[:loc[0]]; before != "" {
			v.Parts = append(v.Parts, web.ArticlePart{HTML: before})
		}
		i, err := strconv.Atoi(rest[loc[2]:loc[3]])
		rest = rest[loc[1]:]
		if err != nil || i >= len(a.Matrices) {
			continue // a marker without its matrix: drop it
		}
		part := matrixPart(t, a.Matrices[i], all, bySlug, tables, &notes)
		if part.Matrix != nil {
			tables++
		}
		v.Parts = append(v.Parts, part)
	}
	if rest != "" {
		v.Parts = append(v.Parts, web.ArticlePart{HTML: rest})
	}
	return v
}

// matrixPart builds one embedded table, after tables others on the page.
// Its footnotes are numbered after the *notes already on the page.
func matrixPart(t kb.Topic, m kb.Matrix, all []kb.System, bySlug map[string]*kb.System, tables int, notes *int) web.ArticlePart {
	var systems []kb.System
	var slugs []string
	for _, slug := range m.Systems {
		if s, ok := bySlug[slug]; ok && !slices.Contains(slugs, slug) {
			systems = append(systems, *s)
			slugs = append(slugs, slug)
		}
	}
	if len(systems) == 0 {
		return web.ArticlePart{Missing: true}
	}
	if len(m.Features) > 0 {
		t.Features = slices.DeleteFunc(slices.Clone(t.Features), func(f kb.Feature) bool {
			return !slices.Contains(m.Features, f.Key)
		})
	}
	q := compareQuery{diff: m.Diff, categories: m.Categories}
	cv := buildCompare(t, systems, all, q, *notes)
	cv.Path = compareURL(t.Slug, slugs, q)
	if tables > 0 {
		// Row ids stay unique on the page: the first table keeps the
		// spec's #feature-{key}, later ones are #matrix-N-feature-{key}.
		cv.RowPrefix = fmt.Sprintf("matrix-%d-feature-", tables+1)
	}
	for i := range cv.Systems {
		// The table is fixed by the article; rearranging it belongs to the
		// compare page.
		cv.Systems[i].LeftURL, cv.Systems[i].RightURL, cv.Systems[i].RemoveURL = "", "", ""
	}
	*notes += len(cv.Footnotes)
	return web.ArticlePart{Matrix: &cv}
}

// articlePage is one page of the article list: the filters, checked, and
// the articles on the page.
type articlePage struct {
	tag, topic string
	page       int
	articles   []kb.Article
	more       bool       // whether an older page follows
	topics     []kb.Topic // every topic (names only), for titles and chips
}

// findArticlePage reads the ?tag=, ?topic= and ?page= of an article list
// and that page of articles, newest first. An unknown topic or tag, or a
// page past the end, is a 404 that lists what exists; a bad page number is
// a 400.
func (s *server) findArticlePage(r *http.Request) (*articlePage, error) {
	ctx := r.Context()
	q := r.URL.Query()
	p := &articlePage{tag: q.Get("tag"), topic: q.Get("topic")}
	var err error
	if p.topics, err = s.store.ListTopicNames(ctx); err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	if p.topic != "" && !slices.ContainsFunc(p.topics, func(t kb.Topic) bool { return t.Slug == p.topic }) {
		return nil, s.topicNotFound(r, p.topic, fmt.Errorf("articles of topic %q: %w", p.topic, kb.ErrNotFound))
	}
	if p.tag != "" {
		every, err := s.store.ListTags(ctx, "")
		if err != nil {
			return nil, fmt.Errorf("list tags: %w", err)
		}
		if !slices.Contains(every, p.tag) {
			links := make([]web.Crumb, 0, len(every))
			for _, t := range every {
				links = append(links, web.Crumb{Title: t, URL: articlesURL(p.topic, t, 1)})
			}
			return nil, notFound(fmt.Sprintf("No article is tagged %q. These tags exist:", p.tag), links,
				fmt.Errorf("tag %q: %w", p.tag, kb.ErrNotFound))
		}
	}
	if p.page, err = listPage(q.Get("page")); err != nil {
		return nil, err
	}
	// One more than a page tells whether there is an older page.
	p.articles, err = s.store.ListArticles(ctx, kb.ArticleFilter{Topic: p.topic, Tag: p.tag,
		Limit: articlesPerPage + 1, Offset: (p.page - 1) * articlesPerPage})
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	if len(p.articles) == 0 && p.page > 1 {
		return nil, notFound(fmt.Sprintf("There is no page %d of these articles.", p.page),
			[]web.Crumb{{Title: "The first page", URL: articlesURL(p.topic, p.tag, 1)}},
			fmt.Errorf("articles page %d: %w", p.page, kb.ErrNotFound))
	}
	if len(p.articles) > articlesPerPage {
		p.articles, p.more = p.articles[:articlesPerPage], true
	}
	return p, nil
}

// handleArticles serves GET /articles, /articles?tag=x&topic=y&page=n:
// every article newest first, a page at a time, with the tag and topic
// filters as chips.
func (s *server) handleArticles(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.findArticlePage(r)
	if err != nil {
		return err
	}
	tag, topicSlug, page := p.tag, p.topic, p.page
	titles := make(map[string]string, len(p.topics))
	for _, t := range p.topics {
		titles[t.Slug] = t.Title
	}
	tags, err := s.store.ListTags(ctx, topicSlug)
	if err != nil {
		return fmt.Errorf("list tags: %w", err)
	}
	v := web.ArticlesView{
		Site:     s.site(ctx),
		Tag:      tag,
		Topic:    topicSlug,
		Page:     page,
		ClearURL: "/articles",
	}
	if p.more {
		v.OlderURL = articlesURL(topicSlug, tag, page+1)
	}
	if page > 1 {
		v.NewerURL = articlesURL(topicSlug, tag, page-1)
	}
	v.Articles = articleItems(p.articles, titles)
	for _, t := range p.topics {
		c := web.FilterChip{Label: t.Title, URL: articlesURL(t.Slug, tag, 1)}
		if t.Slug == topicSlug {
			c.Current, c.URL = true, articlesURL("", tag, 1)
		}
		v.Topics = append(v.Topics, c)
	}
	if tag != "" && !slices.Contains(tags, tag) {
		tags = append(tags, tag) // tagged in other topics only: still removable
	}
	for _, t := range tags {
		c := web.FilterChip{Label: t, URL: articlesURL(topicSlug, t, 1)}
		if t == tag {
			c.Current, c.URL = true, articlesURL(topicSlug, "", 1)
		}
		v.Tags = append(v.Tags, c)
	}
	return s.render(w, r, http.StatusOK, web.ArticlesPage(v))
}

// articlesPerPage is the length of one page of /articles: a page stays
// light on a folder of thousands of articles.
var articlesPerPage = 100 // a variable so tests can lower it

// listPage reads the ?page= of a list: 1 when absent; a number below 1 or
// not a number is a bad request.
func listPage(v string) (int, error) {
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &pageError{message: fmt.Sprintf("The page %q is not a page number: use 1, 2, 3 ...", v),
			err: fmt.Errorf("list page %q: %w", v, kb.ErrInvalid)}
	}
	return n, nil
}

// articlesURL is the article list with the given filters, at page (the
// first page has no page parameter).
func articlesURL(topic, tag string, page int) string {
	q := url.Values{}
	if tag != "" {
		q.Set("tag", tag)
	}
	if topic != "" {
		q.Set("topic", topic)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return link.Articles
	}
	return link.Articles + "?" + q.Encode()
}
