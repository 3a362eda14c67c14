package server

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"versa/internal/server/metrics"
	"versa/internal/sqlite"
)

// pinServer serves a content folder through the real store, with pinning.
func pinServer(t *testing.T, dir string, cfg Config) (http.Handler, *sqlite.DB) {
	t.Helper()
	db := openDB(t)
	loadDir(t, db, dir)
	cfg.Pins = db
	return New(cfg, db), db
}

// pin posts target to /s as the compare page's form does, from this site
// (httptest's host is example.com); header pairs are added or replace.
func pin(h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/s", strings.NewReader(url.Values{"url": {target}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var pinLocation = regexp.MustCompile(`^/s/[a-z2-7]{16}$`)

// mustPin pins target and returns the snapshot's path.
func mustPin(t *testing.T, h http.Handler, target string) string {
	t.Helper()
	rec := pin(h, target)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !pinLocation.MatchString(loc) {
		t.Fatalf("pin %s = %d, Location %q, want 303 to /s/{id}\n%s", target, rec.Code, loc, rec.Body.String())
	}
	return loc
}

func TestPin(t *testing.T) {
	h, _ := pinServer(t, "../content/testdata/valid", Config{PinsPerMinute: -1})
	const target = "/compare/web/django-vs-flask?diff=1"
	loc := mustPin(t, h, target)

	live := get(t, h, target)
	page := get(t, h, loc)
	if page.Code != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", loc, page.Code, page.Body.String())
	}
	body := page.Body.String()
	// The pinned table is the live one, cell for cell.
	wantSys, wantRows := htmlTable(t, live.Body.String())
	gotSys, gotRows := htmlTable(t, body)
	if diff := cmp.Diff(rowStrings(wantRows, true), rowStrings(gotRows, true)); diff != "" || len(gotRows) == 0 {
		t.Errorf("pinned rows (-live +pinned):\n%s", diff)
	}
	if diff := cmp.Diff(wantSys, gotSys); diff != "" {
		t.Errorf("pinned systems (-live +pinned):\n%s", diff)
	}
	for _, want := range []string{
		`data-testid="pin-unchanged"`,
		`href="/compare/web/django-vs-flask?diff=1" data-testid="live-link"`,
		"Pinned on <time",
		"differences only",
		`<meta name="robots" content="noindex">`,
		`<link rel="canonical" href="` + loc + `">`,
		`<meta property="og:image" content="` + loc + `.png">`,
		`<details><summary>`, // a note, opened by its cell's value
	} {
		if !strings.Contains(body, want) {
			t.Errorf("snapshot page lacks %q", want)
		}
	}
	// The column controls of the live page lead elsewhere; a snapshot has none.
	if strings.Contains(body, `class="column-controls"`) {
		t.Error("snapshot page has column controls")
	}

	// The same view again, even asked differently, is the same snapshot;
	// another view is another.
	for _, again := range []string{
		target,
		"/compare/web/django-vs-flask?diff=on",
		"/compare/web/djangoproject-vs-flask?diff=1",
		"http://example.com/compare/web/django-vs-flask-vs-django?diff=1#feature-orm",
	} {
		if got := mustPin(t, h, again); got != loc {
			t.Errorf("repin of %s = %s, want %s", again, got, loc)
		}
	}
	for _, other := range []string{
		"/compare/web/django-vs-flask",
		"/compare/web/flask-vs-django?diff=1",
		"/compare/web/django-vs-flask?diff=1&categories=data",
	} {
		if got := mustPin(t, h, other); got == loc {
			t.Errorf("pin of %s = %s, the same as %s", other, got, target)
		}
	}
}

