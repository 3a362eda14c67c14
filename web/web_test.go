package web

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"versa/static"
)

// render renders c and parses the result, failing the test on any error.
func render(t *testing.T, c templ.Component) (*html.Node, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("Render: %v", err)
	}
	doc, err := html.Parse(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc, buf.String()
}

// find returns every element below n for which match is true, in document order.
func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

func byTestID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "data-testid") == id }
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// texts returns the text of every element with the test id.
func texts(doc *html.Node, id string) []string {
	var out []string
	for _, n := range find(doc, byTestID(id)) {
		out = append(out, text(n))
	}
	return out
}

func TestLayout(t *testing.T) {
	doc, raw := render(t, HomePage(HomeView{Site: Site{Revision: "0123456789abcdef0123"}}))

	if got := attr(find(doc, byTag("html"))[0], "lang"); got != "en" {
		t.Errorf("html lang = %q, want %q", got, "en")
	}
	if !strings.HasPrefix(raw, "<!doctype html>") && !strings.HasPrefix(raw, "<!DOCTYPE html>") {
		t.Errorf("page does not start with a doctype: %.40q", raw)
	}
	metas := map[string]string{}
	for _, m := range find(doc, byTag("meta")) {
		if hasAttr(m, "charset") {
			metas["charset"] = attr(m, "charset")
		}
		if name := attr(m, "name"); name != "" {
			metas[name] = attr(m, "content")
		}
	}
	if metas["charset"] != "utf-8" {
		t.Errorf("charset = %q, want utf-8", metas["charset"])
	}
	if !strings.Contains(metas["viewport"], "width=device-width") {
		t.Errorf("viewport = %q", metas["viewport"])
	}
	if metas["description"] == "" {
		t.Error("no meta description")
	}
	if got := text(find(doc, byTag("title"))[0]); got != "Versa" {
		t.Errorf("title = %q, want %q", got, "Versa")
	}

	var stylesheets []string
	for _, l := range find(doc, byTag("link")) {
		if attr(l, "rel") == "stylesheet" {
			stylesheets = append(stylesheets, attr(l, "href"))
		}
	}
	if diff := cmp.Diff([]string{static.Path("site.css")}, stylesheets); diff != "" {
		t.Errorf("stylesheets (-want +got):\n%s", diff)
	}
	scripts := find(doc, byTag("script"))
	var srcs []string
	for _, sc := range scripts {
		srcs = append(srcs, attr(sc, "src"))
		if !hasAttr(sc, "defer") {
			t.Errorf("script %q is not deferred", attr(sc, "src"))
		}
	}
	if diff := cmp.Diff([]string{static.Path("site.js"), static.Path("suggest.js")}, srcs); diff != "" {
		t.Errorf("scripts (-want +got):\n%s", diff)
	}
	// The Content-Security-Policy forbids inline scripts and styles.
	for _, s := range scripts {
		if s.FirstChild != nil {
			t.Errorf("inline script: %q", text(s))
		}
	}
	if n := len(find(doc, byTag("style"))); n != 0 {
		t.Errorf("%d <style> elements, want none", n)
	}
	if n := len(find(doc, func(n *html.Node) bool { return hasAttr(n, "style") })); n != 0 {
		t.Errorf("%d style attributes, want none", n)
	}

	form := find(doc, byTestID("search-form"))[0]
	if attr(form, "action") != "/search" || attr(form, "method") != "get" {
		t.Errorf("search form action=%q method=%q, want GET /search", attr(form, "action"), attr(form, "method"))
	}
	input := find(doc, byTestID("search-input"))[0]
	if attr(input, "name") != "q" {
		t.Errorf("search input name = %q, want q", attr(input, "name"))
	}
	labels := find(doc, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == attr(input, "id") })
	if attr(input, "id") == "" || len(labels) != 1 {
		t.Errorf("search input id %q has %d labels, want 1", attr(input, "id"), len(labels))
	}

	if got, want := texts(doc, "revision"), []string{"0123456789ab"}; !cmp.Equal(got, want) {
		t.Errorf("footer revision = %q, want %q", got, want)
	}
	if got := attr(find(doc, byTestID("status-link"))[0], "href"); got != "/status" {
		t.Errorf("status link = %q, want /status", got)
	}
	if n := len(find(doc, byTestID("dev-problems"))); n != 0 {
		t.Errorf("dev banner shown without problems")
	}
	if n := len(find(doc, byTestID("breadcrumbs"))); n != 0 {
		t.Errorf("breadcrumbs shown on the home page")
	}
}

func TestLayoutNoRevision(t *testing.T) {
	doc, _ := render(t, HomePage(HomeView{}))
	if n := len(find(doc, byTestID("revision"))); n != 0 {
		t.Errorf("revision shown before any load")
	}
	if got := texts(doc, "revision-none"); len(got) != 1 {
		t.Errorf("revision-none = %q, want one", got)
	}
}

