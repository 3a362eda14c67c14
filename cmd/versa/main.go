// Command versa serves a folder of Markdown comparisons as a website, checks
// such a folder for mistakes, or builds its store ahead of a deploy.
//
//	versa [serve]      serve the content folder (the default)
//	versa check [DIR]  print every content problem as path:line: message
//	versa build        load the content into the store, then exit
//	versa backup FILE  write a consistent copy of the database, while serving
//	versa healthcheck  exit 0 when the server on --addr answers /healthz
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"versa/internal/content"
	"versa/internal/ingest"
	"versa/internal/kb"
	"versa/internal/search"
	"versa/internal/server"
	"versa/internal/server/metrics"
	"versa/internal/sqlite"
)

// errProblems makes check and build exit 1 after printing the problems.
var errProblems = errors.New("content has problems")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once, as without a handler
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errProblems):
		os.Exit(1)
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "versa:", err)
		os.Exit(1)
	}
}

// Config is everything the flags and VERSA_* variables set.
type Config struct {
	Addr      string
	Content   string
	Data      string
	Dev       bool
	Drafts    bool
	LogFormat string
	Watch     bool          // follow edits of the content folder while serving
	Poll      time.Duration // look for edits this often instead of using inotify; 0: inotify
	BaseURL   string        // the public origin for absolute URLs (sitemap, feed)
	// AllowedHosts, without BaseURL, are the Host headers absolute URLs
	// may be built from; any other Host gets the listen address.
	AllowedHosts []string
	EditURL      string // where "Edit this page" links start; empty: no link
	// TrustProxyHeaders reads X-Forwarded-For and X-Forwarded-Proto, set
	// by a reverse proxy in front.
	TrustProxyHeaders bool
	// HTTPSHeaders sends Strict-Transport-Security: the site is reached
	// over HTTPS only.
	HTTPSHeaders bool
	// ShutdownTimeout bounds how long requests in flight may take to finish
	// once a SIGTERM or SIGINT arrives.
	ShutdownTimeout time.Duration
	// Pinned snapshots: pins a minute per client address (negative: no
	// limit), and bounds on the snapshots kept and on each one's size.
	PinRate     float64
	MaxPins     int
	MaxPinBytes int
	// Stale makes check warn about cells not checked within this age
	// (365d, 52w, 1y); "" warns about nothing.
	Stale string
	// User data (pins, change history) in PostgreSQL, shared by replicas;
	// empty: the SQLite file in Data (database.go).
	DatabaseURL      string
	DatabasePoolSize int
	DatabaseTimeout  time.Duration
}

