package web

// SearchView is the search page. The server computes every link, so each
// control is a plain link or GET form and the URL says what is on screen.
type SearchView struct {
	Site Site
	// Text is the query as typed; Kind, Topic and System are the filters,
	// kept as hidden fields of the query form.
	Text   string
	Kind   string
	Topic  string
	System string
	// Filters are the active filters as chips whose links drop them.
	Filters []SearchChip
	// Help is set for an empty query: the page explains what is searched
	// and offers Examples instead of results.
	Help     bool
	Examples []Crumb
	// NotReady is set while the index is being built; the page says so and
	// shows nothing else.
	NotReady bool

	Total   int
	Page    int // 1-based
	Pages   int
	PrevURL string // empty on the first page
	NextURL string // empty on the last page
	Hits    []SearchResult
	Facets  []SearchFacet
	// Suggestion is a corrected query and SuggestionURL its search, shown
	// as "Did you mean …?"; empty when there is none.
	Suggestion    string
	SuggestionURL string
	// Corrected is set when the words as typed found nothing and the hits
	// are those of this corrected query: "Showing results for Corrected",
	// with VerbatimURL searching the words as typed.
	Corrected   string
	VerbatimURL string
	// Partial says no document has every word, so the hits have some.
	Partial bool
}

// SearchChip is one active filter and the search without it.
type SearchChip struct {
	Label     string // such as "Kind: Pros"
	RemoveURL string
}

// SearchResult is one hit as a card.
type SearchResult struct {
	Title      string // system name, article title or feature name
	URL        string // the page and section
	Kind       string // pros, cons, use_cases, body or feature
	KindLabel  string // Pros, Cons, Use cases, Overview, Section or Feature
	Heading    string // the section heading; empty when it is the title
	TopicTitle string
	TopicURL   string
	Snippet    []SnippetPart
	// Values are, for a feature, the systems' values (at most a few; the
	// feature's page, URL, has all), and MoreValues how many are left out.
	Values     []HitValue
	MoreValues int
}

// HitValue is one system's value of a feature, linked to its row.
type HitValue struct {
	System string
	URL    string
	Cell   CompareCell
}

// SnippetPart is a piece of a snippet: plain text, wrapped in <mark> when
// Mark is set. The template escapes Text.
type SnippetPart struct {
	Text string
	Mark bool
}

// SearchFacet is the counts of one facet (kind, topic or system).
type SearchFacet struct {
	Name   string // kind, topic or system
	Title  string // Kind, Topic, System
	Values []FacetLink
}

// FacetLink is one value of a facet: its count and the search narrowed to
// it, or, when it is the active filter, the search without it.
type FacetLink struct {
	Label   string
	Count   int
	URL     string
	Current bool
}
