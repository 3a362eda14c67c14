package server

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestBrowser drives headless Chromium through the real router and the
// bundled content, for what only a browser shows: navigation, anchors,
// layout, script and CSP errors, and accessibility (axe-core).
//
// It needs chromium (/usr/bin/chromium or on PATH) and axe-core's
// axe.min.js (VERSA_AXE, or the npm install that .ci/run makes). Without
// them it skips, except under CI=true, where it fails.
func TestBrowser(t *testing.T) {
	bin := chromiumPath(t)
	// The bundled content, and a search that answers with sample hits, so
	// that the search page is laid out with results.
	ts := httptest.NewServer(realServerConfig(t, "../../content", Config{Search: &fakeSearcher{res: sampleResults()}}))
	defer ts.Close()

	// A bound against a hung browser, not a speed test: the whole run
	// loads some 30 pages and axe on 12, and the machine may be shared.
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	// Every page load reports console errors, uncaught exceptions, error
	// log entries (failed loads, CSP reports) and CSP violation events.
	var (
		mu       sync.Mutex
		problems []string
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				report("console.%s: %s", ev.Type, consoleArgs(ev.Args))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			report("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg)
		case *cdplog.EventEntryAdded:
			if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError {
				report("log %s: %s (%s)", e.Source, e.Text, e.URL)
			}
		}
	}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// DevTools injects this ahead of the page's own scripts, past its CSP.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `document.addEventListener("securitypolicyviolation", function (e) {
				console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
					" at " + e.sourceFile + ":" + e.lineNumber);
			});`,
		})
		return err
	})); err != nil {
		t.Fatalf("add CSP listener: %v", err)
	}

	const (
		topicPath   = "/topics/python-web-frameworks"
		comparePath = "/compare/python-web-frameworks/django-vs-flask-vs-fastapi"
	)
	rowCount := `document.querySelectorAll('tr[id^="feature-"]').length`

	t.Run("diff toggle", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+comparePath)); err != nil {
			t.Fatal(err)
		}
		all, err := chromedp.Run(ctx, chromedp.Evaluate[int](rowCount))
		if err != nil {
			t.Fatal(err)
		}
		if all == 0 {
			t.Fatalf("compare page has no feature rows")
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="diff-toggle"]`)))
		if err != nil {
			t.Fatalf("click diff toggle: %v", err)
		}
		if resp.Status != 200 {
			t.Errorf("diff page status = %d, want 200", resp.Status)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Get("diff"); got != "1" {
			t.Errorf("URL after toggle = %s, want diff=1", loc)
		}
		diff, err := chromedp.Run(ctx, chromedp.Evaluate[int](rowCount))
		if err != nil {
			t.Fatal(err)
		}
		if diff == 0 || diff >= all {
			t.Errorf("rows with diff = %d, want between 1 and %d (all rows)", diff, all-1)
		}
		hidden, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`[data-testid="hidden-count"]`)))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(hidden, "same rows hidden") {
			t.Errorf("hidden count text = %q, want it to say %q", hidden, "same rows hidden")
		}
	})

	t.Run("row anchor", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/compare/python-web-frameworks/django-vs-flask#feature-orm")); err != nil {
			t.Fatal(err)
		}
		target, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(':target') || {id: ''}).id`))
		if err != nil {
			t.Fatal(err)
		}
		if target != "feature-orm" {
			t.Fatalf(":target id = %q, want %q", target, "feature-orm")
		}
		// The jump to the fragment can land a frame after the load event;
		// top may be a sub-pixel above 0 once it has.
		inView := `(function () {
			var r = document.getElementById("feature-orm").getBoundingClientRect();
			return r.top > -1 && r.top < window.innerHeight;
		})()`
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](inView, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			top, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("feature-orm").getBoundingClientRect().top`))
			h, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.innerHeight`))
			t.Errorf("row #feature-orm not in the viewport: top = %v, innerHeight = %v (%v)", top, h, err)
		}
	})

	t.Run("phone width", func(t *testing.T) {
		defer func() {
			err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				if _, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
					return err
				}
				_, err := cdp.Call(ctx, tg, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{})
				return err
			}))
			if err != nil {
				t.Errorf("reset viewport: %v", err)
			}
		}()
		const width = 390
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait),
			chromedp.Navigate(ts.URL+comparePath),
		); err != nil {
			t.Fatal(err)
		}
		type widths struct {
			WrapScroll, WrapClient, DocScroll, Inner float64
		}
		w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`(function () {
			var wrap = document.querySelector(".table-wrap");
			return {
				WrapScroll: wrap.scrollWidth, WrapClient: wrap.clientWidth,
				DocScroll: document.documentElement.scrollWidth, Inner: window.innerWidth
			};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if w.WrapScroll <= w.WrapClient {
			t.Errorf(".table-wrap scrollWidth = %v, clientWidth = %v: want the table to scroll sideways", w.WrapScroll, w.WrapClient)
		}
		// A page wider than the phone also shows as a zoomed-out viewport.
		if w.DocScroll > w.Inner+1 || w.Inner > width+1 {
			t.Errorf("page scrolls sideways: document scrollWidth = %v, innerWidth = %v, want both <= %d", w.DocScroll, w.Inner, width)
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+comparePath)); err != nil {
			t.Fatal(err)
		}
		if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.innerWidth`)); err != nil || w < 1000 {
			t.Fatalf("innerWidth = %d (%v), want the desktop window", w, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", saveArtifact(t, "compare-django-vs-flask-vs-fastapi.png", png))
	})

	t.Run("topic filter", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+topicPath)); err != nil {
			t.Fatal(err)
		}
		shownRows := `Array.prototype.filter.call(document.querySelectorAll("tr[data-system]"), function (tr) {
			return tr.getClientRects().length > 0;
		}).map(function (tr) { return tr.getAttribute("data-system"); })`
		all, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](shownRows))
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 6 {
			t.Fatalf("topic page shows %d systems (%v), want 6", len(all), all)
		}
		type state struct {
			Rows            []string
			URL, Status     string
			SortLink, Field string
			FieldDisabled   bool
		}
		read := func() state {
			t.Helper()
			st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`(function () {
				var field = document.querySelector("input[data-filter-field]");
				return {
					Rows: `+shownRows+`,
					URL: location.pathname + location.search,
					Status: document.getElementById("filter-status").textContent.trim(),
					SortLink: document.querySelector("a[data-filter-link][title^='Sort by']").getAttribute("href"),
					Field: field.value, FieldDisabled: field.disabled
				};
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}

		// Typing filters at once, and the address follows.
		if err := chromedp.Do(ctx, chromedp.SendKeys(`#topic-filter`, "FLA")); err != nil {
			t.Fatal(err)
		}
		st := read()
		if strings.Join(st.Rows, ",") != "flask" {
			t.Errorf("rows shown after typing FLA = %v, want [flask]", st.Rows)
		}
		if want := topicPath + "?q=FLA"; st.URL != want {
			t.Errorf("URL after typing = %s, want %s", st.URL, want)
		}
		if !strings.HasPrefix(st.Status, "1 of 6 systems and ") {
			t.Errorf("filter status = %q, want it to count 1 of 6 systems", st.Status)
		}
		if !strings.HasSuffix(st.SortLink, "&q=FLA") || st.Field != "FLA" || st.FieldDisabled {
			t.Errorf("sort link %q, form field %q (disabled %v): want both to carry q=FLA", st.SortLink, st.Field, st.FieldDisabled)
		}

		// Enter asks the server, which sends the same view.
		resp, err := chromedp.RunResponse(ctx, chromedp.SendKeys(`#topic-filter`, "\r"))
		if err != nil {
			t.Fatalf("submit filter: %v", err)
		}
		if resp.Status != 200 {
			t.Errorf("filtered page status = %d, want 200", resp.Status)
		}
		st = read()
		if strings.Join(st.Rows, ",") != "flask" || st.URL != topicPath+"?q=FLA" {
			t.Errorf("after Enter: rows %v at %s, want [flask] at %s?q=FLA", st.Rows, st.URL, topicPath)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tr[data-system]").length`))
		if err != nil || n != 1 {
			t.Errorf("server sent %d rows (%v), want 1", n, err)
		}

		// Text that is no narrowing of the server's filter cannot be shown
		// from this page: the view and the URL stay, and the page says so.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
			var box = document.getElementById("topic-filter");
			box.value = "d";
			return box.dispatchEvent(new Event("input"));
		})()`)); err != nil {
			t.Fatal(err)
		}
		st = read()
		if strings.Join(st.Rows, ",") != "flask" || st.URL != topicPath+"?q=FLA" {
			t.Errorf("after widening: rows %v at %s, want [flask] at %s?q=FLA", st.Rows, st.URL, topicPath)
		}
		if !strings.HasPrefix(st.Status, "Press Enter") {
			t.Errorf("status after widening = %q, want a hint to press Enter", st.Status)
		}
	})

	t.Run("print", func(t *testing.T) {
		// A4 with 1 cm margins, in CSS pixels of 1/96 inch.
		const marginIn = 1 / 2.54
		a4Width := int64(math.Floor((8.27 - 2*marginIn) * 96)) // 718
		media := func(m string) chromedp.Action[chromedp.Void] {
			return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
				return err
			})
		}
		defer func() {
			err := chromedp.Do(ctx, media(""), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
				return err
			}))
			if err != nil {
				t.Errorf("reset media: %v", err)
			}
		}()
		type layout struct {
			Print                 bool
			WrapOverflow          string
			WrapClient, TableWide float64
			TableRight, DocWide   float64
			Inner                 float64
			Rows                  int
			Cut                   []string // rows not shown whole
			Sticky                []string // cells still sticky
			Shown                 []string // controls still shown
			Notes, AllNotes       int      // cell notes printed, open or not, of all
			Descs, AllDescs       int      // feature descriptions printed, ticked or not, of all
		}
		pages := []struct{ path, artifact string }{
			{comparePath, "compare-django-vs-flask-vs-fastapi.pdf"},
			{sixPage, "compare-six-systems.pdf"},
		}
		for _, p := range pages {
			if err := chromedp.Do(ctx,
				chromedp.EmulateViewport(a4Width, 1100),
				media("print"),
				chromedp.Navigate(ts.URL+p.path),
			); err != nil {
				t.Fatal(err)
			}
			l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](`(function () {
				var wrap = document.querySelector(".table-wrap"), table = wrap.querySelector("table");
				var shown = function (el) {
					return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
				};
				var l = {
					Print: matchMedia("print").matches,
					WrapOverflow: getComputedStyle(wrap).overflowX,
					WrapClient: wrap.clientWidth, TableWide: table.scrollWidth,
					TableRight: table.getBoundingClientRect().right,
					DocWide: document.documentElement.scrollWidth, Inner: window.innerWidth,
					Rows: 0, Cut: [], Sticky: [], Shown: [],
					Notes: Array.prototype.filter.call(document.querySelectorAll("td details"), function (d) {
						return (`+noteShown+`)(d) > 0;
					}).length,
					AllNotes: document.querySelectorAll("td details").length,
					Descs: Array.prototype.filter.call(document.querySelectorAll("table.compare th > p"), function (p) {
						return p.getBoundingClientRect().height > 0;
					}).length,
					AllDescs: document.querySelectorAll("table.compare th > p").length
				};
				table.querySelectorAll("tr[id^='feature-']").forEach(function (tr) {
					l.Rows++;
					var cut = !shown(tr);
					tr.querySelectorAll("th, td").forEach(function (c) {
						var r = c.getBoundingClientRect();
						cut = cut || !shown(c) || r.left < -1 || r.right > window.innerWidth + 1;
					});
					if (cut) {
						l.Cut.push(tr.id);
					}
				});
				table.querySelectorAll("th, td").forEach(function (c) {
					if (getComputedStyle(c).position === "sticky") {
						l.Sticky.push(c.textContent.trim().slice(0, 20));
					}
				});
				[".site-header", ".crumbs", ".controls", ".downloads", "[data-copy-url]", ".column-controls", ".anchor", "table.compare th > a[href^='#']"].forEach(function (sel) {
					document.querySelectorAll(sel).forEach(function (el) {
						if (shown(el) && l.Shown.indexOf(sel) < 0) {
							l.Shown.push(sel);
						}
					});
				});
				return l;
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			if !l.Print {
				t.Fatalf("%s: print media not emulated", p.path)
			}
			if l.WrapOverflow != "visible" && l.TableWide > l.WrapClient+1 {
				t.Errorf("%s: the table (%v px wide) scrolls inside .table-wrap (%v px, overflow %s): print would clip it",
					p.path, l.TableWide, l.WrapClient, l.WrapOverflow)
			}
			if l.TableRight > l.Inner+1 || l.DocWide > l.Inner+1 {
				t.Errorf("%s: the table ends at %v px and the page is %v px wide, on paper %v px wide", p.path, l.TableRight, l.DocWide, l.Inner)
			}
			if l.Rows == 0 || len(l.Cut) > 0 {
				t.Errorf("%s: %d of %d rows not printed whole: %v", p.path, len(l.Cut), l.Rows, l.Cut)
			}
			if len(l.Sticky) > 0 {
				t.Errorf("%s: cells still sticky in print: %v", p.path, l.Sticky)
			}
			if len(l.Shown) > 0 {
				t.Errorf("%s: printed controls and links: %v, want them hidden", p.path, l.Shown)
			}
			if l.Notes == 0 || l.Notes != l.AllNotes {
				t.Errorf("%s: %d of %d cell notes printed, want all", p.path, l.Notes, l.AllNotes)
			}
			if l.AllDescs == 0 || l.Descs != l.AllDescs {
				t.Errorf("%s: %d of %d feature descriptions printed, want all", p.path, l.Descs, l.AllDescs)
			}

			pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFMargin(marginIn)))
			if err != nil {
				t.Fatalf("%s: print to PDF: %v", p.path, err)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("%s: PrintToPDF gave no PDF", p.path)
			}
			t.Logf("PDF: %s", saveArtifact(t, p.artifact, pdf))
		}
	})

	// The change lists, of a site whose history has a cell edit, a
	// feature added and an article updated.
	hs := newHistorySite(t)
	hs.edit("web/systems/flask.md", "csrf: plugin", "csrf: yes")
	hs.reload("web/systems/flask.md")
	hs.edit("web/topic.yaml", "features:\n", "features:\n  - key: async\n    name: Async views\n    category: data\n")
	hs.reload("web/topic.yaml")
	hs.edit("web/articles/django-vs-flask.md", "updated: 2026-01-15", "updated: 2026-03-01")
	hs.reload("web/articles/django-vs-flask.md")
	hts := httptest.NewServer(hs.h)
	defer hts.Close()

	// A topic whose feature keys nest (tree_test.go).
	dts := httptest.NewServer(realServer(t, writeContent(t, dottedFiles())))
	defer dts.Close()
	t.Run("dotted anchors", func(t *testing.T) { testDottedAnchors(t, ctx, dts.URL) })

	testLayout(t, ctx, ts.URL)
	// A topic of 400 systems for the picker's filter.
	manyDir := t.TempDir()
	writeTopic(t, manyDir, "many", 400, 8, "Many systems.")
	mts := httptest.NewServer(realServer(t, manyDir))
	defer mts.Close()
	testPicker(t, ctx, ts.URL, mts.URL)
	t.Run("search as you type", func(t *testing.T) { testSuggest(t, ctx) })

	// A pinned snapshot of the six-system table, differences only.
	ph, _ := pinServer(t, "../../content", Config{PinsPerMinute: -1})
	pts := httptest.NewServer(ph)
	defer pts.Close()
	pinned := pts.URL + mustPin(t, ph, sixPage+"?diff=1")

	t.Run("axe", func(t *testing.T) {
		axe := axeSource(t)
		for _, p := range []string{pinned, ts.URL + comparePath, ts.URL + topicPath, ts.URL + topicPath + "/features/orm",
			hts.URL + "/topics/web/changes", hts.URL + "/topics/web/flask/changes", hts.URL + "/compare/web/django-vs-flask/changes",
			ts.URL + sixPage + "?need=orm", ts.URL + "/", ts.URL + "/topics/python-web-frameworks/django", ts.URL + articlePath, ts.URL + "/articles", ts.URL + "/search?q=orm",
			dts.URL + "/compare/dotted/a-vs-b-vs-c", dts.URL + "/topics/dotted/a", dts.URL + "/topics/dotted"} {
			if err := chromedp.Do(ctx,
				chromedp.Navigate(p),
				chromedp.Evaluate[chromedp.Void](axe+"\n;undefined"),
			); err != nil {
				t.Fatalf("%s: load axe: %v", p, err)
			}
			// target-size is WCAG 2.2's 24 px minimum, which axe leaves off
			// by default.
			violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"], rules: {"target-size": {enabled: true}}}).then(function (r) {
				return r.violations.map(function (v) {
					return {id: v.id, impact: v.impact || "", help: v.help,
						targets: v.nodes.slice(0, 5).map(function (n) { return n.target.join(" "); }),
						why: v.nodes.length ? v.nodes[0].failureSummary || "" : ""};
				});
			})`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: axe.run: %v", p, err)
			}
			for _, v := range violations {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s: axe %s (%s): %s; e.g. %s (%s)", p, v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "), v.Why)
				} else {
					t.Logf("%s: axe %s (%s, not failing): %s; e.g. %s", p, v.ID, v.Impact, v.Help, strings.Join(v.Targets, ", "))
				}
			}
		}
	})

	// Last, so that it covers every page load above.
	t.Run("no console errors", func(t *testing.T) {
		// Reports arrive as events; a round trip lets the last ones land.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`1`)); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Error(p)
		}
	})
}

// saveArtifact writes a test artefact into VERSA_ARTIFACTS (a temporary
// folder when unset) and returns its path.
func saveArtifact(t *testing.T, name string, data []byte) string {
	t.Helper()
	dir := os.Getenv("VERSA_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"`
	Why     string   `json:"why"` // the first node's failure summary
}

// consoleArgs renders console.error's arguments for a failure message.
func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// needTool skips the test, or fails it under CI=true, where the browser
// tests must really run.
func needTool(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (required when CI=true)")
	}
	t.Skip(msg)
}

// chromiumPath finds Debian's chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	needTool(t, "chromium not found at /usr/bin/chromium or on PATH")
	return ""
}

// axeSource reads axe-core's axe.min.js from VERSA_AXE, or from where
// .ci/run installs it.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("VERSA_AXE")
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			needTool(t, "axe-core: VERSA_AXE unset and no home directory: %v", err)
		}
		path = filepath.Join(home, ".cache", "versa-axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		needTool(t, "axe-core not found (set VERSA_AXE to axe.min.js): %v", err)
	}
	return string(b)
}