// parseArgs reads the command, its flags and its arguments. Flags may come
// before or after the command. Each flag's VERSA_* variable (the flag's
// name in capitals, with _ for -) sets it first, through the same parser,
// so a bad value in the environment is an error as it is on the command
// line; a flag given wins over its variable.
func parseArgs(args []string, stderr io.Writer) (cmd string, cfg Config, rest []string, err error) {
	fs := flag.NewFlagSet("versa", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", ":8080", "address to listen on")
	fs.StringVar(&cfg.Content, "content", "content", "content folder")
	fs.StringVar(&cfg.Data, "data", "data", "data folder for the database")
	fs.BoolVar(&cfg.Dev, "dev", false, "show content problems on every page")
	fs.BoolVar(&cfg.Drafts, "drafts", false, "serve and build unpublished articles too (draft: true, published: false, a publishDate to come, an expiryDate passed)")
	fs.StringVar(&cfg.BaseURL, "base-url", "", "public origin for absolute URLs, e.g. https://versa.example.com")
	fs.Func("allowed-hosts", "without --base-url, comma-separated Host headers (name or name:port) absolute URLs in the sitemap, feeds and robots.txt may be built from; any other Host gets the listen address", func(v string) error {
		hosts, err := parseHosts(v)
		cfg.AllowedHosts = hosts
		return err
	})
	fs.StringVar(&cfg.EditURL, "edit-url", "", `start of each page's "Edit this page" link, to which the file's path in the content folder is appended, e.g. https://github.com/org/kb/edit/main/content/`)
	fs.BoolVar(&cfg.TrustProxyHeaders, "trust-proxy-headers", false, "take the client address from X-Forwarded-For and the scheme from X-Forwarded-Proto; set only behind a proxy that always sets them")
	fs.BoolVar(&cfg.HTTPSHeaders, "https-headers", false, "send Strict-Transport-Security; set when readers reach the site over HTTPS only, directly or through a proxy")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGTERM or SIGINT, how long requests in flight may take to finish")
	fs.BoolVar(&cfg.Watch, "watch", true, "reload the content folder when its files change")
	fs.DurationVar(&cfg.Poll, "poll", 0, "look for content edits this often (e.g. 2s) instead of using inotify, for network or container filesystems")
	fs.Float64Var(&cfg.PinRate, "pin-rate", 10, "pinned snapshots one client address may create a minute; -1 for no limit")
	fs.IntVar(&cfg.MaxPins, "max-snapshots", 100000, "pinned snapshots to keep before refusing new pins; -1 for no bound")
	fs.IntVar(&cfg.MaxPinBytes, "max-snapshot-bytes", 1048576, "largest pinned snapshot, in bytes of JSON; -1 for no bound")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL URL (postgres://user:password@host:5432/db) for pinned snapshots and the change history, shared by several replicas; empty: the SQLite file in --data")
	fs.IntVar(&cfg.DatabasePoolSize, "database-pool-size", defaultPoolSize, "most connections to --database-url this process opens")
	fs.DurationVar(&cfg.DatabaseTimeout, "database-timeout", defaultTimeout, "bound on each query to --database-url (and each connection attempt)")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.Stale, "stale", "", "check: warn about each cell with no checked date or one older than this age, in days, weeks or years (365d, 52w, 1y)")
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		f.Usage += " (" + name + ")"
		if v, ok := os.LookupEnv(name); ok && envErr == nil {
			if err := fs.Set(f.Name, v); err != nil {
				envErr = fmt.Errorf("%s=%q: %w", name, v, err)
			}
		}
	})
	if envErr != nil {
		return "", cfg, nil, envErr
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: versa [serve|check [DIR]|build|import csv FILE --topic T|backup FILE|healthcheck] [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return "", cfg, nil, err
	}
	cmd = "serve"
	if fs.NArg() > 0 {
		cmd = fs.Arg(0)
		if cmd == "import" {
			// import has flags of its own (importCSV parses them).
			return cmd, cfg, fs.Args()[1:], nil
		}
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return "", cfg, nil, err
		}
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		return "", cfg, nil, fmt.Errorf("--log-format must be text or json, not %q", cfg.LogFormat)
	}
	if err := databaseFlags(cfg); err != nil {
		return "", cfg, nil, err
	}
	for _, u := range []struct{ flag, val string }{{"base-url", cfg.BaseURL}, {"edit-url", cfg.EditURL}} {
		if u.val != "" && !httpURL(u.val) {
			return "", cfg, nil, fmt.Errorf("--%s must be an http or https URL, not %q", u.flag, u.val)
		}
	}
	return cmd, cfg, fs.Args(), nil
}

// parseHosts reads --allowed-hosts: names or name:port pairs separated by
// commas, with no scheme, path or user.
func parseHosts(v string) ([]string, error) {
	var hosts []string
	for _, h := range strings.Split(v, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		u, err := url.Parse("http://" + h)
		if err != nil || u.Host != h || u.Hostname() == "" || u.User != nil {
			return nil, fmt.Errorf("%q is not a host or host:port", h)
		}
		hosts = append(hosts, h)
	}
	return hosts, nil
}

