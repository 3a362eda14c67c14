package server

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// tableRow is one feature row of a compare table: its key (empty where the
// format does not carry it), its name and each system's cell as the
// support word (yes, no...) or the value.
type tableRow struct {
	key, name string
	cells     []string
}

func (r tableRow) String() string { return r.key + "|" + r.name + "|" + strings.Join(r.cells, "|") }

// htmlTable reads the systems and the feature rows of the compare page.
func htmlTable(t *testing.T, body string) (systems []string, out []tableRow) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	text := func(n *html.Node) string {
		var b strings.Builder
		for d := range n.Descendants() {
			if d.Type == html.TextNode {
				b.WriteString(d.Data)
			}
		}
		return strings.TrimSpace(b.String())
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch {
		case n.Data == "table" && systems == nil:
			systems = columnSystems(n)
		case isFeatureRow(n):
			row := tableRow{key: strings.TrimPrefix(attr(n, "id"), "feature-")}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type != html.ElementNode {
					continue
				}
				if c.Data == "th" {
					// The name is the link to the feature's page (what it
					// means follows it, in a <p>).
					for d := range c.Descendants() {
						if d.Type == html.ElementNode && d.Data == "a" && row.name == "" {
							row.name = strings.TrimPrefix(text(d), "★")
						}
					}
				}
				if c.Data == "td" {
					// A support level is the cell's class (y for yes), a
					// value its text, or with a note the summary's that
					// opens it; the note is no part of it.
					cell := ""
					if sup := supportOfClass(attr(c, "class")); sup != "" {
						cell = sup
					} else {
						var b strings.Builder
						for d := c.FirstChild; d != nil; d = d.NextSibling {
							switch {
							case d.Type == html.TextNode:
								b.WriteString(d.Data)
							case d.Data == "details" && d.FirstChild != nil && d.FirstChild.Data == "summary":
								b.WriteString(text(d.FirstChild))
							}
						}
						cell = strings.TrimSpace(b.String())
					}
					row.cells = append(row.cells, cell)
				}
			}
			out = append(out, row)
		}
	}
	return systems, out
}

// csvTable parses a CSV export.
func csvTable(t *testing.T, body string) (header []string, out []tableRow) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v\n%s", err, body)
	}
	if len(recs) == 0 {
		t.Fatal("empty csv")
	}
	// The "<system> checked" columns, after the systems', hold dates.
	end := len(recs[0])
	for end > 3 && strings.HasSuffix(recs[0][end-1], " checked") {
		end--
	}
	for _, rec := range recs[1:] {
		out = append(out, tableRow{key: rec[0], name: rec[1], cells: rec[3:end]})
	}
	return recs[0][:end], out
}

// jsonTable parses a JSON export.
func jsonTable(t *testing.T, body string) (doc apiCompare, systems []string, out []tableRow) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("parse json: %v\n%s", err, body)
	}
	for _, s := range doc.Systems {
		systems = append(systems, s.Slug)
	}
	for _, c := range doc.Categories {
		for _, r := range c.Rows {
			row := tableRow{key: r.Key, name: r.Name}
			for i, cell := range r.Cells {
				if cell.System != systems[i] {
					t.Errorf("row %s cell %d is of %s, want %s", r.Key, i, cell.System, systems[i])
				}
				row.cells = append(row.cells, cell.Support+cell.Value)
			}
			out = append(out, row)
		}
	}
	return doc, systems, out
}

var footnoteRef = regexp.MustCompile(` \[\d+\]$`)

// splitMDRow splits "| a | b \| c |" on its unescaped pipes.
func splitMDRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line):
			cur.WriteByte(line[i])
			cur.WriteByte(line[i+1])
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return cells
}

