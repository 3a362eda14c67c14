package server

import (
	"errors"
	"fmt"
	"net/http"

	"versa/internal/kb"
	"versa/web"
)

// homeArticles is how many of the newest articles the home page lists.
const homeArticles = 5

// handleHome serves GET /: every topic with its systems, and the newest
// articles in the feed's order.
func (s *server) handleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	topics, err := s.store.ListTopicNames(ctx)
	if err != nil {
		return fmt.Errorf("list topics: %w", err)
	}
	v := web.HomeView{Site: s.site(ctx), Topics: make([]web.TopicCard, 0, len(topics))}
	titles := make(map[string]string, len(topics))
	for _, t := range topics {
		systems, err := s.store.ListSystemNames(ctx, t.Slug)
		if errors.Is(err, kb.ErrNotFound) {
			continue // removed by a reload since ListTopics; not the reader's 404
		}
		if err != nil {
			return fmt.Errorf("list systems of %s: %w", t.Slug, err)
		}
		titles[t.Slug] = t.Title
		card := web.TopicCard{Slug: t.Slug, Title: t.Title, Summary: t.Summary}
		for _, sys := range systems {
			card.Systems = append(card.Systems, web.SystemLink{Slug: sys.Slug, Name: sys.Name})
		}
		v.Topics = append(v.Topics, card)
	}
	articles, err := s.store.ListArticles(ctx, kb.ArticleFilter{Limit: homeArticles})
	if err != nil {
		return fmt.Errorf("list articles: %w", err)
	}
	v.Articles = articleItems(articles, titles)
	return s.render(w, r, http.StatusOK, web.HomePage(v))
}