// listenOrigin is the origin absolute URLs start with when no --base-url
// is set and the Host is not allowed: http:// and the address listened
// on, with localhost for an unspecified (all interfaces) address.
func listenOrigin(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://localhost"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// envName is the variable of a flag: "base-url" is VERSA_BASE_URL.
func envName(flag string) string {
	return "VERSA_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// httpURL reports whether s is an absolute http or https URL.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, cfg, rest, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogFormat, stderr)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "check":
		batchMemoryLimit()
		dir := cfg.Content
		if len(rest) > 0 {
			dir = rest[0]
		}
		stale, err := parseAge(cfg.Stale)
		if err != nil {
			return err
		}
		return check(dir, stale, time.Now(), stdout)
	case "build":
		batchMemoryLimit()
		return build(ctx, cfg, log, stdout)
	case "healthcheck":
		return healthcheck(ctx, cfg.Addr)
	case "import":
		return importCommand(cfg, rest, stdout, stderr)
	case "backup":
		return backup(ctx, cfg, rest, stdout)
	case "history":
		dir := cfg.Data
		if len(rest) > 0 {
			dir = rest[0]
		}
		return printHistory(ctx, cfg, dir, stdout)
	}
	return fmt.Errorf("unknown command %q: use serve, check, build, import, backup, history or healthcheck", cmd)
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// batchMemoryLimit gives check and build, which run once and exit, a soft
// memory limit of 256 MiB unless GOMEMLIMIT sets one: their heap is mostly
// short-lived parse garbage, and without a limit the collector lets it grow
// to twice the live heap (on 17 systems x 20,000 features a build peaked at
// 430 MiB, with it at about 360). It is soft: content that needs more live
// memory still loads, with the collector working harder.
func batchMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}

// parseAge reads --stale: a whole number of days (365d), weeks (52w) or
// years (1y, 365 days); "" is no age. Months are not accepted: "12m" reads
// as minutes to anyone used to Go durations.
func parseAge(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	units := map[byte]int{'d': 1, 'w': 7, 'y': 365}
	days, ok := units[s[len(s)-1]]
	n, err := strconv.Atoi(s[:len(s)-1])
	if !ok || err != nil || n <= 0 || n*days > 100*365 {
		return 0, fmt.Errorf("--stale %q: write an age in days, weeks or years, like 365d, 52w or 1y", s)
	}
	return time.Duration(n*days) * 24 * time.Hour, nil
}

// check validates a content folder without touching any store. With a
// stale age, each cell a system file writes without a checked date, or
// with one more than that age before now, is a warning.
func check(dir string, stale time.Duration, now time.Time, stdout io.Writer) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("content folder %s: not a readable folder", dir)
	}
	tree, err := content.Read(os.DirFS(dir))
	if err != nil {
		return err
	}
	if stale > 0 {
		y, m, d := now.UTC().Add(-stale).Date()
		tree.StaleBefore = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	// Count what parses rather than keep it: check holds one file's
	// parse at a time, however big the folder.
	var topics, systems, articles int
	st, err := content.StreamState(tree, kb.Sink{
		Topic:   func(kb.Topic) error { topics++; return nil },
		System:  func(kb.System) error { systems++; return nil },
		Article: func(kb.Article) error { articles++; return nil },
	})
	if err != nil {
		return err
	}
	for _, w := range st.Warnings() {
		fmt.Fprintf(stdout, "%s:%d: warning: %s\n", w.Path, max(w.Line, 1), w.Msg)
	}
	problems := st.Problems()
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%d problem(s)\n", len(problems))
		return errProblems
	}
	fmt.Fprintf(stdout, "ok: %d topics, %d systems, %d articles\n", topics, systems, articles)
	return nil
}

// openStore opens (creating) the data folder's database and search index.
// A damaged or missing index is not an error: it is rebuilt by the load.
func openStore(ctx context.Context, cfg Config, log *slog.Logger) (*sqlite.DB, *search.Index, error) {
	if err := os.MkdirAll(cfg.Data, 0o755); err != nil {
		return nil, nil, fmt.Errorf("data folder %s: %w", cfg.Data, err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.Data, "versa.db"))
	if err != nil {
		return nil, nil, err
	}
	ix, err := search.Open(filepath.Join(cfg.Data, "index"), log)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("search index: %w", err)
	}
	return db, ix, nil
}

// indexState says what a build did to the search index.
func indexState(res ingest.Result) string {
	if res.Indexed == nil {
		return "current"
	}
	return "built"
}

// loaded is what build and serve open: the content store, the search
// index, the user data and a loader of the content folder into them.
type loaded struct {
	db     *sqlite.DB
	ix     *search.Index
	user   userData
	loader *ingest.Loader
	close  func() // the user data, the index, then the store
}

