package kb

import (
	"errors"
	"time"
)

// The search request and its results, shared by the index (internal/search),
// which answers them, and the server, which asks: kept here so that neither
// imports the other.

// ErrSearchNotReady is returned by a search until an index has been built.
var ErrSearchNotReady = errors.New("search index is still being built")

// SearchQuery is one search. Text is matched as words, never as a query
// language. Kind, Topic and System narrow the results; empty means any.
type SearchQuery struct {
	Text    string
	Kind    string // pros, cons, use_cases, body or feature
	Topic   string // topic slug
	System  string // system slug: the system's sections and cells, and the articles that name it
	Page    int    // 1-based; 0 means 1
	PerPage int    // 0 means the searcher's default; more than its maximum is cut to it
	// Verbatim turns typo correction off: a query that finds nothing as
	// typed answers nothing (with a Suggestion) rather than the results
	// of the corrected query. The last word is still matched as a prefix.
	Verbatim bool
}

// SearchResults is one page of hits with the facets of all of them.
type SearchResults struct {
	Total int // documents matching, on every page
	Hits  []SearchHit
	// Facets count the matching documents by kind, topic and system, most
	// first. Kind and Topic add up to Total; a document counts once for each
	// system it is about (an article names several, a feature none).
	Facets SearchFacets
	// Suggestion is the query with each word that no document contains
	// replaced by the closest word that one does, or "" when every word is
	// known or nothing is close.
	Suggestion string
	// Corrected reports that the query as typed found nothing (or only
	// documents with some of its words) and the results are those of
	// Suggestion instead: "Showing results for Suggestion".
	Corrected bool
	// Partial reports that no document has every word of the query, so the
	// hits are those with the most of them.
	Partial bool
	Took    time.Duration
}

// SearchHit is one matching section, feature or cell.
type SearchHit struct {
	Doc     string // "system", "article" or "feature": the page it is on
	Topic   string // slugs
	System  string // set for a system
	Article string // set for an article
	Title   string // system name, article title or feature name
	Kind    string // pros, cons, use_cases, body or feature
	Heading string // the section heading, or the feature's name on a system
	Anchor  string // fragment on the page ("" for the top); "feature-{key}" for features and cells
	Snippet []Fragment
	Score   float64
}

// Fragment is a piece of a snippet. Mark is set on the words that matched.
// Text is plain text: the web layer escapes it and wraps marked parts in
// <mark>, so content can never inject markup.
type Fragment struct {
	Text string
	Mark bool
}

// SearchFacets are counts by kind, topic and system.
type SearchFacets struct {
	Kind, Topic, System []FacetCount
}

// FacetCount is one value of a facet and how many hits have it.
type FacetCount struct {
	Value string
	Count int
}
