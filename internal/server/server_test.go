package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"versa/internal/kb"
	"versa/static"
)

// fakeStore is an in-memory Store. Its revision can be set mid-test, as a
// content load would.
type fakeStore struct {
	mu       sync.Mutex
	topics   []kb.Topic
	systems  map[string][]kb.System
	revision *kb.Revision // nil: nothing loaded yet
	err      error        // when set, every method fails with it
	panics   bool         // when set, ListTopics panics
}

func (f *fakeStore) ListTopics(ctx context.Context) ([]kb.Topic, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panics {
		panic("fake store: boom")
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.topics, nil
}

func (f *fakeStore) ListTopicNames(ctx context.Context) ([]kb.Topic, error) {
	topics, err := f.ListTopics(ctx)
	names := make([]kb.Topic, len(topics))
	for i, t := range topics {
		names[i] = kb.Topic{Slug: t.Slug, Title: t.Title, Summary: t.Summary, Path: t.Path}
	}
	return names, err
}

func (f *fakeStore) ListSystems(ctx context.Context, topic string) ([]kb.System, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	systems, ok := f.systems[topic]
	if !ok {
		return nil, kb.ErrNotFound
	}
	return systems, nil
}

func (f *fakeStore) ListSystemCells(ctx context.Context, topic string, features []string) ([]kb.System, error) {
	return f.ListSystems(ctx, topic) // a superset of what is asked
}

func (f *fakeStore) ListSystemSlugs(ctx context.Context, topic string) ([]string, error) {
	systems, err := f.ListSystems(ctx, topic)
	if err != nil {
		return nil, err
	}
	slugs := make([]string, len(systems))
	for i, s := range systems {
		slugs[i] = s.Slug
	}
	slices.Sort(slugs)
	return slugs, nil
}

func (f *fakeStore) ListSystemNames(ctx context.Context, topic string) ([]kb.System, error) {
	systems, err := f.ListSystems(ctx, topic)
	if err != nil {
		return nil, err
	}
	names := make([]kb.System, len(systems))
	for i, s := range systems {
		names[i] = kb.System{Topic: s.Topic, Slug: s.Slug, Name: s.Name}
	}
	return names, nil
}

func (f *fakeStore) CompareSystems(ctx context.Context, topic string, slugs []string) ([]kb.System, error) {
	systems, err := f.ListSystems(ctx, topic)
	if err != nil {
		return nil, err
	}
	var out []kb.System
	for _, slug := range slugs {
		i := slices.IndexFunc(systems, func(s kb.System) bool { return s.Slug == slug })
		if i < 0 {
			return nil, kb.ErrNotFound
		}
		out = append(out, systems[i])
	}
	return out, nil
}

func (f *fakeStore) FindTopic(ctx context.Context, slug string) (kb.Topic, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return kb.Topic{}, f.err
	}
	for _, t := range f.topics {
		if t.Slug == slug {
			return t, nil
		}
	}
	return kb.Topic{}, kb.ErrNotFound
}

func (f *fakeStore) FindSystem(ctx context.Context, topic, slug string) (kb.System, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return kb.System{}, f.err
	}
	for _, s := range f.systems[topic] {
		if s.Slug == slug {
			return s, nil
		}
	}
	return kb.System{}, kb.ErrNotFound
}

func (f *fakeStore) ListArticles(ctx context.Context, filter kb.ArticleFilter) ([]kb.Article, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return []kb.Article{}, nil
}

func (f *fakeStore) ListTags(ctx context.Context, topic string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return []string{}, nil
}

func (f *fakeStore) FindArticle(ctx context.Context, topic, slug string) (kb.Article, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return kb.Article{}, f.err
	}
	return kb.Article{}, kb.ErrNotFound
}

func (f *fakeStore) ResolveAlias(ctx context.Context, topic, kind, from string) (string, error) {
	return "", kb.ErrNotFound
}

func (f *fakeStore) Revision(ctx context.Context) (kb.Revision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return kb.Revision{}, f.err
	}
	if f.revision == nil {
		return kb.Revision{}, kb.ErrNotFound
	}
	return *f.revision, nil
}

