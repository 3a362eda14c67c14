package server

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// The layout the reader gets, measured in the browser: how much of the
// compare table one screen shows, whether its header and first column
// stick, whether any page is wider than a phone, and whether a cell's note
// opens from the keyboard. TestBrowser runs these on its tab.

// viewport is a window size the layout tests measure at.
type viewport struct {
	name          string
	width, height int64
	phone         bool
}

// articlePath is a bundled article with live tables in it.
const articlePath = "/articles/python-web-frameworks/django-vs-flask"

var (
	desktop = viewport{"desktop", 1440, 1000, false}
	phone   = viewport{"phone", 390, 844, true}
)

// emulate sets the tab's window to v; the returned function restores the
// browser's own size.
func emulate(t *testing.T, ctx context.Context, v viewport) func() {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if v.phone {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height, opts...)); err != nil {
		t.Fatalf("emulate %s: %v", v.name, err)
	}
	return func() {
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
	}
}

// noteShown is a script function giving the height a cell's note (what
// its <details> holds after the marker, text and link with no wrapper)
// takes on screen: 0 while hidden.
const noteShown = `function (d) {
	// A closed <details> skips its content (content-visibility: hidden),
	// which a Range would still measure when asked.
	var c = getComputedStyle(d, "::details-content");
	if (c.contentVisibility === "hidden" || c.display === "none") {
		return 0;
	}
	var r = document.createRange();
	r.setStartAfter(d.querySelector("summary"));
	r.setEnd(d, d.childNodes.length);
	return r.getBoundingClientRect().height;
}`

// visibleRows counts the feature rows wholly inside both the window and
// the table's scroll box.
const visibleRows = `(function () {
	var wrap = document.querySelector(".table-wrap").getBoundingClientRect();
	var top = Math.max(0, wrap.top), bottom = Math.min(window.innerHeight, wrap.bottom);
	var head = document.querySelector("table.compare thead th").getBoundingClientRect();
	top = Math.max(top, head.bottom - 1);
	return Array.prototype.filter.call(document.querySelectorAll('tr[id^="feature-"]'), function (tr) {
		var r = tr.getBoundingClientRect();
		return r.height > 0 && r.top >= top && r.bottom <= bottom + 0.5;
	}).length;
})()`

