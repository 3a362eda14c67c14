package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"versa/internal/kb"
)

// handleHealthz serves GET /healthz: the process is up. It touches nothing
// else, so a slow store never gets the process restarted.
func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// pinger is a PinStore that can say whether it answers: one in a database
// of its own (PostgreSQL), which can be down while the content is not.
type pinger interface {
	Ping(ctx context.Context) error
}

// handleReadyz serves GET /readyz with one line per part: "content" and,
// for a pin store in a database of its own, "database". It answers 503
// until the content is loaded, so a load balancer waits for the first
// load. A database that is down is reported ("degraded") with a 200: the
// replica still serves every content page, and taking all replicas out of
// the balancer would make a pins outage a site outage. Monitors that want
// a 503 for it ask /readyz?all=1.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var lines []string
	status, state := http.StatusOK, "ready"
	if _, err := s.store.Revision(ctx); err != nil {
		status, state = http.StatusServiceUnavailable, "not ready"
		if errors.Is(err, kb.ErrNotFound) {
			lines = append(lines, "content: not loaded yet")
		} else {
			s.log.WarnContext(ctx, "not ready", "part", "content", "err", err)
			lines = append(lines, "content: store not answering")
		}
	} else {
		lines = append(lines, "content: ok")
	}
	if s.pin != nil {
		if p, ok := s.pin.store.(pinger); ok {
			if err := p.Ping(ctx); err != nil {
				s.log.WarnContext(ctx, "degraded", "part", "database", "err", err)
				lines = append(lines, "database: down (pinned snapshots answer 503 until it is back)")
				if status == http.StatusOK {
					state = "degraded"
					if r.URL.Query().Get("all") == "1" {
						status = http.StatusServiceUnavailable
					}
				}
			} else {
				lines = append(lines, "database: ok")
			}
		}
	}
	writeText(w, status, state+"\n"+strings.Join(lines, "\n")+"\n")
}

// writeText writes a short plain-text answer that no cache keeps.
func writeText(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
