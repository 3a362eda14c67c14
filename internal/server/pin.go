package server

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"versa/internal/link"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/server/metrics"
	"versa/internal/server/preview"
	"versa/internal/server/ratelimit"
	"versa/web"
)

// Pinned snapshots. POST /s with a form field url (a compare path and
// query) stores the whole data of that view (the topic's categories, the
// view's features, each system's cells with notes and sources) as JSON,
// and answers 303 to /s/{id}. The id is a hash of the view's canonical URL
// and its data, so pinning the same view of the same content again lands
// on the same snapshot. /s/{id} lays the table out again from that data,
// exactly as it was, and compares it with the live content cell by cell.
//
// Snapshots are user data: the store keeps them apart from the content,
// which loads replace, and a snapshot never refers to content rows.

// PinStore keeps pinned snapshots; *sqlite.DB satisfies it.
type PinStore interface {
	// PutPin stores s unless its id exists; it reports whether it
	// stored it.
	PutPin(ctx context.Context, s kb.Pin) (bool, error)
	// GetPin returns kb.ErrNotFound for an unknown id.
	GetPin(ctx context.Context, id string) (kb.Pin, error)
	CountPins(ctx context.Context) (int, error)
}

// Defaults of the pinning limits in Config.
const (
	defaultPinsPerMinute = 10
	defaultMaxPins       = 100_000
	defaultMaxPinBytes   = 1 << 20
	// maxPinBody bounds the form posted to /s.
	maxPinBody = 16 << 10
	// maxPinURL bounds the url field: far more than any real compare URL.
	maxPinURL = 4096
	// pinnedVersion is the shape of pinnedView; a new shape gets a new
	// number and old snapshots keep theirs.
	pinnedVersion = 1
)

// pinning is the server's part of pinning: the store and its limits. A
// server without a PinStore has none.
type pinning struct {
	store    PinStore
	limit    *ratelimit.Limiter // nil: no rate limit
	maxCount int                // < 0: no bound
	maxBytes int                // < 0: no bound
}

// newPinning reads the pinning part of cfg, and reports the number of
// snapshots on m; it returns nil when cfg has no PinStore.
func newPinning(cfg Config, m *metrics.Set) *pinning {
	if cfg.Pins == nil {
		return nil
	}
	p := &pinning{store: cfg.Pins, maxCount: cfg.MaxPins, maxBytes: cfg.MaxPinBytes}
	if p.maxCount == 0 {
		p.maxCount = defaultMaxPins
	}
	if p.maxBytes == 0 {
		p.maxBytes = defaultMaxPinBytes
	}
	perMinute := cfg.PinsPerMinute
	if perMinute == 0 {
		perMinute = defaultPinsPerMinute
	}
	if perMinute > 0 {
		p.limit = ratelimit.New(perMinute)
	}
	m.WatchPins(cfg.Pins.CountPins)
	return p
}

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
		for i, k := range keys {
			cell := sys.Cell(k)
			ps.Cells[i] = pinnedCell{Support: string(cell.Support), Value: cell.Value, Note: cell.Note,
				Since: cell.Since, Via: cell.Via, Source: cell.Source}
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
					Note: c.Note, Since: c.Since, Via: c.Via, Source: c.Source}
			}
		}
		systems[i] = sys
	}
	q := compareQuery{diff: p.Filters.Diff, categories: p.Filters.Categories, need: p.Filters.Need}
	return t, systems, q
}

