// Package server is Versa's HTTP layer: the chi router, its middleware, the
// handlers and the mapping from errors to statuses. It reads content through
// the small Store interface and renders pages with package web.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"versa/internal/history"
	"versa/internal/kb"
	"versa/internal/server/metrics"
	"versa/internal/server/pagecache"
	"versa/static"
)

// Store is what the server reads; *sqlite.DB satisfies it.
type Store interface {
	ListTopics(ctx context.Context) ([]kb.Topic, error)
	// ListTopicNames is ListTopics without categories and features, for
	// lists and links.
	ListTopicNames(ctx context.Context) ([]kb.Topic, error)
	FindTopic(ctx context.Context, slug string) (kb.Topic, error)
	ListSystems(ctx context.Context, topic string) ([]kb.System, error)
	// ListSystemCells is ListSystems with the cells of the given features
	// only (the others unknown), for pages that show a few columns.
	ListSystemCells(ctx context.Context, topic string, features []string) ([]kb.System, error)
	// ListSystemSlugs is the sorted slugs of a topic's systems, without
	// reading their cells, for pages that only link to them.
	ListSystemSlugs(ctx context.Context, topic string) ([]string, error)
	// ListSystemNames is a topic's systems with their slug and name only,
	// sorted as ListSystems sorts them, for links and pickers.
	ListSystemNames(ctx context.Context, topic string) ([]kb.System, error)
	// CompareSystems is the named systems of a topic with their cells, in
	// the order given; kb.ErrNotFound names a missing one.
	CompareSystems(ctx context.Context, topic string, slugs []string) ([]kb.System, error)
	FindSystem(ctx context.Context, topic, slug string) (kb.System, error)
	ListArticles(ctx context.Context, f kb.ArticleFilter) ([]kb.Article, error)
	ListTags(ctx context.Context, topic string) ([]string, error)
	FindArticle(ctx context.Context, topic, slug string) (kb.Article, error)
	ResolveAlias(ctx context.Context, topic, kind, from string) (string, error)
	// Revision describes the content being served; it returns kb.ErrNotFound
	// before the first load.
	Revision(ctx context.Context) (kb.Revision, error)
}

// Config is how cmd/versa sets up the server.
type Config struct {
	Logger *slog.Logger // nil discards logs
	// Dev shows the content problems in a banner on every page, so an editor
	// sees a mistake the moment the page reloads.
	Dev bool
	// CacheBytes bounds the rendered-page cache; 0 means 64 MiB and a
	// negative value turns the cache off (ETags, 304s and gzip remain).
	CacheBytes int64
	// PageFiles, when set, is an empty folder the page cache owns: the
	// bodies of cached pages of 64 KiB or more are also written there and
	// sent with sendfile, which spares a copy of each through this process.
	// The caller removes it when the server is done.
	PageFiles string
	// BaseURL, such as "https://versa.example.com", starts the absolute
	// URLs of the sitemap, robots.txt, the feeds and the og tags. Empty
	// means ListenOrigin, or the request's Host when AllowedHosts has it.
	BaseURL string
	// AllowedHosts, when BaseURL is empty, lists the Host headers absolute
	// URLs may be built from: a name ("versa.example.com", any port) or a
	// name and port ("versa.example.com:8443"), matched without regard to
	// case. A request with any other Host gets ListenOrigin instead, so a
	// forged Host never reaches a feed, the sitemap or robots.txt.
	AllowedHosts []string
	// ListenOrigin, such as "http://localhost:8080", starts absolute URLs
	// when BaseURL is empty and the request's Host is not allowed. Empty
	// means "http://localhost".
	ListenOrigin string
	// TrustProxyHeaders lets X-Forwarded-Proto set the scheme of absolute
	// URLs; only set it behind a proxy that always sets the header.
	TrustProxyHeaders bool
	// HTTPSHeaders adds Strict-Transport-Security to every response; set it
	// when readers reach the site over HTTPS only (directly or through a
	// TLS-terminating proxy).
	HTTPSHeaders bool
	// EditURL, such as "https://github.com/org/kb/edit/main/content/",
	// adds an "Edit this page" link to each page made from one content
	// file: the file's path in the content folder is appended to it.
	EditURL string
	// Metrics records requests and serves /metrics; nil makes a new set on
	// a registry of its own.
	Metrics *metrics.Set
	// Search answers /search and /api/search; nil answers them 503, as
	// an index still being built does.
	Search Searcher
	// ContentChanged, when set, is signalled after each content reload so
	// that the next request shows it at once.
	ContentChanged *ContentSignal
	// Pins keeps pinned snapshots (POST /s, /s/{id}); nil turns pinning
	// off and hides the Pin button.
	Pins PinStore
	// PinsPerMinute is how many pins one client address may make a minute,
	// a minute's worth at once; 0 means 10, negative means no limit.
	PinsPerMinute float64
	// MaxPins bounds the pins kept, after which pins are refused;
	// 0 means 100 000, negative means no bound.
	MaxPins int
	// MaxPinBytes bounds one pin's data; 0 means 1 MiB, negative
	// means no bound.
	MaxPinBytes int
	// History is the recorded history of the content, which the change
	// lists and their feeds read (see changes.go); nil turns them off.
	History history.Store
}

