package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
)

// dottedFiles is a small topic whose feature keys nest: in API, a prefix
// that is a feature (api.fetch, its signal listed out of order), one that
// is not (api.xhr), and a prefix only one feature has (api.lonely); in CSS,
// more rows than web.FoldAt, in two trees and a plain key, so that its
// trees start folded.
func dottedFiles() map[string]string {
	var topic strings.Builder
	topic.WriteString(`title: Dotted
summary: Keys in trees.
categories:
  - key: api
    title: API
  - key: css
    title: CSS
features:
  - key: api.fetch
    name: fetch
    category: api
    description: The fetch function.
  - key: api.fetch.keepalive
    name: keepalive
    category: api
  - key: api.xhr.open
    name: open
    category: api
  - key: api.fetch.signal
    name: signal
    category: api
  - key: api.xhr.send
    name: send
    category: api
  - key: api.lonely.one
    name: one
    category: api
  - key: plain
    name: Plain
    category: css
`)
	var cells strings.Builder
	for _, k := range []string{"api.fetch", "api.fetch.keepalive", "api.xhr.open", "api.fetch.signal", "api.xhr.send", "api.lonely.one", "plain"} {
		fmt.Fprintf(&cells, "  %s: yes\n", k)
	}
	for _, k := range cssKeys() {
		fmt.Fprintf(&topic, "  - key: %s\n    name: %s\n    category: css\n", k, strings.ToUpper(k[4:5])+k[5:])
		fmt.Fprintf(&cells, "  %s: partial\n", k)
	}
	sys := func(name string) string {
		return "---\nname: " + name + "\nsummary: A system.\nfeatures:\n" + cells.String() + "---\nText.\n"
	}
	return map[string]string{
		"dotted/topic.yaml":    topic.String(),
		"dotted/systems/a.md":  sys("Alpha"),
		"dotted/systems/b.md":  sys("Beta"),
		"dotted/systems/c.md":  strings.Replace(sys("Gamma"), "api.fetch.signal: yes", "api.fetch.signal: {support: no, note: Not yet.}", 1),
		"dotted/articles/x.md": "---\ntitle: X\nsummary: An article.\nupdated: 2026-01-01\n---\nText.\n",
	}
}

// cssKeys are the CSS category's dotted keys: 16 under css.grid, 15 under
// css.flex (with plain, 32 rows: more than web.FoldAt).
func cssKeys() []string {
	var keys []string
	for i := range 16 {
		keys = append(keys, fmt.Sprintf("css.grid.g%d", i))
	}
	for i := range 15 {
		keys = append(keys, fmt.Sprintf("css.flex.f%d", i))
	}
	return keys
}

// tableOutline writes the bodies and rows of the table with the class (the
// compare page's) or test id (the system page's) table, one line each: a
// body's category (the band row's it starts with) or test id, a row's id
// (or a prefix row's key), class, fold state and number of cells.
func tableOutline(doc *html.Node, table string) string {
	var b strings.Builder
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "table" || (attr(n, "data-testid") != table && attr(n, "class") != table) {
			continue
		}
		for body := range n.Descendants() {
			if body.Type != html.ElementNode || body.Data != "tbody" {
				continue
			}
			head := attr(body, "data-testid") + " "
			for tr := range body.ChildNodes() {
				if key, ok := strings.CutPrefix(attr(tr, "id"), "category-"); ok {
					head = "category " + key
				}
				break
			}
			fmt.Fprintln(&b, head)
			for tr := range body.ChildNodes() {
				if tr.Type != html.ElementNode || tr.Data != "tr" {
					continue
				}
				id := attr(tr, "id")
				if id == "" {
					id = "prefix " + attr(tr, "data-prefix")
				}
				fold, cells := "", 0
				for c := range tr.Descendants() {
					if c.Type == html.ElementNode && c.Data == "details" && strings.Contains(attr(c, "class"), "fold") {
						fold = " closed"
						if slices.ContainsFunc(c.Attr, func(a html.Attribute) bool { return a.Key == "open" }) {
							fold = " open"
						}
					}
					if c.Type == html.ElementNode && c.Data == "td" && c.Parent == tr {
						cells++
					}
				}
				fmt.Fprintf(&b, "  %s [%s]%s %d\n", id, attr(tr, "class"), fold, cells)
			}
		}
	}
	return b.String()
}

