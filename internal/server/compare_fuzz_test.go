package server

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// maxRedirects is how many redirects a compare URL may take to reach its
// canonical form: an alias and a form submission fold into one, and a
// query that is not canonical takes one more.
const maxRedirects = 3

// FuzzCompareURL sends compare URLs of the fuzzer's making (topic, the
// {a}-vs-{b} part with an optional export extension, and the query)
// through the real router over the bundled content, as HTML, export and
// API. Whatever the URL, the answer is never a 5xx or a panic, a redirect
// stays on the site, and following redirects reaches an answer within
// maxRedirects.
//
// Run it with: go test -run='^$' -fuzz='^FuzzCompareURL$' -fuzztime=60s ./internal/server
func FuzzCompareURL(f *testing.F) {
	seeds := []struct{ topic, spec, query string }{
		{"python-web-frameworks", "django-vs-flask", ""},
		{"python-web-frameworks", "django-vs-flask", "diff=1&categories=data,security"},
		{"python-web-frameworks", "django-vs-flask-vs-fastapi", "need=orm,admin"},
		{"python-web-frameworks", "flask-vs-django-vs-flask", "diff=on&category=data&category=security&add=bottle&add_need=orm"},
		{"python-web-frameworks", "django-vs-flask.csv", "diff=1"},
		{"python-web-frameworks", "django-vs-flask.json", "need=orm"},
		{"python-web-frameworks", "django-vs-flask.md", "categories=%2C%2C,data"},
		{"python-web-frameworks", "django", ""},
		{"python-web-frameworks", "-vs-", ""},
		{"python-web-frameworks", "django-vs-", "diff=1"},
		{"python-web-frameworks", "djangoproject-vs-flask", ""},
		{"python-web-frameworks", "django-vs-nope", ""},
		{"python-web-frameworks", "django-vs-flask", "categories=a%2Cb"},
		{"python-web-frameworks", "django-vs-flask", "need=+orm+&need=x&categories=data&categories=security"},
		{"python-web-frameworks", "django-vs-flask", "diff=1&diff=0&%zz"},
		{"python-web-frameworks", strings.Repeat("django-vs-", 30) + "flask", ""},
		{"nope", "a-vs-b", ""},
		{"..", "..%2f..%2fgo.mod", ""},
		{"python-web-frameworks", "django%00-vs-flask", ""},
		{"Python-Web-Frameworks", "Django-vs-Flask", ""},
	}
	for _, s := range seeds {
		f.Add(s.topic, s.spec, s.query)
	}
	db := openDB(f)
	loadDir(f, db, "../../content")
	h := New(Config{CacheBytes: -1}, db)

	f.Fuzz(func(t *testing.T, topic, spec, query string) {
		for _, base := range []string{"/compare/", "/api/compare/"} {
			target := base + topic + "/" + spec
			if query != "" {
				target += "?" + query
			}
			for hop := 0; ; hop++ {
				req, ok := readRequest(target)
				if !ok {
					if hop > 0 {
						t.Fatalf("redirected to %q, which is not a valid request", target)
					}
					return // net/http answers 400 before any handler
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code >= 500 {
					t.Fatalf("GET %q = %d\n%.500s", target, rec.Code, rec.Body.String())
				}
				if rec.Code < 300 || rec.Code >= 400 {
					break
				}
				loc := rec.Header().Get("Location")
				u, err := url.Parse(loc)
				if err != nil || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || u.Host != "" {
					t.Fatalf("GET %q redirects off the site, to %q", target, loc)
				}
				if hop == maxRedirects {
					t.Fatalf("GET %q: still redirecting after %d hops, to %q", base+topic+"/"+spec+"?"+query, hop, loc)
				}
				target = loc
			}
		}
	})
}

// readRequest parses target as the request line net/http would read, or
// reports false when net/http would refuse it before routing.
func readRequest(target string) (*http.Request, bool) {
	raw := "GET " + target + " HTTP/1.1\r\nHost: versa.test\r\n\r\n"
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil || req.RequestURI != target {
		return nil, false
	}
	req.RemoteAddr = "192.0.2.1:1234"
	return req, true
}
