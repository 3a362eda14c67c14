package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The older-page links carry before=, the id of the last change shown:
// following them gives the same pages as page= alone, and a page reached
// through one stays put when newer changes are recorded meanwhile.
func TestChangePagesCursor(t *testing.T) {
	hs := newHistorySite(t)
	var features strings.Builder
	for i := range 2*changesPerPage + 10 {
		k := strings.Repeat("x", i/26) + string(rune('a'+i%26))
		features.WriteString("  - key: f" + k + "\n    name: Feature " + k + "\n    category: data\n")
	}
	hs.edit("web/topic.yaml", "features:\n", "features:\n"+features.String())
	hs.reload("web/topic.yaml")

	older := func(body string) string {
		t.Helper()
		hrefs := attrs(parse(t, body), "older", "href")
		if len(hrefs) != 1 {
			return ""
		}
		return hrefs[0]
	}
	// walk follows a list's older links from its first page, checking
	// each page against the same page asked by its number alone.
	walk := func(list string) (followed [][]string, links []string) {
		t.Helper()
		cursor := regexp.MustCompile(`^` + regexp.QuoteMeta(list) + `\?page=(\d+)&before=\d+$`)
		target := list
		for page := 1; target != ""; page++ {
			body := hs.get(target, http.StatusOK)
			followed = append(followed, changeKinds(t, body))
			byNumber := list
			if page > 1 {
				byNumber += "?page=" + string(rune('0'+page))
			}
			if got := changeKinds(t, hs.get(byNumber, http.StatusOK)); !slices.Equal(got, followed[page-1]) {
				t.Errorf("page %d through %s differs from %s:\n%v\n%v", page, target, byNumber, followed[page-1], got)
			}
			target = older(body)
			if target != "" {
				if m := cursor.FindStringSubmatch(target); m == nil || m[1] != string(rune('0'+page+1)) {
					t.Fatalf("page %d's older link %q: want page=%d&before=<id>", page, target, page+1)
				}
				links = append(links, target)
			}
		}
		if len(followed) != 3 || len(followed[2]) < 10 {
			t.Fatalf("%s: followed %d pages (the last of %d changes), want 3 (10 or more)", list, len(followed), len(followed[len(followed)-1]))
		}
		return followed, links
	}
	// A comparison lists the rows' changes too, and its systems'.
	hs.edit("web/systems/flask.md", "csrf: plugin", "csrf: yes")
	hs.reload("web/systems/flask.md")
	walk("/compare/web/django-vs-flask/changes")
	followed, links := walk("/topics/web/changes")
	// The canonical URL of a page reached through a cursor is page= alone.
	if body := hs.get(links[0], http.StatusOK); !strings.Contains(body, `<link rel="canonical" href="`) || strings.Contains(body, `rel="canonical" href="/topics/web/changes?page=2&amp;before`) {
		t.Error("a cursor page's canonical URL carries the cursor")
	}

	// A new change moves page=2 on by one; the cursor's page 2 stays.
	hs.edit("web/systems/tornado.md", "orm: no", "orm: plugin")
	hs.reload("web/systems/tornado.md")
	if got := changeKinds(t, hs.get(links[0], http.StatusOK)); !slices.Equal(got, followed[1]) {
		t.Errorf("the cursor's page 2 moved after a new change:\n%v\nwas\n%v", got, followed[1])
	}
	if got := changeKinds(t, hs.get("/topics/web/changes?page=2", http.StatusOK)); slices.Equal(got, followed[1]) {
		t.Error("page=2 did not move after a new change: the test shows nothing")
	}

	// The JSON list's older_url carries the cursor too.
	var api struct {
		OlderURL string `json:"older_url"`
		Changes  []struct {
			ID int64 `json:"id"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(hs.get("/api/topics/web/changes?page=2", http.StatusOK)), &api); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^/api/topics/web/changes\?page=3&before=\d+$`).MatchString(api.OlderURL) || len(api.Changes) != changesPerPage {
		t.Errorf("JSON older_url %q with %d changes", api.OlderURL, len(api.Changes))
	}

	for _, tt := range []struct {
		target string
		status int
		want   string
	}{
		{"/topics/web/changes?page=2&before=x", http.StatusBadRequest, "not a change id"},
		{"/topics/web/changes?page=2&before=0", http.StatusBadRequest, "not a change id"},
		{"/topics/web/changes?before=5", http.StatusBadRequest, "goes with the page="},
		{"/api/topics/web/changes?page=1&before=5", http.StatusBadRequest, "goes with the page="},
		{"/topics/web/changes?page=2&before=1", http.StatusNotFound, "no page 2"},
	} {
		if body := hs.get(tt.target, tt.status); !strings.Contains(body, tt.want) {
			t.Errorf("%s lacks %q:\n%s", tt.target, tt.want, body)
		}
	}
	// A compare list's redirect to its canonical form keeps the cursor.
	rec := get(t, hs.h, "/compare/web/djangoproject-vs-flask/changes?page=2&before=7")
	if loc := rec.Header().Get("Location"); rec.Code/100 != 3 || !strings.Contains(loc, "before=7") || !strings.Contains(loc, "page=2") {
		t.Errorf("redirect %d to %q loses the cursor", rec.Code, loc)
	}
}
