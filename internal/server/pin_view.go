package server

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"

	"versa/internal/kb"
	"versa/web"
)

// The data of a pinned view, as stored: what buildCompare needs to lay the
// table out again, and the content-addressed id.

// pinnedView is the data of a pinned compare view, stored as JSON: what
// buildCompare needs to lay the table out again. Its JSON names are stored
// in every snapshot, so they never change; a new shape gets a new Version.
type pinnedView struct {
	Version int            `json:"version"`
	URL     string         `json:"url"` // the canonical compare path and query
	Topic   pinnedTopic    `json:"topic"`
	Filters pinnedFilters  `json:"filters"`
	Systems []pinnedSystem `json:"systems"` // in the order of the view
	// Revision and PinnedAt say where and when the data was read; they are
	// not part of the id, which names the data alone.
	Revision string    `json:"revision,omitempty"`
	PinnedAt time.Time `json:"pinned_at,omitzero"`
}

type pinnedTopic struct {
	Slug       string           `json:"slug"`
	Title      string           `json:"title"`
	Categories []pinnedCategory `json:"categories"` // all of the topic's
	Features   []pinnedFeature  `json:"features"`   // the view's, in topic order
}

type pinnedCategory struct {
	Key   string `json:"key"`
	Title string `json:"title"`
}

type pinnedFeature struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

type pinnedFilters struct {
	Diff       bool     `json:"diff,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Need       []string `json:"need,omitempty"`
}

type pinnedSystem struct {
	Slug  string       `json:"slug"`
	Name  string       `json:"name"`
	Cells []pinnedCell `json:"cells"` // one per Topic.Features, in that order
}

// pinnedCell is a kb.Cell less its feature key, which its place gives.
type pinnedCell struct {
	Support string `json:"support,omitempty"`
	Value   string `json:"value,omitempty"`
	Note    string `json:"note,omitempty"`
	Since   string `json:"since,omitempty"`
	Via     string `json:"via,omitempty"`
	Source  string `json:"source,omitempty"`
	Checked string `json:"checked,omitempty"` // YYYY-MM-DD; absent in snapshots pinned before dates were kept
}

// inView reports whether the view with query q shows feature f as a row
// or scores it as a need.
func inView(f kb.Feature, q compareQuery) bool {
	return len(q.categories) == 0 || slices.Contains(q.categories, f.Category) || slices.Contains(q.need, f.Key)
}

// isRow reports whether a feature of a pinned view is one of its rows
// (rather than a need outside its categories).
func (p *pinnedView) isRow(f pinnedFeature) bool {
	return len(p.Filters.Categories) == 0 || slices.Contains(p.Filters.Categories, f.Category)
}

// newPinnedView takes the data of the compare view c.
func newPinnedView(c *compareTarget) *pinnedView {
	t := c.topic
	p := &pinnedView{
		Version: pinnedVersion,
		URL:     compareURL(t.Slug, c.slugs, c.q),
		Topic:   pinnedTopic{Slug: t.Slug, Title: t.Title, Categories: []pinnedCategory{}, Features: []pinnedFeature{}},
		Filters: pinnedFilters{Diff: c.q.diff, Categories: c.q.categories, Need: c.q.need},
	}
	for _, cat := range t.Categories {
		p.Topic.Categories = append(p.Topic.Categories, pinnedCategory{Key: cat.Key, Title: cat.Title})
	}
	var keys []string
	for _, f := range t.Features {
		if inView(f, c.q) {
			p.Topic.Features = append(p.Topic.Features, pinnedFeature{Key: f.Key, Name: f.Name, Category: f.Category,
				Description: f.Description, Type: string(f.Type)})
			keys = append(keys, f.Key)
		}
	}
	for _, sys := range c.systems {
		ps := pinnedSystem{Slug: sys.Slug, Name: sys.Name, Cells: make([]pinnedCell, len(keys))}
		cells := sys.ByKey()
		for i, k := range keys {
			cell := cells.Cell(k)
			ps.Cells[i] = pinnedCell{Support: string(cell.Support), Value: cell.Value, Note: cell.Note,
				Since: cell.Since, Via: cell.Via, Source: cell.Source, Checked: cell.CheckedDate()}
		}
		p.Systems = append(p.Systems, ps)
	}
	return p
}

// compare turns the pinned data back into what buildCompare takes.
func (p *pinnedView) compare() (kb.Topic, []kb.System, compareQuery) {
	t := kb.Topic{Slug: p.Topic.Slug, Title: p.Topic.Title}
	for _, c := range p.Topic.Categories {
		t.Categories = append(t.Categories, kb.Category{Key: c.Key, Title: c.Title})
	}
	for _, f := range p.Topic.Features {
		t.Features = append(t.Features, kb.Feature{Key: f.Key, Name: f.Name, Category: f.Category,
			Description: f.Description, Type: kb.FeatureType(f.Type)})
	}
	systems := make([]kb.System, len(p.Systems))
	for i, ps := range p.Systems {
		sys := kb.System{Topic: t.Slug, Slug: ps.Slug, Name: ps.Name, Cells: make([]kb.Cell, len(ps.Cells))}
		for j, c := range ps.Cells {
			if j < len(t.Features) {
				sys.Cells[j] = kb.Cell{Feature: t.Features[j].Key, Support: kb.Support(c.Support), Value: c.Value,
					Note: c.Note, Since: c.Since, Via: c.Via, Source: c.Source, Checked: checkedDay(c.Checked)}
			}
		}
		systems[i] = sys
	}
	q := compareQuery{diff: p.Filters.Diff, categories: p.Filters.Categories, need: p.Filters.Need}
	return t, systems, q
}

// target is the pinned view as a compare target, for the exports: the
// same topic, systems and filters buildCompare lays the table out from.
func (p *pinnedView) target() *compareTarget {
	t, systems, q := p.compare()
	slugs := make([]string, len(systems))
	for i, s := range systems {
		slugs[i] = s.Slug
	}
	return &compareTarget{topic: t, systems: systems, slugs: slugs, all: systems, q: q}
}

// checkedDay reads a stored checked date; one that does not parse (no
// snapshot has one) is shown as none rather than failing the page.
func checkedDay(s string) time.Time {
	t, err := kb.ParseChecked(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// table is the pinned table as buildCompare lays it out, without the
// column controls, which would lead to live views.
func (p *pinnedView) table() web.CompareView {
	t, systems, q := p.compare()
	v := buildCompare(t, systems, systems, q, 0)
	for i := range v.Systems {
		v.Systems[i].LeftURL, v.Systems[i].RightURL, v.Systems[i].RemoveURL = "", "", ""
	}
	v.AddOptions, v.AddNeed = nil, false
	return v
}

// pinID names a pinned view: a hash of its URL and data, without the time
// and the revision, so the same view of the same data always gets the same
// id. 16 base32 characters hold 80 bits.
func pinID(p *pinnedView) (string, error) {
	bare := *p
	bare.Revision, bare.PinnedAt = "", time.Time{}
	data, err := json.Marshal(&bare)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(p.URL))
	h.Write([]byte{0})
	h.Write(data)
	sum := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil))
	return strings.ToLower(sum[:16]), nil
}

// pinIDRE is what pinID makes.
var pinIDRE = regexp.MustCompile(`^[a-z2-7]{16}$`)