// table is the pinned table as buildCompare lays it out, without the
// column controls, which would lead to live views.
func (p *pinnedView) table() web.CompareView {
	t, systems, q := p.compare()
	v := buildCompare(t, systems, systems, q, 0)
	for i := range v.Systems {
		v.Systems[i].LeftURL, v.Systems[i].RightURL, v.Systems[i].RemoveURL = "", "", ""
	}
	v.AddOptions, v.NeedOptions = nil, nil
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

// handlePin serves POST /s: it pins the compare view named by the form
// field url and answers 303 to the snapshot.
func (s *server) handlePin(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := s.pin
	if p == nil {
		s.writeErrorPage(w, r, http.StatusServiceUnavailable, "This server does not keep pinned snapshots.", nil)
		return nil
	}
	if !sameOrigin(r, s.base) {
		s.writeErrorPage(w, r, http.StatusForbidden,
			"Comparisons are pinned with the Pin button of this site's own compare pages; this request came from another site.", nil)
		return nil
	}
	if p.limit != nil {
		if ok, wait := p.limit.Allow(ratelimit.ClientAddr(r, s.trustProxy), time.Now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.writeErrorPage(w, r, http.StatusTooManyRequests,
				"Too many pins from your address in a short time. Wait a minute and try again.", nil)
			return nil
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPinBody)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			s.writeErrorPage(w, r, http.StatusRequestEntityTooLarge, "That form is too large to be a pin request.", nil)
			return nil
		}
		return &pageError{message: "That form could not be read.", err: fmt.Errorf("pin form: %v: %w", err, kb.ErrInvalid)}
	}
	c, err := s.pinTarget(r, r.PostForm.Get("url"))
	if err != nil {
		return err
	}
	rev, err := s.store.Revision(ctx)
	if err != nil {
		return fmt.Errorf("pin: revision: %w", err)
	}
	view := newPinnedView(c)
	id, err := pinID(view)
	if err != nil {
		return fmt.Errorf("pin: %w", err)
	}
	view.Revision, view.PinnedAt = rev.ID, time.Now().UTC().Truncate(time.Second)
	data, err := json.Marshal(view)
	if err != nil {
		return fmt.Errorf("pin: %w", err)
	}
	if p.maxBytes >= 0 && len(data) > p.maxBytes {
		return &pageError{
			message: fmt.Sprintf("This comparison is too large to pin (%d KiB; the limit is %d KiB). Pick fewer systems or categories, or show differences only.",
				(len(data)+1023)/1024, p.maxBytes/1024),
			links: []web.Crumb{{Title: "Back to the comparison", URL: view.URL}},
			err:   fmt.Errorf("pin of %d bytes: %w", len(data), kb.ErrInvalid),
		}
	}
	to := link.Pinned(id)
	if _, err := p.store.GetPin(ctx, id); err == nil {
		http.Redirect(w, r, to, http.StatusSeeOther)
		return nil
	} else if !errors.Is(err, kb.ErrNotFound) {
		return fmt.Errorf("pin: %w", err)
	}
	if p.maxCount >= 0 {
		n, err := p.store.CountPins(ctx)
		if err != nil {
			return fmt.Errorf("pin: %w", err)
		}
		if n >= p.maxCount {
			s.log.WarnContext(ctx, "pin refused: snapshot store full", "snapshots", n)
			s.writeErrorPage(w, r, http.StatusServiceUnavailable,
				"This server keeps no more pinned snapshots. The comparison's own address still works.",
				[]web.Crumb{{Title: "Back to the comparison", URL: view.URL}})
			return nil
		}
	}
	snap := kb.Pin{ID: id, CreatedAt: view.PinnedAt, Revision: rev.ID, URL: view.URL, Topic: view.Topic.Slug, Data: data}
	if _, err := p.store.PutPin(ctx, snap); err != nil {
		return fmt.Errorf("pin: %w", err)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// pinTarget resolves the url field of a pin: a compare path of this site
// with its query, which must name a valid view of the current content.
// Aliases, repeats and form-style queries are taken in their canonical
// form. Everything else is a 400 that says what is wrong.
func (s *server) pinTarget(r *http.Request, raw string) (*compareTarget, error) {
	refuse := func(msg string) error {
		return &pageError{message: msg, err: fmt.Errorf("pin url %.100q: %w", raw, kb.ErrInvalid)}
	}
	const example = " A comparison's address looks like /compare/python-web-frameworks/django-vs-flask."
	switch {
	case strings.TrimSpace(raw) == "":
		return nil, refuse("Give the address of the comparison to pin." + example)
	case len(raw) > maxPinURL:
		return nil, refuse(fmt.Sprintf("That address is too long to pin (%d characters; the limit is %d).", len(raw), maxPinURL))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, refuse("That is not a web address." + example)
	}
	if u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		if (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || !sameHost(u, r.Host, s.base) {
			return nil, refuse("Only comparisons on this site can be pinned." + example)
		}
	}
	rest, ok := strings.CutPrefix(u.Path, "/compare/")
	topic, spec, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || u.RawPath != "" || !slugRE.MatchString(topic) || spec == "" || strings.Contains(spec, "/") {
		return nil, refuse("Only comparison pages can be pinned." + example)
	}
	if _, ext := splitExportExt(spec); ext != "" {
		return nil, refuse("Pin the comparison page itself rather than its " + strings.ToUpper(ext[1:]) + " export.")
	}
	c, _, err := s.findCompare(r, topic, spec, u)
	if err == nil {
		err = c.check()
	}
	if err != nil {
		var pe *pageError
		if errors.As(err, &pe) && (errors.Is(err, kb.ErrNotFound) || errors.Is(err, kb.ErrInvalid)) {
			// The reader's words, as a 400: the request, not the page, is wrong.
			return nil, &pageError{message: "That comparison cannot be pinned. " + pe.message, links: pe.links,
				err: fmt.Errorf("pin: %v: %w", pe.err, kb.ErrInvalid)}
		}
		return nil, err
	}
	return c, nil
}

// sameHost reports whether an absolute URL names this site: the request's
// host, or the configured public origin's.
func sameHost(u *url.URL, host, base string) bool {
	if strings.EqualFold(u.Host, host) {
		return true
	}
	if b, err := url.Parse(base); err == nil && base != "" {
		return strings.EqualFold(u.Host, b.Host) && u.Scheme == b.Scheme
	}
	return false
}

// sameOrigin reports whether a state-changing request came from a page of
// this site. Browsers say so in Sec-Fetch-Site; older ones send Origin, and
// without it Referer. A request with none of them comes from no browser,
// so no other site can have made someone's browser send it.
func sameOrigin(r *http.Request, base string) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none": // "none": typed or bookmarked by the user
		return true
	case "":
	default: // same-site, cross-site
		return false
	}
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return true
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" {
		return false // "null", from a sandbox or a privacy-sensitive context
	}
	return sameHost(u, r.Host, base)
}

