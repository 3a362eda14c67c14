package server

import (
	"encoding/json"
	"html"
	"strconv"
	"strings"
	"testing"

	"versa/web"
)

// markupPerCell bounds the markup of the compare page: its bytes, less the
// facts it carries, over its cells. The bundled six-system page (372
// cells, 358 notes, some 59 KB of facts) was 212,342 B at 8857aef, about
// 410 B of markup a cell (footnotes under the table, descriptions inline),
// was about 117,600 B then, 157 B a cell. On the content of 7 December
// (486 cells, 481 notes, 332 checked dates, some 101 KB of facts) it is
// 180,364 B, 162 B a cell; see issue 16's note.
const markupPerCell = 163

// TestComparePageWeight: the bundled six-system compare page carries every
// fact of its JSON export (each value, note, via, since and source, each
// feature's name and description, escaped as the page writes them), each
// note once at its cell, and little markup around them.
func TestComparePageWeight(t *testing.T) {
	h, _ := bundled(t, Config{})
	rec := send(h, "GET", sixPage)
	if rec.Code != 200 {
		t.Fatalf("GET %s = %d", sixPage, rec.Code)
	}
	body := rec.Body.String()
	rec = send(h, "GET", sixPage+".json")
	var doc apiCompare
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET %s.json: %v", sixPage, err)
	}
	facts := 0
	want := func(what, s string) {
		if s == "" {
			return
		}
		e := html.EscapeString(s)
		if !strings.Contains(body, e) {
			t.Errorf("the page lacks %s %q", what, s)
		}
		facts += len(e)
	}
	cells := 0
	for _, c := range doc.Categories {
		for _, r := range c.Rows {
			want("the name", r.Name)
			want("the description", r.Description)
			for _, c := range r.Cells {
				cells++
				if c.Support != "" {
					want("the support level", web.SupportLabel(c.Support))
				} else {
					want("the value", c.Value)
				}
			}
		}
	}
	for _, n := range doc.Footnotes {
		marker := "<details><summary>" + strconv.Itoa(n.N) + "</summary>"
		if got := strings.Count(body, marker); got != 1 {
			t.Errorf("note %d has %d markers, want 1 at its cell", n.N, got)
		}
		want("a note", n.Note)
		want("a via", n.Via)
		want("a since", n.Since)
		want("a source", n.Source)
		want("a checked date", n.Checked)
	}
	if cells == 0 || len(doc.Footnotes) == 0 {
		t.Fatalf("%d cells and %d notes: the bundled page is not the one measured", cells, len(doc.Footnotes))
	}
	markup := len(body) - facts
	t.Logf("%s: %d B, of which %d B facts and %d B markup (%d B a cell, %d cells, %d notes)",
		sixPage, len(body), facts, markup, markup/cells, cells, len(doc.Footnotes))
	if markup > markupPerCell*cells {
		t.Errorf("markup is %d B a cell, want at most %d", markup/cells, markupPerCell)
	}
}
