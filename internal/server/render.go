package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"versa/internal/kb"
	"versa/web"
)

// Writing responses: a page through the layout, JSON, and the site data
// every page's layout shows. The bottom floor of the package: everything
// that answers calls it, and it calls nothing of the handlers.

// isAPI reports whether r is a request of the JSON API, answered in JSON.
func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

// render writes c with the given status. It renders into a buffer first so a
// failing template is a clean 500, not half a page under a 200.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w) // a failed write means the client left
	return nil
}

// writeJSON writes v as indented JSON with the given status.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		// Only a programming error (an unmarshalable type) gets here.
		s.log.ErrorContext(r.Context(), "encode json", "path", r.URL.Path, "err", err)
		http.Error(w, `{"status":500,"error":"Something went wrong"}`, http.StatusInternalServerError)
		return
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// site is the layout's data for every page. It never fails: a page without
// a revision in its footer is better than no page.
func (s *server) site(ctx context.Context) web.Site {
	rev, err := s.store.Revision(ctx)
	if err != nil {
		if !errors.Is(err, kb.ErrNotFound) {
			s.log.WarnContext(ctx, "read revision for layout", "err", err)
		}
		return web.Site{Base: s.base, EditBase: s.editBase}
	}
	return s.siteOf(rev)
}

// siteOf is site for a revision already read.
func (s *server) siteOf(rev kb.Revision) web.Site {
	site := web.Site{Revision: rev.ID, Base: s.base, EditBase: s.editBase}
	if s.dev {
		site.Problems = problemStrings(rev.Problems)
	}
	return site
}

// problemStrings formats problems as "path:line: message".
func problemStrings(problems []kb.Problem) []string {
	out := make([]string, len(problems))
	for i, p := range problems {
		out[i] = p.String()
	}
	return out
}

// withQuery keeps r's query on a redirect to path, so an old link with
// filters still lands on the same view.
func withQuery(path string, r *http.Request) string {
	if r.URL.RawQuery == "" {
		return path
	}
	return path + "?" + r.URL.RawQuery
}