// mdUnescape undoes mdEscape.
func mdUnescape(s string) string {
	s = strings.ReplaceAll(s, "<br>", "\n")
	s = strings.ReplaceAll(s, "&lt;", "<")
	s = strings.ReplaceAll(s, "&gt;", ">")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mdTable parses the Markdown export's table: the header's system names,
// the feature rows (names and cells, without keys) and the lines after the
// table.
func mdTable(t *testing.T, body string) (header []string, out []tableRow, rest []string) {
	t.Helper()
	word := map[string]string{}
	for k, v := range supportMarkdown {
		word[v] = k
	}
	lines := strings.Split(body, "\n")
	inTable, done := false, false
	for _, line := range lines {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				done = true
			}
			if done {
				rest = append(rest, line)
			}
			continue
		}
		if done {
			t.Fatalf("a second table: %q", line)
		}
		cells := splitMDRow(line)
		switch {
		case !inTable:
			inTable = true
			header = cells
			if header[0] != "Feature" {
				t.Fatalf("header = %q", line)
			}
		case len(cells) != len(header):
			t.Fatalf("row %q has %d cells, want %d", line, len(cells), len(header))
		case strings.HasPrefix(cells[0], "---"), cells[0] == "*Meets needs*":
		case strings.HasPrefix(cells[0], "**"):
			for _, c := range cells[1:] {
				if c != "" {
					t.Errorf("category row %q has a cell", line)
				}
			}
		default:
			row := tableRow{name: mdUnescape(strings.TrimPrefix(cells[0], "★ "))}
			for _, c := range cells[1:] {
				c = footnoteRef.ReplaceAllString(c, "")
				if w, ok := word[c]; ok {
					c = w
				} else {
					c = mdUnescape(c)
				}
				row.cells = append(row.cells, c)
			}
			out = append(out, row)
		}
	}
	return header, out, rest
}

func rowStrings(rows []tableRow, withKey bool) []string {
	var out []string
	for _, r := range rows {
		if !withKey {
			r.key = ""
		}
		out = append(out, r.String())
	}
	return out
}