func TestPinBadInput(t *testing.T) {
	h, _ := pinServer(t, "../content/testdata/valid", Config{PinsPerMinute: -1})
	tests := []struct {
		name, target, want string
	}{
		{"empty", "", "Give the address of the comparison to pin."},
		{"blank", "  ", "Give the address of the comparison to pin."},
		{"too long", "/compare/web/django-vs-flask?need=" + strings.Repeat("a", maxPinURL), "That address is too long to pin"},
		{"not a URL", "/compare/web/%zz", "That is not a web address."},
		{"other host", "https://evil.example/compare/web/django-vs-flask", "Only comparisons on this site can be pinned."},
		{"scheme-relative other host", "//evil.example/compare/web/django-vs-flask", "Only comparisons on this site can be pinned."},
		{"javascript", "javascript:alert(1)", "Only comparisons on this site can be pinned."},
		{"credentials", "http://user:pw@example.com/compare/web/django-vs-flask", "Only comparisons on this site can be pinned."},
		{"topic page", "/topics/web", "Only comparison pages can be pinned."},
		{"relative path", "compare/web/django-vs-flask", "Only comparison pages can be pinned."},
		{"extra segment", "/compare/web/django-vs-flask/more", "Only comparison pages can be pinned."},
		{"encoded slash", "/compare/web%2fdjango-vs-flask", "Only comparison pages can be pinned."},
		{"bad topic slug", "/compare/Web/django-vs-flask", "Only comparison pages can be pinned."},
		{"export", "/compare/web/django-vs-flask.csv", "rather than its CSV export"},
		{"unknown topic", "/compare/nope/django-vs-flask", `There is no topic &#34;nope&#34;`},
		{"unknown system", "/compare/web/django-vs-rails", `has no system &#34;rails&#34;`},
		{"unknown added system", "/compare/web/django-vs-flask?add=rails", `has no system &#34;rails&#34;`},
		{"unknown category", "/compare/web/django-vs-flask?categories=speed", `has no category &#34;speed&#34;`},
		{"unknown need", "/compare/web/django-vs-flask?need=speed", `has no feature &#34;speed&#34;`},
		{"one system", "/compare/web/django", "needs at least two systems"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := pin(h, tt.target)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("pin %q = %d, want 400\n%s", tt.target, rec.Code, rec.Body.String())
			}
			if body := rec.Body.String(); !strings.Contains(body, tt.want) {
				t.Errorf("pin %q: body lacks %q\n%s", tt.target, tt.want, body)
			}
		})
	}

	t.Run("too many systems", func(t *testing.T) {
		dir := t.TempDir()
		writeTopic(t, dir, "wide", maxCompare+1, 2, "Many systems.")
		h, _ := pinServer(t, dir, Config{PinsPerMinute: -1})
		rec := pin(h, "/compare/wide/"+manySystems(maxCompare+1))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "at most 24 systems") {
			t.Errorf("pin of %d systems = %d, want 400 saying at most 24\n%s", maxCompare+1, rec.Code, rec.Body.String())
		}
	})
	t.Run("body too large", func(t *testing.T) {
		rec := pin(h, "/compare/web/django-vs-flask?x="+strings.Repeat("a", maxPinBody))
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("pin of a %d-byte form = %d, want 413", maxPinBody, rec.Code)
		}
	})
	t.Run("GET /s", func(t *testing.T) {
		if rec := get(t, h, "/s"); rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("GET /s = %d, want 405", rec.Code)
		}
	})
}

// manySystems is the slugs of writeTopic's first n systems, joined by -vs-.
func manySystems(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("system-%d", i)
	}
	return strings.Join(s, "-vs-")
}

func TestPinSameOrigin(t *testing.T) {
	h, _ := pinServer(t, "../content/testdata/valid", Config{BaseURL: "https://versa.example", PinsPerMinute: -1})
	const target = "/compare/web/django-vs-flask"
	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"same origin", nil, http.StatusSeeOther},
		{"public origin", []string{"Origin", "https://versa.example"}, http.StatusSeeOther},
		{"fetch metadata same-origin", []string{"Sec-Fetch-Site", "same-origin", "Origin", ""}, http.StatusSeeOther},
		{"fetch metadata none", []string{"Sec-Fetch-Site", "none", "Origin", ""}, http.StatusSeeOther},
		{"referer only", []string{"Origin", "", "Referer", "http://example.com/compare/web/django-vs-flask"}, http.StatusSeeOther},
		{"no browser headers", []string{"Origin", ""}, http.StatusSeeOther},
		{"cross-site origin", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"public origin, other scheme", []string{"Origin", "http://versa.example"}, http.StatusForbidden},
		{"null origin", []string{"Origin", "null"}, http.StatusForbidden},
		{"fetch metadata cross-site", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"fetch metadata same-site", []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"cross-site referer", []string{"Origin", "", "Referer", "https://evil.example/page"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := pin(h, target, tt.header...)
			if rec.Code != tt.want {
				t.Fatalf("pin with %v = %d, want %d\n%s", tt.header, rec.Code, tt.want, rec.Body.String())
			}
			if tt.want == http.StatusForbidden && !strings.Contains(rec.Body.String(), "came from another site") {
				t.Errorf("403 page lacks its reason:\n%s", rec.Body.String())
			}
		})
	}
}

