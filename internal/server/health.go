package server

import (
	"errors"
	"io"
	"net/http"

	"versa/internal/kb"
)

// handleHealthz serves GET /healthz: the process is up. It touches nothing
// else, so a slow store never gets the process restarted.
func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// handleReadyz serves GET /readyz: 200 once content is loaded and the store
// answers, 503 otherwise, so a load balancer waits for the first load.
func (s *server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.Revision(r.Context()); err != nil {
		if !errors.Is(err, kb.ErrNotFound) {
			s.log.WarnContext(r.Context(), "not ready", "err", err)
		}
		writeText(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	writeText(w, http.StatusOK, "ready")
}

// writeText writes a short plain-text answer that no cache keeps.
func writeText(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