// requestTimeout bounds how long a handler may spend on one request; the
// store sees it through the request's context. It stays well below the
// http.Server's WriteTimeout so the 503 page can still be sent.
const requestTimeout = 15 * time.Second

// server holds what the handlers share. It is read-only after New, but for
// the caches in revs and pages, which guard themselves.
type server struct {
	log   *slog.Logger
	dev   bool
	store scopedStore // the request's consistent read, or the store
	build string      // names the binary in ETags
	revs  *pagecache.Revisions
	pages *pagecache.Cache
	// base and trustProxy are Config.BaseURL and TrustProxyHeaders.
	base       string
	trustProxy bool
	// origin is Config.ListenOrigin (or its default) and hosts the
	// lower-cased Config.AllowedHosts: see baseURL.
	origin   string
	hosts    []string
	editBase string // Config.EditURL, ending in "/"; empty: no edit links
	metrics  *metrics.Set
	pin      *pinning      // nil: pinning is off
	search   Searcher      // nil until cmd/versa sets one
	history  history.Store // nil: no change lists
	topics   topicCache    // big topics of the revision served
}

// New returns the handler of the whole site.
func New(cfg Config, store Store) http.Handler {
	return newServer(cfg, store).routes(cfg.HTTPSHeaders)
}

// newServer reads cfg, filling in the defaults.
func newServer(cfg Config, store Store) *server {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &server{log: logger, dev: cfg.Dev, store: scopedStore{store}, build: pagecache.BuildID(), search: cfg.Search, history: cfg.History}
	cacheBytes := cfg.CacheBytes
	if cacheBytes == 0 {
		cacheBytes = defaultCacheBytes
	}
	s.pages = pagecache.New(cacheBytes, cfg.PageFiles)
	s.base = strings.TrimRight(cfg.BaseURL, "/")
	s.trustProxy = cfg.TrustProxyHeaders
	s.origin = strings.TrimRight(cfg.ListenOrigin, "/")
	if s.origin == "" {
		s.origin = "http://localhost"
	}
	for _, h := range cfg.AllowedHosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			s.hosts = append(s.hosts, h)
		}
	}
	if cfg.EditURL != "" {
		s.editBase = strings.TrimRight(cfg.EditURL, "/") + "/"
	}
	if s.metrics = cfg.Metrics; s.metrics == nil {
		s.metrics = metrics.New()
	}
	ttl := revisionTTL
	if cfg.Dev {
		ttl = 0 // an editor sees a save on the next reload
	}
	s.revs = pagecache.NewRevisions(store, ttl, s.pages, func(ctx context.Context, err error) {
		logger.WarnContext(ctx, "read revision for caching", "err", err)
	})
	if cfg.ContentChanged != nil {
		cfg.ContentChanged.listen(s.revs.Expire)
	}
	s.pin = newPinning(cfg, s.metrics)
	return s

}

// routes is the middleware chain and every route of the site.
func (s *server) routes(httpsHeaders bool) http.Handler {
	r := chi.NewRouter()
	// No RealIP: proxy headers are trusted only where a proxy is known to
	// set them, and nothing here knows that.
	r.Use(
		s.observe, // request ID, metrics and the log line; reads the route after routing
		securityHeaders(httpsHeaders),
		s.recoverer,
		s.limitRequests,
		s.cachePages, // before timeout: a hit needs no deadline
		timeout(requestTimeout),
		middleware.GetHead, // HEAD is answered by every GET route
	)
	r.NotFound(s.handle(s.handleNotFound))
	r.MethodNotAllowed(s.handle(s.handleMethodNotAllowed))

	s.pageRoutes(r)
	s.changeRoutes(r)
	s.apiRoutes(r)
	s.siteRoutes(r)
	return r
}

