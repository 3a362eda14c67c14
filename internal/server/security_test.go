package server

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"versa/internal/server/metrics"
	"versa/static"
)

// routeMethods lists every route of the router with the methods it serves,
// as chi.Walk sees them, so a test covers routes added later too.
func routeMethods(t *testing.T, h http.Handler) map[string][]string {
	t.Helper()
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("New returned %T, not a chi router", h)
	}
	out := map[string][]string{}
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out[route] = append(out[route], method)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("walked only %d routes: %v", len(out), out)
	}
	return out
}

// bundledSamples are real paths of the bundled content for route patterns;
// a pattern missing here gets its parameters filled with placeholders.
var bundledSamples = map[string]string{
	"/compare/{topic}/{systems}":     "/compare/python-web-frameworks/django-vs-flask",
	"/topics/{topic}":                "/topics/python-web-frameworks",
	"/topics/{topic}/{system}":       "/topics/python-web-frameworks/django",
	"/articles/{topic}/{article}":    "/articles/python-web-frameworks/django-vs-flask",
	"/api/topics/{topic}":            "/api/topics/python-web-frameworks",
	"/api/topics/{topic}/{system}":   "/api/topics/python-web-frameworks/flask",
	"/api/compare/{topic}/{systems}": "/api/compare/python-web-frameworks/django-vs-flask",
	"/search":                        "/search?q=orm",
	"/api/search":                    "/api/search?q=orm",
	"/sitemap-{n}.xml":               "/sitemap-1.xml",
	"/static/*":                      static.Path("site.css"),
	"/compare":                       "/compare?topic=python-web-frameworks&system=django&system=flask",
	"/articles":                      "/articles?topic=python-web-frameworks",
}

var routeParam = regexp.MustCompile(`\{[^}]*\}`)

// samplePath is a concrete path that pattern matches.
func samplePath(pattern string) string {
	if p := bundledSamples[pattern]; p != "" {
		return p
	}
	p := routeParam.ReplaceAllString(pattern, "x")
	return strings.ReplaceAll(p, "*", "x")
}

// wantAllow is the Allow header for a route serving methods: in the order
// allowedMethods writes them, with HEAD wherever GET is.
func wantAllow(methods []string) string {
	var out []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		if slices.Contains(methods, m) || m == "HEAD" && slices.Contains(methods, "GET") {
			out = append(out, m)
		}
	}
	return strings.Join(out, ", ")
}

// TestWrongMethodEveryRoute sends every route each method it does not
// serve: always 405, with an Allow header naming what it does serve.
func TestWrongMethodEveryRoute(t *testing.T) {
	h, _ := bundled(t, Config{})
	for pattern, methods := range routeMethods(t, h) {
		allow := wantAllow(methods)
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			if slices.Contains(methods, m) {
				continue
			}
			target := samplePath(pattern)
			t.Run(m+" "+pattern, func(t *testing.T) {
				rec := send(h, m, target)
				if rec.Code != http.StatusMethodNotAllowed {
					t.Fatalf("%s %s = %d, want 405", m, target, rec.Code)
				}
				if got := rec.Header().Get("Allow"); got != allow {
					t.Errorf("%s %s: Allow = %q, want %q", m, target, got, allow)
				}
				if got := rec.Header().Get("Content-Security-Policy"); got == "" {
					t.Errorf("%s %s: no Content-Security-Policy on the 405", m, target)
				}
			})
		}
	}
}

// TestHeadEveryRoute asks every GET route with HEAD, through a real
// listener: the status and headers of GET, a Content-Length (where GET
// sends one) that matches GET's body, and no body.
func TestHeadEveryRoute(t *testing.T) {
	h, _ := bundled(t, Config{CacheBytes: -1})
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	do := func(method, target string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", "identity")
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, target, err)
		}
		return res, body
	}
	for pattern, methods := range routeMethods(t, h) {
		if !slices.Contains(methods, "GET") {
			continue
		}
		target := samplePath(pattern)
		t.Run(pattern, func(t *testing.T) {
			head, headBody := do("HEAD", target)
			get, getBody := do("GET", target)
			if head.StatusCode != get.StatusCode {
				t.Fatalf("HEAD %s = %d, GET = %d", target, head.StatusCode, get.StatusCode)
			}
			if len(headBody) != 0 {
				t.Errorf("HEAD %s sent a body of %d bytes", target, len(headBody))
			}
			for _, k := range []string{"Content-Type", "Content-Security-Policy", "Cache-Control", "Location", "Allow"} {
				if g, w := head.Header.Get(k), get.Header.Get(k); g != w {
					t.Errorf("HEAD %s: %s = %q, GET has %q", target, k, g, w)
				}
			}
			if head.ContentLength > 0 && pattern != "/metrics" && head.ContentLength != int64(len(getBody)) {
				t.Errorf("HEAD %s: Content-Length %d, GET sends %d bytes", target, head.ContentLength, len(getBody))
			}
			if pattern != "/metrics" && get.StatusCode == 200 && len(getBody) == 0 {
				t.Errorf("GET %s: empty body, so the comparison proves nothing", target)
			}
		})
	}
}

