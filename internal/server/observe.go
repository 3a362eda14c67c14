package server

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"versa/internal/server/metrics"
)

// requestInfo is what observe keeps of one request for the middleware
// inside it: its ID, and the route pattern of a page answered from the
// cache, so that the metrics need not match the path against the routes
// again. One is made a request.
type requestInfo struct {
	id    string
	route string
}

type requestInfoKey struct{}

// requestID is the ID observe gave the request of ctx, "" outside one.
func requestID(ctx context.Context) string {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return info.id
	}
	return ""
}

// setRoute records, for the metrics, the route pattern of a request
// answered before routing.
func setRoute(ctx context.Context, route string) {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.route = route
	}
}

// requestIDPrefix starts every ID this process makes: the host name and
// a random word, so IDs from replicas never collide.
var requestIDPrefix = func() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails on Linux
	return host + "/" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])) + "-"
}()

var requestSeq atomic.Uint64

// maxRequestIDBytes bounds an X-Request-Id taken from a proxy.
const maxRequestIDBytes = 128

// newRequestID is the proxy's X-Request-Id when it sent a short printable
// one, and otherwise the next of this process's IDs.
func newRequestID(r *http.Request) string {
	if id := r.Header.Get(middleware.RequestIDHeader); id != "" && len(id) <= maxRequestIDBytes && printable(id) {
		return id
	}
	return requestIDPrefix + strconv.FormatUint(requestSeq.Add(1), 10)
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// observe is the outermost middleware: it gives each request its ID,
// then counts and times it in the metrics and writes its log line, from
// one response-writer wrapper. Probes of /healthz and /readyz are logged
// at debug level so they do not drown the rest.
func (s *server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.InFlight(1)
		defer s.metrics.InFlight(-1)
		info := &requestInfo{id: newRequestID(r)}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		took := time.Since(start)
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK // the handler wrote nothing at all
		}
		route := info.route
		if route == "" {
			route = metrics.RouteOf(r)
		}
		s.metrics.ObserveRequest(route, r.Method, status, took)
		level := slog.LevelInfo
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			level = slog.LevelDebug
		}
		ctx := r.Context()
		if h := s.log.Handler(); h.Enabled(ctx, level) {
			// A record made here rather than by Logger.Log, which would
			// walk the stack for a source line no handler here prints.
			rec := slog.NewRecord(start.Add(took), level, "request", 0)
			rec.AddAttrs(
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", status),
				slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", took),
				slog.String("request_id", info.id),
			)
			_ = h.Handle(ctx, rec) // a log line that cannot be written has nowhere to go
		}
	})
}

type connKey struct{}

// ConnContext is for http.Server.ConnContext: it keeps each request's
// connection in its context, so that a large cached page is sent corked
// (see servePage). A server run without it sends the same bytes uncorked.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}
