package server

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/net/html"

	"versa/internal/kb"
)

// writeContent writes a content folder from path → text and returns it.
func writeContent(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// dbContent is a topic of four databases whose values sort differently by
// each feature.
var dbContent = map[string]string{
	"db/topic.yaml": `title: Databases
summary: Stores compared.
categories:
  - key: core
    title: Core
  - key: facts
    title: Facts
features:
  - key: acid
    name: ACID transactions
    category: core
    description: All or nothing.
  - key: json
    name: JSON documents
    category: core
  - key: sql
    name: SQL
    category: core
  - key: replication
    name: Replication
    category: core
  - key: backup
    name: Online backup
    category: core
  - key: first_release
    name: First release
    category: facts
    type: year
  - key: license
    name: Licence
    category: facts
    type: text
`,
	"db/systems/alpha.md": `---
name: Alpha
summary: The first one.
aliases: [alfa]
features:
  acid: no
  json: yes
  first_release: 2001
  license: MIT
---
Alpha overview.

## Pros
- Fast.

## Cons
- Young.

## Best for
- Caches.

## History
Started in a garage.
`,
	"db/systems/bravo.md": `---
name: Bravo
summary: The second one.
homepage: https://bravo.example/
features:
  acid: yes
  json: {support: plugin, via: bravo-json, note: Needs setup, since: "2.0", source: https://bravo.example/json}
  first_release: 2015
  license: Apache-2.0
---
Bravo overview.
`,
	"db/systems/charlie.md": `---
name: Charlie
summary: The third one.
features:
  acid: partial
  json: yes
  first_release: 1995
---
Charlie overview.
`,
	"db/systems/delta.md": `---
name: Delta
summary: The fourth one.
features:
  acid: yes
  json: yes
  license: BSD-3-Clause
---
Delta overview.
`,
	"db/articles/picking.md": `---
title: Picking a database
summary: How to choose.
systems: [alpha, bravo]
tags: [choosing, sql]
aliases: [choosing]
updated: 2026-02-01
---
Intro.

` + "```matrix\nsystems: alpha, bravo\nfeatures: acid, json\n```" + `

Between the tables.

` + "```matrix\nsystems: bravo, charlie, delta\ncategories: facts\ndiff: true\n```" + `

The end.
`,
	"db/articles/older.md": `---
title: An older piece
summary: From last year.
systems: [charlie]
tags: [history]
updated: 2025-03-01
---
Old.
`,
}

// systemRows returns the system slugs of the topic table's rows, in order.
func systemRows(t *testing.T, body string) []string {
	t.Helper()
	return attrs(parse(t, body), "system-row", "data-system")
}

func TestTopic(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	tests := []struct {
		name       string
		target     string
		status     int
		location   string
		wantRows   []string // system slugs in order
		wantCols   []string // feature columns in order
		wantScores []string
		wantInBody []string
	}{
		{name: "default", target: "/topics/db", status: 200,
			wantRows: []string{"alpha", "bravo", "charlie", "delta"},
			// The defaults: text, then the year, then support features
			// known for most systems; those known for none are left out.
			wantCols:   []string{"license", "first_release", "acid", "json"},
			wantInBody: []string{"Databases", `action="/compare"`, `name="topic" value="db"`, `id="feature-first_release"`, `id="category-facts"`, "All or nothing."}},
		{name: "picked columns", target: "/topics/db?cols=license,acid", status: 200,
			wantCols: []string{"license", "acid"}},
		{name: "sort by support", target: "/topics/db?sort=acid", status: 200,
			wantRows: []string{"bravo", "delta", "charlie", "alpha"},
			wantCols: []string{"license", "first_release", "acid", "json"}},
		{name: "sort by year adds the column", target: "/topics/db?sort=first_release", status: 200,
			wantRows: []string{"bravo", "alpha", "charlie", "delta"},
			wantCols: []string{"license", "first_release", "acid", "json"}},
		{name: "sort by text", target: "/topics/db?sort=license&cols=license", status: 200,
			wantRows: []string{"bravo", "delta", "alpha", "charlie"}},
		{name: "needs rank rows", target: "/topics/db?need=acid,json", status: 200,
			wantRows:   []string{"delta", "bravo", "charlie", "alpha"},
			wantScores: []string{"meets 2 of 2", "meets 1 of 2 (1 partial)", "meets 1 of 2 (1 partial)", "meets 1 of 2"}},
		{name: "needs then sort", target: "/topics/db?need=json&sort=first_release", status: 200,
			wantRows: []string{"alpha", "charlie", "delta", "bravo"}},
		{name: "form fields folded", target: "/topics/db?need=acid&add_need=json&sort=", status: 303, location: "/topics/db?need=acid,json"},
		{name: "add column keeps defaults", target: "/topics/db?cols=acid&cols=json&add_col=license", status: 303, location: "/topics/db?cols=acid,json,license"},
		{name: "unknown topic", target: "/topics/nope", status: 404, wantInBody: []string{`There is no topic &#34;nope&#34;`, `href="/topics/db"`}},
		{name: "unknown column", target: "/topics/db?cols=speed", status: 404, wantInBody: []string{`has no feature &#34;speed&#34;`}},
		{name: "unknown sort", target: "/topics/db?sort=speed", status: 404, wantInBody: []string{`has no feature &#34;speed&#34;`}},
		{name: "unknown need", target: "/topics/db?need=acid,speed", status: 404, wantInBody: []string{`has no feature &#34;speed&#34;`}},
		{name: "hostile need", target: "/topics/db?need=%3Cscript%3E", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d\n%s", tt.target, rec.Code, tt.status, rec.Body.String())
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			body := rec.Body.String()
			if tt.wantRows != nil {
				if diff := cmp.Diff(tt.wantRows, systemRows(t, body)); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			}
			if tt.wantCols != nil {
				if diff := cmp.Diff(tt.wantCols, attrs(parse(t, body), "column", "data-feature")); diff != "" {
					t.Errorf("columns (-want +got):\n%s", diff)
				}
			}
			if tt.wantScores != nil {
				if diff := cmp.Diff(tt.wantScores, texts(parse(t, body), "score")); diff != "" {
					t.Errorf("scores (-want +got):\n%s", diff)
				}
			}
			for _, want := range tt.wantInBody {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q", want)
				}
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("body has an unescaped script tag")
			}
		})
	}
}

