// Package kb holds Versa's domain types: topics, their features, systems with
// their cells, articles and the problems found while loading them. It imports
// only the standard library so every other package can share it.
package kb

import (
	"errors"
	"fmt"
	"time"
)

// Errors that stores and handlers map to statuses.
var (
	// ErrNotFound is returned when a topic, system, article or alias does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid is returned for input that can never succeed (bad slug, bad filter).
	ErrInvalid = errors.New("invalid")
	// ErrUnavailable is returned when a store a request needs does not
	// answer (a database that is down or too slow): try again later.
	ErrUnavailable = errors.New("unavailable")
)

// Support is how far a system supports a feature.
type Support string

// The support levels editors may write. Unknown is also what a missing cell means.
const (
	SupportYes     Support = "yes"
	SupportPartial Support = "partial"
	SupportPlugin  Support = "plugin"
	SupportNo      Support = "no"
	SupportUnknown Support = "unknown"
)

// SupportLevels lists the valid support values, best first.
var SupportLevels = []Support{SupportYes, SupportPartial, SupportPlugin, SupportNo, SupportUnknown}

// Valid reports whether s is one of SupportLevels.
func (s Support) Valid() bool {
	for _, l := range SupportLevels {
		if s == l {
			return true
		}
	}
	return false
}

// FeatureType says how a feature's cells are written and compared.
type FeatureType string

// The feature types of topic.yaml; support is the default.
const (
	TypeSupport FeatureType = "support"
	TypeText    FeatureType = "text"
	TypeNumber  FeatureType = "number"
	TypeYear    FeatureType = "year"
	TypeList    FeatureType = "list"
)

// FeatureTypes lists the valid feature types.
var FeatureTypes = []FeatureType{TypeSupport, TypeText, TypeNumber, TypeYear, TypeList}

