package content

import (
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"versa/internal/kb"
)

// importAndLoad imports a CSV and loads the files it wrote.
func importAndLoad(t *testing.T, csv string, opt ImportOptions) *kb.Content {
	t.Helper()
	files, problems := ImportCSV(strings.NewReader(csv), "m.csv", opt)
	if len(problems) > 0 {
		t.Fatalf("import problems: %v", problemStrings(problems))
	}
	fsys := fstest.MapFS{}
	for p, b := range files {
		fsys[p] = &fstest.MapFile{Data: b}
	}
	c, problems, err := Load(fsys)
	if err != nil || len(problems) > 0 {
		t.Fatalf("load of the imported files: %v %v\n%s", err, problemStrings(problems), files["web/topic.yaml"])
	}
	return c
}

func TestImportCSVColumns(t *testing.T) {
	const in = "feature,category,description,Django,Flask,Fast API\n" +
		"Built-in ORM,Data,Maps classes to tables,yes,no,✗\n" +
		"Async views,Data,,partial; views only,Y,✓\n" +
		"Admin,Other,,✔,plugin; Flask-Admin,?\n" +
		"First release,Other,,2005,2010,2018\n" +
		"License,Other,,BSD-3-Clause,\"BSD, 3 clause\",MIT\n" +
		"\n"
	c := importAndLoad(t, in, ImportOptions{Topic: "web"})
	if len(c.Topics) != 1 || c.Topics[0].Title != "Web" || len(c.Topics[0].Categories) != 2 {
		t.Fatalf("topics = %+v", c.Topics)
	}
	var keys []string
	for _, f := range c.Topics[0].Features {
		keys = append(keys, f.Key+":"+string(f.Type))
	}
	if diff := cmp.Diff([]string{"built_in_orm:support", "async_views:support", "admin:support", "first_release:year", "license:text"}, keys); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
	if d := c.Topics[0].Features[0].Description; d != "Maps classes to tables" {
		t.Errorf("Description = %q", d)
	}
	var slugs []string
	for _, s := range c.Systems {
		slugs = append(slugs, s.Slug)
	}
	if diff := cmp.Diff([]string{"django", "fast-api", "flask"}, slugs); diff != "" {
		t.Errorf("systems (-want +got):\n%s", diff)
	}
	flask := system(t, c, "flask")
	want := []kb.Cell{
		{Feature: "built_in_orm", Support: kb.SupportNo},
		{Feature: "async_views", Support: kb.SupportYes},
		{Feature: "admin", Support: kb.SupportPlugin, Note: "Flask-Admin"},
		{Feature: "first_release", Value: "2010"},
		{Feature: "license", Value: "BSD, 3 clause"},
	}
	if diff := cmp.Diff(want, flask.Cells); diff != "" {
		t.Errorf("flask cells (-want +got):\n%s", diff)
	}
	if got := system(t, c, "django").Cells[1]; got.Support != kb.SupportPartial || got.Note != "views only" {
		t.Errorf("django async = %+v, want partial with the note", got)
	}
	if got := system(t, c, "fast-api").Cells[2]; got.Support != kb.SupportUnknown {
		t.Errorf("fast-api admin = %+v, want unknown", got)
	}
}

func TestImportCSVRows(t *testing.T) {
	const in = "system,homepage,Stars,HTTP2,Since\n" +
		"Caddy,https://caddyserver.com/,55000,yes,2015\n" +
		"nginx,,20000,true,2004\n"
	c := importAndLoad(t, in, ImportOptions{Topic: "web", Title: "Web servers", SystemsIn: "rows"})
	if c.Topics[0].Title != "Web servers" {
		t.Errorf("Title = %q", c.Topics[0].Title)
	}
	caddy := system(t, c, "caddy")
	want := []kb.Cell{
		{Feature: "stars", Value: "55000"},
		{Feature: "http2", Support: kb.SupportYes},
		{Feature: "since", Value: "2015"},
	}
	if diff := cmp.Diff(want, caddy.Cells); diff != "" {
		t.Errorf("caddy cells (-want +got):\n%s", diff)
	}
	if caddy.Homepage != "https://caddyserver.com/" {
		t.Errorf("Homepage = %q", caddy.Homepage)
	}
}

