package web

import (
	"net/url"
	"time"

	"versa/internal/link"
)

// SystemView is one system's page: its overview, pros, cons and use cases,
// every feature value and where to go next.
type SystemView struct {
	Site       Site
	TopicSlug  string
	TopicTitle string
	Slug       string
	Name       string
	Summary    string
	Homepage   string
	Tags       []string
	Overview   string          // sanitized HTML of the lead section
	Lists      []SystemSection // pros, cons and use cases, shown side by side
	Body       []SystemSection // every other section, in file order
	Groups     []FeatureGroup
	Index      *GroupIndex // the groups, when the features are more than a page shows
	Pager      *Pager
	Compare    []Crumb // "Compare with …" links to each other system
	Articles   []ArticleItem
	Source     string // the system's file, relative to the content folder
	ChangesURL string // the system's change list; empty when none is kept
}

// SystemSection is one `##` section of a system's file.
type SystemSection struct {
	Kind    string // pros, cons, use_cases or body
	Heading string
	Anchor  string
	HTML    string // sanitized HTML
}

// FeatureGroup is one category's features with one system's values.
type FeatureGroup struct {
	Key   string
	Title string
	Rows  []FeatureValue
}

// FeatureValue is one feature of a system, with what backs the value.
type FeatureValue struct {
	Key         string
	Name        string
	Description string
	Cell        CompareCell
	Note        string
	Via         string
	Since       string
	Source      string
	Checked     string // YYYY-MM-DD, "" when not given
}

// TopicView is a topic's page: its systems as rows with a few feature
// columns, and every feature listed by category below. As on the compare
// page, the server computes every link, so controls are plain links and GET
// forms.
type TopicView struct {
	Site     Site
	Slug     string
	Title    string
	Summary  string
	Path     string // the topic page's path, where its forms submit
	Columns  []TopicColumn
	Rows     []TopicRow
	Scored   bool // whether needs were given, so rows carry scores
	Needs    []NeedChip
	Options  []Option // features that can be added as needs or columns
	NameSort string   // the URL of the view sorted by name (no sort)
	Sorted   bool     // whether a feature sort is applied
	Query    TopicQuery
	Features []FeatureCategory
	Index    *GroupIndex // the feature groups, when more than a page lists
	Pager    *Pager
	Collapse bool // whether the feature list is too long to show open
	Count    int  // features in the topic
	Systems  int  // systems in the topic; Rows holds those the filter keeps
	Matched  int  // features the filter keeps, listed in Features
	// Kept is how many systems the filter keeps: Rows holds a page of them
	// when they are more than SystemsPager's page shows.
	Kept         int
	SystemsPager *Pager
	// Picked are the systems ticked when "compare selected" was sent with
	// fewer than two, and PickHint says what to do; empty otherwise.
	Picked   []string
	PickHint string
	// ClearFilter is the URL of the view without the filter.
	ClearFilter string
	Source      string // the topic's topic.yaml, relative to the content folder
	ChangesURL  string // the topic's change list; empty when none is kept
}

// TopicQuery is the filter part of a topic URL, for hidden form fields.
type TopicQuery struct {
	Cols   string // comma-separated
	Need   string // comma-separated
	Sort   string
	Filter string // the filter box's text
}

// TopicColumn is one feature shown as a column of the systems table.
type TopicColumn struct {
	Key     string
	Name    string
	SortURL string
	Sorted  bool
	Needed  bool
}

// TopicRow is one system of the topic.
type TopicRow struct {
	Slug    string
	Name    string
	URL     string
	Summary string
	Cells   []CompareCell
	Score   *NeedScore
}

// FeatureCategory is one category of a topic with its features.
type FeatureCategory struct {
	Key      string
	Title    string
	Features []FeatureInfo
}

// FeatureInfo describes one feature of a topic.
type FeatureInfo struct {
	Key         string
	Name        string
	Description string
	Type        string
}

// ArticleView is one article, with its live tables in place.
type ArticleView struct {
	Site       Site
	TopicSlug  string
	TopicTitle string
	Slug       string
	Title      string
	Summary    string
	Updated    time.Time
	Tags       []string
	Systems    []Crumb
	Parts      []ArticlePart
	Source     string // the article's file, relative to the content folder
}

// ArticlePart is a run of the article's HTML or one of its live tables.
type ArticlePart struct {
	HTML    string       // sanitized HTML; empty for a table
	Matrix  *CompareView // nil for HTML
	Missing bool         // a table whose systems no longer exist
}

// ArticlesView is the list of articles, newest first, with its filters.
type ArticlesView struct {
	Site     Site
	Tag      string
	Topic    string // the topic's slug
	Articles []ArticleItem
	Tags     []FilterChip
	Topics   []FilterChip
	ClearURL string // the list without filters
	Page     int    // from 1
	NewerURL string // the previous page; empty on the first
	OlderURL string // the next page; empty on the last
}

// ArticleItem is one article in a list.
type ArticleItem struct {
	URL        string
	Title      string // the short title (Hugo's linkTitle) when it has one
	FullTitle  string // the whole title when Title is the short one
	TopicSlug  string
	TopicTitle string
	Summary    string
	Updated    time.Time
	Tags       []string
}

// FilterChip is one value of a list filter: selecting it, or clearing it
// when it is the current one.
type FilterChip struct {
	Label   string
	URL     string
	Current bool
}

// date formats a day as the pages show it.
func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2 January 2006")
}

// tagURL is the list of articles with a tag.
func tagURL(tag string) string { return link.Articles + "?tag=" + url.QueryEscape(tag) }

// sortState is a column header's aria-sort. The sort is best first, which
// is neither plainly ascending nor descending for support levels and text.
func sortState(sorted bool) string {
	if sorted {
		return "other"
	}
	return "none"
}
