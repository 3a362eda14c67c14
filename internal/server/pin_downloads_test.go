package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A pinned snapshot offers the live page's downloads, of the table as
// pinned: CSV and Markdown equal the live exports of the same view (nothing
// changed since), the JSON names the snapshot's own downloads; the page's
// canonical URL is absolute under --base-url, and its differences-only
// note counts the hidden rows in the compare page's words.
func TestPinnedDownloads(t *testing.T) {
	h, _ := pinServer(t, "../content/testdata/valid", Config{BaseURL: "https://versa.example", PinsPerMinute: -1})
	const target = "/compare/web/django-vs-flask?diff=1"
	loc := mustPin(t, h, target)
	page := get(t, h, loc).Body.String()
	for _, want := range []string{
		`<link rel="canonical" href="https://versa.example` + loc + `">`,
		`href="` + loc + `.csv" type="text/csv" data-testid="download-csv"`,
		`href="` + loc + `.json" type="application/json" data-testid="download-json"`,
		`href="` + loc + `.md" type="text/markdown" data-testid="download-md"`,
		`data-copy-url hidden>Copy link</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("snapshot page lacks %q", want)
		}
	}
	live := get(t, h, target).Body.String()
	hidden := func(body string) string {
		doc := parse(t, body)
		for n := range doc.Descendants() {
			if attr(n, "data-testid") == "hidden-count" {
				return strings.TrimSpace(textOf(n))
			}
		}
		return ""
	}
	if want, got := hidden(live), hidden(page); want == "" || !strings.Contains(got, want) {
		t.Errorf("snapshot's hidden rows say %q, want them to say %q as the live page does", got, want)
	}
	for _, ext := range []string{".csv", ".md"} {
		pinned, liveExp := get(t, h, loc+ext), get(t, h, strings.Replace(target, "?", ext+"?", 1))
		if pinned.Code != http.StatusOK || pinned.Header().Get("Content-Type") != liveExp.Header().Get("Content-Type") {
			t.Fatalf("GET %s%s = %d %q, want 200 %q", loc, ext, pinned.Code, pinned.Header().Get("Content-Type"), liveExp.Header().Get("Content-Type"))
		}
		if pinned.Body.String() != liveExp.Body.String() || pinned.Body.Len() == 0 {
			t.Errorf("%s of the snapshot differs from the live one:\n%s\nlive:\n%s", ext, pinned.Body.String(), liveExp.Body.String())
		}
	}
	rec := get(t, h, loc+".json")
	var doc struct {
		Exports map[string]string `json:"exports"`
		Systems []struct {
			Slug string `json:"slug"`
		} `json:"systems"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("GET %s.json = %d: %v\n%s", loc, rec.Code, err, rec.Body.String())
	}
	if doc.Exports["csv"] != loc+".csv" || doc.Exports["markdown"] != loc+".md" || len(doc.Systems) != 2 {
		t.Errorf("snapshot JSON: exports %v, %d systems, want the snapshot's downloads and 2", doc.Exports, len(doc.Systems))
	}
	if code := get(t, h, loc+".txt").Code; code != http.StatusNotFound {
		t.Errorf("GET %s.txt = %d, want 404", loc, code)
	}
}
