package server

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"versa/internal/kb"
	"versa/web"
)

// loadedRevision is the revision served, and false before the first load.
func (s *server) loadedRevision(r *http.Request) (kb.Revision, bool, error) {
	rev, err := s.store.Revision(r.Context())
	switch {
	case errors.Is(err, kb.ErrNotFound):
		return rev, false, nil
	case err != nil:
		return rev, false, fmt.Errorf("read revision: %w", err)
	}
	return rev, true, nil
}

// handleStatus serves GET /status: the revision served, when it was loaded
// and every content problem.
func (s *server) handleStatus(w http.ResponseWriter, r *http.Request) error {
	var v web.StatusView
	rev, loaded, err := s.loadedRevision(r)
	if err != nil {
		return err
	}
	if loaded { // else nothing loaded yet: the page says so
		v = web.StatusView{
			Site:     s.siteOf(rev),
			Loaded:   true,
			Revision: rev.ID,
			LoadedAt: rev.LoadedAt,
			Problems: problemStrings(rev.Problems),
		}
		v.Site.Problems = nil // the page lists them already; no banner
	}
	return s.render(w, r, http.StatusOK, web.StatusPage(v))
}

// apiStatus is the body of GET /api/status.
type apiStatus struct {
	Loaded   bool       `json:"loaded"`
	Revision string     `json:"revision"`
	LoadedAt *time.Time `json:"loaded_at"` // null before the first load
	// Problems are "path:line: message", as versa check prints them;
	// ProblemDetails are the same problems as fields.
	Problems       []string     `json:"problems"`
	ProblemDetails []apiProblem `json:"problem_details"`
	// Refused is the revision of the folder that was not loaded because
	// of the problems (the last good content keeps serving); "" when the
	// problems are those of the content served.
	Refused string `json:"refused"`
}

type apiProblem struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// handleAPIStatus serves GET /api/status: what /status shows, as JSON.
func (s *server) handleAPIStatus(w http.ResponseWriter, r *http.Request) error {
	v := apiStatus{Problems: []string{}, ProblemDetails: []apiProblem{}}
	rev, loaded, err := s.loadedRevision(r)
	if err != nil {
		return err
	}
	if loaded { // else nothing loaded yet: loaded is false
		loadedAt := rev.LoadedAt.UTC()
		v.Loaded, v.Revision, v.LoadedAt, v.Refused = true, rev.ID, &loadedAt, rev.Refused
		for _, p := range rev.Problems {
			v.Problems = append(v.Problems, p.String())
			// Line as String prints it: whole-file problems are line 1.
			v.ProblemDetails = append(v.ProblemDetails, apiProblem{Path: p.Path, Line: max(p.Line, 1), Message: p.Msg})
		}
	}
	s.writeJSON(w, r, http.StatusOK, v)
	return nil
}
