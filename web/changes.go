package web

import (
	"strings"
	"time"

	"versa/internal/link"
)

// ChangesView is a change list, newest first: a topic's, a system's or a
// comparison's, one page of it.
type ChangesView struct {
	Site    Site
	Title   string  // what changed: "Python web frameworks", "Flask", "Django vs Flask"
	Crumbs  []Crumb // up to the page the list belongs to
	Of      Crumb   // that page, linked from the list ("Back to Flask")
	Filters string  // the rows the list keeps, in words, "" for all
	// Canonical is the list's path and filter query; FeedURL its Atom feed
	// and JSONURL its API twin.
	Canonical string
	FeedURL   string
	JSONURL   string
	// Since is the ?since= the list starts after, as given ("" for none),
	// and AllURL the list without it.
	Since  string
	AllURL string
	// Recording is false when the store has no revision recorded yet.
	Recording bool
	Revisions []ChangeRevision // the page's changes, by revision
	Page      int
	NewerURL  string // the newer page, "" on the first
	OlderURL  string // the older page, "" on the last
}

// feedOf is the Atom feed of a change list's URL: ".atom" after its path.
func feedOf(changes string) string {
	if changes == "" {
		return ""
	}
	path, query, ok := strings.Cut(changes, "?")
	if ok {
		return link.Atom(path) + "?" + query
	}
	return link.Atom(path)
}

// ChangeRevision is one recorded content load and the page's changes it made.
type ChangeRevision struct {
	ID         string // the content revision id
	RecordedAt time.Time
	Commit     string // the git commit of the content, "" when none was read
	Subject    string // that commit's subject line
	Changes    []ChangeItem
}

// ChangeItem is one change: a cell's old and new value, or a row, system,
// category or article added, removed, renamed or updated.
type ChangeItem struct {
	ID     int64  // stable: the anchor change-{ID} and the feed's entry id
	Kind   string // as internal/history names it: cell, feature_added, ...
	Label  string // "Added", "Removed", "Renamed", "Updated" ... ("" for a cell)
	Title  string // the row or thing that changed: "Flask · CSRF protection"
	URL    string // its row anchor or page; "" when it is gone
	Detail string // for what is not a cell: the change in words
	// Old and New are a cell's two sides as the tables show them; nil
	// for other kinds.
	Old, New *CompareCell
	// Notes lists what else of the cell changed, in words: "note: ...".
	Notes []string
}