func TestDevBanner(t *testing.T) {
	var problems []string
	for i := range bannerMax + 3 {
		problems = append(problems, "a/topic.yaml:"+strconv.Itoa(i+1)+": <bad>")
	}
	doc, raw := render(t, HomePage(HomeView{Site: Site{Problems: problems}}))
	if n := len(find(doc, byTestID("dev-problems"))); n != 1 {
		t.Fatalf("%d dev banners, want 1", n)
	}
	got := texts(doc, "dev-problem")
	if diff := cmp.Diff(problems[:bannerMax], got); diff != "" {
		t.Errorf("banner problems (-want +got):\n%s", diff)
	}
	if !strings.Contains(text(find(doc, byTestID("dev-problems"))[0]), "3 more") {
		t.Errorf("banner does not say how many more")
	}
	if strings.Contains(raw, "<bad>") {
		t.Errorf("problem text not escaped")
	}
}

func TestHomePage(t *testing.T) {
	v := HomeView{Topics: []TopicCard{
		{
			Slug:    "python-web-frameworks",
			Title:   "Python web frameworks",
			Summary: "Frameworks <for> Python.",
			Systems: []SystemLink{{Slug: "django", Name: "Django"}, {Slug: "flask", Name: "Flask"}},
		},
		{Slug: "databases", Title: "Databases"},
	}}
	doc, raw := render(t, HomePage(v))

	var got []string
	for _, n := range find(doc, byTestID("topic-link")) {
		got = append(got, attr(n, "href")+" "+text(n))
	}
	want := []string{"/topics/python-web-frameworks Python web frameworks", "/topics/databases Databases"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("topic links (-want +got):\n%s", diff)
	}
	got = nil
	for _, n := range find(doc, byTestID("system")) {
		got = append(got, attr(n, "href")+" "+text(n))
	}
	want = []string{"/topics/python-web-frameworks/django Django", "/topics/python-web-frameworks/flask Flask"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("system links (-want +got):\n%s", diff)
	}
	if got := texts(doc, "topic-summary"); !cmp.Equal(got, []string{"Frameworks <for> Python."}) {
		t.Errorf("summaries = %q", got)
	}
	if !strings.Contains(raw, "Frameworks &lt;for&gt; Python.") {
		t.Errorf("summary not escaped")
	}
	if n := len(find(doc, byTestID("no-topics"))); n != 0 {
		t.Errorf("empty state shown with topics")
	}
}

func TestHomePageEmpty(t *testing.T) {
	doc, _ := render(t, HomePage(HomeView{}))
	if n := len(find(doc, byTestID("no-topics"))); n != 1 {
		t.Errorf("%d empty states, want 1", n)
	}
}