func TestPinRateLimit(t *testing.T) {
	h, _ := pinServer(t, "../content/testdata/valid", Config{PinsPerMinute: 2})
	const target = "/compare/web/django-vs-flask"
	for i := range 2 {
		if rec := pin(h, target); rec.Code != http.StatusSeeOther {
			t.Fatalf("pin %d = %d, want 303", i+1, rec.Code)
		}
	}
	rec := pin(h, target)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("third pin in a minute = %d, want 429", rec.Code)
	}
	if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q, want seconds", ra)
	}
	if !strings.Contains(rec.Body.String(), "Too many pins from your address") {
		t.Errorf("429 page lacks its reason:\n%s", rec.Body.String())
	}
	// Another address has its own bucket; a neighbour in the same IPv6 /64
	// shares one.
	other := httptest.NewRequest(http.MethodPost, "/s", strings.NewReader("url="+url.QueryEscape(target)))
	other.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	other.RemoteAddr = "198.51.100.7:4000"
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, other)
	if rr.Code != http.StatusSeeOther {
		t.Errorf("pin from another address = %d, want 303", rr.Code)
	}
}

func TestPinLimits(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		db := openDB(t)
		loadDir(t, db, "../content/testdata/valid")
		h := New(Config{}, db)
		if rec := pin(h, "/compare/web/django-vs-flask"); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("pin without a snapshot store = %d, want 503", rec.Code)
		}
		if rec := get(t, h, "/compare/web/django-vs-flask"); strings.Contains(rec.Body.String(), `data-testid="pin-form"`) {
			t.Error("compare page shows the Pin button with pinning off")
		}
	})
	t.Run("count", func(t *testing.T) {
		h, _ := pinServer(t, "../content/testdata/valid", Config{MaxPins: 1})
		loc := mustPin(t, h, "/compare/web/django-vs-flask")
		if rec := pin(h, "/compare/web/flask-vs-django"); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("pin past MaxPins = %d, want 503", rec.Code)
		}
		if got := mustPin(t, h, "/compare/web/django-vs-flask"); got != loc {
			t.Errorf("repin at MaxPins = %s, want %s", got, loc)
		}
	})
	t.Run("bytes", func(t *testing.T) {
		h, _ := pinServer(t, "../content/testdata/valid", Config{MaxPinBytes: 100})
		rec := pin(h, "/compare/web/django-vs-flask")
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "too large to pin") {
			t.Errorf("pin past MaxPinBytes = %d, want 400 saying too large\n%s", rec.Code, rec.Body.String())
		}
	})
}

// writeDiffTopic writes a topic "t" with systems a, b and c; edited, b's
// ORM is yes rather than partial, a feature is added and c is gone.
func writeDiffTopic(t *testing.T, dir string, edited bool) {
	t.Helper()
	topic := `title: Tools
summary: Tools to compare.
categories:
  - key: data
    title: Data
features:
  - key: orm
    name: Built-in ORM
    category: data
  - key: admin
    name: Admin UI
    category: data
`
	if edited {
		topic += `  - key: async
    name: Async views
    category: data
`
	}
	mustWrite(t, filepath.Join(dir, "t", "topic.yaml"), topic)
	orm := "partial"
	async := ""
	if edited {
		orm, async = "yes", "  async: yes\n"
	}
	mustWrite(t, filepath.Join(dir, "t", "systems", "a.md"), "---\nname: Alpha\nfeatures:\n  orm: yes\n  admin: {support: yes, note: Generated}\n"+async+"---\nA.\n")
	mustWrite(t, filepath.Join(dir, "t", "systems", "b.md"), "---\nname: Beta\nfeatures:\n  orm: "+orm+"\n  admin: no\n"+async+"---\nB.\n")
	if !edited {
		mustWrite(t, filepath.Join(dir, "t", "systems", "c.md"), "---\nname: Gamma\nfeatures:\n  orm: no\n  admin: no\n---\nC.\n")
	}
}

