// Package history holds what Versa records of content over time: a revision
// per content load that changed anything, and the changes it made (cells,
// features, systems, categories, articles). History is user data: its
// stores append to it and never drop it on a content load, a rebuild or a
// migration. The package imports only the standard library, so that the
// loader, the stores (SQLite, PostgreSQL) and the pages share its types.
package history

import (
	"context"
	"errors"
	"time"
)

// Revision is one recorded content load.
type Revision struct {
	Seq        int64     // order of recording, from 1; set by the store
	Follows    int64     // the Seq of the revision recorded before it, 0 for the first
	ID         string    // the content revision (a hash of the folder)
	Parent     string    // the content revision it followed; "" for the baseline
	RecordedAt time.Time // UTC
	Commit     string    // git commit id of the content folder's work tree, "" if none
	Subject    string    // that commit's subject line
	Baseline   bool      // the first load: nothing is listed as changed
	Changes    int       // how many changes it recorded
	// State is set by the loader for Record: its encoded model of the
	// content at this revision (binary, in a string so that a Revision
	// stays comparable), which the store keeps with the latest revision
	// only: a cache to diff the next start against, not history. Reads
	// leave it empty.
	State string
}

// The kinds of change.
const (
	CellChanged     = "cell"
	FeatureAdded    = "feature_added"
	FeatureRemoved  = "feature_removed"
	FeatureChanged  = "feature_changed" // name, category or type
	SystemAdded     = "system_added"
	SystemRemoved   = "system_removed"
	SystemRenamed   = "system_renamed" // an alias names the old slug
	CategoryAdded   = "category_added"
	CategoryRemoved = "category_removed"
	CategoryChanged = "category_changed" // title
	ArticleAdded    = "article_added"
	ArticleUpdated  = "article_updated"
	ArticleRemoved  = "article_removed"
)

// Cell is one side of a cell change, as kb.Cell holds it.
type Cell struct {
	Support string
	Value   string
	Note    string
	Since   string
	Via     string
	Source  string
	Checked string // the date the value was last checked, "" when the field is absent
}

// Change is one recorded change. Which fields say something depends on Kind:
//   - cell: Topic, System, Feature, Category, Old and New;
//   - feature_*: Topic, Feature, Category, OldName/NewName (its name);
//   - system_added/removed: Topic, System, OldName/NewName;
//     system_renamed: System (the new slug), OldSlug, OldName, NewName;
//   - category_*: Topic, Category, OldName/NewName (its title);
//   - article_*: Topic, Article, OldName/NewName (its title), Updated.
type Change struct {
	ID       int64 // set by the store: order within the history
	Seq      int64 // the Revision.Seq that recorded it; set by the store
	Kind     string
	Topic    string
	System   string
	OldSlug  string
	Feature  string
	Category string
	Article  string
	OldName  string
	NewName  string
	Updated  time.Time // an article's `updated`, zero when none
	Old, New Cell
}

// Entry is a change with the revision that recorded it, as pages list it.
type Entry struct {
	Change
	Revision Revision
}

// Query selects changes, newest first. Empty fields match everything.
type Query struct {
	Topic string
	// Systems keeps the changes of these systems (by new or old slug):
	// their cells, and their being added, removed or renamed.
	Systems []string
	// Rows, with Systems, keeps the changes of the topic's rows too
	// (features and categories added, removed or changed), which every
	// system's column shows: what a comparison of those systems lists.
	Rows bool
	// Features keeps only the rows of these features: their cells and
	// their own changes, and the changes of systems themselves.
	Features []string
	// Since keeps changes recorded after this revision (Seq) or time.
	SinceSeq  int64
	SinceTime time.Time
	// Before keeps changes older than the change with this ID: a page's
	// cursor, the last change of the page before it (0: none). It seeks
	// where an Offset counts.
	Before int64
	Limit  int // 0 means no limit
	Offset int
}

// RowKinds are the kinds of change to a topic's rows, which Query.Rows keeps.
var RowKinds = []string{FeatureAdded, FeatureRemoved, FeatureChanged, CategoryAdded, CategoryRemoved, CategoryChanged}

// SystemKinds are the kinds of change to a system itself, which
// Query.Features keeps.
var SystemKinds = []string{SystemAdded, SystemRemoved, SystemRenamed}

// ErrNotFound is returned for a revision id no store recorded.
var ErrNotFound = errors.New("not found")

// Store reads recorded history; a store that records it (Recorder) reads it
// too. Pages and `versa history` declare what they use of it.
type Store interface {
	// Changes returns the changes q selects, newest first. A page asks
	// for one more than it shows to know whether an older page follows.
	Changes(ctx context.Context, q Query) ([]Entry, error)
	// Latest returns the newest recorded revision, or ErrNotFound.
	Latest(ctx context.Context) (Revision, error)
	// Revisions returns recorded revisions, newest first.
	Revisions(ctx context.Context, limit, offset int) ([]Revision, error)
	// FindRevision returns the latest recorded revision with the content
	// revision id (or a unique prefix of it), or ErrNotFound.
	FindRevision(ctx context.Context, id string) (Revision, error)
}
