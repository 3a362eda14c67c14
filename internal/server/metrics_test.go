package server

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"versa/internal/server/metrics"
)

// requestCount is the value of versa_http_requests_total for the labels,
// or "" when the series is absent.
func requestCount(body, route, method, code string) string {
	prefix := `versa_http_requests_total{code="` + code + `",method="` + method + `",route="` + route + `"} `
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			return v
		}
	}
	return ""
}

func TestMetrics(t *testing.T) {
	h := discoveryServer(t, Config{BaseURL: "http://v.test"})
	get(t, h, "/topics/tools")
	// The second is a page-cache hit, answered before routing: it still
	// counts under its route.
	etag := get(t, h, "/topics/tools").Header().Get("ETag")
	send(h, "GET", "/topics/tools", "If-None-Match", etag) // a 304, also before routing
	get(t, h, "/topics/nope")
	get(t, h, "/no/such/path")
	send(h, "HEAD", "/topics/dbs")
	send(h, "BREW", "/topics/dbs")
	send(h, "POST", "/topics/dbs")

	rec := send(h, "GET", "/metrics", "Accept-Encoding", "gzip", "If-None-Match", "*")
	if rec.Code != 200 {
		t.Fatalf("status = %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q", ct)
	}
	if etag := rec.Header().Get("ETag"); etag != "" {
		t.Errorf("ETag = %q: /metrics must never be cached", etag)
	}
	body := rec.Body.String()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		body = string(gunzip(t, rec.Body.Bytes()))
	}
	for _, c := range []struct{ route, method, code, want string }{
		{"/topics/{topic}", "GET", "200", "2"},
		{"/topics/{topic}", "GET", "304", "1"},
		{"/topics/{topic}", "GET", "404", "1"},
		{"/topics/{topic}", "HEAD", "200", "1"},
		{"unmatched", "GET", "404", "1"},
	} {
		if got := requestCount(body, c.route, c.method, c.code); got != c.want {
			t.Errorf("requests{route=%q,method=%s,code=%s} = %q, want %q", c.route, c.method, c.code, got, c.want)
		}
	}
	if !strings.Contains(body, `method="OTHER"`) {
		t.Error("an unknown method is not counted as OTHER")
	}
	if !strings.Contains(body, `versa_http_request_duration_seconds_bucket{code="200",method="GET",route="/topics/{topic}",le="0.005"}`) {
		t.Error("no latency histogram for the route")
	}
	// Labels are route patterns, never paths.
	for _, m := range regexp.MustCompile(`route="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if r := m[1]; r != metrics.RouteUnmatched && (!strings.HasPrefix(r, "/") || strings.Contains(r, "tools") || strings.Contains(r, "nope") || strings.Contains(r, "dbs") || strings.Contains(r, "such")) {
			t.Errorf("route label %q is a path, not a pattern", r)
		}
	}
	for _, want := range []string{"go_goroutines", "versa_content_reloads_total", "versa_http_requests_in_flight"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	// Scrapes are answered fresh each time: the second one sees the first.
	body = get(t, h, "/metrics").Body.String()
	if got := requestCount(body, "/metrics", "GET", "200"); got != "1" {
		t.Errorf("second scrape counts %q scrapes, want 1", got)
	}
}

func TestMetricsObserveReload(t *testing.T) {
	m := metrics.New()
	h := New(Config{Metrics: m}, openDB(t))
	New(Config{}, openDB(t)) // a second server has its own registry: no clash
	m.ObserveReload(1500*time.Millisecond, 3, nil)
	m.ObserveReload(time.Second, 0, errors.New("disk gone"))
	body := get(t, h, "/metrics").Body.String()
	for _, want := range []string{
		`versa_content_reloads_total{result="problems"} 1`,
		`versa_content_reloads_total{result="error"} 1`,
		`versa_content_reloads_total{result="ok"} 0`,
		"versa_content_problems 3",
		"versa_content_reload_duration_seconds_count 2",
		"versa_content_last_reload_success_timestamp_seconds ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
