package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"versa/internal/content"
	versakb "versa/internal/kb"
	"versa/internal/search"
	"versa/internal/sqlite"
)

// searchServer is realServer with a real search index over the same
// content, as cmd/versa wires them.
func searchServer(t *testing.T, dir string) http.Handler {
	t.Helper()
	ctx := context.Background()
	tmp := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(tmp, "versa.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, problems, err := content.Load(os.DirFS(dir))
	if err != nil || len(problems) > 0 {
		t.Fatalf("load %s: %v %v", dir, err, problems)
	}
	if err := db.ReplaceContent(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(filepath.Join(tmp, "index"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	err = ix.Build(ctx, c.Revision, func(s versakb.Sink) error {
		for _, x := range c.Topics {
			if err := s.Topic(x); err != nil {
				return err
			}
		}
		for _, x := range c.Systems {
			if err := s.System(x); err != nil {
				return err
			}
		}
		for _, x := range c.Articles {
			if err := s.Article(x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Search: ix}, snapshotDB{db})
}

// testSuggest types into the search box as a reader would: suggestions
// appear as a listbox, the arrow keys choose one (announced through
// aria-activedescendant), Enter opens it, Escape closes the list, "/"
// focuses search, and axe finds nothing serious with the list open.
func testSuggest(t *testing.T, ctx context.Context) {
	ts := httptest.NewServer(searchServer(t, "../../content"))
	defer ts.Close()

	type combo struct {
		Expanded, Active, Controls, Status string
		Options                            []string
		Hrefs, Texts                       []string
		Selected                           []string
		Visible                            bool
	}
	read := func(sel string) combo {
		t.Helper()
		c, err := chromedp.Run(ctx, chromedp.Evaluate[combo](`(function () {
			var box = document.querySelector(`+"`"+sel+"`"+`);
			var list = document.getElementById(box.getAttribute("aria-controls"));
			var opts = list ? list.querySelectorAll("[role=option]") : [];
			var status = box.form.querySelector("[data-testid=suggest-status]");
			return {
				Expanded: box.getAttribute("aria-expanded") || "",
				Active: box.getAttribute("aria-activedescendant") || "",
				Controls: box.getAttribute("aria-controls") || "",
				Status: status ? status.textContent : "",
				Options: Array.prototype.map.call(opts, function (o) { return o.id; }),
				Hrefs: Array.prototype.map.call(opts, function (o) { return o.getAttribute("data-href"); }),
				Texts: Array.prototype.map.call(opts, function (o) { return o.textContent; }),
				Selected: Array.prototype.filter.call(opts, function (o) { return o.getAttribute("aria-selected") === "true"; }).map(function (o) { return o.id; }),
				Visible: !!list && list.getClientRects().length > 0
			};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	const box = "#search-q"
	// Open means open for the whole text typed: an answer for "as" may
	// come first, and the one for "asy" replaces it (and its selection).
	waitOpen := func(sel string) chromedp.Action[bool] {
		return chromedp.Poll[bool](`(function () {
			var box = document.querySelector(`+"`"+sel+"`"+`);
			var list = document.getElementById(box.getAttribute("aria-controls"));
			return !!list && !list.hidden && list.getAttribute("data-for") === box.value.trim() &&
				list.querySelectorAll("[role=option]").length > 0;
		})()`, chromedp.WithPollingTimeout(10*time.Second))
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/search")); err != nil {
		t.Fatal(err)
	}
	// "/" from the page moves focus to the search page's box.
	if err := chromedp.Do(ctx, pressSlash()); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id + "=" + document.activeElement.value : ""`))
	if err != nil || focused != "search-q=" {
		t.Errorf(`after "/": focus on %q (%v), want the empty search box (the "/" itself not typed)`, focused, err)
	}
	if c := read(box); c.Expanded != "false" || c.Controls == "" || c.Visible {
		t.Errorf("before typing: %+v, want a collapsed combobox that controls a hidden list", c)
	}

	typeAndWait := func(sel, text string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.SendKeys(sel, text)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, waitOpen(sel)); err != nil {
			t.Fatalf("typing %q into %s: no suggestions: %v", text, sel, err)
		}
	}
	typeAndWait(box, "asy")
	c := read(box)
	if c.Expanded != "true" || !c.Visible {
		t.Errorf("after typing: expanded %q, visible %v", c.Expanded, c.Visible)
	}
	if n := len(c.Options); n == 0 || n > 8 {
		t.Errorf("%d suggestions, want 1 to 8", n)
	}
	if !strings.Contains(c.Status, "suggestion") {
		t.Errorf("live region says %q, want the number of suggestions", c.Status)
	}
	if len(c.Active) != 0 || len(c.Selected) != 0 {
		t.Errorf("an option is active before any arrow key: %+v", c)
	}
	// "asy" is a prefix: the suggestions are about async.
	if all := strings.ToLower(strings.Join(append(c.Texts, c.Hrefs...), " ")); !strings.Contains(all, "async") {
		t.Errorf("suggestions for asy do not mention async: %q %q", c.Texts, c.Hrefs)
	}

	axe := axeSource(t)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axe+"\n;undefined")); err != nil {
		t.Fatalf("load axe: %v", err)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
		return r.violations.map(function (v) {
			return {id: v.id, impact: v.impact || "", help: v.help,
				targets: v.nodes.slice(0, 5).map(function (n) { return n.target.join(" "); })};
		});
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	for _, v := range violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("suggestions open: axe %s (%s): %s; e.g. %s", v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
		} else {
			t.Logf("suggestions open: axe %s (%s, not failing): %s", v.ID, v.Impact, v.Help)
		}
	}

	// Arrow keys move the active option; the box keeps focus.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
		t.Fatal(err)
	}
	c = read(box)
	if c.Active != c.Options[0] || len(c.Selected) != 1 || c.Selected[0] != c.Options[0] {
		t.Errorf("after ArrowDown: active %q, selected %v; want the first option %q", c.Active, c.Selected, c.Options[0])
	}
	want := c.Hrefs[0]
	if len(c.Options) > 1 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp)); err != nil {
			t.Fatal(err)
		}
		if c = read(box); c.Active != c.Options[0] {
			t.Errorf("after ArrowDown, ArrowUp: active %q, want %q", c.Active, c.Options[0])
		}
	}

	// Escape closes the list; ArrowDown opens it again.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if c = read(box); c.Expanded != "false" || c.Visible || c.Active != "" {
		t.Errorf("after Escape: %+v, want the list closed", c)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
		t.Fatal(err)
	}
	if c = read(box); !c.Visible || c.Active != c.Options[0] {
		t.Errorf("ArrowDown after Escape: %+v, want the list open on the first option", c)
	}

	// Enter opens the active suggestion.
	if err := chromedp.Do(ctx, pressEnter()); err != nil {
		t.Fatalf("Enter on a suggestion: %v", err)
	}
	loc, err := leftPage(ctx, "/search")
	if err != nil {
		where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		t.Fatalf("Enter on option %q (%s) went nowhere: %v; at %s", c.Active, want, err, where)
	}
	if loc != want {
		t.Errorf("Enter went to %s, want the chosen suggestion %s", loc, want)
	}

	// Without a chosen option, Enter submits the form as without script.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/")); err != nil {
		t.Fatal(err)
	}
	typeAndWait("#site-search", "asy")
	if err := chromedp.Do(ctx, pressEnter()); err != nil {
		t.Fatalf("submit: %v", err)
	}
	loc, err = leftPage(ctx, "/")
	if err != nil || loc != "/search?q=asy" {
		t.Errorf("Enter with no option chosen went to %q (%v), want /search?q=asy", loc, err)
	}
}

// leftPage waits until the tab has loaded a page other than path, and
// returns its path, query and fragment. A navigation destroys the page's
// context, so it asks again until the new page answers.
func leftPage(ctx context.Context, path string) (string, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" && location.pathname !== `+strconv.Quote(path)+
			` ? location.pathname + location.search + location.hash : ""`))
		if err == nil && loc != "" {
			return loc, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("still on %s after 10 s (last error %v)", path, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// press presses a key as a keyboard does: one keyDown that carries its
// text, so that a handler's preventDefault on keydown keeps the text (and
// Enter's form submission) out, as in a real browser. chromedp.KeyEvent
// sends the text as a separate char event, which preventDefault on
// keydown cannot stop.
func press(key, code, text string, keyCode int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		down := input.DispatchKeyEventParams{
			Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code, Text: text, UnmodifiedText: text,
			WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode,
		}
		if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: code, WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode}
		_, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, up)
		return err
	})
}

func pressSlash() chromedp.Action[chromedp.Void] { return press("/", "Slash", "/", 191) }

func pressEnter() chromedp.Action[chromedp.Void] { return press("Enter", "Enter", "\r", 13) }