func TestStatusPage(t *testing.T) {
	loadedAt := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name         string
		view         StatusView
		wantProblems []string
		wantNone     bool
		wantUnloaded bool
	}{
		{
			name:         "not loaded",
			view:         StatusView{},
			wantUnloaded: true,
		},
		{
			name:     "no problems",
			view:     StatusView{Loaded: true, Revision: "abc", LoadedAt: loadedAt},
			wantNone: true,
		},
		{
			name: "problems",
			view: StatusView{Loaded: true, Revision: "abc", LoadedAt: loadedAt, Problems: []string{
				"t/systems/a.md:3: unknown feature \"orm2\"",
				"t/articles/b.md:1: <script>alert(1)</script>",
			}},
			wantProblems: []string{
				"t/systems/a.md:3: unknown feature \"orm2\"",
				"t/articles/b.md:1: <script>alert(1)</script>",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, raw := render(t, StatusPage(tt.view))
			if diff := cmp.Diff(tt.wantProblems, texts(doc, "problem")); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if got := len(find(doc, byTestID("no-problems"))) == 1; got != tt.wantNone {
				t.Errorf("no-problems shown = %v, want %v", got, tt.wantNone)
			}
			if got := len(find(doc, byTestID("not-loaded"))) == 1; got != tt.wantUnloaded {
				t.Errorf("not-loaded shown = %v, want %v", got, tt.wantUnloaded)
			}
			if strings.Contains(raw, "<script>alert") {
				t.Errorf("problem text not escaped")
			}
			if tt.view.Loaded {
				if got := texts(doc, "status-revision"); !cmp.Equal(got, []string{"abc"}) {
					t.Errorf("revision = %q, want [abc]", got)
				}
				if got := attr(find(doc, byTestID("loaded-at"))[0], "datetime"); got != "2025-03-04T05:06:07Z" {
					t.Errorf("loaded-at datetime = %q", got)
				}
			}
			crumbs := find(doc, byTestID("breadcrumbs"))
			if len(crumbs) != 1 {
				t.Fatalf("%d breadcrumbs, want 1", len(crumbs))
			}
			links := find(crumbs[0], byTag("a"))
			if len(links) != 1 || attr(links[0], "href") != "/" {
				t.Errorf("breadcrumbs link %d times, want once to /", len(links))
			}
			var steps []string
			for _, li := range find(crumbs[0], byTag("li")) {
				steps = append(steps, text(li))
			}
			if diff := cmp.Diff([]string{"Versa", "Status"}, steps); diff != "" {
				t.Errorf("breadcrumbs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorPage(t *testing.T) {
	doc, _ := render(t, ErrorPage(ErrorView{Status: 404, Title: "Page not found", Message: "Nothing lives at this address."}))
	for id, want := range map[string]string{
		"error-status":  "404",
		"error-title":   "Page not found",
		"error-message": "Nothing lives at this address.",
	} {
		if got := texts(doc, id); !cmp.Equal(got, []string{want}) {
			t.Errorf("%s = %q, want [%q]", id, got, want)
		}
	}
	if got := attr(find(doc, byTestID("home-link"))[0], "href"); got != "/" {
		t.Errorf("home link = %q, want /", got)
	}
	if got := text(find(doc, byTag("title"))[0]); got != "Page not found · Versa" {
		t.Errorf("title = %q", got)
	}
}

func TestShortRevision(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"0123456789ab", "0123456789ab"},
		{"0123456789abcdef", "0123456789ab"},
	}
	for _, tt := range tests {
		if got := ShortRevision(tt.in); got != tt.want {
			t.Errorf("ShortRevision(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEditLink shows "Edit this page" only on a page made from a content
// file, and only when an edit URL is configured.
func TestEditLink(t *testing.T) {
	const base = "https://git.example/kb/edit/main/content/"
	tests := []struct {
		name string
		page templ.Component
		want string // the link's href, or "" for no link
	}{
		{"system", SystemPage(SystemView{Site: Site{EditBase: base}, Source: "web/systems/django.md"}), base + "web/systems/django.md"},
		{"topic", TopicPage(TopicView{Site: Site{EditBase: base}, Source: "web/topic.yaml"}), base + "web/topic.yaml"},
		{"article", ArticlePage(ArticleView{Site: Site{EditBase: base}, Source: "web/articles/a.md"}), base + "web/articles/a.md"},
		{"not configured", SystemPage(SystemView{Source: "web/systems/django.md"}), ""},
		{"no file behind the page", HomePage(HomeView{Site: Site{EditBase: base}}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, _ := render(t, tt.page)
			links := find(doc, byTestID("edit-link"))
			switch {
			case tt.want == "" && len(links) > 0:
				t.Errorf("edit link %q shown, want none", attr(links[0], "href"))
			case tt.want != "" && len(links) != 1:
				t.Errorf("%d edit links, want 1", len(links))
			case tt.want != "" && attr(links[0], "href") != tt.want:
				t.Errorf("edit link = %q, want %q", attr(links[0], "href"), tt.want)
			}
		})
	}
}

// TestHiddenCount says how many rows "differences only" hides, in words
// that agree with the number.
func TestHiddenCount(t *testing.T) {
	for _, tt := range []struct {
		hidden int
		want   string
	}{{0, "(0 same rows hidden)"}, {1, "(1 same row hidden)"}, {12, "(12 same rows hidden)"}} {
		doc, _ := render(t, ComparePage(CompareView{Diff: true, Hidden: tt.hidden}))
		if got := texts(doc, "hidden-count"); len(got) != 1 || got[0] != tt.want {
			t.Errorf("hidden %d: text = %q, want %q", tt.hidden, got, tt.want)
		}
	}
}

// TestRel: the compare page's own links are written relative to its folder
// only where a browser on the page resolves them back to the same URL.
func TestRel(t *testing.T) {
	v := CompareView{Path: "/compare/web/django-vs-flask"}
	for _, tt := range []struct{ url, want string }{
		{"/compare/web/flask-vs-django?diff=1", "flask-vs-django?diff=1"},
		{"/compare/web/django-vs-flask.csv", "django-vs-flask.csv"},
		{"/compare/web/django-vs-flask/changes?need=orm", "django-vs-flask/changes?need=orm"},
		// Another folder, the folder itself, a query or fragment alone, and
		// a first segment that would read as a scheme stay whole.
		{"/topics/web/flask", "/topics/web/flask"},
		{"/compare/web/", "/compare/web/"},
		{"/compare/web/?diff=1", "/compare/web/?diff=1"},
		{"/compare/web/#x", "/compare/web/#x"},
		{"/compare/web/a:b-vs-c", "/compare/web/a:b-vs-c"},
		{"/compare/webx/a-vs-b", "/compare/webx/a-vs-b"},
	} {
		if got := v.rel(tt.url); got != tt.want {
			t.Errorf("rel(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
	if got := (CompareView{}).rel("/compare/web/a-vs-b"); got != "/compare/web/a-vs-b" {
		t.Errorf("rel without a page path = %q, want the URL whole", got)
	}
}

// TestSupportClass: each level has its own class, which site.css draws.
func TestSupportClass(t *testing.T) {
	css, err := os.ReadFile("../static/site.css")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, level := range []string{"yes", "partial", "plugin", "no", "unknown"} {
		c := SupportClass(level)
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share the class %q", level, other, c)
		}
		seen[c] = level
		if !bytes.Contains(css, []byte("."+c+"::before {")) {
			t.Errorf("site.css draws no icon for .%s (%s)", c, level)
		}
	}
}
