package content

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"versa/internal/kb"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestCheckedDates: a cell's own checked date, the system file's default
// for the cells it writes, the cell's date winning over the default, and
// no date on the features the file leaves out.
func TestCheckedDates(t *testing.T) {
	c, problems := load(t, map[string]string{"t/systems/a.md": `---
name: A
features:
  orm: yes
  async: {support: partial, checked: 2025-03-04}
  year: {value: 2005, checked: "2024-01-02"}
  license: unknown
checked: 2026-12-01
---
`, "t/systems/b.md": `---
name: B
features:
  orm: {support: yes, checked: 2026-11-30}
  async: no
---
`, "t/systems/c.md": `+++
name = "C"
checked = 2026-10-10
[features]
orm = "yes"
async = { support = "no", checked = 2026-09-09 }
+++
`})
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	want := map[string]map[string]string{
		"a": {"orm": "2026-12-01", "async": "2025-03-04", "year": "2024-01-02", "license": "2026-12-01", "dbs": "", "stars": ""},
		"b": {"orm": "2026-11-30", "async": "", "year": ""},
		"c": {"orm": "2026-10-10", "async": "2026-09-09", "dbs": ""},
	}
	for slug, cells := range want {
		s := system(t, c, slug)
		for feat, date := range cells {
			cell := s.Cell(feat)
			if got := cell.CheckedDate(); got != date {
				t.Errorf("%s.%s checked = %q, want %q", slug, feat, got, date)
			}
			if date != "" && !cell.Checked.Equal(day(date)) {
				t.Errorf("%s.%s Checked = %v, want %s midnight UTC", slug, feat, cell.Checked, date)
			}
		}
	}
}

// TestCheckedProblems: a bad date is an error at its path:line, in a cell
// and as the file's default.
func TestCheckedProblems(t *testing.T) {
	tests := []struct {
		name, fm, want string
	}{
		{"not a date", "features:\n  orm: {support: yes, checked: yesterday}", `t/systems/a.md:5: feature orm: checked "yesterday" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01`},
		{"no such day", "features:\n  orm: {support: yes, checked: 2026-02-30}", `t/systems/a.md:5: feature orm: checked "2026-02-30" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01`},
		{"day first", "features:\n  orm:\n    support: yes\n    checked: 01.12.2026", `t/systems/a.md:7: feature orm: checked "01.12.2026" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01`},
		{"a timestamp", "features:\n  orm: {support: yes, checked: 2026-12-01T10:00:00Z}", `t/systems/a.md:5: feature orm: checked "2026-12-01T10:00:00Z" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01`},
		{"empty", "features:\n  orm: {support: yes, checked: \"\"}", `t/systems/a.md:5: feature orm: checked is empty: write the date the value was last verified, as YYYY-MM-DD (e.g. 2026-12-01), or leave the field out`},
		{"a list", "features:\n  orm: {support: yes, checked: [2026-12-01]}", `t/systems/a.md:5: feature orm: checked must be a single date (YYYY-MM-DD), not a list`},
		{"bad default", "checked: 2026-1-5\nfeatures:\n  orm: yes", `t/systems/a.md:4: checked "2026-1-5" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := load(t, map[string]string{"t/systems/a.md": "---\nname: A\nsummary: s\n" + tt.fm + "\n---\n"})
			if len(problems) != 1 || problems[0].String() != tt.want {
				t.Errorf("problems = %v, want [%s]", problems, tt.want)
			}
		})
	}
}

// TestCheckedFutureWarns: a date in the future is loaded but warned about
// (a mistyped year), at its line.
func TestCheckedFutureWarns(t *testing.T) {
	next := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	fsys := fstest.MapFS{
		"t/topic.yaml":   {Data: []byte(testTopic)},
		"t/systems/a.md": {Data: []byte("---\nname: A\nfeatures:\n  orm: {support: yes, checked: " + next + "}\n---\n")},
	}
	tree, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	st, err := StreamState(tree, nopSink)
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Problems(); len(p) > 0 {
		t.Fatalf("problems: %v", p)
	}
	w := st.Warnings()
	want := "t/systems/a.md:4: feature orm: checked " + next + " is in the future: is the year right?"
	if len(w) != 1 || w[0].String() != want {
		t.Errorf("warnings = %v, want [%s]", w, want)
	}
}

// TestCheckedBigFile: a system file big enough for the piecewise parse
// and the fast cell reader reads checked dates in the flow form, and
// reports a bad one at its own line.
func TestCheckedBigFile(t *testing.T) {
	var topic, sys strings.Builder
	topic.WriteString("title: T\ncategories:\n  - key: c\n    title: C\nfeatures:\n")
	sys.WriteString("---\nname: Big\nchecked: 2026-01-01\nfeatures:\n")
	const n = 1200
	for i := range n {
		fmt.Fprintf(&topic, "  - key: f%d\n    name: F%d\n    category: c\n", i, i)
		switch i % 3 {
		case 0:
			fmt.Fprintf(&sys, "  f%d: {support: yes, checked: 2026-12-01, note: fine}\n", i)
		case 1:
			fmt.Fprintf(&sys, "  f%d: no\n", i)
		default:
			fmt.Fprintf(&sys, "  f%d: {support: partial, checked: \"2026-11-02\"}\n", i)
		}
	}
	sys.WriteString("---\n")
	if sys.Len() < chunkMinBytes {
		t.Fatalf("fixture is %d bytes, under the %d of the piecewise parse", sys.Len(), chunkMinBytes)
	}
	fsys := fstest.MapFS{"t/topic.yaml": {Data: []byte(topic.String())}, "t/systems/big.md": {Data: []byte(sys.String())}}
	c, problems, err := Load(fsys)
	if err != nil || len(problems) > 0 {
		t.Fatalf("Load: %v %v", err, problems)
	}
	s := system(t, c, "big")
	for i, want := range map[int]string{0: "2026-12-01", 1: "2026-01-01", 2: "2026-11-02", 999: "2026-12-01", 1000: "2026-01-01", 1199: "2026-11-02"} {
		if got := s.Cell(fmt.Sprintf("f%d", i)).CheckedDate(); got != want {
			t.Errorf("f%d checked = %q, want %q", i, got, want)
		}
	}

	bad := strings.Replace(sys.String(), "f900: {support: yes, checked: 2026-12-01,", "f900: {support: yes, checked: 2026-13-01,", 1)
	fsys["t/systems/big.md"] = &fstest.MapFile{Data: []byte(bad)}
	_, problems, err = Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := `t/systems/big.md:905: feature f900: checked "2026-13-01" is not a date: write it as YYYY-MM-DD, e.g. 2026-12-01`
	if len(problems) != 1 || problems[0].String() != want {
		t.Errorf("problems = %v, want [%s]", problems, want)
	}
}

var nopSink = kb.Sink{
	Topic:   func(kb.Topic) error { return nil },
	System:  func(kb.System) error { return nil },
	Article: func(kb.Article) error { return nil },
}