// handlePinned serves GET /s/{id}, the pinned snapshot, and /s/{id}.png,
// its link-preview image.
func (s *server) handlePinned(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, png := strings.CutSuffix(chi.URLParam(r, "id"), ".png")
	home := []web.Crumb{{Title: "Versa home", URL: "/"}}
	if s.pin == nil {
		return notFound("This server does not keep pinned snapshots.", home, fmt.Errorf("snapshot %q: %w", id, kb.ErrNotFound))
	}
	if !pinIDRE.MatchString(id) {
		return notFound("That is not the address of a pinned snapshot: it ends in 16 letters and digits.", home,
			fmt.Errorf("snapshot id %.40q: %w", id, kb.ErrNotFound))
	}
	snap, err := s.pin.store.GetPin(ctx, id)
	if errors.Is(err, kb.ErrNotFound) {
		return notFound(fmt.Sprintf("There is no pinned snapshot %s. Check the address you were given.", id), home, err)
	}
	if err != nil {
		return fmt.Errorf("get snapshot: %w", err)
	}
	var pinned pinnedView
	if err := json.Unmarshal(snap.Data, &pinned); err != nil {
		return fmt.Errorf("snapshot %s: %w", id, err)
	}
	if pinned.Version != pinnedVersion {
		return fmt.Errorf("snapshot %s: version %d of the data is unknown", id, pinned.Version)
	}
	for _, ps := range pinned.Systems {
		if len(ps.Cells) != len(pinned.Topic.Features) {
			return fmt.Errorf("snapshot %s: %s has %d cells for %d features", id, ps.Slug, len(ps.Cells), len(pinned.Topic.Features))
		}
	}
	table := pinned.table()
	if png {
		return preview.Write(ctx, w, table, id+".png")
	}
	v := web.PinnedView{
		Site:     s.site(ctx),
		ID:       id,
		Table:    table,
		PinnedAt: pinned.PinnedAt,
		Revision: pinned.Revision,
		Filters:  pinnedFilterWords(&pinned),
		LiveURL:  pinned.URL,
		ImageURL: link.PinnedImage(id),
	}
	live, err := s.livePinned(r, &pinned)
	if err != nil {
		return err
	}
	if live.gone != "" {
		v.Gone = live.gone
	} else {
		v.LiveURL = live.url
		v.Changes = pinChanges(&pinned, live)
	}
	return s.render(w, r, http.StatusOK, web.PinnedPage(v))
}