// TestTopicCompareSelected follows the topic page's form: its fields land on
// the compare page of the ticked systems.
func TestTopicCompareSelected(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	rec := get(t, h, "/compare?topic=db&need=acid&system=charlie&system=alpha")
	if rec.Code != 303 {
		t.Fatalf("status = %d, want 303", rec.Code)
	}
	if got, want := rec.Header().Get("Location"), "/compare/db/charlie-vs-alpha?need=acid"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	doc := parse(t, get(t, h, "/topics/db").Body.String())
	var boxes []string
	for n := range doc.Descendants() {
		if n.Data == "input" && attr(n, "type") == "checkbox" && attr(n, "name") == "system" {
			boxes = append(boxes, attr(n, "value"))
		}
	}
	if diff := cmp.Diff([]string{"alpha", "bravo", "charlie", "delta"}, boxes); diff != "" {
		t.Errorf("checkboxes (-want +got):\n%s", diff)
	}
	// One system ticked, without script: the topic page again, the tick
	// and the needs kept, with a hint by the button (not an error page).
	rec = get(t, h, "/compare?topic=db&need=acid,nope&system=bravo")
	if rec.Code != 200 {
		t.Fatalf("one system: status = %d, want 200", rec.Code)
	}
	doc = parse(t, rec.Body.String())
	var ticked []string
	for n := range doc.Descendants() {
		if n.Data == "input" && attr(n, "name") == "system" && slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "checked" }) {
			ticked = append(ticked, attr(n, "value"))
		}
	}
	if !slices.Equal(ticked, []string{"bravo"}) {
		t.Errorf("ticked after one system = %v, want [bravo]", ticked)
	}
	status := ""
	for n := range doc.Descendants() {
		if attr(n, "data-testid") == "pick-status" {
			status = strings.TrimSpace(textOf(n))
		}
	}
	if !strings.HasPrefix(status, "You ticked one system") {
		t.Errorf("pick status = %q, want the hint", status)
	}
	if got := systemRows(t, rec.Body.String()); !slices.Equal(got, []string{"bravo", "delta", "charlie", "alpha"}) {
		t.Errorf("rows = %v, want them ranked by the need acid", got)
	}
}

