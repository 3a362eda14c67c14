package server

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"versa/internal/kb"
	"versa/internal/server/metrics"
)

// metricValue is the value of the sample named exactly series (name and
// labels as the exposition format writes them), or "" when it is absent.
func metricValue(body, series string) string {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

func TestMetricsSearch(t *testing.T) {
	searcher := &fakeSearcher{res: sampleResults()}
	h := New(Config{Search: searcher}, newStore())
	for _, target := range []string{"/search?q=orm", "/api/search?q=orm", "/search?q=orm&page=2"} {
		if rec := get(t, h, target); rec.Code != 200 {
			t.Fatalf("GET %s = %d", target, rec.Code)
		}
	}
	get(t, h, "/search")                  // the help page asks no index
	get(t, h, "/search?q=x&kind=nothing") // refused before the index
	for _, err := range []error{
		fmt.Errorf("build: %w", kb.ErrSearchNotReady),
		fmt.Errorf("too long: %w", kb.ErrInvalid),
		errors.New("disk gone"),
	} {
		searcher.mu.Lock()
		searcher.err = err
		searcher.mu.Unlock()
		get(t, h, "/api/search?q=orm")
	}
	body := get(t, h, "/metrics").Body.String()
	for series, want := range map[string]string{
		`versa_search_duration_seconds_count{result="ok"}`:        "3",
		`versa_search_duration_seconds_count{result="not_ready"}`: "1",
		`versa_search_duration_seconds_count{result="invalid"}`:   "1",
		`versa_search_duration_seconds_count{result="error"}`:     "1",
	} {
		if got := metricValue(body, series); got != want {
			t.Errorf("%s = %q, want %q", series, got, want)
		}
	}
	if !strings.Contains(body, `versa_search_duration_seconds_bucket{result="ok",le="0.001"}`) {
		t.Error("no search latency buckets")
	}
}

func TestMetricsIndexSize(t *testing.T) {
	m := metrics.New()
	h := New(Config{Metrics: m}, newStore())
	var docs atomic.Int64
	m.WatchIndexSize(func() int { return int(docs.Load()) })
	for _, n := range []int64{0, 1234, 99} {
		docs.Store(n)
		body := get(t, h, "/metrics").Body.String()
		if got, want := metricValue(body, "versa_search_index_documents"), fmt.Sprint(n); got != want {
			t.Errorf("versa_search_index_documents = %q, want %q", got, want)
		}
	}
}
