package kb

import "time"

// Pin is a pinned compare view ("pinned snapshot" to readers, at /s/{id}):
// user data, kept apart from the content read model, so content loads,
// rebuilds and migrations never touch it. The store keeps Data as it is
// given; what it holds is the server's business.
type Pin struct {
	ID        string // derived from URL and Data by whoever pins
	CreatedAt time.Time
	Revision  string // the content revision the view was read from
	URL       string // the compare path and query the view shows
	Topic     string // the topic's slug
	Data      []byte // the view as JSON
}
