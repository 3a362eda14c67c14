package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestCrawl follows every link the site gives, from the home page, the
// sitemap, the feed and the article list, on content folders of several
// shapes: whatever valid folder it serves, no page the site links to may
// fail or be missing. Links are taken from href and src attributes, sitemap
// <loc>s and redirects; only links into the site are followed.
func TestCrawl(t *testing.T) {
	tests := []struct {
		name, dir string
		limit     int // pages to visit at most; compare controls link to many orders
		minPages  int // the crawl must reach at least this many
	}{
		{name: "shapes", dir: "testdata/shapes", limit: 2000, minPages: 40},
		{name: "fixtures", dir: "../content/testdata/valid", limit: 2000, minPages: 40},
		{name: "queues", dir: "testdata/site", limit: 600, minPages: 100},
		{name: "bundled", dir: "../../content", limit: 400, minPages: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := realServer(t, tt.dir)
			visited := crawl(t, h, tt.limit, "/", "/sitemap.xml", "/feed.xml", "/articles", "/status")
			if visited < tt.minPages {
				t.Errorf("crawled %d pages, want at least %d", visited, tt.minPages)
			}
			t.Logf("%d pages", visited)
		})
	}
}

var locRE = regexp.MustCompile(`<loc>([^<]+)</loc>`)

// crawl visits pages breadth first from start, up to limit of them, and
// fails the test for each one that answers 4xx or 5xx, naming the page
// that linked to it. It returns how many pages it visited.
func crawl(t *testing.T, h http.Handler, limit int, start ...string) int {
	t.Helper()
	from := map[string]string{}
	queue := append([]string(nil), start...)
	for _, s := range start {
		from[s] = "(start)"
	}
	visited := 0
	for len(queue) > 0 && visited < limit {
		target := queue[0]
		queue = queue[1:]
		visited++
		rec := get(t, h, target)
		if rec.Code >= 400 {
			t.Errorf("GET %s = %d (linked from %s)", target, rec.Code, from[target])
			continue
		}
		var links []string
		if loc := rec.Header().Get("Location"); loc != "" {
			links = append(links, loc)
		}
		ct := rec.Header().Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/html"):
			links = append(links, htmlLinks(t, rec.Body.String())...)
		case strings.Contains(ct, "xml"):
			for _, m := range locRE.FindAllStringSubmatch(rec.Body.String(), -1) {
				links = append(links, html.UnescapeString(m[1]))
			}
			links = append(links, htmlLinks(t, rec.Body.String())...)
		}
		base, _ := url.Parse("http://example.com" + target)
		for _, l := range links {
			u, err := base.Parse(l)
			if err != nil {
				t.Errorf("%s links to %q: %v", target, l, err)
				continue
			}
			if u.Host != "example.com" || (u.Scheme != "http" && u.Scheme != "https") {
				continue
			}
			// The crawled servers have no search index (search_test.go
			// covers search with one); the search page's example queries,
			// linked from every page's header, would answer 503.
			if u.Path == "/search" && u.RawQuery != "" {
				continue
			}
			next := u.RequestURI()
			if _, seen := from[next]; !seen {
				from[next] = target
				queue = append(queue, next)
			}
		}
	}
	return visited
}

// htmlLinks returns the href and src attributes of a page (or of the Atom
// feed's <link href>).
func htmlLinks(t *testing.T, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if (a.Key == "href" || a.Key == "src") && a.Val != "" {
				out = append(out, a.Val)
			}
		}
	}
	return out
}
