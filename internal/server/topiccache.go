package server

import (
	"slices"
	"sync"
	"time"

	"versa/internal/kb"
)

// cacheTopicsOver is the feature count above which a topic is kept between
// requests: reading one of 25,000 features (with their descriptions) is
// about 60 ms, most of a page's time; a topic of tens is read in
// microseconds, each time.
const cacheTopicsOver = 1000

// topicCache keeps the big topics of one revision; a request of another
// revision (a reload, or a consistent read of the one before) empties it
// or reads around it.
type topicCache struct {
	mu     sync.Mutex
	id     string
	loaded time.Time
	topics map[string]kb.Topic
	// columns are the default columns of the topic page per topic
	// (topic_columns.go): they follow from every system's cells of up to
	// maxColumns candidates, 12,000 cell reads at 500 systems.
	columns map[string][]string
}

// same reports whether the cache holds revision rev; the caller holds mu.
func (c *topicCache) same(rev kb.Revision) bool {
	return c.id == rev.ID && c.loaded.Equal(rev.LoadedAt)
}

// reset empties the cache for revision rev; the caller holds mu.
func (c *topicCache) reset(rev kb.Revision) {
	c.id, c.loaded, c.topics, c.columns = rev.ID, rev.LoadedAt, map[string]kb.Topic{}, map[string][]string{}
}

func (c *topicCache) get(rev kb.Revision, slug string) (kb.Topic, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.same(rev) {
		return kb.Topic{}, false
	}
	t, ok := c.topics[slug]
	return t, ok
}

// put keeps t when it is big. Its slices are clipped, so that a caller
// that appends to them gets a copy rather than writing into the cache's.
func (c *topicCache) put(rev kb.Revision, t kb.Topic) {
	if len(t.Features) <= cacheTopicsOver {
		return
	}
	t.Features, t.Categories = slices.Clip(t.Features), slices.Clip(t.Categories)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.same(rev) {
		c.reset(rev)
	}
	c.topics[t.Slug] = t
}

// defaultColumns returns the default columns kept for topic slug of rev.
func (c *topicCache) defaultColumns(rev kb.Revision, slug string) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.same(rev) {
		return nil, false
	}
	cols, ok := c.columns[slug]
	return slices.Clip(cols), ok
}

// putDefaultColumns keeps the default columns of topic slug of rev.
func (c *topicCache) putDefaultColumns(rev kb.Revision, slug string, cols []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.same(rev) {
		c.reset(rev)
	}
	c.columns[slug] = slices.Clip(cols)
}
