package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
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

// handlePin serves POST /s: it pins the compare view named by the form
// field url and answers 303 to the snapshot. Its phases: may this request
// pin (pinAllowed), which view (pinRequest), the snapshot's data
// (encodePin), and storing it once (storePin).
func (s *server) handlePin(w http.ResponseWriter, r *http.Request) error {
	if !s.pinAllowed(w, r) {
		return nil
	}
	c, err := s.pinRequest(w, r)
	if c == nil || err != nil {
		return err
	}
	snap, err := s.encodePin(r.Context(), c)
	if err != nil {
		return err
	}
	return s.storePin(w, r, snap)
}

// pinAllowed answers the refusals that come before a pin request is read:
// no pinned snapshots kept here, another site's form, too many pins from
// one address. It reports whether the request may go on.
func (s *server) pinAllowed(w http.ResponseWriter, r *http.Request) bool {
	p := s.pin
	switch {
	case p == nil:
		s.writeErrorPage(w, r, http.StatusServiceUnavailable, "This server does not keep pinned snapshots.", nil)
		return false
	case !sameOrigin(r, s.base):
		s.writeErrorPage(w, r, http.StatusForbidden,
			"Comparisons are pinned with the Pin button of this site's own compare pages; this request came from another site.", nil)
		return false
	}
	if p.limit != nil {
		if ok, wait := p.limit.Allow(ratelimit.ClientAddr(r, s.trustProxy), time.Now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.writeErrorPage(w, r, http.StatusTooManyRequests,
				"Too many pins from your address in a short time. Wait a minute and try again.", nil)
			return false
		}
	}
	return true
}

// pinRequest reads the bounded form of a pin request and resolves the
// view it names. A nil target with a nil error means the answer is
// written (a form too large).
func (s *server) pinRequest(w http.ResponseWriter, r *http.Request) (*compareTarget, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPinBody)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			s.writeErrorPage(w, r, http.StatusRequestEntityTooLarge, "That form is too large to be a pin request.", nil)
			return nil, nil
		}
		return nil, &pageError{message: "That form could not be read.", err: fmt.Errorf("pin form: %v: %w", err, kb.ErrInvalid)}
	}
	return s.pinTarget(r, r.PostForm.Get("url"))
}

// encodePin takes the data of view c at the current revision as a
// snapshot, refusing one larger than the configured bound.
func (s *server) encodePin(ctx context.Context, c *compareTarget) (kb.Pin, error) {
	rev, err := s.store.Revision(ctx)
	if err != nil {
		return kb.Pin{}, fmt.Errorf("pin: revision: %w", err)
	}
	view := newPinnedView(c)
	id, err := pinID(view)
	if err != nil {
		return kb.Pin{}, fmt.Errorf("pin: %w", err)
	}
	view.Revision, view.PinnedAt = rev.ID, time.Now().UTC().Truncate(time.Second)
	data, err := json.Marshal(view)
	if err != nil {
		return kb.Pin{}, fmt.Errorf("pin: %w", err)
	}
	if limit := s.pin.maxBytes; limit >= 0 && len(data) > limit {
		return kb.Pin{}, &pageError{
			message: fmt.Sprintf("This comparison is too large to pin (%d KiB; the limit is %d KiB). Pick fewer systems or categories, or show differences only.",
				(len(data)+1023)/1024, limit/1024),
			links: []web.Crumb{{Title: "Back to the comparison", URL: view.URL}},
			err:   fmt.Errorf("pin of %d bytes: %w", len(data), kb.ErrInvalid),
		}
	}
	return kb.Pin{ID: id, CreatedAt: view.PinnedAt, Revision: rev.ID, URL: view.URL, Topic: view.Topic.Slug, Data: data}, nil
}

// storePin writes snap unless a snapshot of the same id exists (the same
// view of the same data), within the bound on their number, and answers
// 303 to it.
func (s *server) storePin(w http.ResponseWriter, r *http.Request, snap kb.Pin) error {
	ctx, p := r.Context(), s.pin
	to := link.Pinned(snap.ID)
	if _, err := p.store.GetPin(ctx, snap.ID); err == nil {
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
				[]web.Crumb{{Title: "Back to the comparison", URL: snap.URL}})
			return nil
		}
	}
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
	id, ext := splitExportExt(chi.URLParam(r, "id"))
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
	pinned, err := decodePin(snap)
	if err != nil {
		return err
	}
	table := pinned.table()
	switch ext {
	case ".png":
		return preview.Write(ctx, w, table, id+".png", s.metrics.ObservePreview)
	case ".json":
		// The API's compare document, naming the snapshot's own downloads.
		c := pinned.target()
		doc := newAPICompare(c, table)
		doc.Exports = map[string]string{"csv": link.PinnedExport(id, ".csv"), "json": link.PinnedExport(id, ".json"),
			"markdown": link.PinnedExport(id, ".md")}
		s.writeJSONAs(w, r, http.StatusOK, exportHeaders(c, ext), doc)
		return nil
	case ".csv", ".md":
		return s.writeExport(w, r, ext, pinned.target(), table)
	}
	v := web.PinnedView{
		Site:     s.site(ctx),
		ID:       id,
		Table:    table,
		PinnedAt: pinned.PinnedAt,
		Revision: pinned.Revision,
		Filters:  pinnedFilterWords(pinned),
		LiveURL:  pinned.URL,
		ImageURL: link.PinnedImage(id),
	}
	v.Table.CSVURL, v.Table.JSONURL, v.Table.MarkdownURL = link.PinnedExport(id, ".csv"), link.PinnedExport(id, ".json"), link.PinnedExport(id, ".md")
	if err := s.sinceLive(r, pinned, &v); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, web.PinnedPage(v))
}

// decodePin reads a stored snapshot's data, refusing a shape this version
// does not know.
func decodePin(snap kb.Pin) (*pinnedView, error) {
	var pinned pinnedView
	if err := json.Unmarshal(snap.Data, &pinned); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", snap.ID, err)
	}
	if pinned.Version != pinnedVersion {
		return nil, fmt.Errorf("snapshot %s: version %d of the data is unknown", snap.ID, pinned.Version)
	}
	for _, ps := range pinned.Systems {
		if len(ps.Cells) != len(pinned.Topic.Features) {
			return nil, fmt.Errorf("snapshot %s: %s has %d cells for %d features", snap.ID, ps.Slug, len(ps.Cells), len(pinned.Topic.Features))
		}
	}
	return &pinned, nil
}

// sinceLive fills in what the pinned page says of the live view: where it
// is now and what changed since, or why it is gone.
func (s *server) sinceLive(r *http.Request, pinned *pinnedView, v *web.PinnedView) error {
	live, err := s.livePinned(r, pinned)
	if err != nil {
		return err
	}
	if live.gone != "" {
		v.Gone = live.gone
		return nil
	}
	v.LiveURL = live.url
	v.Changes = pinChanges(pinned, live)
	if s.history != nil {
		sep := "?"
		if strings.Contains(live.changes, "?") {
			sep = "&"
		}
		v.ChangesURL = live.changes + sep + "since=" + url.QueryEscape(pinned.PinnedAt.UTC().Format(time.RFC3339Nano))
	}
	return nil
}