// pageRoutes are the HTML pages of the content.
func (s *server) pageRoutes(r chi.Router) {
	r.Get("/", s.handle(s.handleHome))
	r.Get("/compare", s.handle(s.handleCompareForm))
	r.Get("/compare/{topic}", s.handle(s.handleCompareTopic))
	r.Get("/compare/{topic}/{systems}", s.handle(s.handleCompare))
	r.Get("/topics/{topic}", s.handle(s.handleTopic))
	r.Get("/topics/{topic}/{system}", s.handle(s.handleSystem))
	r.Get("/topics/{topic}/features/{feature}", s.handle(s.handleFeature))
	r.Get("/articles", s.handle(s.handleArticles))
	r.Get("/articles/{topic}", s.handle(s.handleTopicArticles))
	r.Get("/articles/{topic}/{article}", s.handle(s.handleArticle))
	r.Get("/search", s.handle(s.handleSearch))
}

// changeRoutes are the change lists: HTML, Atom and their JSON twins.
func (s *server) changeRoutes(r chi.Router) {
	r.Get("/topics/{topic}/changes", s.handle(s.handleTopicChanges("html")))
	r.Get("/topics/{topic}/changes.atom", s.handle(s.handleTopicChanges("atom")))
	r.Get("/topics/{topic}/{system}/changes", s.handle(s.handleSystemChanges("html")))
	r.Get("/topics/{topic}/{system}/changes.atom", s.handle(s.handleSystemChanges("atom")))
	r.Get("/compare/{topic}/{systems}/changes", s.handle(s.handleCompareChanges("html")))
	r.Get("/compare/{topic}/{systems}/changes.atom", s.handle(s.handleCompareChanges("atom")))
	r.Get("/api/topics/{topic}/changes", s.handle(s.handleTopicChanges("json")))
	r.Get("/api/topics/{topic}/{system}/changes", s.handle(s.handleSystemChanges("json")))
	r.Get("/api/compare/{topic}/{systems}/changes", s.handle(s.handleCompareChanges("json")))
}

// apiRoutes are the JSON API's reads of the content.
func (s *server) apiRoutes(r chi.Router) {
	r.Get("/api/topics/{topic}/features/{feature}", s.handle(s.handleAPIFeature))
	r.Get("/api/search", s.handle(s.handleAPISearch))
	r.Get("/api/status", s.handle(s.handleAPIStatus))
	r.Get("/api/topics", s.handle(s.handleAPITopics))
	r.Get("/api/topics/{topic}", s.handle(s.handleAPITopic))
	r.Get("/api/topics/{topic}/{system}", s.handle(s.handleAPISystem))
	r.Get("/api/compare/{topic}/{systems}", s.handle(s.handleAPICompare))
	r.Get("/api/articles", s.handle(s.handleAPIArticles))
	r.Get("/api/articles/{topic}/{article}", s.handle(s.handleAPIArticle))
}

// siteRoutes are pins, operations, discovery files and static assets.
func (s *server) siteRoutes(r chi.Router) {
	r.Get("/status", s.handle(s.handleStatus))
	r.Post("/s", s.handle(s.handlePin))
	r.Get("/s/{id}", s.handle(s.handlePinned))
	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Get("/metrics", s.metrics.Handler().ServeHTTP)
	r.Get("/sitemap.xml", s.handle(s.handleSitemap))
	r.Get("/sitemap-{n}.xml", s.handle(s.handleSitemapPart))
	r.Get("/robots.txt", s.handle(s.handleRobots))
	r.Get("/feed.xml", s.handle(s.handleFeed))
	plain, gzipped := static.Handler(false), static.Handler(true)
	r.Get("/static/*", func(w http.ResponseWriter, r *http.Request) {
		if pagecache.AcceptsGzip(r) && r.Header.Get("Range") == "" {
			gzipped.ServeHTTP(w, r)
			return
		}
		plain.ServeHTTP(w, r)
	})
}
