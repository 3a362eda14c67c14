package server

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// absoluteURLPaths are the answers that hold absolute URLs: the sitemap,
// robots.txt, the articles feed, a change feed and a compare page with its
// og:url and og:image.
var absoluteURLPaths = []string{
	"/sitemap.xml",
	"/robots.txt",
	"/feed.xml",
	"/topics/web/changes.atom",
	"/compare/web/django-vs-flask",
}

// TestForgedHostIgnored sends Host: evil.example to every answer with
// absolute URLs: without BaseURL none of them may name it, whether or not
// an allow list is set, and each one names the listen origin instead. A
// Host in the allow list is used.
func TestForgedHostIgnored(t *testing.T) {
	hs := newHistorySite(t)
	const origin = "http://127.0.0.1:8080"
	for _, cfg := range []Config{
		{ListenOrigin: origin},
		{ListenOrigin: origin, AllowedHosts: []string{"versa.example", "other.example:8443"}},
	} {
		cfg.History = hs.db
		h := New(cfg, snapshotDB{hs.db})
		for _, p := range absoluteURLPaths {
			for _, host := range []string{"evil.example", "evil.example:8443", "versa.example.evil.example", "other.example"} {
				req := httptest.NewRequest("GET", p, nil)
				req.Host = host
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				body := rec.Body.String()
				if rec.Code != 200 {
					t.Fatalf("allow %v: GET %s (Host %s) = %d\n%s", cfg.AllowedHosts, p, host, rec.Code, body)
				}
				if strings.Contains(body, "evil.example") || strings.Contains(body, "other.example") {
					t.Errorf("allow %v: GET %s with Host %s names the forged host:\n%s", cfg.AllowedHosts, p, host, firstLines(body, 30))
				}
				if p != "/compare/web/django-vs-flask" && !strings.Contains(body, origin+"/") {
					t.Errorf("allow %v: GET %s with Host %s does not name the listen origin:\n%s", cfg.AllowedHosts, p, host, firstLines(body, 30))
				}
			}
		}
	}

	// The og tags never come from the request: og:url is left out and
	// og:image is a path without BaseURL, and both start with BaseURL
	// when it is set.
	og := regexp.MustCompile(`<meta property="og:(url|image)" content="([^"]*)"`)
	for _, tt := range []struct {
		cfg  Config
		want map[string]string
	}{
		{Config{ListenOrigin: origin, AllowedHosts: []string{"evil.example"}}, map[string]string{"image": "/compare/web/django-vs-flask.png"}},
		{Config{BaseURL: "https://versa.example"}, map[string]string{
			"url":   "https://versa.example/compare/web/django-vs-flask",
			"image": "https://versa.example/compare/web/django-vs-flask.png",
		}},
	} {
		req := httptest.NewRequest("GET", "/compare/web/django-vs-flask", nil)
		req.Host = "evil.example"
		rec := httptest.NewRecorder()
		New(tt.cfg, snapshotDB{hs.db}).ServeHTTP(rec, req)
		got := map[string]string{}
		for _, m := range og.FindAllStringSubmatch(rec.Body.String(), -1) {
			got[m[1]] = m[2]
		}
		if len(got) != len(tt.want) || got["url"] != tt.want["url"] || got["image"] != tt.want["image"] {
			t.Errorf("base %q: og tags = %v, want %v", tt.cfg.BaseURL, got, tt.want)
		}
	}

	// An allowed Host (any case; by name alone, or with its own port) is
	// used, and such an answer is never cached for another Host.
	h := New(Config{ListenOrigin: origin, AllowedHosts: []string{"versa.example", "other.example:8443"}, History: hs.db}, snapshotDB{hs.db})
	for _, tt := range []struct{ host, want string }{
		{"VERSA.example", "http://versa.example/"},
		{"versa.example:9000", "http://versa.example:9000/"},
		{"other.example:8443", "http://other.example:8443/"},
		{"other.example", origin + "/"},
		{"evil.example", origin + "/"},
	} {
		for _, p := range absoluteURLPaths[:4] {
			req := httptest.NewRequest("GET", p, nil)
			req.Host = tt.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("GET %s with Host %s: no %s in\n%s", p, tt.host, tt.want, firstLines(rec.Body.String(), 20))
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("GET %s with Host %s: Cache-Control = %q, want no-cache", p, tt.host, cc)
			}
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