// featureKeys returns the keys of the topic page's feature list, in order.
func featureKeys(t *testing.T, body string) []string {
	t.Helper()
	var keys []string
	for _, id := range attrs(parse(t, body), "feature", "id") {
		keys = append(keys, strings.TrimPrefix(id, "feature-"))
	}
	return keys
}

// TestTopicFilter narrows the topic page with ?q=: systems by name or
// slug, the feature list by name or key, every word of the filter in
// either, ignoring case.
func TestTopicFilter(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	tests := []struct {
		name         string
		target       string
		status       int
		location     string
		wantRows     []string
		wantFeatures []string
		wantStatus   string
		wantInBody   []string
	}{
		{name: "no filter", target: "/topics/db", status: 200,
			wantRows:     []string{"alpha", "bravo", "charlie", "delta"},
			wantFeatures: []string{"acid", "json", "sql", "replication", "backup", "first_release", "license"},
			wantInBody:   []string{`data-testid="filter-status"></p>`, `name="q" value="" maxlength`}},
		{name: "system by name, any case", target: "/topics/db?q=ALPHA", status: 200,
			wantRows: []string{"alpha"}, wantFeatures: []string{},
			wantStatus: "1 of 4 systems and 0 of 7 features match “ALPHA”.",
			wantInBody: []string{`data-testid="no-features"`, `value="ALPHA"`, `href="/topics/db" data-testid="clear-filter"`}},
		{name: "system and feature", target: "/topics/db?q=b", status: 200,
			wantRows: []string{"bravo"}, wantFeatures: []string{"backup"},
			wantStatus: "1 of 4 systems and 1 of 7 features match “b”."},
		{name: "feature by key", target: "/topics/db?q=first_release", status: 200,
			wantRows: []string{}, wantFeatures: []string{"first_release"}},
		{name: "feature by name", target: "/topics/db?q=online+BACK", status: 200,
			wantRows: []string{}, wantFeatures: []string{"backup"}},
		{name: "every word must match", target: "/topics/db?q=json+backup", status: 200,
			wantRows: []string{}, wantFeatures: []string{},
			wantStatus: "0 of 4 systems and 0 of 7 features match “json backup”."},
		{name: "filter keeps needs order", target: "/topics/db?need=acid&q=l", status: 200,
			wantRows: []string{"delta", "charlie", "alpha"},
			wantInBody: []string{
				`href="/topics/db?need=acid&amp;sort=acid&amp;q=l"`, // a sort link
				`href="/topics/db?q=l"`,                             // removing the need
				`<input type="hidden" name="q" value="l" data-filter-field>`,
				`href="/topics/db?need=acid" data-testid="clear-filter"`,
			}},
		{name: "no filter, field disabled", target: "/topics/db?sort=acid", status: 200,
			wantInBody: []string{`<input type="hidden" name="q" value="" disabled data-filter-field>`}},
		{name: "hostile filter is text", target: "/topics/db?q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E", status: 200,
			wantRows: []string{}, wantInBody: []string{`value="&lt;script&gt;alert(1)&lt;/script&gt;"`}},
		{name: "spaces folded", target: "/topics/db?q=+alpha+%20+one+", status: 303, location: "/topics/db?q=alpha+one"},
		{name: "empty filter dropped", target: "/topics/db?need=acid&q=", status: 303, location: "/topics/db?need=acid"},
		{name: "filter goes last", target: "/topics/db?q=al&need=acid", status: 303, location: "/topics/db?need=acid&q=al"},
		{name: "long filter cut", target: "/topics/db?q=" + strings.Repeat("é", 60), status: 303,
			location: "/topics/db?q=" + strings.Repeat("%C3%A9", 50)},
		{name: "bad utf-8 dropped", target: "/topics/db?q=al%FFpha", status: 303, location: "/topics/db?q=alpha"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.target)
			if rec.Code != tt.status {
				t.Fatalf("GET %s = %d, want %d\n%s", tt.target, rec.Code, tt.status, rec.Body.String())
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location = %q, want %q", got, tt.location)
			}
			if rec.Code != 200 {
				return
			}
			body := rec.Body.String()
			if tt.wantRows != nil {
				if diff := cmp.Diff(tt.wantRows, systemRows(t, body), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
			}
			if tt.wantFeatures != nil {
				if diff := cmp.Diff(tt.wantFeatures, featureKeys(t, body), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("features (-want +got):\n%s", diff)
				}
			}
			if got := texts(parse(t, body), "filter-status"); tt.wantStatus != "" && (len(got) != 1 || got[0] != tt.wantStatus) {
				t.Errorf("filter status = %q, want [%q]", got, tt.wantStatus)
			}
			for _, want := range tt.wantInBody {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s", want)
				}
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("body has an unescaped script tag")
			}
		})
	}
}