// The compare and system pages nest rows whose keys share a dotted prefix
// under the prefix's row: a prefix that is a feature heads its tree with
// its own cells, one that is not gets a row without cells, a prefix of one
// feature makes no tree; the trees of a category of more than FoldAt rows
// start folded; a row's anchor is unchanged.
func TestDottedTree(t *testing.T) {
	h := realServer(t, writeContent(t, dottedFiles()))
	cssTrees := func(prefix string, cells int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "category css\n  category-css [] 0\n  %splain [] %d\nfeature-tree \n  prefix css [prefix] closed 0\n  prefix css.grid [prefix d1] 0\n", prefix, cells)
		for i := range 16 {
			fmt.Fprintf(&b, "  %scss.grid.g%d [d2] %d\n", prefix, i, cells)
		}
		b.WriteString("  prefix css.flex [prefix d1] 0\n")
		for i := range 15 {
			fmt.Fprintf(&b, "  %scss.flex.f%d [d2] %d\n", prefix, i, cells)
		}
		return b.String()
	}
	api := func(prefix string, cells int) string {
		return strings.NewReplacer("P:", prefix, "N", fmt.Sprint(cells)).Replace(`category api
  category-api [] 0
feature-tree 
  P:api.fetch [] open N
  P:api.fetch.keepalive [d1] N
  P:api.fetch.signal [d1] N
feature-tree 
  prefix api.xhr [prefix] open 0
  P:api.xhr.open [d1] N
  P:api.xhr.send [d1] N
feature-rows 
  P:api.lonely.one [] N
`)
	}
	for _, tt := range []struct {
		target, table, want string
	}{
		{"/compare/dotted/a-vs-b-vs-c", "compare", api("feature-", 3) + cssTrees("feature-", 3)},
		{"/topics/dotted/a", "feature-table", api("feature-", 1) + cssTrees("feature-", 1)},
	} {
		rec := get(t, h, tt.target)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", tt.target, rec.Code)
		}
		doc := parse(t, rec.Body.String())
		got := tableOutline(doc, tt.table)
		if got != tt.want {
			t.Errorf("%s: table outline:\n%s\nwant:\n%s", tt.target, got, tt.want)
		}
		body := rec.Body.String()
		for _, want := range []string{
			`href="#feature-api.fetch.signal"`,                   // the anchor of a nested row
			`<span class="visually-hidden">fetch: </span>2 rows`, // the fold's name says what it opens
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: no %s", tt.target, want)
			}
		}
	}
	// The compare page of the differences: only signal differs, and one
	// row makes no tree.
	doc := parse(t, get(t, h, "/compare/dotted/a-vs-b-vs-c?diff=1").Body.String())
	if got, want := tableOutline(doc, "compare"), "category api\n  category-api [] 0\n  feature-api.fetch.signal [] 3\n"; got != want {
		t.Errorf("diff outline:\n%s\nwant:\n%s", got, want)
	}
}

