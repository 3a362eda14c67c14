package main

import (
	"context"
	"errors"
	"fmt"

	"versa/internal/search"
	"versa/internal/server"
)

// searchAdapter serves the index to the server, which may not import
// internal/search: it converts the query and results between the twin
// types and maps search.ErrNotReady to server.ErrSearchNotReady.
type searchAdapter struct{ ix *search.Index }

var _ server.Searcher = searchAdapter{}

func (a searchAdapter) Search(ctx context.Context, q server.SearchQuery) (server.SearchResults, error) {
	res, err := a.ix.Search(ctx, search.Query(q))
	if errors.Is(err, search.ErrNotReady) {
		return server.SearchResults{}, fmt.Errorf("%w: %w", server.ErrSearchNotReady, err)
	}
	if err != nil {
		return server.SearchResults{}, err // kb.ErrInvalid stays wrapped: a 400
	}
	out := server.SearchResults{
		Total:      res.Total,
		Hits:       make([]server.SearchHit, len(res.Hits)),
		Facets:     server.SearchFacets{Kind: facetCounts(res.Facets.Kind), Topic: facetCounts(res.Facets.Topic), System: facetCounts(res.Facets.System)},
		Suggestion: res.Suggestion,
		Partial:    res.Partial,
		Took:       res.Took,
	}
	for i, h := range res.Hits {
		snippet := make([]server.Fragment, len(h.Snippet))
		for j, f := range h.Snippet {
			snippet[j] = server.Fragment(f)
		}
		out.Hits[i] = server.SearchHit{
			Doc: h.Doc, Topic: h.Topic, System: h.System, Article: h.Article, Title: h.Title,
			Kind: h.Kind, Heading: h.Heading, Anchor: h.Anchor, Snippet: snippet, Score: h.Score,
		}
	}
	return out, nil
}

func facetCounts(in []search.FacetCount) []server.FacetCount {
	out := make([]server.FacetCount, len(in))
	for i, c := range in {
		out[i] = server.FacetCount(c)
	}
	return out
}