// TestTopicFilterForm submits the filter box as a browser without
// JavaScript would: it keeps the view's needs, sort and columns, and ends
// on the canonical URL of the filtered view.
func TestTopicFilterForm(t *testing.T) {
	h := realServer(t, writeContent(t, dbContent))
	tests := []struct {
		name, page, typed string
		wantURL           string
		wantRows          []string
	}{
		{"plain", "/topics/db", "char", "/topics/db?q=char", []string{"charlie"}},
		{"keeps the view", "/topics/db?need=acid,json&sort=first_release&cols=license", "a",
			"/topics/db?need=acid,json&sort=first_release&cols=license&q=a", []string{"delta", "bravo", "charlie", "alpha"}},
		{"replaces the filter", "/topics/db?sort=acid&q=alpha", "l", "/topics/db?sort=acid&q=l", []string{"delta", "charlie", "alpha"}},
		{"emptied", "/topics/db?sort=acid&q=alpha", "", "/topics/db?sort=acid", []string{"bravo", "delta", "charlie", "alpha"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, h, tt.page)
			if rec.Code != 200 {
				t.Fatalf("GET %s = %d", tt.page, rec.Code)
			}
			form := formByTestID(t, parse(t, rec.Body.String()), "topic-filter-form")
			target := submitURL(form, map[string]string{"q": tt.typed})
			for range 2 { // at most one redirect, to the canonical form
				if rec = get(t, h, target); rec.Code != http.StatusSeeOther {
					break
				}
				target = rec.Header().Get("Location")
			}
			if rec.Code != 200 {
				t.Fatalf("GET %s = %d, want 200", target, rec.Code)
			}
			if target != tt.wantURL {
				t.Errorf("landed on %s, want %s", target, tt.wantURL)
			}
			if diff := cmp.Diff(tt.wantRows, systemRows(t, rec.Body.String())); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// formByTestID finds the form with the data-testid.
func formByTestID(t *testing.T, doc *html.Node, testID string) *html.Node {
	t.Helper()
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "data-testid") == testID {
			return n
		}
	}
	t.Fatalf("no form with data-testid %q", testID)
	return nil
}

// submitURL is where a browser goes on submitting a GET form: its enabled
// inputs in document order, with typed values replacing theirs.
func submitURL(form *html.Node, typed map[string]string) string {
	var fields []string
	for n := range form.Descendants() {
		if n.Type != html.ElementNode || n.Data != "input" || attr(n, "name") == "" {
			continue
		}
		if slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "disabled" }) {
			continue
		}
		name, value := attr(n, "name"), attr(n, "value")
		if v, ok := typed[name]; ok && attr(n, "type") != "hidden" {
			value = v
		}
		fields = append(fields, url.QueryEscape(name)+"="+url.QueryEscape(value))
	}
	return attr(form, "action") + "?" + strings.Join(fields, "&")
}