func testLayout(t *testing.T, ctx context.Context, base string) {
	t.Run("rows in the first screen", func(t *testing.T) {
		defer emulate(t, ctx, desktop)()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+sixPage)); err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](visibleRows))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d rows of the six-system table in the first %dx%d screen", n, desktop.width, desktop.height)
		if n < 15 {
			t.Errorf("first screen at %dx%d shows %d feature rows, want at least 15", desktop.width, desktop.height, n)
		}
		// A wide screen is used: the table is wider than the old 72rem
		// measure (1080 px) and fills the window, less the page's margins.
		w, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector(".table-wrap").getBoundingClientRect().width`))
		if err != nil {
			t.Fatal(err)
		}
		if w < float64(desktop.width)-60 {
			t.Errorf("table box is %v px wide in a %d px window, want the whole width", w, desktop.width)
		}
	})

	for _, v := range []viewport{desktop, phone} {
		t.Run("sticky header "+v.name, func(t *testing.T) {
			defer emulate(t, ctx, v)()
			if err := chromedp.Do(ctx, chromedp.Navigate(base+sixPage)); err != nil {
				t.Fatal(err)
			}
			type box struct {
				HeadTop, HeadBottom, Inner, ScrollY float64
				FirstShown                          int // index of the first row below the header
				NameLeft, WrapLeft, CellLeft        float64
				BandLeft                            float64
			}
			measure := `(function () {
				var wrap = document.querySelector(".table-wrap");
				// The header cells stick, not the thead, which moves with the table.
				var head = document.querySelector("table.compare thead th").getBoundingClientRect();
				var rows = document.querySelectorAll('tr[id^="feature-"]');
				var first = -1;
				for (var i = 0; i < rows.length; i++) {
					if (rows[i].getBoundingClientRect().bottom > head.bottom + 1) { first = i; break; }
				}
				var row = rows[Math.max(first, 0)];
				return {
					HeadTop: head.top, HeadBottom: head.bottom, Inner: window.innerHeight, ScrollY: window.scrollY,
					FirstShown: first,
					NameLeft: row.querySelector("th").getBoundingClientRect().left,
					CellLeft: row.querySelector("td").getBoundingClientRect().left,
					WrapLeft: wrap.getBoundingClientRect().left + wrap.clientLeft,
					BandLeft: document.querySelector('tr[id^="category-"] th > span').getBoundingClientRect().left
				};
			})()`
			// The page scrolled down: the table's box is in the window, its
			// header wholly shown.
			b, err := chromedp.Run(ctx, chromedp.Evaluate[box](`window.scrollTo(0, 2500);`+measure))
			if err != nil {
				t.Fatal(err)
			}
			if b.ScrollY == 0 {
				t.Errorf("the page did not scroll (scrollY = 0)")
			}
			if b.HeadTop < -0.5 || b.HeadBottom > b.Inner {
				t.Errorf("after scrollTo(0, 2500): thead at %v..%v px, window %v px tall: want it wholly in view", b.HeadTop, b.HeadBottom, b.Inner)
			}
			// Scrolled on, the way the wheel or a finger over the table
			// scrolls it: rows pass under the header, which stays.
			b2, err := chromedp.Run(ctx, chromedp.Evaluate[box](`document.querySelector(".table-wrap").scrollTop = 2500; window.scrollTo(0, 2500);`+measure))
			if err != nil {
				t.Fatal(err)
			}
			if b2.HeadTop < -0.5 || b2.HeadBottom > b2.Inner || b2.HeadTop != b.HeadTop {
				t.Errorf("table scrolled 2500 px: thead at %v..%v px (was at %v), want it held in place", b2.HeadTop, b2.HeadBottom, b.HeadTop)
			}
			if b2.FirstShown < 10 {
				t.Errorf("table scrolled 2500 px: the first row under the header is row %d, want the rows to have moved on", b2.FirstShown)
			}
			// Sideways: the feature names and the category labels hold to
			// the left edge while the cells move under them.
			b3, err := chromedp.Run(ctx, chromedp.Evaluate[box](`document.querySelector(".table-wrap").scrollLeft = 300;`+measure))
			if err != nil {
				t.Fatal(err)
			}
			if diff := b3.NameLeft - b3.WrapLeft; diff < -1 || diff > 1 {
				t.Errorf("table scrolled sideways: feature names at %v px, the box's edge at %v px: want them held there", b3.NameLeft, b3.WrapLeft)
			}
			if v.phone {
				if b3.CellLeft >= b2.CellLeft {
					t.Errorf("table scrolled sideways: cells at %v px, were at %v px: want them to move", b3.CellLeft, b2.CellLeft)
				}
			}
			if b3.BandLeft < b3.WrapLeft {
				t.Errorf("table scrolled sideways: the category label at %v px is left of the box (%v px)", b3.BandLeft, b3.WrapLeft)
			}
		})
	}

	small := viewport{"small phone", 320, 640, true}
	for _, v := range []viewport{phone, small} {
		t.Run("no page wider than a phone at "+strconv.Itoa(int(v.width)), func(t *testing.T) { noWiderThan(t, ctx, base, v) })
	}

	t.Run("phone compare shows the table first", func(t *testing.T) {
		defer emulate(t, ctx, phone)()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+sixPage)); err != nil {
			t.Fatal(err)
		}
		type first struct {
			FormShown bool
			TableTop  float64
			Inner     float64
		}
		f, err := chromedp.Run(ctx, chromedp.Evaluate[first](`({
			FormShown: document.querySelector('[data-testid="category-form"]').getClientRects().length > 0,
			TableTop: document.querySelector(".table-wrap").getBoundingClientRect().top,
			Inner: window.innerHeight
		})`))
		if err != nil {
			t.Fatal(err)
		}
		if f.FormShown {
			t.Errorf("the category checkboxes show on a phone; want them behind the filters control")
		}
		if f.TableTop > f.Inner/2 {
			t.Errorf("the table starts %v px down a %v px screen, want it in the top half", f.TableTop, f.Inner)
		}
		// The one control opens them, from the keyboard too.
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("details.filters > summary").focus();true`))
		if err != nil || !shown {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="category-form"]').getClientRects().length > 0`))
		if err != nil {
			t.Fatal(err)
		}
		if !open {
			t.Errorf("Enter on the filters control did not show the category checkboxes")
		}
	})

	t.Run("need added by its name", func(t *testing.T) {
		defer emulate(t, ctx, desktop)()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+sixPage)); err != nil {
			t.Fatal(err)
		}
		// site.js offers the rows' names; the page sends no list of them.
		type offer struct {
			Options, Rows int
			ORM           bool
		}
		o, err := chromedp.Run(ctx, chromedp.Evaluate[offer](`(function () {
			var box = document.getElementById("add-need");
			var list = document.getElementById(box.getAttribute("list"));
			var names = Array.prototype.map.call(list ? list.options : [], function (o) { return o.value; });
			return {Options: names.length, Rows: document.querySelectorAll('tr[id^="feature-"]').length, ORM: names.indexOf("Built-in ORM") >= 0};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if o.Options == 0 || o.Options != o.Rows || !o.ORM {
			t.Errorf("the need box offers %d names (Built-in ORM among them: %v), want the %d rows'", o.Options, o.ORM, o.Rows)
		}
		// Typed and sent with Enter, the name becomes the need's key, and
		// its row heads the table.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("add-need").focus();true`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("built-in orm"), pressEnter()); err != nil {
			t.Fatal(err)
		}
		// The form's request and its redirect replace the page: ask again
		// until the new one answers.
		var first string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			first, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" && location.search === "?need=orm" ?
				document.querySelector('tr[id^="feature-"]').id : ""`))
			if err == nil && first != "" {
				break
			}
		}
		if first != "feature-orm" {
			t.Errorf("after typing a need's name and Enter: first row %q (%v), want feature-orm at ?need=orm", first, err)
		}
	})

	t.Run("descriptions by keyboard", func(t *testing.T) {
		defer emulate(t, ctx, desktop)()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+sixPage)); err != nil {
			t.Fatal(err)
		}
		type descs struct {
			Shown, All, Rows int
			Focused          bool
		}
		read := `(function () {
			var ps = document.querySelectorAll("table.compare th > p");
			return {
				Shown: Array.prototype.filter.call(ps, function (p) { return p.getBoundingClientRect().height > 0; }).length,
				All: ps.length,
				Rows: ` + visibleRows + `,
				Focused: document.activeElement === document.getElementById("descriptions")
			};
		})()`
		before, err := chromedp.Run(ctx, chromedp.Evaluate[descs](read))
		if err != nil {
			t.Fatal(err)
		}
		if before.All == 0 || before.Shown != 0 {
			t.Fatalf("before the box is ticked: %d of %d descriptions shown, want none of some", before.Shown, before.All)
		}
		// Tab from the differences link reaches the box; Space ticks it.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('[data-testid="diff-toggle"]').focus();true`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t"), chromedp.KeyEvent(" ")); err != nil {
			t.Fatal(err)
		}
		after, err := chromedp.Run(ctx, chromedp.Evaluate[descs](read))
		if err != nil {
			t.Fatal(err)
		}
		if !after.Focused || after.Shown != after.All {
			t.Errorf("after Tab and Space: %+v, want the box focused and all %d descriptions shown", after, after.All)
		}
		if after.Rows >= before.Rows {
			t.Errorf("descriptions shown, the first screen still holds %d rows (%d without): they take no room?", after.Rows, before.Rows)
		}
	})

	t.Run("note opened by keyboard", func(t *testing.T) {
		defer emulate(t, ctx, desktop)()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+sixPage)); err != nil {
			t.Fatal(err)
		}
		type note struct {
			Open          bool
			Height        float64
			Text, Focused string
			Summary       string // the noted cell's value, which opens the note
		}
		read := `(function () {
			var d = document.querySelector("td details");
			var f = document.activeElement;
			return {Open: d.open, Height: (` + noteShown + `)(d), Text: d.textContent.replace(d.querySelector("summary").textContent, "").trim(),
				Focused: f && f.tagName === "SUMMARY" && f.parentNode === d ? f.textContent : "",
				Summary: d.querySelector("summary").textContent};
		})()`
		before, err := chromedp.Run(ctx, chromedp.Evaluate[note](read))
		if err != nil {
			t.Fatal(err)
		}
		if before.Open || before.Height > 0 {
			t.Fatalf("a note is open before anything was pressed: %+v", before)
		}
		// Tab from the cell's start reaches the marker; Enter opens it.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
			var td = document.querySelector("td details").closest("td");
			td.tabIndex = -1; td.focus(); return true;
		})()`)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t"), chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		after, err := chromedp.Run(ctx, chromedp.Evaluate[note](read))
		if err != nil {
			t.Fatal(err)
		}
		if !after.Open || after.Height == 0 || after.Text == "" {
			t.Errorf("after Tab and Enter: note %+v, want it open and shown", after)
		}
		if want := after.Summary; after.Focused != want || want == "" {
			t.Errorf("Tab focused %q, want the first noted cell's value %q, which opens its note", after.Focused, want)
		}
		// A screen reader hears the value, then "note" (the stylesheet's).
		if name, want := axName(t, ctx, "td details > summary"), after.Summary+" note"; name != want {
			t.Errorf("the marker's accessible name is %q, want %q", name, want)
		}
		if name := axName(t, ctx, "table.compare th > a[href^=\"#\"]"); name != "# Link to this row" {
			t.Errorf("a row link's accessible name is %q, want %q", name, "# Link to this row")
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
			t.Fatal(err)
		}
		closed, err := chromedp.Run(ctx, chromedp.Evaluate[note](read))
		if err != nil {
			t.Fatal(err)
		}
		if closed.Open || closed.Height > 0 {
			t.Errorf("after Space: note %+v, want it closed again", closed)
		}
	})
}

// axName is the accessible name the browser computes for the first element
// matching sel, as assistive technology gets it.
func axName(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(sel)))
	if err != nil || len(nodes) == 0 {
		t.Fatalf("find %s: %v", sel, err)
	}
	var name string
	err = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		no := false
		res, err := cdp.Call(ctx, tg, accessibility.GetPartialAXTree,
			accessibility.GetPartialAXTreeParams{BackendNodeID: nodes[0].BackendNodeID, FetchRelatives: &no})
		if err != nil {
			return err
		}
		for _, n := range res.Nodes {
			if n.Name != nil && !n.Ignored {
				var s string
				if err := json.Unmarshal([]byte(n.Name.Value), &s); err != nil {
					return err
				}
				name = strings.TrimSpace(s)
				return nil
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatalf("accessible name of %s: %v", sel, err)
	}
	return name
}

// noWiderThan loads the pages of every kind at v and fails for each that
// scrolls sideways, naming what sticks out.
func noWiderThan(t *testing.T, ctx context.Context, base string, v viewport) {
	defer emulate(t, ctx, v)()
	for _, p := range []string{
		"/",
		"/topics/python-web-frameworks",
		sixPage,
		"/topics/python-web-frameworks/django",
		"/articles",
		articlePath,
		"/search?q=orm",
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+p)); err != nil {
			t.Fatal(err)
		}
		type widths struct {
			Scroll, Inner float64
			Wide          []string
		}
		w, err := chromedp.Run(ctx, chromedp.Evaluate[widths](`(function () {
				var wide = [];
				document.querySelectorAll("body *").forEach(function (el) {
					var r = el.getBoundingClientRect();
					if (r.right > `+strconv.Itoa(int(v.width))+` + 1 && !el.closest(".table-wrap, pre") && wide.length < 5) {
						wide.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " to " + Math.round(r.right));
					}
				});
				return {Scroll: document.documentElement.scrollWidth, Inner: window.innerWidth, Wide: wide};
			})()`))
		if err != nil {
			t.Fatal(err)
		}
		if w.Scroll > w.Inner || w.Inner > float64(v.width) {
			t.Errorf("%s at %d px: scrollWidth = %v, innerWidth = %v, want scrollWidth <= innerWidth = %d; too wide: %v",
				p, v.width, w.Scroll, w.Inner, v.width, w.Wide)
		}
	}
}