// Valid reports whether t is one of FeatureTypes.
func (t FeatureType) Valid() bool {
	for _, v := range FeatureTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Topic is one comparison domain: a folder under content/.
type Topic struct {
	Slug       string
	Title      string
	Summary    string
	Categories []Category // in file order
	Features   []Feature  // in file order
	Path       string     // topic.yaml, relative to the content root
}

// Category groups features; features are shown category by category.
type Category struct {
	Key   string
	Title string
}

// Feature is one row of a comparison table.
type Feature struct {
	Key         string
	Name        string
	Category    string // a Category.Key of the same topic
	Description string
	Type        FeatureType
}

// Cell is one system's value for one feature.
type Cell struct {
	Feature string  // Feature.Key
	Support Support // for support-typed features; unknown otherwise when Value is empty
	Value   string  // for text, number, year and list features (a list is joined with ", ")
	Note    string
	Since   string
	Via     string // the plugin or extension that provides the feature
	Source  string // a URL
	// Checked is the day an editor last verified the cell (midnight UTC),
	// from the cell's `checked:` or its system file's; zero when neither
	// gives one.
	Checked time.Time
}

// CheckedDate is Checked as YYYY-MM-DD, "" when the cell has none: the
// form the content, the store, the exports and the API write it in.
func (c Cell) CheckedDate() string {
	if c.Checked.IsZero() {
		return ""
	}
	return c.Checked.Format(time.DateOnly)
}

// ParseChecked reads a checked date as CheckedDate writes it ("" is zero).
func ParseChecked(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

// Known reports whether the cell says anything about the feature.
func (c Cell) Known() bool {
	return c.Value != "" || (c.Support != "" && c.Support != SupportUnknown)
}

// Same reports whether two cells show the same value, ignoring notes and
// sources; it is what "differences only" compares.
func (c Cell) Same(o Cell) bool {
	return c.Support == o.Support && c.Value == o.Value
}

// System is one product compared within a topic.
type System struct {
	Topic    string
	Slug     string
	Name     string
	Homepage string
	Summary  string
	Tags     []string
	Aliases  []string
	// Cells holds one cell per feature of the topic, in the topic's feature
	// order; features the file does not mention are unknown cells.
	Cells    []Cell
	Sections []Section
	Path     string // relative to the content root
	// ShortTitle, Order and Params come from Hugo-style front matter
	// (linkTitle, weight, params): a shorter name for tight places, a sort
	// weight (lower first) and free data Versa keeps but does not show.
	ShortTitle string
	Order      int
	Params     map[string]any
}

// Cell returns the system's cell for a feature key, unknown if absent.
func (s *System) Cell(feature string) Cell {
	for _, c := range s.Cells {
		if c.Feature == feature {
			return c
		}
	}
	return Cell{Feature: feature, Support: SupportUnknown}
}

// CellsByKey is a system's cells by feature key, for reading many of them:
// Cell scans the list, which for every feature of a topic of thousands is
// quadratic.
type CellsByKey map[string]Cell

// ByKey indexes s's cells by feature key.
func (s *System) ByKey() CellsByKey {
	m := make(CellsByKey, len(s.Cells))
	for _, c := range s.Cells {
		if _, dup := m[c.Feature]; !dup {
			m[c.Feature] = c // the first, as Cell finds it
		}
	}
	return m
}

// Cell is the cell of the feature, as System.Cell gives it.
func (m CellsByKey) Cell(feature string) Cell {
	if c, ok := m[feature]; ok {
		return c
	}
	return Cell{Feature: feature, Support: SupportUnknown}
}

// SectionKind classifies a `##` section for search and display.
type SectionKind string

// The section kinds of the spec.
const (
	KindPros     SectionKind = "pros"
	KindCons     SectionKind = "cons"
	KindUseCases SectionKind = "use_cases"
	KindBody     SectionKind = "body"
)

// Section is the text under one `##` heading (or before the first one, with
// an empty Heading).
type Section struct {
	Kind    SectionKind
	Heading string
	Anchor  string   // the heading's id attribute; empty for the lead section
	HTML    string   // rendered, sanitized HTML of the section body (without its heading)
	Text    string   // plain text, for search and snippets
	Items   []string // plain text of the top-level list items, for pros/cons/use cases
}

// Article is a long-form editorial piece about a topic.
type Article struct {
	Topic   string
	Slug    string
	Title   string
	Summary string
	Systems []string // system slugs of the same topic
	Tags    []string
	Aliases []string
	Updated time.Time
	// HTML is the rendered body. Each ```matrix block is left as the marker
	// MatrixMarker(i), to be replaced by the live table for Matrices[i].
	HTML     string
	Matrices []Matrix
	Sections []Section
	Path     string
	// ShortTitle, Order and Params come from Hugo-style front matter
	// (linkTitle, weight, params).
	ShortTitle string
	Order      int
	Params     map[string]any
	// Unpublished is set for a draft, an article whose publishDate is
	// still to come or one whose expiryDate has passed; the content loader
	// leaves such articles out unless drafts are asked for.
	Unpublished bool
}

// Matrix is a live comparison table embedded in an article.
type Matrix struct {
	Systems    []string
	Categories []string // empty means all
	Features   []string // empty means all of the chosen categories
	Diff       bool     // only rows that differ
}

// MatrixMarker is the HTML comment that stands for Matrices[i] in Article.HTML.
// Raw HTML in content is dropped at render time, so only the renderer can
// write it.
func MatrixMarker(i int) string { return fmt.Sprintf("<!--versa:matrix:%d-->", i) }

// Content is one whole, validated load of a content folder.
type Content struct {
	Revision string // a hash of every file that was read
	Topics   []Topic
	Systems  []System  // sorted by topic, then slug
	Articles []Article // sorted by topic, then slug
}

// Sink receives content while a load parses it: every topic first, then
// every system, then the articles. A store inserts them as they come, so a
// cold load never holds the whole parsed folder in memory.
type Sink struct {
	Topic   func(Topic) error
	System  func(System) error
	Article func(Article) error
}

// Key names one system or article: its topic's slug and its own.
type Key struct {
	Topic string
	Slug  string
}

// Drop says what an incremental load removes before it adds what its Sink
// receives. A changed item is dropped and added again: every system or
// article the Sink then receives is listed here, so a consumer only deletes
// what Drop names and inserts what the Sink hands it. Dropping a topic drops
// its definition (categories, features) and every system and article in it;
// the Sink then receives the topic again unless it was deleted.
type Drop struct {
	Topics   []string
	Systems  []Key
	Articles []Key
}

// Empty reports whether the drop removes nothing.
func (d Drop) Empty() bool {
	return len(d.Topics) == 0 && len(d.Systems) == 0 && len(d.Articles) == 0
}

// Problem is one mistake in a content file.
type Problem struct {
	Path string // relative to the content root, with forward slashes
	Line int    // 1-based; problems about a whole file point at line 1
	Msg  string
}

// String formats the problem as "path:line: message", the form editors and
// their CI rely on.
func (p Problem) String() string {
	if p.Line < 1 {
		p.Line = 1
	}
	return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg)
}

// Revision describes the content the store currently serves.
type Revision struct {
	ID       string
	LoadedAt time.Time
	Problems []Problem
	// Refused is the revision of the folder that a reload refused because
	// of Problems, while ID, the last good content, kept serving; "" when
	// the problems are those of the content being served.
	Refused string
}

// The kinds of slug an alias can stand for.
const (
	AliasSystem  = "system"
	AliasArticle = "article"
)

// Alias maps an old slug, kept in a file's `aliases`, to the current one.
type Alias struct {
	Topic string
	Kind  string // AliasSystem or AliasArticle
	From  string
	To    string
}

// ArticleFilter narrows a list of articles; empty fields match everything.
type ArticleFilter struct {
	Topic  string
	Tag    string
	System string // articles whose `systems` name this slug (with Topic)
	Limit  int    // 0 means no limit
	Offset int
	// ByWeight orders the list as Hugo orders pages: by Order (weight),
	// lower first, those without one (0) last; then newest first, then by
	// title. Otherwise the list is newest first, then by title.
	ByWeight bool
}