func TestPinChangedSince(t *testing.T) {
	before, after := t.TempDir(), t.TempDir()
	writeDiffTopic(t, before, false)
	writeDiffTopic(t, after, true)
	h, db := pinServer(t, before, Config{CacheBytes: -1})
	loc := mustPin(t, h, "/compare/t/a-vs-b-vs-c")
	pinned := get(t, h, loc).Body.String()
	if !strings.Contains(pinned, `data-testid="pin-unchanged"`) {
		t.Fatalf("fresh snapshot does not say it is unchanged:\n%s", pinned)
	}

	loadDir(t, db, after)
	page := get(t, h, loc)
	if page.Code != http.StatusOK {
		t.Fatalf("GET %s after the edit = %d", loc, page.Code)
	}
	body := page.Body.String()
	for _, want := range []string{
		`<strong>1 cell changed, 1 feature added, 1 system removed</strong>`,
		`was: <del>Partial</del>`,
		`now: <ins>Yes</ins>`,
		`Async views <span class="pin-status">(feature added)</span>`,
		`Gamma <span class="muted">(removed)</span>`,
		`href="/compare/t/a-vs-b" data-testid="live-link"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("snapshot page after the edit lacks %q", want)
		}
	}
	// The table itself is still the pinned one.
	systems, rows := htmlTable(t, body)
	if diff := cmp.Diff([]string{"a", "b", "c"}, systems); diff != "" {
		t.Errorf("pinned systems (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"orm|Built-in ORM|yes|partial|no", "admin|Admin UI|yes|no|no"}, rowStrings(rows, true)); diff != "" {
		t.Errorf("pinned rows (-want +got):\n%s", diff)
	}
	// A note is part of a cell: changing it is a change.
	again := t.TempDir()
	writeDiffTopic(t, again, false)
	mustWrite(t, filepath.Join(again, "t", "systems", "a.md"), "---\nname: Alpha\nfeatures:\n  orm: yes\n  admin: {support: yes, note: Hand-written}\n---\nA.\n")
	loadDir(t, db, again)
	body = get(t, h, loc).Body.String()
	// Only what changed is spelled out: the note, not the unchanged level.
	if !strings.Contains(body, "<strong>1 cell changed</strong>") || !strings.Contains(body, "was: <del>note Generated</del>") ||
		!strings.Contains(body, "now: <ins>note Hand-written</ins>") {
		t.Errorf("a changed note is not reported:\n%s", body)
	}

	// A removed topic leaves the snapshot, and says so.
	empty := t.TempDir()
	writeTopic(t, empty, "other", 2, 2, "Other.")
	loadDir(t, db, empty)
	body = get(t, h, loc).Body.String()
	if !strings.Contains(body, `data-testid="pin-gone"`) || !strings.Contains(body, "Tools no longer exists") {
		t.Errorf("snapshot of a removed topic does not say so:\n%s", body)
	}
	if _, rows := htmlTable(t, body); len(rows) != 2 {
		t.Errorf("snapshot of a removed topic shows %d rows, want 2", len(rows))
	}
}

// Snapshots outlive the process and content rebuilds.
func TestPinSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "versa.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	loadDir(t, db, "../content/testdata/valid")
	h := New(Config{Pins: db}, db)
	loc := mustPin(t, h, "/compare/web/django-vs-flask?need=orm")
	want := get(t, h, loc).Body.String()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loadDir(t, db, "../content/testdata/valid") // a rebuild: a new load of the same folder
	h = New(Config{Pins: db}, db)
	rec := get(t, h, loc)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s after a restart = %d", loc, rec.Code)
	}
	_, wantRows := htmlTable(t, want)
	_, gotRows := htmlTable(t, rec.Body.String())
	if diff := cmp.Diff(rowStrings(wantRows, true), rowStrings(gotRows, true)); diff != "" {
		t.Errorf("rows after a restart (-before +after):\n%s", diff)
	}
	if !strings.Contains(rec.Body.String(), `data-testid="pin-unchanged"`) {
		t.Error("snapshot reports changes after a rebuild of the same content")
	}
	if got := mustPin(t, h, "/compare/web/django-vs-flask?need=orm"); got != loc {
		t.Errorf("repin after a restart = %s, want %s", got, loc)
	}
}

func TestPinnedNotFound(t *testing.T) {
	h, _ := pinServer(t, "../content/testdata/valid", Config{})
	for _, target := range []string{"/s/aaaaaaaaaaaaaaaa", "/s/aaaaaaaaaaaaaaaa.png", "/s/nope", "/s/AAAAAAAAAAAAAAAA"} {
		rec := get(t, h, target)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "snapshot") {
			t.Errorf("GET %s: the 404 page does not say what is missing", target)
		}
	}
}

func TestPreviewImage(t *testing.T) {
	h, _ := pinServer(t, "../../content", Config{})
	loc := mustPin(t, h, sixPage+"?diff=1")
	for _, target := range []string{sixPage + ".png", pairPage + ".png?diff=1&categories=data", loc + ".png"} {
		rec := get(t, h, target)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", target, rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "image/png" {
			t.Errorf("GET %s: Content-Type = %q, want image/png", target, ct)
		}
		img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 630 {
			t.Errorf("GET %s: %dx%d, want 1200x630", target, b.Dx(), b.Dy())
		}
	}
	// Cached per revision and URL like a page: the second answer is the
	// same bytes with an ETag, and a revalidation is a 304.
	first := get(t, h, sixPage+".png")
	etag := first.Header().Get("Etag")
	if etag == "" {
		t.Fatal("preview has no ETag")
	}
	if rec := send(h, http.MethodGet, sixPage+".png", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("revalidation = %d, want 304", rec.Code)
	}
}

func TestDrawPreview(t *testing.T) {
	db := openDB(t)
	loadDir(t, db, "../../content")
	s := New(Config{}, db)
	// More systems than columns, long names, no differences: all drawn
	// without a panic, at the right size.
	for _, target := range []string{sixPage + ".png", pairPage + ".png?diff=1&categories=data"} {
		if rec := get(t, s, target); rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", target, rec.Code)
		}
	}
	dir := t.TempDir()
	writeTopic(t, dir, "wide", 30, 3, "Many systems.")
	loadDir(t, db, dir)
	h := New(Config{CacheBytes: -1}, db)
	rec := get(t, h, "/compare/wide/"+manySystems(12)+".png")
	if rec.Code != http.StatusOK {
		t.Fatalf("12-system preview = %d\n%s", rec.Code, rec.Body.String())
	}
	img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
	if err != nil || img.Bounds().Dx() != 1200 {
		t.Errorf("12-system preview: %v, %v", err, img.Bounds())
	}
}

func TestOpenGraph(t *testing.T) {
	h, _ := pinServer(t, "../../content", Config{BaseURL: "https://versa.example"})
	target := "/compare/python-web-frameworks/flask-vs-django?diff=1"
	body := get(t, h, target).Body.String()
	for _, want := range []string{
		`<meta property="og:title" content="Flask vs Django · Python web frameworks">`,
		`<meta property="og:description" content="Feature by feature: Flask vs Django, Python web frameworks.">`,
		`<meta property="og:type" content="website">`,
		`<meta property="og:url" content="https://versa.example/compare/python-web-frameworks/django-vs-flask">`,
		`<meta property="og:image" content="https://versa.example/compare/python-web-frameworks/flask-vs-django.png?diff=1">`,
		`<meta property="og:image:width" content="1200">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<form method="post" action="/s" class="inline-form" data-testid="pin-form"><input type="hidden" name="url" value="/compare/python-web-frameworks/flask-vs-django?diff=1">`,
		`data-testid="download-csv"`,
		`data-testid="download-md"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("compare page lacks %s", want)
		}
	}
	// Every page has the tags; one without an image has the small card.
	for _, target := range []string{"/", "/topics/python-web-frameworks", "/articles", "/s/aaaaaaaaaaaaaaaa"} {
		body := get(t, h, target).Body.String()
		for _, want := range []string{`<meta property="og:title" content="`, `<meta property="og:description" content="`, `<meta name="twitter:card" content="summary">`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", target, want)
			}
		}
	}
	// Without a public origin, URLs stay paths and og:url is left out.
	h2, _ := pinServer(t, "../../content", Config{})
	body = get(t, h2, target).Body.String()
	if strings.Contains(body, "og:url") || !strings.Contains(body, `<meta property="og:image" content="/compare/python-web-frameworks/flask-vs-django.png?diff=1">`) {
		t.Errorf("without BaseURL: og:url present or og:image not a path")
	}
}