// The topic page lists a prefix that is a feature in its place and its
// features in a <details> after it, nested per prefix; a category of more
// than FoldAt features has its nodes folded, unless the server's filter is
// on.
func TestDottedTopicList(t *testing.T) {
	h := realServer(t, writeContent(t, dottedFiles()))
	outline := func(target string) string {
		rec := get(t, h, target)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", target, rec.Code)
		}
		var b strings.Builder
		var walk func(n *html.Node, depth int)
		walk = func(n *html.Node, depth int) {
			for c := range n.ChildNodes() {
				if c.Type != html.ElementNode {
					continue
				}
				switch id := attr(c, "data-testid"); {
				case id == "feature-node":
					open := " closed"
					if slices.ContainsFunc(c.Attr, func(a html.Attribute) bool { return a.Key == "open" }) {
						open = " open"
					}
					fmt.Fprintf(&b, "%snode %s%s\n", strings.Repeat("  ", depth), attr(c, "data-prefix"), open)
					walk(c, depth+1)
				case id == "feature":
					fmt.Fprintf(&b, "%s%s\n", strings.Repeat("  ", depth), attr(c, "id"))
				default:
					walk(c, depth)
				}
			}
		}
		walk(parse(t, rec.Body.String()), 0)
		return b.String()
	}
	var css strings.Builder
	css.WriteString("feature-plain\nnode css closed\n  node css.grid closed\n")
	for i := range 16 {
		fmt.Fprintf(&css, "    feature-css.grid.g%d\n", i)
	}
	css.WriteString("  node css.flex closed\n")
	for i := range 15 {
		fmt.Fprintf(&css, "    feature-css.flex.f%d\n", i)
	}
	want := `feature-api.fetch
node api.fetch open
  feature-api.fetch.keepalive
  feature-api.fetch.signal
node api.xhr open
  feature-api.xhr.open
  feature-api.xhr.send
feature-api.lonely.one
` + css.String()
	if got := outline("/topics/dotted"); got != want {
		t.Errorf("topic feature list:\n%s\nwant:\n%s", got, want)
	}
	if got := outline("/topics/dotted?q=css"); !strings.HasPrefix(got, "node css.grid open\n") {
		t.Errorf("filtered topic list: the nodes are not open:\n%s", got)
	}
}

// testDottedAnchors is TestBrowser's check that a link to a row inside a
// folded tree shows that row, with and without the script, on the compare
// and system pages, and to a feature folded on the topic page; and that a
// fold opens by keyboard.
func testDottedAnchors(t *testing.T, ctx context.Context, base string) {
	shown := func(id string) string {
		return `(function () {
			var el = document.getElementById(` + jsString(id) + `);
			if (!el || el.getClientRects().length === 0) { return false; }
			var r = el.getBoundingClientRect();
			return r.top > -1 && r.top < window.innerHeight;
		})()`
	}
	for _, js := range []bool{true, false} {
		if err := scriptOff(ctx, !js); err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct{ path, id string }{
			{"/compare/dotted/a-vs-b-vs-c", "feature-css.flex.f9"},
			{"/topics/dotted/a", "feature-css.grid.g12"},
			{"/topics/dotted", "feature-css.flex.f14"},
		} {
			// From another page, then by a change of the fragment alone.
			if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.Navigate(base+p.path+"#"+p.id)); err != nil {
				t.Fatal(err)
			}
			// Polled from here: with scripts off, chromedp.Poll cannot run.
			var ok bool
			var err error
			for end := time.Now().Add(5 * time.Second); !ok && time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
				ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](shown(p.id)))
			}
			if !ok {
				t.Errorf("script %v: %s#%s: the row is not shown in the viewport (%v)", js, p.path, p.id, err)
			}
		}
	}
	if err := scriptOff(ctx, false); err != nil {
		t.Fatal(err)
	}
	// A hash change within the page opens the fold the row is in.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/compare/dotted/a-vs-b-vs-c"),
		chromedp.Evaluate[chromedp.Void](`location.hash = "feature-css.grid.g3"`)); err != nil {
		t.Fatal(err)
	}
	open := `document.getElementById("feature-css.grid.g3").parentElement.rows[0].querySelector("details.fold").open`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](open, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("hashchange: the fold of #feature-css.grid.g3 is not open (%v)", err)
	}
	// The keyboard reaches a fold and opens it: focus on its summary, Enter.
	rowShown := `document.getElementById("feature-css.flex.f0").getClientRects().length > 0`
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/topics/dotted/a")); err != nil {
		t.Fatal(err)
	}
	if shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](rowShown)); err != nil || shown {
		t.Errorf("the css tree is not folded (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`tr[data-prefix="css"] summary`)), pressEnter()); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](rowShown, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("Enter on the css fold does not show its rows (%v)", err)
	}
}

// scriptOff switches the page's scripts off (or back on).
func scriptOff(ctx context.Context, off bool) error {
	return chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	}))
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }
