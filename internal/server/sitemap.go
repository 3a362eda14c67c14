package server

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"versa/internal/kb"
	"versa/internal/link"
)

// The sitemap protocol allows 50,000 URLs per file; past that /sitemap.xml
// is an index of /sitemap-1.xml, /sitemap-2.xml, ... They are variables so
// tests can lower them.
var (
	sitemapMaxURLs = 50_000
	// sitemapMaxPairs caps the compare pairs listed per topic. n systems
	// have n(n-1)/2 pairs: 79,800 at 400, all listed (in two sitemap
	// parts). The cap only bounds the list's memory on topics of over 630
	// systems, where the first pairs in slug order are listed.
	sitemapMaxPairs = 200_000
)

const sitemapNS = "http://www.sitemaps.org/schemas/sitemap/0.9"

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapLoc `xml:"url"`
}

type sitemapIndex struct {
	XMLName  xml.Name     `xml:"sitemapindex"`
	NS       string       `xml:"xmlns,attr"`
	Sitemaps []sitemapLoc `xml:"sitemap"`
}

// sitemapLoc is a <url> of a urlset or a <sitemap> of an index.
type sitemapLoc struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// canonicalPage is one page of the sitemap: a path and when it last changed
// (zero when unknown).
type canonicalPage struct {
	path    string
	lastmod time.Time
}

// handleSitemap serves GET /sitemap.xml: every canonical page, or an index
// of the parts when there are more than sitemapMaxURLs.
func (s *server) handleSitemap(w http.ResponseWriter, r *http.Request) error {
	base, err := s.baseURL(w, r)
	if err != nil {
		return err
	}
	pages, rev, err := s.canonicalPages(r.Context())
	if err != nil {
		return err
	}
	if len(pages) <= sitemapMaxURLs {
		return s.writeXML(w, r, "application/xml; charset=utf-8", urlSet(base, pages))
	}
	idx := sitemapIndex{NS: sitemapNS}
	for n := 1; (n-1)*sitemapMaxURLs < len(pages); n++ {
		idx.Sitemaps = append(idx.Sitemaps, sitemapLoc{
			Loc:     base + sitemapPartPath(n),
			LastMod: lastmod(rev.LoadedAt),
		})
	}
	return s.writeXML(w, r, "application/xml; charset=utf-8", idx)
}

// handleSitemapPart serves GET /sitemap-{n}.xml, the nth (from 1) part of a
// sitemap too big for one file. It is 404 while one file holds them all.
func (s *server) handleSitemapPart(w http.ResponseWriter, r *http.Request) error {
	param := chi.URLParam(r, "n")
	n, err := strconv.Atoi(param)
	if err != nil || n < 1 || strconv.Itoa(n) != param {
		return fmt.Errorf("sitemap part %q: %w", param, kb.ErrNotFound)
	}
	base, err := s.baseURL(w, r)
	if err != nil {
		return err
	}
	pages, _, err := s.canonicalPages(r.Context())
	if err != nil {
		return err
	}
	start := (n - 1) * sitemapMaxURLs
	if len(pages) <= sitemapMaxURLs || start >= len(pages) {
		return fmt.Errorf("sitemap part %d of %d pages: %w", n, len(pages), kb.ErrNotFound)
	}
	end := min(start+sitemapMaxURLs, len(pages))
	return s.writeXML(w, r, "application/xml; charset=utf-8", urlSet(base, pages[start:end]))
}

func sitemapPartPath(n int) string { return "/sitemap-" + strconv.Itoa(n) + ".xml" }

func urlSet(base string, pages []canonicalPage) sitemapURLSet {
	set := sitemapURLSet{NS: sitemapNS, URLs: make([]sitemapLoc, len(pages))}
	for i, p := range pages {
		set.URLs[i] = sitemapLoc{Loc: base + p.path, LastMod: lastmod(p.lastmod)}
	}
	return set
}