// openLoader opens the stores of cfg and a loader that fills them.
func openLoader(ctx context.Context, cfg Config, log *slog.Logger) (*loaded, error) {
	db, ix, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	user, closeUser, err := openUserData(ctx, cfg, db, log)
	if err != nil {
		ix.Close()
		db.Close()
		return nil, err
	}
	l := ingest.New(os.DirFS(cfg.Content), db, ix, log)
	l.SetDrafts(cfg.Drafts)
	l.SetHistory(user, cfg.Content)
	return &loaded{db: db, ix: ix, user: user, loader: l, close: func() {
		closeUser()
		ix.Close()
		db.Close()
	}}, nil
}

// build loads the content into the store and the search index and exits;
// problems make it exit 1 after the load, so a deploy pipeline stops on them.
func build(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	start := time.Now()
	st, err := openLoader(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()
	l := st.loader
	l.SetOnce(true)
	defer l.Wait() // the history records the load after it, before the store closes
	res, err := l.Load(ctx)
	if err != nil {
		return err
	}
	if res.Indexed != nil {
		if err := <-res.Indexed; err != nil {
			return fmt.Errorf("search index: %w", err)
		}
	}
	// The summary comes last, after the history has recorded the load
	// (and logged it): a build is done when its recording is.
	l.Wait()
	for _, p := range res.Problems {
		fmt.Fprintln(stdout, p)
	}
	state := "loaded"
	if res.Reused {
		state = "unchanged"
	}
	fmt.Fprintf(stdout, "%s revision %.12s: %d files in %s (search index: %s)\n", state, res.Revision, res.Files,
		time.Since(start).Round(time.Millisecond), indexState(res))
	if len(res.Problems) > 0 {
		return errProblems
	}
	return nil
}

// serve loads the content and serves it until ctx ends.
func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	st, err := openLoader(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()
	db, ix, user, loader := st.db, st.ix, st.user, st.loader
	// Pages serve as soon as the store is loaded; the index finishes in the
	// background and search answers "still indexing" until then.
	instruments := metrics.New()
	changed := &server.ContentSignal{}
	instruments.WatchIndexSize(ix.Docs)
	res, err := loader.Load(ctx)
	instruments.ObserveReload(res.Took, len(res.Problems), err)
	if err != nil {
		if ctx.Err() != nil {
			log.Info("stopped while loading the content") // a signal, not a fault
			return nil
		}
		return err
	}
	defer loader.Wait()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	pageFiles, err := pageFileDir(cfg.Data)
	if err != nil {
		return err
	}
	defer os.RemoveAll(pageFiles)
	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           server.New(server.Config{Logger: log, Dev: cfg.Dev, PageFiles: pageFiles, BaseURL: cfg.BaseURL, AllowedHosts: cfg.AllowedHosts, ListenOrigin: listenOrigin(ln.Addr()), EditURL: cfg.EditURL, HTTPSHeaders: cfg.HTTPSHeaders, TrustProxyHeaders: cfg.TrustProxyHeaders, Search: ix, Metrics: instruments, ContentChanged: changed, Pins: user, PinsPerMinute: cfg.PinRate, MaxPins: cfg.MaxPins, MaxPinBytes: cfg.MaxPinBytes, History: user}, consistentStore{db}),
		ConnContext:       server.ConnContext, // large cached pages go out corked
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	log.Info("serving", "addr", ln.Addr().String(), "content", cfg.Content, "data", cfg.Data)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	stopReloads := followEdits(ctx, cfg, loader, instruments, changed, log, errc)
	defer stopReloads()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let requests in flight finish within the bound, then
	// the deferred calls stop reloads and close the index and the database.
	shutdown, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close() // cut what is left, so the store closes under no one
		return fmt.Errorf("shutdown: requests still running after %s were cut off: %w", cfg.ShutdownTimeout, err)
	}
	log.Info("stopped")
	return nil
}

// pageFileDir empties and returns the folder in the data folder where the
// page cache keeps the bodies it sends with sendfile. What a process left
// there is removed: the files are named per process.
func pageFileDir(data string) (string, error) {
	dir := filepath.Join(data, "pages")
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("page cache folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("page cache folder: %w", err)
	}
	return dir, nil
}

// healthcheck asks a running server for /healthz (for container HEALTHCHECKs,
// where no curl exists).
func healthcheck(ctx context.Context, addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", resp.Status)
	}
	return nil
}
