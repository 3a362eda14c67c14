package server

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// testPicker drives the topic page's system picker: a tick says what is
// ticked, "compare selected" with one system gives a hint on the page,
// two open their comparison; and on a topic of 400 systems (manyBase) the
// filter box narrows the rows as one types, while ticks on rows it hides
// are kept and sent.
func testPicker(t *testing.T, ctx context.Context, base, manyBase string) {
	const topic = "/topics/python-web-frameworks"
	status := `document.getElementById("pick-status").textContent.trim()`
	location := `location.pathname + location.search`

	t.Run("system picker", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+topic), chromedp.Click(`input[name=system][value=django]`)); err != nil {
			t.Fatal(err)
		}
		if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](status)); err != nil || got != "1 system ticked: Django." {
			t.Errorf("status after one tick = %q (%v), want %q", got, err, "1 system ticked: Django.")
		}
		// One system: the page stays, and says what to do.
		if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=compare-selected]`)); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](status))
		if err != nil || !strings.HasPrefix(got, "You ticked one system") {
			t.Errorf("status after sending one system = %q (%v), want the hint", got, err)
		}
		if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](location)); err != nil || loc != topic {
			t.Errorf("after sending one system the page is %s (%v), want it to stay at %s", loc, err, topic)
		}
		// Two: their comparison.
		if err := chromedp.Do(ctx, chromedp.Click(`input[name=system][value=flask]`)); err != nil {
			t.Fatal(err)
		}
		if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](status)); err != nil || got != "2 systems ticked: Django, Flask." {
			t.Errorf("status after two ticks = %q (%v)", got, err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`[data-testid=compare-selected]`)); err != nil {
			t.Fatalf("compare selected: %v", err)
		}
		if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](location)); err != nil || loc != "/compare/python-web-frameworks/django-vs-flask" {
			t.Errorf("compare selected landed on %s (%v), want /compare/python-web-frameworks/django-vs-flask", loc, err)
		}
	})

	t.Run("filter of 400 systems", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(manyBase+"/topics/many")); err != nil {
			t.Fatal(err)
		}
		shown := `Array.prototype.filter.call(document.querySelectorAll("tr[data-system]"), function (tr) {
			return tr.getClientRects().length > 0;
		}).map(function (tr) { return tr.getAttribute("data-system"); })`
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](shown))
		if err != nil || len(rows) != 400 {
			t.Fatalf("topic of 400 systems shows %d rows (%v), want 400", len(rows), err)
		}
		var want []string
		for i := range 400 {
			if strings.Contains(strconv.Itoa(i), "12") {
				want = append(want, "system-"+strconv.Itoa(i))
			}
		}
		if err := chromedp.Do(ctx, chromedp.SendKeys(`#topic-filter`, "system 12")); err != nil {
			t.Fatal(err)
		}
		rows, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](shown))
		if err != nil {
			t.Fatal(err)
		}
		if !sameSet(rows, want) {
			t.Errorf("after typing %q: %d rows shown %v, want %d: %v", "system 12", len(rows), rows, len(want), want)
		}
		// Tick one found by this filter, then one found by another.
		if err := chromedp.Do(ctx, chromedp.Click(`input[name=system][value="system-12"]`)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
			var box = document.getElementById("topic-filter");
			box.value = "399";
			return box.dispatchEvent(new Event("input"));
		})()`)); err != nil {
			t.Fatal(err)
		}
		rows, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](shown))
		if err != nil || strings.Join(rows, ",") != "system-399" {
			t.Errorf("after typing 399: rows %v (%v), want [system-399]", rows, err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`input[name=system][value="system-399"]`)); err != nil {
			t.Fatal(err)
		}
		if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](status)); err != nil || got != "2 systems ticked: System 12, System 399." {
			t.Errorf("status = %q (%v), want both ticks counted", got, err)
		}
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(`[data-testid=compare-selected]`)); err != nil {
			t.Fatalf("compare selected: %v", err)
		}
		if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](location)); err != nil || loc != "/compare/many/system-12-vs-system-399" {
			t.Errorf("compare selected landed on %s (%v), want /compare/many/system-12-vs-system-399", loc, err)
		}
	})
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
		if seen[s] < 0 {
			return false
		}
	}
	return true
}