// TestExportsMatchHTML checks that every export of a view has the systems,
// rows and cells of its HTML table, filters included.
func TestExportsMatchHTML(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")
	views := []struct {
		path     string
		wantRows []string
	}{
		{"/compare/web/django-vs-flask", []string{"orm", "first_release", "license", "csrf"}},
		{"/compare/web/flask-vs-django", []string{"orm", "first_release", "license", "csrf"}},
		{"/compare/web/django-vs-flask?diff=1", []string{"orm", "first_release", "license", "csrf"}},
		{"/compare/web/django-vs-flask?categories=security", []string{"csrf"}},
		{"/compare/web/flask-vs-django?diff=1&categories=data&need=orm,csrf", []string{"orm", "first_release", "license"}},
	}
	for _, tt := range views {
		t.Run(tt.path, func(t *testing.T) {
			page := get(t, h, tt.path)
			if page.Code != 200 {
				t.Fatalf("GET %s = %d", tt.path, page.Code)
			}
			systems, want := htmlTable(t, page.Body.String())
			var keys []string
			for _, r := range want {
				keys = append(keys, r.key)
			}
			if !slices.Equal(keys, tt.wantRows) {
				t.Fatalf("html rows = %v, want %v", keys, tt.wantRows)
			}
			path, query, _ := strings.Cut(tt.path, "?")
			if query != "" {
				query = "?" + query
			}
			names := map[string]string{"django": "Django", "flask": "Flask"}
			var wantNames []string
			for _, s := range systems {
				wantNames = append(wantNames, names[s])
			}
			filename := strings.TrimPrefix(path, "/compare/web/")

			// The links are relative to the page's folder; a browser on
			// the page follows them to the exports of the same view.
			links := parse(t, page.Body.String())
			for _, d := range []struct{ testID, ext string }{{"download-csv", ".csv"}, {"download-json", ".json"}, {"download-md", ".md"}} {
				if got := attrs(links, d.testID, "href"); len(got) != 1 || resolve(tt.path, got[0]) != path+d.ext+query {
					t.Errorf("%s links to %v, want %s", d.testID, got, path+d.ext+query)
				}
			}

			rec := get(t, h, path+".csv"+query)
			if rec.Code != 200 {
				t.Fatalf("csv = %d\n%s", rec.Code, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("csv Content-Type = %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); cd != `inline; filename="`+filename+`.csv"` {
				t.Errorf("csv Content-Disposition = %q", cd)
			}
			header, got := csvTable(t, rec.Body.String())
			if !slices.Equal(header[:3], []string{"Feature key", "Feature", "Category"}) || !slices.Equal(header[3:], wantNames) {
				t.Errorf("csv header = %q", header)
			}
			if !slices.Equal(rowStrings(got, true), rowStrings(want, true)) {
				t.Errorf("csv rows\n got %q\nwant %q", rowStrings(got, true), rowStrings(want, true))
			}

			rec = get(t, h, path+".json"+query)
			if rec.Code != 200 {
				t.Fatalf("json = %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("json Content-Type = %q", ct)
			}
			if cd := rec.Header().Get("Content-Disposition"); cd != `inline; filename="`+filename+`.json"` {
				t.Errorf("json Content-Disposition = %q", cd)
			}
			doc, jsys, got := jsonTable(t, rec.Body.String())
			if !slices.Equal(jsys, systems) {
				t.Errorf("json systems = %v, want %v", jsys, systems)
			}
			if !slices.Equal(rowStrings(got, true), rowStrings(want, true)) {
				t.Errorf("json rows\n got %q\nwant %q", rowStrings(got, true), rowStrings(want, true))
			}
			if doc.URL != tt.path {
				t.Errorf("json url = %q, want %q", doc.URL, tt.path)
			}
			// /api/compare answers the same document.
			api := get(t, h, "/api"+tt.path)
			if api.Code != 200 || api.Body.String() != rec.Body.String() {
				t.Errorf("/api%s = %d, differs from the .json export:\n%s", tt.path, api.Code, api.Body.String())
			}

			rec = get(t, h, path+".md"+query)
			if rec.Code != 200 {
				t.Fatalf("md = %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/markdown; charset=utf-8" {
				t.Errorf("md Content-Type = %q", ct)
			}
			mdHeader, got, _ := mdTable(t, rec.Body.String())
			if !slices.Equal(mdHeader[1:], wantNames) {
				t.Errorf("md header = %q, want %q", mdHeader, wantNames)
			}
			if !slices.Equal(rowStrings(got, false), rowStrings(want, false)) {
				t.Errorf("md rows\n got %q\nwant %q", rowStrings(got, false), rowStrings(want, false))
			}
		})
	}
}

func TestExportDetails(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")

	// JSON: filters, scores and the cells' annotations.
	rec := get(t, h, "/compare/web/django-vs-flask.json?diff=1&need=orm,csrf")
	var doc apiCompare
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Filters.Diff || !slices.Equal(doc.Filters.Need, []string{"orm", "csrf"}) || len(doc.Filters.Categories) != 0 {
		t.Errorf("filters = %+v", doc.Filters)
	}
	if s := doc.Systems[0].Score; s == nil || s.Meets != 2 || s.Of != 2 {
		t.Errorf("django score = %+v", s)
	}
	if s := doc.Systems[1].Score; s == nil || s.Meets != 0 || s.Partial != 2 {
		t.Errorf("flask score = %+v", s)
	}
	orm := doc.Categories[0].Rows[0]
	if orm.Key != "orm" || !orm.Needed || orm.Type != "support" || orm.Cells[1].Via != "Flask-SQLAlchemy" || orm.Cells[1].Support != "plugin" {
		t.Errorf("orm row = %+v", orm)
	}
	if doc.Exports["csv"] != "/compare/web/django-vs-flask.csv?diff=1&need=orm,csrf" {
		t.Errorf("exports = %v", doc.Exports)
	}

	// Markdown: support words, scores, the notes list.
	rec = get(t, h, "/compare/web/django-vs-flask.md?need=orm")
	md := rec.Body.String()
	for _, want := range []string{"| Feature | Django | Flask |", "|---|---|---|", "| *Meets needs* | 1 of 1 | 0 of 1 (1 partial) |",
		"| **Data and persistence** | | |", "| ★ Built-in ORM | ✔ Yes | ⊕ Plugin [1] |", "1. **Flask, Built-in ORM:** via Flask-SQLAlchemy · checked 2026-11-20\n", "\nChecked: Django 2026-12-01; Flask 2026-11-20 (3 of 4 cells not dated).\n",
		"2. **Django, CSRF protection:** Middleware on by default"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}

	// HEAD answers like GET, without a body.
	head := send(h, http.MethodHead, "/compare/web/django-vs-flask.csv")
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("HEAD = %d %q %d bytes", head.Code, head.Header().Get("Content-Type"), head.Body.Len())
	}
}

func TestExportRoutes(t *testing.T) {
	h := realServer(t, "../content/testdata/valid")
	tests := []routeCase{
		{name: "alias keeps the extension", target: "/compare/web/djangoproject-vs-flask.csv?diff=1", status: 308,
			location: "/compare/web/django-vs-flask.csv?diff=1"},
		{name: "repeat keeps the extension", target: "/compare/web/django-vs-flask-vs-django.md", status: 308,
			location: "/compare/web/django-vs-flask.md"},
		{name: "form query keeps the extension", target: "/compare/web/django-vs-flask.json?category=data&diff=on", status: 303,
			location: "/compare/web/django-vs-flask.json?diff=1&categories=data"},
		{name: "unknown system", target: "/compare/web/django-vs-rails.csv", status: 404, wantInBody: []string{`has no system &#34;rails&#34;`}},
		{name: "unknown extension", target: "/compare/web/django-vs-flask.xml", status: 404, wantInBody: []string{`has no system &#34;flask.xml&#34;`}},
		{name: "unknown topic", target: "/compare/nope/django-vs-flask.json", status: 404},
		{name: "unknown category", target: "/compare/web/django-vs-flask.md?categories=speed", status: 404},
		{name: "one system", target: "/compare/web/django.csv", status: 400},
		{name: "api alias", target: "/api/compare/web/flask-vs-djangoproject?need=orm", status: 308,
			location: "/api/compare/web/flask-vs-django?need=orm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, h) })
	}
}

// TestExportEscaping puts hostile text in names, values and notes and
// checks that CSV and Markdown carry it through intact.
func TestExportEscaping(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, "t", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("topic.yaml", `title: Hostile
summary: Pipes and quotes.
categories:
  - key: c
    title: "Cat | one"
features:
  - key: f
    name: "Feature, with | pipe"
    category: c
  - key: v
    name: Value
    category: c
    type: text
`)
	write("systems/a.md", `---
name: "A | \"quoted\""
summary: A.
features:
  f: {support: yes, note: "a | b\nc, \"d\" *e* [x](y) <b>", source: "https://example.com/a_(b)"}
  v: "x | y, \"z\""
---
A.
`)
	write("systems/b.md", `---
name: B
summary: B.
features:
  f: no
  v: "=1+2"
---
B.
`)
	h := realServer(t, dir)
	wantNote := "a | b\nc, \"d\" *e* [x](y) <b>"

	rec := get(t, h, "/compare/t/a-vs-b.csv")
	if rec.Code != 200 {
		t.Fatalf("csv = %d\n%s", rec.Code, rec.Body.String())
	}
	header, rows := csvTable(t, rec.Body.String())
	if !slices.Equal(header, []string{"Feature key", "Feature", "Category", `A | "quoted"`, "B"}) {
		t.Errorf("csv header = %q", header)
	}
	want := []string{"f|Feature, with | pipe|yes|no", `v|Value|x | y, "z"|'=1+2`}
	if !slices.Equal(rowStrings(rows, true), want) {
		t.Errorf("csv rows = %q, want %q", rowStrings(rows, true), want)
	}

	rec = get(t, h, "/compare/t/a-vs-b.md")
	mdHeader, mdRows, rest := mdTable(t, rec.Body.String())
	if !slices.Equal(mdHeader, []string{"Feature", `A \| "quoted"`, "B"}) {
		t.Errorf("md header = %q", mdHeader)
	}
	want = []string{"|Feature, with | pipe|yes|no", `|Value|x | y, "z"|=1+2`}
	if !slices.Equal(rowStrings(mdRows, false), want) {
		t.Errorf("md rows = %q, want %q\n%s", rowStrings(mdRows, false), want, rec.Body.String())
	}
	notes := strings.Join(rest, "\n")
	wantLine := `1. **A \| "quoted", Feature, with \| pipe:** ` + strings.ReplaceAll(mdEscape(wantNote), "\n", "<br>") +
		" · [source](https://example.com/a_%28b%29)"
	if !strings.Contains(notes, wantLine) {
		t.Errorf("notes lack %q:\n%s", wantLine, notes)
	}
	if got := mdUnescape(strings.TrimSuffix(strings.TrimPrefix(wantLine, `1. **A \| "quoted", Feature, with \| pipe:** `), " · [source](https://example.com/a_%28b%29)")); got != wantNote {
		t.Errorf("note round trip = %q, want %q", got, wantNote)
	}

	rec = get(t, h, "/compare/t/a-vs-b.json")
	var doc apiCompare
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Categories[0].Rows[0].Cells[0].Note; got != wantNote {
		t.Errorf("json note = %q, want %q", got, wantNote)
	}
}

func TestMDLink(t *testing.T) {
	for raw, want := range map[string]string{
		"https://example.com/a b":   "[source](https://example.com/a%20b)",
		"https://example.com/x)y|z": "[source](https://example.com/x%29y%7Cz)",
		"javascript:alert(1)":       `source javascript:alert(1)`,
	} {
		if got := mdLink("source", raw); got != want {
			t.Errorf("mdLink(%q) = %q, want %q", raw, got, want)
		}
	}
}