func (f *fakeStore) load(rev kb.Revision) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revision = &rev
}

var loadedAt = time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)

// newStore returns a store holding one loaded topic with two systems.
func newStore() *fakeStore {
	return &fakeStore{
		topics: []kb.Topic{{
			Slug:    "python-web-frameworks",
			Title:   "Python web frameworks",
			Summary: "Frameworks for building web apps in Python.",
		}},
		systems: map[string][]kb.System{
			"python-web-frameworks": {
				{Topic: "python-web-frameworks", Slug: "django", Name: "Django"},
				{Topic: "python-web-frameworks", Slug: "flask", Name: "Flask"},
			},
		},
		revision: &kb.Revision{
			ID:       "0123456789abcdef0123456789abcdef",
			LoadedAt: loadedAt,
			Problems: []kb.Problem{
				{Path: "python-web-frameworks/systems/flask.md", Line: 7, Msg: `unknown feature "orm2"`},
				{Path: "python-web-frameworks/articles/x.md", Line: 0, Msg: "title is <script>alert(1)</script>"},
			},
		},
	}
}

// testServer is the real router over a store, with its log captured.
type testServer struct {
	handler http.Handler
	logs    *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newTestServer(t *testing.T, cfg Config, store Store) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return &testServer{handler: New(cfg, store), logs: logs}
}

// response is one answer, read whole.
type response struct {
	status int
	header http.Header
	body   string
}

func (ts *testServer) do(t *testing.T, method, target string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	ts.handler.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

// parse parses an HTML body.
func parse(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// texts returns the text of every element with the data-testid, in order.
func texts(doc *html.Node, testID string) []string {
	var out []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "data-testid") == testID {
			var b strings.Builder
			for d := range n.Descendants() {
				if d.Type == html.TextNode {
					b.WriteString(d.Data)
				}
			}
			out = append(out, strings.Join(strings.Fields(b.String()), " "))
		}
	}
	return out
}

// resolve is href as a browser on page follows it: its path and query.
func resolve(page, href string) string {
	u, err := url.Parse(page)
	if err != nil {
		return "bad page " + page
	}
	r, err := u.Parse(href)
	if err != nil {
		return "bad href " + href
	}
	return r.RequestURI()
}

// featureRow matches the id of a feature's row in a table: the spec's
// feature-{key}, or matrix-N-feature-{key} in an article's later tables.
// Tests find rows by it, as readers' links do; the rows carry no test id
// (their markup repeats for every feature of a page).
var featureRow = regexp.MustCompile(`^(matrix-[0-9]+-)?feature-`)

// rowIDs returns the id of every feature row of the tables of a page.
func rowIDs(doc *html.Node) []string {
	var out []string
	for n := range doc.Descendants() {
		if isFeatureRow(n) {
			out = append(out, attr(n, "id"))
		}
	}
	return out
}

// isFeatureRow reports whether n is a table row of one feature.
func isFeatureRow(n *html.Node) bool {
	return n.Type == html.ElementNode && n.Data == "tr" && featureRow.MatchString(attr(n, "id"))
}

// supportOfClass is the support level a cell's class draws (site.css;
// web.SupportClass), "" for a class that is none.
func supportOfClass(class string) string {
	return map[string]string{"y": "yes", "a": "partial", "p": "plugin", "n": "no", "u": "unknown"}[class]
}

// attrs returns the attribute key of every element with the data-testid.
func attrs(doc *html.Node, testID, key string) []string {
	var out []string
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && attr(n, "data-testid") == testID {
			out = append(out, attr(n, key))
		}
	}
	return out
}