func TestSnapshotMetric(t *testing.T) {
	m := metrics.New()
	h, _ := pinServer(t, "../content/testdata/valid", Config{Metrics: m})
	scrape := func() string { return get(t, h, "/metrics").Body.String() }
	if !strings.Contains(scrape(), "\nversa_snapshots 0\n") {
		t.Errorf("/metrics lacks versa_snapshots 0")
	}
	mustPin(t, h, "/compare/web/django-vs-flask")
	mustPin(t, h, "/compare/web/flask-vs-django")
	if !strings.Contains(scrape(), "\nversa_snapshots 2\n") {
		t.Errorf("/metrics lacks versa_snapshots 2")
	}
	// A second server on the same metrics reports its own store.
	pinServer(t, "../content/testdata/valid", Config{Metrics: m})
	if !strings.Contains(scrape(), "\nversa_snapshots 0\n") {
		t.Errorf("/metrics does not follow the newest server's store")
	}
}

func TestChangeWords(t *testing.T) {
	tests := []struct {
		name       string
		was, now   pinnedCell
		then, now2 string
	}{
		{"level", pinnedCell{Support: "yes", Note: "n"}, pinnedCell{Support: "partial", Note: "n"}, "Yes", "Partial"},
		{"value", pinnedCell{Value: "MIT"}, pinnedCell{Value: "BSD"}, "MIT", "BSD"},
		{"note added", pinnedCell{Support: "yes"}, pinnedCell{Support: "yes", Note: "Only views"}, "no note", "note Only views"},
		{"level and source", pinnedCell{Support: "no", Source: "https://a"}, pinnedCell{Support: "plugin", Via: "ext"},
			"No; no via; source https://a", "Plugin; via ext; no source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			then, now := changeWords(tt.was, tt.now)
			if then != tt.then || now != tt.now2 {
				t.Errorf("changeWords = %q, %q; want %q, %q", then, now, tt.then, tt.now2)
			}
		})
	}
}

