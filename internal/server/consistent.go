package server

import (
	"context"
	"net/http"

	"versa/internal/kb"
)

// ConsistentReader is implemented by a Store that can run several reads as
// one consistent read of the content (one read transaction). Each page is
// then read at one point in time: a reload that lands while the page is
// being read shows on the next request, never halfway through this one (no
// table with a system of the new content and a cell of the old).
type ConsistentReader interface {
	ReadConsistent(ctx context.Context, fn func(Store) error) error
}

type consistentKey struct{}

// scopedStore reads from the request's consistent read when it has one,
// and from the store otherwise. Handlers use it as s.store and need not know.
type scopedStore struct{ base Store }

func (s scopedStore) pick(ctx context.Context) Store {
	if v, ok := ctx.Value(consistentKey{}).(Store); ok {
		return v
	}
	return s.base
}

// readConsistent runs h with the request's reads as one consistent read,
// when the store can make one.
func (s *server) readConsistent(h handlerFunc) handlerFunc {
	snap, ok := s.store.base.(ConsistentReader)
	if !ok {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		return snap.ReadConsistent(r.Context(), func(v Store) error {
			return h(w, r.WithContext(context.WithValue(r.Context(), consistentKey{}, v)))
		})
	}
}

func (s scopedStore) ListTopics(ctx context.Context) ([]kb.Topic, error) {
	return s.pick(ctx).ListTopics(ctx)
}

func (s scopedStore) ListTopicNames(ctx context.Context) ([]kb.Topic, error) {
	return s.pick(ctx).ListTopicNames(ctx)
}

func (s scopedStore) FindTopic(ctx context.Context, slug string) (kb.Topic, error) {
	return s.pick(ctx).FindTopic(ctx, slug)
}

func (s scopedStore) ListSystems(ctx context.Context, topic string) ([]kb.System, error) {
	return s.pick(ctx).ListSystems(ctx, topic)
}

func (s scopedStore) FindSystem(ctx context.Context, topic, slug string) (kb.System, error) {
	return s.pick(ctx).FindSystem(ctx, topic, slug)
}

func (s scopedStore) ListArticles(ctx context.Context, f kb.ArticleFilter) ([]kb.Article, error) {
	return s.pick(ctx).ListArticles(ctx, f)
}

func (s scopedStore) ListTags(ctx context.Context, topic string) ([]string, error) {
	return s.pick(ctx).ListTags(ctx, topic)
}

func (s scopedStore) FindArticle(ctx context.Context, topic, slug string) (kb.Article, error) {
	return s.pick(ctx).FindArticle(ctx, topic, slug)
}

func (s scopedStore) ResolveAlias(ctx context.Context, topic, kind, from string) (string, error) {
	return s.pick(ctx).ResolveAlias(ctx, topic, kind, from)
}

func (s scopedStore) Revision(ctx context.Context) (kb.Revision, error) {
	return s.pick(ctx).Revision(ctx)
}

func (s scopedStore) ListSystemSlugs(ctx context.Context, topic string) ([]string, error) {
	return s.pick(ctx).ListSystemSlugs(ctx, topic)
}

func (s scopedStore) ListSystemCells(ctx context.Context, topic string, features []string) ([]kb.System, error) {
	return s.pick(ctx).ListSystemCells(ctx, topic, features)
}

func (s scopedStore) ListSystemNames(ctx context.Context, topic string) ([]kb.System, error) {
	return s.pick(ctx).ListSystemNames(ctx, topic)
}

func (s scopedStore) CompareSystems(ctx context.Context, topic string, slugs []string) ([]kb.System, error) {
	return s.pick(ctx).CompareSystems(ctx, topic, slugs)
}