func TestHTTPSHeaders(t *testing.T) {
	const hsts = "max-age=63072000; includeSubDomains"
	targets := []struct{ method, target string }{
		{"GET", "/"},
		{"GET", static.Path("site.css")},
		{"GET", "/nope"},
		{"POST", "/"},
		{"GET", "/healthz"},
		{"GET", "/search?q=" + strings.Repeat("x", maxURLBytes)},
	}
	for _, on := range []bool{false, true} {
		ts := newTestServer(t, Config{HTTPSHeaders: on}, newStore())
		for _, tt := range targets {
			t.Run(fmt.Sprintf("%v %s %.30s", on, tt.method, tt.target), func(t *testing.T) {
				res := ts.do(t, tt.method, tt.target)
				got := res.header.Get("Strict-Transport-Security")
				if on && got != hsts {
					t.Errorf("Strict-Transport-Security = %q, want %q", got, hsts)
				}
				if !on && got != "" {
					t.Errorf("Strict-Transport-Security = %q without HTTPSHeaders", got)
				}
			})
		}
	}
}

func TestURLLimit(t *testing.T) {
	ts := newTestServer(t, Config{}, newStore())
	long := "/search?q=" + strings.Repeat("a", maxURLBytes)
	res := ts.do(t, "GET", long)
	if res.status != http.StatusRequestURITooLong {
		t.Fatalf("GET of %d bytes = %d, want 414", len(long), res.status)
	}
	if !strings.Contains(res.body, "Address too long") {
		t.Errorf("414 page does not say what is wrong:\n%.500s", res.body)
	}
	if res.header.Get("Content-Security-Policy") == "" {
		t.Errorf("414 without security headers")
	}
	api := ts.do(t, "GET", "/api/search?q="+strings.Repeat("a", maxURLBytes))
	if api.status != http.StatusRequestURITooLong || !strings.Contains(api.body, `"status": 414`) {
		t.Errorf("API 414 = %d %s", api.status, api.body)
	}
	// Just under the limit, the route answers as usual.
	under := "/topics/" + strings.Repeat("a", maxURLBytes-len("/topics/"))
	if res := ts.do(t, "GET", under); res.status != http.StatusNotFound {
		t.Errorf("GET of %d bytes = %d, want 404 from the route", len(under), res.status)
	}
}