func lastmod(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// canonicalPages lists every canonical page in a stable order: home,
// articles, then per topic its page, its systems and its features, then the articles,
// then the compare pairs last, so the pages that matter most come first
// when the list is split. Pages other than articles carry the revision's
// load time; before the first load it is zero and the list is what the
// store has (nothing).
func (s *server) canonicalPages(ctx context.Context) ([]canonicalPage, kb.Revision, error) {
	rev, err := s.store.Revision(ctx)
	if err != nil && !errors.Is(err, kb.ErrNotFound) {
		return nil, kb.Revision{}, fmt.Errorf("sitemap: %w", err)
	}
	loaded := rev.LoadedAt
	topics, err := s.store.ListTopics(ctx) // with their features
	if err != nil {
		return nil, rev, fmt.Errorf("sitemap: %w", err)
	}
	articles, err := s.store.ListArticles(ctx, kb.ArticleFilter{})
	if err != nil {
		return nil, rev, fmt.Errorf("sitemap: %w", err)
	}
	pages := []canonicalPage{{"/", loaded}, {"/articles", loaded}}
	slugsOf := make([][]string, len(topics))
	for i, t := range topics {
		pages = append(pages, canonicalPage{link.Topic(t.Slug), loaded})
		slugs, err := s.store.ListSystemSlugs(ctx, t.Slug)
		if err != nil {
			return nil, rev, fmt.Errorf("sitemap: topic %q: %w", t.Slug, err)
		}
		slugsOf[i] = slugs
		for _, slug := range slugs {
			pages = append(pages, canonicalPage{link.System(t.Slug, slug), loaded})
		}
		for _, f := range t.Features {
			pages = append(pages, canonicalPage{link.Feature(t.Slug, f.Key), loaded})
		}
	}
	for _, a := range articles {
		mod := a.Updated
		if mod.IsZero() {
			mod = loaded
		}
		pages = append(pages, canonicalPage{link.Article(a.Topic, a.Slug), mod})
	}
	for i, t := range topics {
		pages = appendPairs(pages, t.Slug, slugsOf[i], loaded)
	}
	return pages, rev, nil
}

// appendPairs adds the canonical compare URL of each pair of slugs (sorted),
// at most sitemapMaxPairs of them.
func appendPairs(pages []canonicalPage, topic string, slugs []string, mod time.Time) []canonicalPage {
	count := 0
	for i, a := range slugs {
		for _, b := range slugs[i+1:] {
			if count >= sitemapMaxPairs {
				return pages
			}
			pages = append(pages, canonicalPage{compareURL(topic, []string{a, b}, compareQuery{}), mod})
			count++
		}
	}
	return pages
}

// handleRobots serves GET /robots.txt: everything may be crawled, and the
// sitemap says what there is.
func (s *server) handleRobots(w http.ResponseWriter, r *http.Request) error {
	base, err := s.baseURL(w, r)
	if err != nil {
		return err
	}
	body := "User-agent: *\nAllow: /\n\nSitemap: " + base + "/sitemap.xml\n"
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
	return nil
}

// baseURL is the scheme and host absolute URLs start with, without a
// trailing slash. Config.BaseURL wins. Without it, the request's Host is
// used only when it is one of Config.AllowedHosts; any other Host, forged
// or not, gets Config.ListenOrigin. With an allow list the answer may
// differ by Host, so it is marked Cache-Control: no-cache and the page
// cache, which keys pages by path alone, never serves one host's URLs to
// another.
func (s *server) baseURL(w http.ResponseWriter, r *http.Request) (string, error) {
	if s.base != "" {
		return s.base, nil
	}
	if len(s.hosts) == 0 {
		return s.origin, nil
	}
	w.Header().Set("Cache-Control", "no-cache")
	host := r.Host
	if !validHost(host) || !s.hostAllowed(host) {
		return s.origin, nil
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if s.trustProxy {
		proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		if proto = strings.ToLower(strings.TrimSpace(proto)); proto == "http" || proto == "https" {
			scheme = proto
		}
	}
	return scheme + "://" + strings.ToLower(host), nil
}

// hostAllowed reports whether host (a valid host[:port]) is in the allow
// list: as it is, or by its name alone when the entry names no port.
func (s *server) hostAllowed(host string) bool {
	host = strings.ToLower(host)
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
		if strings.Contains(h, ":") {
			name = "[" + h + "]"
		}
	}
	for _, a := range s.hosts {
		if a == host || a == name {
			return true
		}
	}
	return false
}

// validHost reports whether h is a plausible host[:port]: a name, an IPv4
// address or a bracketed IPv6 address.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range []byte(h) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '-', c == ':', c == '[', c == ']', c == '_':
		default:
			return false
		}
	}
	return true
}

// writeXML writes v as an XML document with the given Content-Type.
func (s *server) writeXML(w http.ResponseWriter, r *http.Request, contentType string, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode xml: %w", err)
	}
	buf.WriteByte('\n')
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = buf.WriteTo(w)
	}
	return nil
}