// TestTopicLarge renders topics at the sizes the spec names: many systems
// with few features, and few systems with many features, the latter with
// its feature list collapsed.
func TestTopicLarge(t *testing.T) {
	tests := []struct {
		name              string
		systems, features int
		wantDetails       bool
	}{
		{"400 systems x 20 features", 400, 20, false},
		{"20 systems x 550 features", 20, 550, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var topic strings.Builder
			topic.WriteString("title: Big\nsummary: Many.\ncategories:\n")
			for c := range 10 {
				topic.WriteString("  - key: c" + itoa(c) + "\n    title: Category " + itoa(c) + "\n")
			}
			topic.WriteString("features:\n")
			for f := range tt.features {
				topic.WriteString("  - key: f" + itoa(f) + "\n    name: Feature " + itoa(f) + "\n    category: c" + itoa(f%10) + "\n")
			}
			files := map[string]string{"big/topic.yaml": topic.String()}
			for s := range tt.systems {
				var b strings.Builder
				b.WriteString("---\nname: System " + itoa(s) + "\nsummary: Number " + itoa(s) + ".\nfeatures:\n")
				for f := range tt.features {
					b.WriteString("  f" + itoa(f) + ": " + []string{"yes", "no", "partial", "plugin"}[(s+f)%4] + "\n")
				}
				b.WriteString("---\nText.\n")
				files["big/systems/s"+itoa(s)+".md"] = b.String()
			}
			h := realServer(t, writeContent(t, files))
			rec := get(t, h, "/topics/big?need=f1,f2&sort=f3")
			if rec.Code != 200 {
				t.Fatalf("status = %d", rec.Code)
			}
			body := rec.Body.String()
			if got := len(systemRows(t, body)); got != tt.systems {
				t.Errorf("%d rows, want %d", got, tt.systems)
			}
			if got := len(attrs(parse(t, body), "feature", "id")); got != tt.features {
				t.Errorf("%d features listed, want %d", got, tt.features)
			}
			if got := strings.Contains(body, "<details"); got != tt.wantDetails {
				t.Errorf("collapsed = %v, want %v", got, tt.wantDetails)
			}

			// "4 1" keeps System 14, 41, 114, 141, ... and Feature 14, ...:
			// every word, anywhere in the name or key.
			rec = get(t, h, "/topics/big?need=f1,f2&sort=f3&q=4+1")
			if rec.Code != 200 {
				t.Fatalf("filtered: status = %d", rec.Code)
			}
			body = rec.Body.String()
			match := func(name string) bool { return strings.Contains(name, "4") && strings.Contains(name, "1") }
			var wantRows, wantFeatures int
			for i := range tt.systems {
				if match(itoa(i)) {
					wantRows++
				}
			}
			for i := range tt.features {
				if match(itoa(i)) {
					wantFeatures++
				}
			}
			if got := len(systemRows(t, body)); got != wantRows {
				t.Errorf("filtered: %d rows, want %d", got, wantRows)
			}
			if got := len(featureKeys(t, body)); got != wantFeatures {
				t.Errorf("filtered: %d features listed, want %d", got, wantFeatures)
			}
			if tt.wantDetails && strings.Contains(body, "<details class=\"feature-category\" id=\"category-c0\" data-testid=\"feature-category\">") {
				t.Errorf("filtered: a collapsed category is closed, want the matches open")
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// The default columns follow the rule of topic_columns.go on any topic:
// well-known features before sparse ones, text before numbers before
// support, then the better known, then the topic's order; none unknown
// everywhere; at most five.
func TestDefaultTopicColumns(t *testing.T) {
	features := []kb.Feature{
		{Key: "s1", Type: kb.TypeSupport}, {Key: "s2"}, {Key: "n1", Type: kb.TypeNumber},
		{Key: "t_sparse", Type: kb.TypeText}, {Key: "l1", Type: kb.TypeList}, {Key: "t1", Type: kb.TypeText},
		{Key: "y1", Type: kb.TypeYear}, {Key: "empty", Type: kb.TypeText}, {Key: "s3"},
	}
	topic := kb.Topic{Slug: "x", Features: features}
	// Four systems: t_sparse known for one, s2 for two, s3 for three, the
	// rest for all; "empty" for none.
	var systems []kb.System
	for i := range 4 {
		s := kb.System{Slug: strconv.Itoa(i)}
		for _, f := range features {
			c := kb.Cell{Feature: f.Key, Support: kb.SupportUnknown}
			known := map[string]int{"t_sparse": 1, "s2": 2, "s3": 3, "empty": 0}
			if n, ok := known[f.Key]; !ok || i < n {
				if f.Type == "" || f.Type == kb.TypeSupport {
					c.Support = kb.SupportYes
				} else {
					c.Value = "v"
				}
			}
			s.Cells = append(s.Cells, c)
		}
		systems = append(systems, s)
	}
	got := defaultTopicColumns(topic, systems)
	want := []string{"t1", "l1", "n1", "y1", "s1"}
	if !slices.Equal(got, want) {
		t.Errorf("default columns = %v, want %v", got, want)
	}
	// With fewer well-known features, the sparse ones follow, text first;
	// the never-known one never shows.
	topic.Features = []kb.Feature{features[3], features[7], features[8], features[1]}
	if got, want := defaultTopicColumns(topic, systems), []string{"s3", "s2", "t_sparse"}; !slices.Equal(got, want) {
		t.Errorf("default columns = %v, want %v", got, want)
	}
	// The candidates are bounded, whatever the topic's size.
	var many []kb.Feature
	for i := range 100 {
		many = append(many, kb.Feature{Key: "f" + strconv.Itoa(i)})
	}
	many = append(many, kb.Feature{Key: "late_text", Type: kb.TypeText})
	cands := columnCandidates(kb.Topic{Features: many})
	if len(cands) != maxColumns || cands[0] != "late_text" {
		t.Errorf("candidates = %d starting %v, want %d starting with the text feature", len(cands), cands[:1], maxColumns)
	}
}

// The default columns are picked once a revision and picked again after a
// reload: a text feature that the new content fills in for every system
// becomes the first column.
func TestDefaultColumnsFollowReload(t *testing.T) {
	dir := t.TempDir()
	write := func(license bool) {
		mustWrite(t, filepath.Join(dir, "x", "topic.yaml"), "title: X\nfeatures:\n"+
			"  - {key: orm, name: ORM}\n  - {key: admin, name: Admin}\n  - {key: license, name: Licence, type: text}\n")
		for _, s := range []string{"a", "b"} {
			cells := "  orm: yes\n  admin: no\n"
			if license {
				cells += "  license: MIT\n"
			}
			mustWrite(t, filepath.Join(dir, "x", "systems", s+".md"), "---\nname: "+strings.ToUpper(s)+"\nfeatures:\n"+cells+"---\nText.\n")
		}
	}
	columns := func(h http.Handler) []string {
		t.Helper()
		rec := get(t, h, "/topics/x")
		if rec.Code != 200 {
			t.Fatalf("GET /topics/x = %d", rec.Code)
		}
		return attrs(parse(t, rec.Body.String()), "column", "data-feature")
	}
	db := openDB(t)
	write(false)
	loadDir(t, db, dir)
	h := New(Config{CacheBytes: -1}, db)
	if got, want := columns(h), []string{"orm", "admin"}; !slices.Equal(got, want) {
		t.Fatalf("columns before = %v, want %v", got, want)
	}
	write(true)
	loadDir(t, db, dir)
	if got, want := columns(h), []string{"license", "orm", "admin"}; !slices.Equal(got, want) {
		t.Errorf("columns after the reload = %v, want %v", got, want)
	}
}
