package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// errMethodNotAllowed is what a handler returns for a known path asked with
// a method it does not serve.
var errMethodNotAllowed = errors.New("method not allowed")

// pageError is a failure with words for the reader: what was not found or
// is wrong, and links to what exists. Its message must never carry an
// error's text.
type pageError struct {
	message string
	links   []web.Crumb
	err     error // for the status and the log
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// notFound is a 404 that says what was not found and links to what exists.
func notFound(message string, links []web.Crumb, err error) error {
	if !errors.Is(err, kb.ErrNotFound) {
		err = fmt.Errorf("%w: %w", err, kb.ErrNotFound)
	}
	return &pageError{message: message, links: links, err: err}
}

// handlerFunc is a handler that leaves failures to one place: it returns
// the error and handle picks the status and the page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts h to net/http, answering its error with an error page.
func (s *server) handle(h handlerFunc) http.HandlerFunc {
	h = s.readConsistent(h)
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// fail answers err: its status, a log line for server faults, and a page
// that never shows the error's text.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// The client went away; there is no one left to answer.
		s.log.DebugContext(ctx, "request canceled", "method", r.Method, "path", r.URL.Path)
		return
	}
	status := statusOf(err)
	if status >= 500 {
		s.log.ErrorContext(ctx, "request failed",
			"method", r.Method,
			"path", r.URL.Path,
			"status", status,
			"request_id", requestID(ctx),
			"err", err,
		)
	}
	var pe *pageError
	if errors.As(err, &pe) {
		s.writeErrorPage(w, r, status, pe.message, pe.links)
		return
	}
	if errors.Is(err, kb.ErrUnavailable) {
		// A store that is down comes back by itself: say when to retry.
		w.Header().Set("Retry-After", "30")
		s.writeErrorPage(w, r, status, unavailableMessage, []web.Crumb{{Title: "Topics", URL: link.Home}})
		return
	}
	s.writeError(w, r, status)
}

// unavailableMessage is the 503 page of a request whose store is down:
// with replicas that is the shared database of pinned snapshots and the
// change history, while each replica's content pages still work.
const unavailableMessage = "Pinned snapshots and the change history are kept in a database that is not answering at the moment. " +
	"The topics and comparisons themselves still work; try this again in a minute."

// statusOf maps an error to the HTTP status the reader gets.
func statusOf(err error) int {
	switch {
	case errors.Is(err, kb.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, kb.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, errMethodNotAllowed):
		return http.StatusMethodNotAllowed
	case errors.As(err, new(*http.MaxBytesError)):
		return http.StatusRequestEntityTooLarge // a body past limitRequests' cap
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, kb.ErrUnavailable):
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorText is what readers are told for each status; only these words
// reach them, never an error's own text.
func errorText(status int) (title, message string) {
	switch status {
	case http.StatusNotFound:
		return "Page not found", "There is nothing at this address. It may have moved, or the link may have a typo."
	case http.StatusBadRequest:
		return "Bad request", "This address asks for something that cannot exist, such as a malformed name or filter."
	case http.StatusMethodNotAllowed:
		return "Method not allowed", "This address does not accept that kind of request."
	case http.StatusRequestEntityTooLarge:
		return "Request too large", "This request sends more data than the site accepts."
	case http.StatusRequestURITooLong:
		return "Address too long", "This address is longer than any page of the site. Check the link."
	case http.StatusServiceUnavailable:
		return "Try again shortly", "The server took too long to answer this request."
	case http.StatusForbidden:
		return "Not allowed", "This request is not allowed from where it came."
	case http.StatusTooManyRequests:
		return "Too many requests", "Too many requests came from your address in a short time. Wait a minute and try again."
	default:
		return "Something went wrong", "The server could not show this page. The fault has been logged."
	}
}

// writeError writes the error page for status: JSON under /api/, HTML
// elsewhere.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, status int) {
	s.writeErrorPage(w, r, status, "", nil)
}

// writeErrorPage writes the error page with a message for the reader
// (errorText's when empty) and links to what exists.
func (s *server) writeErrorPage(w http.ResponseWriter, r *http.Request, status int, msg string, links []web.Crumb) {
	title, message := errorText(status)
	if msg != "" {
		message = msg
	}
	if isAPI(r) {
		s.writeJSON(w, r, status, apiError{Status: status, Error: title, Message: message})
		return
	}
	v := web.ErrorView{Site: s.site(r.Context()), Status: status, Title: title, Message: message, Links: links}
	if err := s.render(w, r, status, web.ErrorPage(v)); err != nil {
		s.log.ErrorContext(r.Context(), "render error page", "status", status, "err", err)
		http.Error(w, title, status)
	}
}

// apiError is the body of every /api/ error.
type apiError struct {
	Status  int    `json:"status"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// handleNotFound answers every path no route matches. A path that only has
// a trailing slash too many (as a Hugo site's URLs have) is sent to the
// path without it.
func (s *server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	if to, ok := withoutSlash(r); ok {
		http.Redirect(w, r, withQuery(to, r), http.StatusPermanentRedirect)
		return nil
	}
	return fmt.Errorf("no route for %q: %w", r.URL.Path, kb.ErrNotFound)
}

// withoutSlash returns r's path without its trailing slashes when a GET
// route serves that path. A path that would start with "//" (another host,
// to a browser) is never offered.
func withoutSlash(r *http.Request) (string, bool) {
	p := r.URL.EscapedPath()
	if len(p) < 2 || !strings.HasSuffix(p, "/") || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return "", false
	}
	to := strings.TrimRight(p, "/")
	if to == "" || strings.HasPrefix(to, "//") {
		return "", false
	}
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.Routes == nil || !rctx.Routes.Match(chi.NewRouteContext(), http.MethodGet, to) {
		return "", false
	}
	return to, true
}

// handleMethodNotAllowed answers a known path asked with the wrong method,
// naming the methods it does accept.
func (s *server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) error {
	if allow := allowedMethods(r); allow != "" {
		w.Header().Set("Allow", allow)
	}
	return fmt.Errorf("%s %q: %w", r.Method, r.URL.Path, errMethodNotAllowed)
}

// allowedMethods lists the methods the router serves for r's path. chi
// knows them but hands them only to its own default 405 handler.
func allowedMethods(r *http.Request) string {
	rctx := chi.RouteContext(r.Context())
	if rctx == nil || rctx.Routes == nil {
		return ""
	}
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		ok := rctx.Routes.Match(chi.NewRouteContext(), m, path)
		// GetHead answers HEAD on every GET route.
		if !ok && m == http.MethodHead {
			ok = slices.Contains(allowed, http.MethodGet)
		}
		if ok {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(allowed, ", ")
}
