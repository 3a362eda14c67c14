package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// Finding what a URL names: a topic, a system or an article by slug, an old
// slug (an alias) answered with a redirect to the new one, and the 404 pages
// that list what exists instead.

// findTopicParam reads the topic named by the route's {topic}; an unknown
// one is the 404 that lists the topics.
func (s *server) findTopicParam(r *http.Request) (kb.Topic, error) {
	return s.findTopic(r, chi.URLParam(r, "topic"))
}

// findTopic reads the topic slug; an unknown one is the 404 that lists the
// topics.
func (s *server) findTopic(r *http.Request, slug string) (kb.Topic, error) {
	rev, revErr := s.store.Revision(r.Context())
	if revErr == nil {
		if t, ok := s.topics.get(rev, slug); ok {
			return t, nil
		}
	}
	t, err := s.store.FindTopic(r.Context(), slug)
	if errors.Is(err, kb.ErrNotFound) {
		return t, s.topicNotFound(r, slug, err)
	}
	if err != nil {
		return t, fmt.Errorf("find topic: %w", err)
	}
	if revErr == nil {
		s.topics.put(rev, t)
	}
	return t, nil
}

// topicNotFound is the 404 for an unknown topic: it lists the topics.
func (s *server) topicNotFound(r *http.Request, slug string, err error) error {
	topics, lerr := s.store.ListTopicNames(r.Context())
	if lerr != nil {
		return fmt.Errorf("list topics: %w", lerr)
	}
	var links []web.Crumb
	for _, t := range topics {
		links = append(links, web.Crumb{Title: t.Title, URL: link.Topic(t.Slug)})
	}
	return notFound(fmt.Sprintf("There is no topic %q. These topics exist:", slug), links, err)
}

// systemNotFound is the 404 for an unknown system: it lists the topic's.
func (s *server) systemNotFound(t kb.Topic, all []kb.System, slug string, err error) error {
	return notFound(fmt.Sprintf("The topic %s has no system %q. Its systems are:", t.Title, slug), systemLinks(t, all),
		fmt.Errorf("system %q: %w", slug, err))
}

// systemLinks lists a topic's systems as links.
func systemLinks(t kb.Topic, all []kb.System) []web.Crumb {
	links := make([]web.Crumb, 0, len(all))
	for _, s := range all {
		links = append(links, web.Crumb{Title: s.Name, URL: link.System(t.Slug, s.Slug)})
	}
	return links
}

// findSystem reads the system slug of topic t. An old slug (an alias) is
// answered with a permanent redirect to path(topic, new slug) with r's
// query, and moved; an unknown one is the 404 that lists the systems.
func (s *server) findSystem(w http.ResponseWriter, r *http.Request, t kb.Topic, slug string, path func(topic, slug string) string) (sys kb.System, moved bool, err error) {
	return s.findSystemWith(w, r, t, slug, path, nil)
}

// findSystemWith is findSystem reading the cells of the given features only
// (as ScopedReader does), or every cell when features is nil.
func (s *server) findSystemWith(w http.ResponseWriter, r *http.Request, t kb.Topic, slug string, path func(topic, slug string) string, features []string) (sys kb.System, moved bool, err error) {
	if features == nil {
		sys, err = s.store.FindSystem(r.Context(), t.Slug, slug)
	} else {
		sys, err = s.store.FindSystemWith(r.Context(), t.Slug, slug, features)
	}
	if errors.Is(err, kb.ErrNotFound) {
		if moved, aerr := s.followAlias(w, r, t.Slug, kb.AliasSystem, slug, path); moved || aerr != nil {
			return sys, moved, aerr
		}
		all, lerr := s.store.ListSystemNames(r.Context(), t.Slug)
		if lerr != nil {
			return sys, false, fmt.Errorf("list systems: %w", lerr)
		}
		return sys, false, s.systemNotFound(t, all, slug, err)
	}
	if err != nil {
		return sys, false, fmt.Errorf("find system: %w", err)
	}
	return sys, false, nil
}

// findArticle reads the article slug of topic t, as findSystem does a
// system: an alias redirects to path, an unknown slug is a 404.
func (s *server) findArticle(w http.ResponseWriter, r *http.Request, t kb.Topic, slug string, path func(topic, slug string) string) (a kb.Article, moved bool, err error) {
	a, err = s.store.FindArticle(r.Context(), t.Slug, slug)
	if errors.Is(err, kb.ErrNotFound) {
		if moved, aerr := s.followAlias(w, r, t.Slug, kb.AliasArticle, slug, path); moved || aerr != nil {
			return a, moved, aerr
		}
		return a, false, s.articleNotFound(r, t, slug, err)
	}
	if err != nil {
		return a, false, fmt.Errorf("find article: %w", err)
	}
	return a, false, nil
}

// followAlias answers a permanent redirect to path(topic, new slug), with
// r's query, when slug is an old slug (an alias) of a system or article
// (kind) of topic, and reports whether it did.
func (s *server) followAlias(w http.ResponseWriter, r *http.Request, topic, kind, slug string, path func(topic, slug string) string) (bool, error) {
	to, err := s.store.ResolveAlias(r.Context(), topic, kind, slug)
	if errors.Is(err, kb.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("resolve alias: %w", err)
	}
	http.Redirect(w, r, withQuery(path(topic, to), r), http.StatusPermanentRedirect)
	return true, nil
}

// articleNotFound is the 404 for an unknown article: it lists the topic's.
func (s *server) articleNotFound(r *http.Request, t kb.Topic, slug string, err error) error {
	as, lerr := s.store.ListArticles(r.Context(), kb.ArticleFilter{Topic: t.Slug})
	if lerr != nil {
		return fmt.Errorf("list articles: %w", lerr)
	}
	links := make([]web.Crumb, 0, len(as))
	for _, a := range as {
		links = append(links, web.Crumb{Title: a.Title, URL: link.Article(a.Topic, a.Slug)})
	}
	msg := fmt.Sprintf("The topic %s has no article %q. Its articles are:", t.Title, slug)
	if len(links) == 0 {
		msg = fmt.Sprintf("The topic %s has no article %q, and no articles yet.", t.Title, slug)
	}
	return notFound(msg, links, fmt.Errorf("article %q: %w", slug, err))
}