// pinnedFilterWords says in words which filters shape a pinned view.
func pinnedFilterWords(p *pinnedView) string {
	t, _, q := p.compare()
	return filterSummary(&compareTarget{topic: t, q: q})
}

// liveView is the pinned view read from the live content.
type liveView struct {
	view  *pinnedView
	match []int  // for each pinned system, its index in view.Systems, or -1
	url   string // the live view's URL
	gone  string // why there is no live view; the rest is then empty
}

// livePinned reads the view p pinned from the live content: the same
// systems, followed to their new slugs, less those that no longer exist,
// with the filters that still apply.
func (s *server) livePinned(r *http.Request, p *pinnedView) (*liveView, error) {
	ctx := r.Context()
	t, err := s.store.FindTopic(ctx, p.Topic.Slug)
	if errors.Is(err, kb.ErrNotFound) {
		return &liveView{gone: fmt.Sprintf("The topic %s no longer exists, so there is nothing live to compare with.", p.Topic.Title)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find topic: %w", err)
	}
	all, err := s.store.ListSystemNames(ctx, t.Slug)
	if err != nil {
		return nil, fmt.Errorf("list systems: %w", err)
	}
	exists := make(map[string]bool, len(all))
	for _, sys := range all {
		exists[sys.Slug] = true
	}
	lv := &liveView{match: make([]int, len(p.Systems))}
	c := &compareTarget{topic: t, all: all}
	for i, ps := range p.Systems {
		lv.match[i] = -1
		slug := ps.Slug
		if !exists[slug] {
			to, err := s.store.ResolveAlias(ctx, t.Slug, kb.AliasSystem, slug)
			if err != nil && !errors.Is(err, kb.ErrNotFound) {
				return nil, fmt.Errorf("resolve alias: %w", err)
			}
			slug = to
		}
		if !exists[slug] || slices.Contains(c.slugs, slug) {
			continue
		}
		lv.match[i] = len(c.slugs)
		c.slugs = append(c.slugs, slug)
	}
	if len(c.slugs) > 0 {
		if c.systems, err = s.store.CompareSystems(ctx, t.Slug, c.slugs); err != nil {
			return nil, fmt.Errorf("compare systems: %w", err)
		}
	}
	c.q.diff = p.Filters.Diff
	for _, k := range p.Filters.Categories {
		if slices.ContainsFunc(t.Categories, func(x kb.Category) bool { return x.Key == k }) {
			c.q.categories = append(c.q.categories, k)
		}
	}
	for _, k := range p.Filters.Need {
		if slices.ContainsFunc(t.Features, func(x kb.Feature) bool { return x.Key == k }) {
			c.q.need = append(c.q.need, k)
		}
	}
	if len(p.Filters.Categories) > 0 && len(c.q.categories) == 0 {
		return &liveView{gone: "None of the pinned table's categories exist any more, so there is nothing live to compare with."}, nil
	}
	lv.view = newPinnedView(c)
	lv.url = compareURL(t.Slug, c.slugs, c.q)
	if len(c.slugs) < 2 {
		lv.url = link.Topic(t.Slug)
	}
	return lv, nil
}

// pinChanges compares the pinned view with the live one: cells changed in
// the features and systems both have, features added and removed, and
// systems removed. It returns nil when nothing changed.
func pinChanges(p *pinnedView, live *liveView) *web.PinChanges {
	lv := live.view
	liveRow := map[string]int{}
	for j, f := range lv.Topic.Features {
		if lv.isRow(f) {
			liveRow[f.Key] = j
		}
	}
	out := &web.PinChanges{}
	var cells, added, removed, gone int
	for i, ps := range p.Systems {
		out.Systems = append(out.Systems, web.PinColumn{Name: ps.Name, Removed: live.match[i] < 0})
		if live.match[i] < 0 {
			gone++
		}
	}
	pinnedRow := map[string]bool{}
	for fi, f := range p.Topic.Features {
		if !p.isRow(f) {
			continue
		}
		pinnedRow[f.Key] = true
		row := web.PinRow{Key: f.Key, Name: f.Name, Status: "changed"}
		j, still := liveRow[f.Key]
		if !still {
			row.Status = "removed"
			removed++
		}
		changed := false
		for i, ps := range p.Systems {
			was := ps.Cells[fi]
			cell := web.PinCell{State: "removed", Was: cellWords(was)}
			if still {
				if m := live.match[i]; m < 0 {
					cell = web.PinCell{State: "none", Was: cellWords(was)}
				} else if now := lv.Systems[m].Cells[j]; now != was {
					w, n := changeWords(was, now)
					cell = web.PinCell{State: "changed", Was: w, Now: n}
					cells++
					changed = true
				} else {
					cell = web.PinCell{State: "same", Was: cellValue(was), Now: cellValue(now)}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		if changed || !still {
			out.Rows = append(out.Rows, row)
		}
	}
	for j, f := range lv.Topic.Features {
		if !lv.isRow(f) || pinnedRow[f.Key] {
			continue
		}
		added++
		row := web.PinRow{Key: f.Key, Name: f.Name, Status: "added"}
		for i := range p.Systems {
			cell := web.PinCell{State: "none"}
			if m := live.match[i]; m >= 0 {
				cell = web.PinCell{State: "added", Now: cellWords(lv.Systems[m].Cells[j])}
			}
			row.Cells = append(row.Cells, cell)
		}
		out.Rows = append(out.Rows, row)
	}
	var parts []string
	for _, c := range []struct {
		n         int
		one, many string
	}{
		{cells, "cell changed", "cells changed"},
		{added, "feature added", "features added"},
		{removed, "feature removed", "features removed"},
		{gone, "system removed", "systems removed"},
	} {
		if c.n == 1 {
			parts = append(parts, "1 "+c.one)
		} else if c.n > 1 {
			parts = append(parts, strconv.Itoa(c.n)+" "+c.many)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	out.Summary = strings.Join(parts, ", ")
	return out
}

// cellValue is a cell's support level in words, or its value.
func cellValue(c pinnedCell) string {
	if c.Value != "" {
		return c.Value
	}
	return web.SupportLabel(c.Support)
}

// changeWords is a changed cell in words, then and now: only the parts that
// changed (the value, note, via, since or source), each named but the
// value, so that a changed note does not repeat an unchanged value.
func changeWords(was, now pinnedCell) (then, later string) {
	var w, n []string
	if a, b := cellValue(was), cellValue(now); a != b {
		w, n = append(w, a), append(n, b)
	}
	for _, f := range []struct{ name, a, b string }{
		{"note", was.Note, now.Note},
		{"via", was.Via, now.Via},
		{"since", was.Since, now.Since},
		{"source", was.Source, now.Source},
	} {
		if f.a == f.b {
			continue
		}
		part := func(v string) string {
			if v == "" {
				return "no " + f.name
			}
			return f.name + " " + v
		}
		w, n = append(w, part(f.a)), append(n, part(f.b))
	}
	return strings.Join(w, "; "), strings.Join(n, "; ")
}

// cellWords is a cell in words: its support level or value, then what
// backs it.
func cellWords(c pinnedCell) string {
	w := c.Value
	if w == "" {
		w = web.SupportLabel(c.Support)
	}
	if c.Note != "" {
		w += " (" + c.Note + ")"
	}
	if c.Via != "" {
		w += ", via " + c.Via
	}
	if c.Since != "" {
		w += ", since " + c.Since
	}
	if c.Source != "" {
		w += ", source " + c.Source
	}
	return w
}
