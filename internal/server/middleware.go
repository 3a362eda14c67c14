package server

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// contentSecurityPolicy allows only the site's own scripts, styles and
// images, so templates may never use inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// strictTransportSecurity tells browsers to use HTTPS only, for two years.
// It is sent only when Config.HTTPSHeaders says the site is reached over
// HTTPS: over plain HTTP a browser ignores it, and on a site that is not
// HTTPS everywhere it would lock readers out.
const strictTransportSecurity = "max-age=63072000; includeSubDomains"

var (
	cspValue      = []string{contentSecurityPolicy}[:1:1]
	nosniffValue  = []string{"nosniff"}[:1:1]
	referrerValue = []string{"strict-origin-when-cross-origin"}[:1:1]
	hstsValue     = []string{strictTransportSecurity}[:1:1]
)

// securityHeaders sets the headers every response carries, error pages and
// static files included; with hsts, Strict-Transport-Security too.
func securityHeaders(hsts bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Shared values, full slices (an Add copies), canonical keys:
			// no allocation a request.
			h := w.Header()
			h["Content-Security-Policy"] = cspValue
			h["X-Content-Type-Options"] = nosniffValue
			h["Referrer-Policy"] = referrerValue
			if hsts {
				h["Strict-Transport-Security"] = hstsValue
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Request limits beyond the http.Server's header limit. Every URL the site
// makes is far shorter than maxURLBytes; the only bodies it reads are small
// forms.
const (
	maxURLBytes  = 8 << 10
	maxBodyBytes = 64 << 10
)

// limitRequests answers 414 to a request whose target is longer than
// maxURLBytes and 413 to one that declares a body longer than maxBodyBytes,
// and caps every other body at maxBodyBytes: a handler reading past it gets
// an *http.MaxBytesError, which fail maps to 413.
func (s *server) limitRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uri := r.RequestURI // as sent; empty only for requests made in-process
		if uri == "" {
			uri = r.URL.RequestURI()
		}
		switch {
		case len(uri) > maxURLBytes:
			s.writeError(w, r, http.StatusRequestURITooLong)
			return
		case r.ContentLength > maxBodyBytes:
			w.Header().Set("Connection", "close") // the body is not read
			s.writeError(w, r, http.StatusRequestEntityTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a logged 500 page. chi's own Recoverer
// prints to stderr and answers with an empty body; this one uses the
// server's logger and error page.
func (s *server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww, ok := w.(middleware.WrapResponseWriter) // observe's, which sees the same status
		if !ok {
			ww = middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		}
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler {
				panic(rec) // net/http's way to abort a response; not a fault
			}
			s.log.ErrorContext(r.Context(), "panic",
				"method", r.Method,
				"path", r.URL.Path,
				"request_id", requestID(r.Context()),
				"panic", fmt.Sprint(rec),
				"stack", string(debug.Stack()),
			)
			if ww.Status() == 0 {
				// Nothing was sent yet, so the reader can still get a page.
				s.writeError(ww, r, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(ww, r)
	})
}

// timeout bounds each request's context. Handlers pass the context to the
// store, whose deadline error becomes a 503 page; unlike chi's Timeout this
// never writes a second status after the handler has answered.
func timeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