// A snapshot keeps each cell's checked date as it was when pinned; a new
// date alone is a re-check, not a change since.
func TestPinKeepsChecked(t *testing.T) {
	dir := t.TempDir()
	writeDiffTopic(t, dir, false)
	system := func(day string) string {
		return "---\nname: Alpha\nfeatures:\n  orm: yes\n  admin: {support: yes, note: Generated, checked: " + day + "}\n---\nA.\n"
	}
	mustWrite(t, filepath.Join(dir, "t", "systems", "a.md"), system("2026-11-01"))
	h, db := pinServer(t, dir, Config{CacheBytes: -1})
	loc := mustPin(t, h, "/compare/t/a-vs-b")
	if body := get(t, h, loc).Body.String(); !strings.Contains(body, "checked 2026-11-01") {
		t.Fatalf("the pinned page does not show the cell's checked date:\n%s", body)
	}

	mustWrite(t, filepath.Join(dir, "t", "systems", "a.md"), system("2026-12-01"))
	loadDir(t, db, dir)
	if live := get(t, h, "/compare/t/a-vs-b").Body.String(); !strings.Contains(live, "checked 2026-12-01") {
		t.Fatalf("the live page does not show the new date")
	}
	body := get(t, h, loc).Body.String()
	if !strings.Contains(body, "checked 2026-11-01") || strings.Contains(body, "checked 2026-12-01") {
		t.Errorf("the pinned table does not keep the date it was pinned with")
	}
	if !strings.Contains(body, `data-testid="pin-unchanged"`) {
		t.Errorf("a re-check alone is listed as a change since the pin:\n%s", body)
	}
}
