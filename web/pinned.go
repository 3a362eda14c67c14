package web

import "time"

// PinnedView is a pinned snapshot's page: the compare table as it was when
// it was pinned, and what the live content has changed since.
type PinnedView struct {
	Site     Site
	ID       string
	Table    CompareView // as pinned; its column controls are empty
	PinnedAt time.Time
	Revision string // the content revision it was pinned from
	Filters  string // the view's filters in words; empty for none
	LiveURL  string // the same view of the live content
	// Gone says why there is no live view to compare with, such as a
	// topic that was removed; Changes is then nil.
	Gone string
	// Changes is what differs in the live view; nil when it shows the
	// same data.
	Changes  *PinChanges
	ImageURL string // the link-preview PNG of the pinned table
	// ChangesURL lists every recorded change to the view since it was
	// pinned; empty when no history is kept.
	ChangesURL string
}

// PinChanges compares a pinned table with the live one, cell by cell.
type PinChanges struct {
	Summary string // such as "3 cells changed, 1 feature added"
	Systems []PinColumn
	Rows    []PinRow // only rows with a change
}

// PinColumn is a system of the pinned table.
type PinColumn struct {
	Name    string
	Removed bool // no longer in the topic
}

// PinRow is one feature with a change.
type PinRow struct {
	Key    string
	Name   string
	Status string // "changed", "added" or "removed"
	Cells  []PinCell
}

// PinCell is one system's value, then and now.
type PinCell struct {
	// State is "same", "changed", "added" (a new feature's value),
	// "removed" (a removed feature's value) or "none" (a removed system's
	// place in a new feature).
	State string
	Was   string // the pinned value in words, such as "Partial"
	Now   string // the live value in words
}
