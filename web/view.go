// Package web renders Versa's HTML pages with templ. Every exported page
// takes a plain view struct that the server fills in; templates only lay out
// what they are given and never query anything themselves.
package web

import (
	"strconv"
	"strings"
	"time"
)

// Site is what the layout shows around every page.
type Site struct {
	// Revision is the content revision being served; the footer shows its
	// first 12 characters. Empty before the first load.
	Revision string
	// Problems are content problems as "path:line: message". The layout
	// shows them in a banner when non-empty; the server fills them only in
	// dev mode.
	Problems []string
	// Base is the site's public origin, such as "https://versa.example.com",
	// when one is configured; link previews then carry absolute URLs.
	Base string
	// EditBase, when set, starts the "Edit this page" link of every page
	// made from one content file: the file's path relative to the content
	// folder is appended, as in https://github.com/org/kb/edit/main/content/.
	EditBase string
}

// Page is the head and chrome of one page, passed to Layout.
type Page struct {
	Title       string // without the site name; empty on the home page
	Description string // the meta description
	Crumbs      []Crumb
	Query       string // the header search box's value
	NoIndex     bool   // asks search engines not to index the page
	Canonical   string // the page's canonical path, for <link rel="canonical">
	Site        Site
	// Image is the path of the page's link-preview image (og:image), a
	// 1200x630 PNG; empty for none.
	Image string
	// Type is the page's og:type; empty means "website".
	Type string
	// Feed is the path of the page's Atom feed, named in <link
	// rel="alternate"> with FeedTitle; empty for none.
	Feed      string
	FeedTitle string
	// Wide lets the page use the whole width of the window (the compare
	// table); other pages keep a readable measure.
	Wide bool
	// Source is the content file the page is made from, relative to the
	// content folder; with Site.EditBase it gives the "Edit this page" link.
	Source string
}

// Crumb is one step of the breadcrumbs; the last one is the current page and
// is not linked.
type Crumb struct {
	Title string
	URL   string
}

// HomeView is the home page: every topic with its systems.
type HomeView struct {
	Site     Site
	Topics   []TopicCard
	Articles []ArticleItem // the newest, as the feed orders them
}

// TopicCard is one topic as listed on the home page.
type TopicCard struct {
	Slug    string
	Title   string
	Summary string
	Systems []SystemLink
}

// SystemLink names one system of a topic.
type SystemLink struct {
	Slug string
	Name string
}

// StatusView is the status page: which content is served and what is wrong
// with it.
type StatusView struct {
	Site Site
	// Loaded is false before the first content load; the other fields are
	// then empty.
	Loaded   bool
	Revision string
	LoadedAt time.Time
	Problems []string // "path:line: message"
}

// ErrorView is an error page. Message is written for people; it never
// carries an error's text, which may leak internals.
type ErrorView struct {
	Site    Site
	Status  int    // the HTTP status code
	Title   string // such as "Page not found"
	Message string
	Links   []Crumb // what exists instead, such as the topic's systems
}

// ShortRevision is the part of a revision shown to readers.
func ShortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}

// topicURL and systemURL build the links of the spec's URL table.
// title is the document title: the page's, then the site's name.
func (p Page) title() string {
	if p.Title == "" {
		return "Versa"
	}
	return p.Title + " · Versa"
}

// bannerMax is how many problems the dev banner lists before pointing at
// the status page.
const bannerMax = 10

// head returns at most the first n items.
func head(items []string, n int) []string {
	if len(items) > n {
		return items[:n]
	}
	return items
}

// plural writes a count with the right form of its noun: "1 problem",
// "2 problems".
// onPage qualifies a count of the page shown rather than of the table.
func onPage(in bool) string {
	if in {
		return " on this page"
	}
	return ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// previewTitle is the title link previews show: the page's own, without the
// site's name, which og:site_name carries.
func (p Page) previewTitle() string {
	if p.Title == "" {
		return "Versa"
	}
	return StripBidi(p.Title)
}

// previewDescription is the text under a link preview's title.
func (p Page) previewDescription() string {
	if p.Description == "" {
		return "Side-by-side feature comparisons, articles and search."
	}
	return p.Description
}

// previewType is the page's og:type.
func (p Page) previewType() string {
	if p.Type == "" {
		return "website"
	}
	return p.Type
}

// absolute makes a site path absolute when the public origin is known.
// Previews want absolute URLs; without an origin the path is the best
// there is, and most readers of previews resolve it.
func (p Page) absolute(path string) string {
	if p.Site.Base == "" || !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return path
	}
	return p.Site.Base + path
}

// mainClass is the class of the page's <main>.
func mainClass(p Page) string {
	if p.Wide {
		return "wide"
	}
	return ""
}
