package web

// GroupIndex is the index of a table too long for one page: its categories
// and, inside those still too long, the groups of their dotted feature keys
// (api.fetch.*), each with its count and a link that opens it alone.
type GroupIndex struct {
	Total   int // rows of the whole table
	Budget  int // rows a page shows at most
	Entries []GroupEntry
	Open    string // the title of the group shown, if any
	AllURL  string // the whole table's index
}

// GroupEntry is one group of the index.
type GroupEntry struct {
	ID      string
	Title   string
	Depth   int // 0 for a category, 1 for its key groups, ...
	Count   int
	URL     string
	Current bool
}

// Pager links the pages of one group, or of the topic page's systems.
type Pager struct {
	Page, Pages      int // 1-based
	From, To, Of     int // rows shown, 1-based, and the group's total
	PrevURL, NextURL string
	Label            string // what is paged, for its nav; "" is a group
	Rows             string // what a row is ("Rows" when empty)
}