func TestImportCSVProblems(t *testing.T) {
	tests := []struct {
		name, csv string
		opt       ImportOptions
		want      []string
	}{
		{"short row", "feature,A,B\nORM,yes,no\nAsync,yes\n", ImportOptions{Topic: "t"},
			[]string{"m.csv:3: row has 2 cells, the header has 3: every row needs one cell per column (an empty cell is unknown)"}},
		{"bad support word", "feature,A,B,C\nORM,yes,no,yess\n", ImportOptions{Topic: "t"},
			[]string{`m.csv:2: C, feature "ORM": "yess" is not a support word (yes, no, partial, plugin, unknown, y, n, ✓, ✗ ...) (did you mean "yes"?); if the feature is text, give it a type column`}},
		{"duplicate feature", "feature,A\nORM,yes\norm,no\n", ImportOptions{Topic: "t"},
			[]string{`m.csv:3: duplicate feature "orm" (key orm, first on line 2)`}},
		{"duplicate system", "feature,My DB,my-db\nORM,yes,no\n", ImportOptions{Topic: "t"},
			[]string{`m.csv:1: duplicate system "my-db" (slug my-db, like "My DB")`}},
		{"empty feature", "feature,A\n,yes\n", ImportOptions{Topic: "t"},
			[]string{"m.csv:2: empty feature name: give each row a feature in its first cell"}},
		{"bad type", "feature,type,A\nYear,date,2001\n", ImportOptions{Topic: "t"},
			[]string{`m.csv:2: type "date" of feature "Year" is not one of support, text, number, year, list`}},
		{"value outside the type", "feature,type,A,B\nYear,year,2001,soon\n", ImportOptions{Topic: "t"},
			[]string{`m.csv:2: B, feature "Year": "soon" is not a year: write four digits like 2005`}},
		{"broken quotes", "feature,A\n\"ORM,yes\n", ImportOptions{Topic: "t"},
			[]string{`m.csv:2: not valid CSV: extraneous or missing " in quoted-field`}},
		{"bad topic", "feature,A\nORM,yes\n", ImportOptions{Topic: "Web Stuff"},
			[]string{`m.csv:0: --topic: bad slug "Web Stuff": use lowercase a-z, 0-9 and single hyphens, e.g. "web-stuff"`}},
		{"header only", "feature,A\n", ImportOptions{Topic: "t"},
			[]string{"m.csv:1: the file needs a header row and at least one more row"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, problems := ImportCSV(strings.NewReader(tt.csv), "m.csv", tt.opt)
			var got []string
			for _, p := range problems {
				got = append(got, p.Path+":"+strconv.Itoa(p.Line)+": "+p.Msg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if files != nil {
				t.Errorf("files written despite problems: %v", len(files))
			}
		})
	}
}

// FuzzImportCSV: any bytes give files that load without problems, or
// problems and no files; never a panic.
func FuzzImportCSV(f *testing.F) {
	f.Add("feature,category,A,B\nORM,Data,yes,partial; views\nYear,Data,2001,1999\n", false)
	f.Add("system,homepage,F1,F2\nA,https://a.example/,y,✗\nB,,n,?\n", true)
	f.Add("feature,A\n\"x,y\n", false)
	f.Fuzz(func(t *testing.T, in string, rows bool) {
		opt := ImportOptions{Topic: "t"}
		if rows {
			opt.SystemsIn = "rows"
		}
		files, problems := ImportCSV(strings.NewReader(in), "m.csv", opt)
		if len(problems) > 0 {
			if files != nil {
				t.Fatalf("files and problems: %v", problemStrings(problems))
			}
			return
		}
		fsys := fstest.MapFS{}
		for p, b := range files {
			fsys[p] = &fstest.MapFile{Data: b}
		}
		if _, lp, err := Load(fsys); err != nil || len(lp) > 0 {
			t.Fatalf("imported files do not load: %v %v", err, problemStrings(lp))
		}
	})
}
