// Package metrics holds every Prometheus instrument of Versa on a registry
// of its own: requests by route, content reloads, searches, the index size
// and the pins kept.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"versa/internal/kb"
)

// Set is Versa's Prometheus registry and the instruments on it. The
// server records every request; whoever loads content reports reloads with
// ObserveReload. Create one with New and pass it in server.Config.Metrics
// to share it; a server given none makes its own.
type Set struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	inFlight       prometheus.Gauge
	reloads        *prometheus.CounterVec
	reloadDuration prometheus.Histogram
	problems       prometheus.Gauge
	lastReload     prometheus.Gauge
	search         *prometheus.HistogramVec
	previews       *prometheus.CounterVec
	series         sync.Map // seriesKey -> *series
}

// RouteUnmatched is the route label of requests no route matched, so raw
// paths never become label values.
const RouteUnmatched = "unmatched"

// New returns metrics on a registry of their own (never the global
// default one), with the Go runtime and process collectors.
func New() *Set {
	m := &Set{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "versa_http_requests_total",
			Help: "HTTP requests answered, by chi route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "versa_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by chi route pattern, method and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15},
		}, []string{"route", "method", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "versa_http_requests_in_flight",
			Help: "HTTP requests being answered.",
		}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "versa_content_reloads_total",
			Help: `Content loads, by result: "ok", "problems" (the last good content stays) or "error".`,
		}, []string{"result"}),
		reloadDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "versa_content_reload_duration_seconds",
			Help:    "Time to load the content folder into the store.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		problems: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "versa_content_problems",
			Help: "Content problems found by the last load.",
		}),
		lastReload: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "versa_content_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last load that ended without an error.",
		}),
		search: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "versa_search_duration_seconds",
			Help:    `Time the search index took to answer a search, by result: "ok", "invalid" (a 400), "not_ready" (still indexing) or "error".`,
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"result"}),
		previews: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "versa_preview_images_total",
			Help: `Link-preview images asked of the drawing code (a cached one is not counted), by result: "drawn", "busy" (no drawing slot freed: a 503), "stopped" (the client or the request deadline went first) or "error".`,
		}, []string{"result"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.inFlight,
		m.reloads, m.reloadDuration, m.problems, m.lastReload,
		m.search, m.previews,
	)
	// Each result shows from the start, at zero.
	for _, result := range []string{"ok", "problems", "error"} {
		m.reloads.WithLabelValues(result)
	}
	for _, result := range []string{"ok", "invalid", "not_ready", "error"} {
		m.search.WithLabelValues(result)
	}
	for _, result := range []string{"drawn", "busy", "stopped", "error"} {
		m.previews.WithLabelValues(result)
	}
	return m
}

// ObservePreview counts one link-preview image by how it ended: "drawn",
// "busy", "stopped" or "error" (package preview's results).
func (m *Set) ObservePreview(result string) {
	m.previews.WithLabelValues(result).Inc()
}

// ObserveReload records one content load: how long it took, how many
// content problems it found and whether it failed.
func (m *Set) ObserveReload(d time.Duration, problems int, err error) {
	result := "ok"
	switch {
	case err != nil:
		result = "error"
	case problems > 0:
		result = "problems"
	}
	m.reloads.WithLabelValues(result).Inc()
	m.reloadDuration.Observe(d.Seconds())
	if err == nil {
		m.problems.Set(float64(problems))
		m.lastReload.SetToCurrentTime()
	}
}

// ObserveSearch records one search by the index: how long it took and
// how it ended.
func (m *Set) ObserveSearch(d time.Duration, err error) {
	result := "ok"
	switch {
	case errors.Is(err, kb.ErrSearchNotReady):
		result = "not_ready"
	case errors.Is(err, kb.ErrInvalid):
		result = "invalid"
	case err != nil:
		result = "error"
	}
	m.search.WithLabelValues(result).Observe(d.Seconds())
}

// WatchIndexSize adds the gauge versa_search_index_documents, read from
// docs at every scrape, so it follows each index swap. Call it once.
func (m *Set) WatchIndexSize(docs func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "versa_search_index_documents",
		Help: "Documents (sections, features and cells) in the search index being served; 0 while it is built.",
	}, func() float64 { return float64(docs()) }))
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Set) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:      m.reg, // counts its own scrape errors
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// InFlight moves the gauge of requests being answered by delta: +1 when
// one starts, -1 when it ends.
func (m *Set) InFlight(delta float64) { m.inFlight.Add(delta) }

// series is one label set's counter and histogram, looked up once.
type series struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

type seriesKey struct {
	route, method string
	code          int
}

// ObserveRequest counts and times one request by the route pattern that
// answered it (RouteOf, or what a cached page kept of it), its method and
// its status. The label sets seen are kept, so a request costs a map read
// rather than two label hashes.
func (m *Set) ObserveRequest(route, method string, status int, d time.Duration) {
	key := seriesKey{route, methodLabel(method), status}
	var s *series
	if v, ok := m.series.Load(key); ok {
		s = v.(*series)
	} else {
		code := strconv.Itoa(status)
		s = &series{
			count:    m.requests.WithLabelValues(key.route, key.method, code),
			duration: m.duration.WithLabelValues(key.route, key.method, code),
		}
		m.series.Store(key, s) // a racing twin holds the same children
	}
	s.count.Inc()
	s.duration.Observe(d.Seconds())
}

// RouteOf is the route pattern that served r, never its path: the one
// chi matched, or for a request answered before routing (a cached page, a
// 304) the one it would match; "unmatched" when none does.
func RouteOf(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil {
		return RouteUnmatched
	}
	if p := rctx.RoutePattern(); p != "" {
		return p
	}
	if rctx.Routes == nil {
		return RouteUnmatched
	}
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet // GetHead answers HEAD on GET routes
	}
	if p := rctx.Routes.Find(chi.NewRouteContext(), method, path); p != "" {
		return p
	}
	return RouteUnmatched
}

// methodLabel keeps the method label to the methods HTTP defines.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// WatchPins adds the gauge versa_snapshots, the pins kept, read with count
// at every scrape. It replaces the gauge of an earlier call: each server
// made on a shared Set reports its own store.
func (m *Set) WatchPins(count func(ctx context.Context) (int, error)) {
	m.registerReplacing(&pinCollector{
		count: count,
		desc:  prometheus.NewDesc("versa_snapshots", "Pinned snapshots stored.", nil, nil),
	})
}

// pinCollector reports the number of pins at each scrape.
type pinCollector struct {
	count func(ctx context.Context) (int, error)
	desc  *prometheus.Desc
}

func (c *pinCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *pinCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err := c.count(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

// registerReplacing registers col, replacing one registered before under
// the same names.
func (m *Set) registerReplacing(col prometheus.Collector) {
	err := m.reg.Register(col)
	if are, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); ok {
		m.reg.Unregister(are.ExistingCollector)
		err = m.reg.Register(col)
	}
	if err != nil {
		panic("register collector: " + err.Error()) // only a malformed metric gets here
	}
}