// columnSystems is the slugs of a compare table's systems, from the links
// of its header cells after the first, in their order.
func columnSystems(table *html.Node) []string {
	var out []string
	first := true
	for n := range table.Descendants() {
		if n.Type != html.ElementNode || n.Data != "th" || attr(n, "scope") != "col" {
			continue
		}
		if first { // the "Feature" column's
			first = false
			continue
		}
		for a := range n.Descendants() {
			if a.Type == html.ElementNode && a.Data == "a" {
				out = append(out, path.Base(attr(a, "href")))
				break
			}
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestRoutes(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		target     string
		wantStatus int
		wantType   string
		wantBody   string // a substring of the body
	}{
		{"home", "GET", "/", 200, "text/html; charset=utf-8", "Python web frameworks"},
		{"home head", "HEAD", "/", 200, "text/html; charset=utf-8", ""},
		{"healthz", "GET", "/healthz", 200, "text/plain; charset=utf-8", "ok"},
		{"healthz head", "HEAD", "/healthz", 200, "text/plain; charset=utf-8", ""},
		{"readyz", "GET", "/readyz", 200, "text/plain; charset=utf-8", "ready"},
		{"status", "GET", "/status", 200, "text/html; charset=utf-8", "0123456789abcdef0123456789abcdef"},
		{"status head", "HEAD", "/status", 200, "text/html; charset=utf-8", ""},
		{"api status", "GET", "/api/status", 200, "application/json; charset=utf-8", `"loaded": true`},
		{"static", "GET", static.Path("site.css"), 200, "text/css; charset=utf-8", ":root"},
		{"static head", "HEAD", static.Path("site.js"), 200, "text/javascript; charset=utf-8", ""},
		{"unknown page", "GET", "/no/such/page", 404, "text/html; charset=utf-8", "Page not found"},
		{"unknown api", "GET", "/api/nothing", 404, "application/json; charset=utf-8", `"status": 404`},
		{"unknown static", "GET", "/static/site.css", 404, "", ""},
		{"post home", "POST", "/", 405, "text/html; charset=utf-8", "Method not allowed"},
		{"delete status", "DELETE", "/status", 405, "text/html; charset=utf-8", "Method not allowed"},
		{"post api", "POST", "/api/status", 405, "application/json; charset=utf-8", `"status": 405`},
	}
	ts := newTestServer(t, Config{}, newStore())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.do(t, tt.method, tt.target)
			if res.status != tt.wantStatus {
				t.Fatalf("%s %s: status = %d, want %d\n%s", tt.method, tt.target, res.status, tt.wantStatus, res.body)
			}
			if got := res.header.Get("Content-Type"); tt.wantType != "" && got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if !strings.Contains(res.body, tt.wantBody) {
				t.Errorf("body does not contain %q:\n%s", tt.wantBody, res.body)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
	}
	broken := &fakeStore{panics: true}
	tests := []struct {
		name   string
		store  Store
		method string
		target string
	}{
		{"home", newStore(), "GET", "/"},
		{"healthz", newStore(), "GET", "/healthz"},
		{"readyz", newStore(), "GET", "/readyz"},
		{"status", newStore(), "GET", "/status"},
		{"api status", newStore(), "GET", "/api/status"},
		{"static", newStore(), "GET", static.Path("site.css")},
		{"not found", newStore(), "GET", "/nope"},
		{"method not allowed", newStore(), "PUT", "/"},
		{"panic", broken, "GET", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := newTestServer(t, Config{}, tt.store).do(t, tt.method, tt.target)
			for k, v := range want {
				if got := res.header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestHome(t *testing.T) {
	ts := newTestServer(t, Config{}, newStore())
	res := ts.do(t, "GET", "/")
	doc := parse(t, res.body)

	if got, want := attrs(doc, "topic-link", "href"), []string{"/topics/python-web-frameworks"}; !cmp.Equal(got, want) {
		t.Errorf("topic links = %q, want %q", got, want)
	}
	if got, want := texts(doc, "topic-summary"), []string{"Frameworks for building web apps in Python."}; !cmp.Equal(got, want) {
		t.Errorf("summaries = %q, want %q", got, want)
	}
	if got, want := texts(doc, "system"), []string{"Django", "Flask"}; !cmp.Equal(got, want) {
		t.Errorf("systems = %q, want %q", got, want)
	}
	if got, want := texts(doc, "revision"), []string{"0123456789ab"}; !cmp.Equal(got, want) {
		t.Errorf("footer revision = %q, want %q", got, want)
	}
	if got := texts(doc, "dev-problem"); len(got) != 0 {
		t.Errorf("dev banner shown outside dev mode: %q", got)
	}
}

func TestHomeBeforeLoad(t *testing.T) {
	ts := newTestServer(t, Config{}, &fakeStore{})
	res := ts.do(t, "GET", "/")
	if res.status != 200 {
		t.Fatalf("status = %d, want 200", res.status)
	}
	doc := parse(t, res.body)
	if got := texts(doc, "no-topics"); len(got) != 1 {
		t.Errorf("no-topics = %q, want one", got)
	}
	if got := texts(doc, "revision-none"); len(got) != 1 {
		t.Errorf("revision-none = %q, want one", got)
	}
}

func TestDevBanner(t *testing.T) {
	ts := newTestServer(t, Config{Dev: true}, newStore())
	doc := parse(t, ts.do(t, "GET", "/").body)
	want := []string{
		`python-web-frameworks/systems/flask.md:7: unknown feature "orm2"`,
		"python-web-frameworks/articles/x.md:1: title is <script>alert(1)</script>",
	}
	if diff := cmp.Diff(want, texts(doc, "dev-problem")); diff != "" {
		t.Errorf("dev banner (-want +got):\n%s", diff)
	}
	// The status page lists the problems itself; a banner would repeat them.
	doc = parse(t, ts.do(t, "GET", "/status").body)
	if got := texts(doc, "dev-problem"); len(got) != 0 {
		t.Errorf("dev banner on the status page: %q", got)
	}
}

func TestReadyz(t *testing.T) {
	store := &fakeStore{}
	ts := newTestServer(t, Config{}, store)
	if res := ts.do(t, "GET", "/readyz"); res.status != http.StatusServiceUnavailable {
		t.Errorf("before load: status = %d, want 503", res.status)
	}
	if res := ts.do(t, "GET", "/healthz"); res.status != http.StatusOK || res.body != "ok" {
		t.Errorf("healthz before load = %d %q, want 200 \"ok\"", res.status, res.body)
	}
	store.load(kb.Revision{ID: "abc", LoadedAt: loadedAt})
	if res := ts.do(t, "GET", "/readyz"); res.status != http.StatusOK {
		t.Errorf("after load: status = %d, want 200", res.status)
	}
	store.err = errors.New("database is locked")
	if res := ts.do(t, "GET", "/readyz"); res.status != http.StatusServiceUnavailable {
		t.Errorf("store failing: status = %d, want 503", res.status)
	}
	if res := ts.do(t, "GET", "/healthz"); res.status != http.StatusOK {
		t.Errorf("healthz with store failing = %d, want 200", res.status)
	}
}

func TestStatusPage(t *testing.T) {
	ts := newTestServer(t, Config{}, newStore())
	res := ts.do(t, "GET", "/status")
	if res.status != 200 {
		t.Fatalf("status = %d, want 200", res.status)
	}
	doc := parse(t, res.body)
	want := []string{
		`python-web-frameworks/systems/flask.md:7: unknown feature "orm2"`,
		"python-web-frameworks/articles/x.md:1: title is <script>alert(1)</script>",
	}
	if diff := cmp.Diff(want, texts(doc, "problem")); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if strings.Contains(res.body, "<script>alert") {
		t.Errorf("problem message not escaped:\n%s", res.body)
	}
	if !strings.Contains(res.body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("escaped problem message missing")
	}
	if got, want := texts(doc, "status-revision"), []string{"0123456789abcdef0123456789abcdef"}; !cmp.Equal(got, want) {
		t.Errorf("revision = %q, want %q", got, want)
	}
	if got, want := attrs(doc, "loaded-at", "datetime"), []string{"2025-06-01T12:30:00Z"}; !cmp.Equal(got, want) {
		t.Errorf("loaded at = %q, want %q", got, want)
	}
}

func TestStatusPageStates(t *testing.T) {
	clean := newStore()
	clean.revision.Problems = nil
	tests := []struct {
		name   string
		store  *fakeStore
		testID string
	}{
		{"no problems", clean, "no-problems"},
		{"not loaded", &fakeStore{}, "not-loaded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := newTestServer(t, Config{}, tt.store).do(t, "GET", "/status")
			if res.status != 200 {
				t.Fatalf("status = %d, want 200", res.status)
			}
			doc := parse(t, res.body)
			if got := texts(doc, tt.testID); len(got) != 1 {
				t.Errorf("%s = %q, want one", tt.testID, got)
			}
			if got := texts(doc, "problem"); len(got) != 0 {
				t.Errorf("problems = %q, want none", got)
			}
		})
	}
}

func TestAPIStatus(t *testing.T) {
	type problem struct {
		Path    string `json:"path"`
		Line    int    `json:"line"`
		Message string `json:"message"`
	}
	type status struct {
		Loaded         bool      `json:"loaded"`
		Revision       string    `json:"revision"`
		LoadedAt       *string   `json:"loaded_at"`
		Problems       []string  `json:"problems"`
		ProblemDetails []problem `json:"problem_details"`
	}
	ts := func(s string) *string { return &s }
	tests := []struct {
		name  string
		store *fakeStore
		want  status
	}{
		{
			name:  "loaded",
			store: newStore(),
			want: status{
				Loaded:   true,
				Revision: "0123456789abcdef0123456789abcdef",
				LoadedAt: ts("2025-06-01T12:30:00Z"),
				Problems: []string{
					`python-web-frameworks/systems/flask.md:7: unknown feature "orm2"`,
					"python-web-frameworks/articles/x.md:1: title is <script>alert(1)</script>",
				},
				ProblemDetails: []problem{
					{"python-web-frameworks/systems/flask.md", 7, `unknown feature "orm2"`},
					{"python-web-frameworks/articles/x.md", 1, "title is <script>alert(1)</script>"},
				},
			},
		},
		{
			name:  "not loaded",
			store: &fakeStore{},
			want:  status{Problems: []string{}, ProblemDetails: []problem{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := newTestServer(t, Config{}, tt.store).do(t, "GET", "/api/status")
			if res.status != 200 {
				t.Fatalf("status = %d, want 200", res.status)
			}
			var got status
			if err := json.Unmarshal([]byte(res.body), &got); err != nil {
				t.Fatalf("decode %q: %v", res.body, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("/api/status (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotFoundPage(t *testing.T) {
	ts := newTestServer(t, Config{}, newStore())
	res := ts.do(t, "GET", "/topics/no-such-topic/<b>")
	if res.status != 404 {
		t.Fatalf("status = %d, want 404", res.status)
	}
	doc := parse(t, res.body)
	if got := texts(doc, "error-status"); !cmp.Equal(got, []string{"404"}) {
		t.Errorf("error-status = %q, want [404]", got)
	}
	if got := attrs(doc, "home-link", "href"); !cmp.Equal(got, []string{"/"}) {
		t.Errorf("home link = %q, want [/]", got)
	}
	if got := texts(doc, "revision"); !cmp.Equal(got, []string{"0123456789ab"}) {
		t.Errorf("footer revision = %q", got)
	}
	if strings.Contains(ts.logs.String(), "level=ERROR") {
		t.Errorf("a 404 was logged as an error:\n%s", ts.logs)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	ts := newTestServer(t, Config{}, newStore())
	tests := []struct {
		method, target, wantAllow string
	}{
		{"POST", "/", "GET, HEAD"},
		{"PUT", "/healthz", "GET, HEAD"},
		{"DELETE", static.Path("site.css"), "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			res := ts.do(t, tt.method, tt.target)
			if res.status != http.StatusMethodNotAllowed {
				t.Fatalf("status = %d, want 405", res.status)
			}
			if got := res.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

func TestStoreErrors(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantLogged bool
	}{
		{"not found", fmt.Errorf("topic secret-x: %w", kb.ErrNotFound), 404, false},
		{"invalid", fmt.Errorf("slug secret-x: %w", kb.ErrInvalid), 400, false},
		{"deadline", fmt.Errorf("query secret-x: %w", context.DeadlineExceeded), 503, true},
		{"other", errors.New("sqlite: disk I/O error at /secret-x/path.db"), 500, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, Config{}, &fakeStore{err: tt.err})
			res := ts.do(t, "GET", "/")
			if res.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d", res.status, tt.wantStatus)
			}
			if got := texts(parse(t, res.body), "error-status"); len(got) != 1 {
				t.Errorf("no error page: %q", got)
			}
			if strings.Contains(res.body, "secret-x") {
				t.Errorf("error text %q shown to the reader", tt.err)
			}
			logged := strings.Contains(ts.logs.String(), "request failed")
			if logged != tt.wantLogged {
				t.Errorf("logged = %v, want %v:\n%s", logged, tt.wantLogged, ts.logs)
			}
			if tt.wantLogged && !strings.Contains(ts.logs.String(), tt.err.Error()) {
				t.Errorf("log does not carry the error:\n%s", ts.logs)
			}
		})
	}
}

func TestAPIError(t *testing.T) {
	ts := newTestServer(t, Config{}, &fakeStore{err: errors.New("secret detail")})
	res := ts.do(t, "GET", "/api/status")
	if res.status != 500 {
		t.Fatalf("status = %d, want 500", res.status)
	}
	var got apiError
	if err := json.Unmarshal([]byte(res.body), &got); err != nil {
		t.Fatalf("decode %q: %v", res.body, err)
	}
	if got.Status != 500 || strings.Contains(res.body, "secret detail") {
		t.Errorf("body = %s", res.body)
	}
}

func TestPanic(t *testing.T) {
	ts := newTestServer(t, Config{}, &fakeStore{panics: true})
	res := ts.do(t, "GET", "/")
	if res.status != 500 {
		t.Fatalf("status = %d, want 500", res.status)
	}
	if got := texts(parse(t, res.body), "error-status"); !cmp.Equal(got, []string{"500"}) {
		t.Errorf("error-status = %q, want [500]", got)
	}
	if strings.Contains(res.body, "boom") {
		t.Errorf("panic value shown to the reader")
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, "panic") || !strings.Contains(logs, "fake store: boom") {
		t.Errorf("panic not logged:\n%s", logs)
	}
	// The server keeps serving after a panic.
	if res := ts.do(t, "GET", "/healthz"); res.status != 200 {
		t.Errorf("healthz after panic = %d, want 200", res.status)
	}
}

func TestRenderFailureIsClean500(t *testing.T) {
	s := &server{log: slog.New(slog.DiscardHandler), store: scopedStore{newStore()}}
	failing := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		io.WriteString(w, "<p>half a page")
		return errors.New("template exploded")
	})
	h := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return s.render(w, r, http.StatusOK, failing)
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	if body := rec.Body.String(); strings.Contains(body, "half a page") || strings.Contains(body, "exploded") {
		t.Errorf("body carries the failed render: %q", body)
	}
}

func TestStaticThroughRouter(t *testing.T) {
	ts := newTestServer(t, Config{}, newStore())
	css := static.Path("site.css")
	res := ts.do(t, "GET", css)
	if res.status != 200 {
		t.Fatalf("GET %s: status = %d, want 200", css, res.status)
	}
	if got, want := res.header.Get("Cache-Control"), "public, max-age=31536000, immutable"; got != want {
		t.Errorf("Cache-Control = %q, want %q", got, want)
	}
	hashed := strings.TrimPrefix(css, "/static/")
	for _, target := range []string{
		"/static/../go.mod",
		"/static/../static/" + hashed,
		"/static/%2e%2e/go.mod",
		"/static/..%2fgo.mod",
		"/static/x/../" + hashed,
		"/static/embed.go",
		"/static/site.css",
	} {
		t.Run(target, func(t *testing.T) {
			res := ts.do(t, "GET", target)
			if res.status != http.StatusNotFound {
				t.Errorf("GET %s: status = %d, want 404", target, res.status)
			}
			if strings.Contains(res.header.Get("Cache-Control"), "immutable") {
				t.Errorf("GET %s: a 404 cached as immutable", target)
			}
		})
	}
}