func TestBodyLimit(t *testing.T) {
	ts := newTestServer(t, Config{}, newStore())
	// A declared length past the limit is refused before any handler.
	req := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", maxBodyBytes+1)))
	rec := httptest.NewRecorder()
	ts.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST of %d bytes = %d, want 413", maxBodyBytes+1, rec.Code)
	}

	// A body of unknown length is cut at the limit: a handler reading it
	// gets an error that fail maps to 413.
	s := &server{log: slog.New(slog.DiscardHandler), store: scopedStore{newStore()}, metrics: metrics.New()}
	var read int
	h := s.limitRequests(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		b, err := io.ReadAll(r.Body)
		read = len(b)
		if err != nil {
			return fmt.Errorf("read form: %w", err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	for _, tt := range []struct {
		size int
		want int
	}{
		{maxBodyBytes, http.StatusNoContent},
		{maxBodyBytes + 1, http.StatusRequestEntityTooLarge},
		{10 * maxBodyBytes, http.StatusRequestEntityTooLarge},
	} {
		req := httptest.NewRequest("POST", "/s", io.MultiReader(strings.NewReader(strings.Repeat("x", tt.size))))
		req.ContentLength = -1 // chunked: the length is not known up front
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("chunked body of %d bytes = %d, want %d", tt.size, rec.Code, tt.want)
		}
		if read > maxBodyBytes {
			t.Errorf("handler read %d bytes, limit %d", read, maxBodyBytes)
		}
	}
}

// traversals are paths that try to leave the static files or the slugs:
// dot segments plain and encoded, encoded slashes and backslashes, NUL,
// absolute paths and overlong UTF-8.
var traversals = []string{
	"/static/../go.mod",
	"/static/..%2fgo.mod",
	"/static/%2e%2e/go.mod",
	"/static/%2e%2e%2fgo.mod",
	"/static/%252e%252e%252fgo.mod",
	"/static/..%5cgo.mod",
	"/static/..\\go.mod",
	"/static//etc/passwd",
	"/static/%2fetc%2fpasswd",
	"/static/site.css%00",
	"/static/%00",
	"/static/%c0%ae%c0%ae/go.mod",
	"/static/./" + strings.TrimPrefix(static.Path("site.css"), "/static/"),
	"/topics/..",
	"/topics/%2e%2e",
	"/topics/..%2f..%2fgo.mod",
	"/topics/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
	"/topics/python-web-frameworks/..%2f..%2fgo.mod",
	"/topics/python-web-frameworks/%2e%2e",
	"/topics/python-web-frameworks/django%00",
	"/topics/python-web-frameworks%00/django",
	"/topics/python-web-frameworks/django%2f..%2fflask",
	"/topics/Python-Web-Frameworks",
	"/compare/python-web-frameworks/..%2fdjango-vs-flask",
	"/compare/python-web-frameworks/django-vs-..%2f..%2fgo.mod",
	"/compare/%2e%2e/django-vs-flask",
	"/compare/python-web-frameworks/django-vs-flask%00.json",
	"/compare/python-web-frameworks/django-vs-flask%2f..%2f..%2fgo.mod",
	"/articles/python-web-frameworks/..%2f..%2fcontent%2fREADME",
	"/articles/python-web-frameworks/%2e%2e",
	"/articles/..%2f..%2f/x",
	"/api/topics/..%2f..%2fgo.mod",
	"/api/topics/python-web-frameworks/%00",
	"/api/compare/python-web-frameworks/django-vs-%2e%2e",
	"/sitemap-..%2f1.xml",
	"/sitemap-%00.xml",
}

// leaked is what a response would hold if a traversal reached a file.
var leaked = []string{"module versa", "root:x:0", "package static", "go:embed"}

func TestPathTraversal(t *testing.T) {
	h, _ := bundled(t, Config{})
	for _, target := range traversals {
		t.Run(target, func(t *testing.T) {
			rec := send(h, "GET", target)
			if rec.Code < 300 || rec.Code >= 500 {
				t.Errorf("GET %s = %d, want a redirect or 4xx", target, rec.Code)
			}
			if loc := rec.Header().Get("Location"); loc != "" && (strings.Contains(loc, "..") || strings.Contains(loc, "%00") || strings.HasPrefix(loc, "//")) {
				t.Errorf("GET %s redirects to %q", target, loc)
			}
			for _, s := range leaked {
				if strings.Contains(rec.Body.String(), s) {
					t.Errorf("GET %s answered with %q", target, s)
				}
			}
			if strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
				t.Errorf("GET %s: cached as immutable", target)
			}
		})
	}
}

// TestPathTraversalOnTheWire sends raw request lines that clients would
// clean up, to a real listener: net/http must not normalise them into a
// file either.
func TestPathTraversalOnTheWire(t *testing.T) {
	h, _ := bundled(t, Config{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	targets := append([]string{
		"/../../../../etc/passwd",
		"/static/../../../../go.mod",
		"/./static/../go.mod",
		"//etc/passwd",
		"/topics/../../go.mod",
	}, traversals...)
	for _, target := range targets {
		t.Run(target, func(t *testing.T) {
			status, body := rawGet(t, srv.Listener.Addr().String(), target)
			if status < 300 || status >= 500 {
				t.Errorf("GET %s = %d, want a redirect or 4xx", target, status)
			}
			for _, s := range leaked {
				if strings.Contains(body, s) {
					t.Errorf("GET %s answered with %q", target, s)
				}
			}
		})
	}
}

// rawGet sends target as written on the request line and reads the status
// and body.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: versa.test\r\nConnection: close\r\n\r\n", target)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", target, err)
	}
	return res.StatusCode, string(body)
}
