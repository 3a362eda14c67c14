package server

import (
	"encoding/json"
	"strings"
	"testing"

	"versa/web"
)

// markupPerCell bounds the markup of the compare page: its bytes, less the
// facts it carries and less what each note's markup must be (marker,
// labels, separators, source link), over its cells. The bundled six-system
// page was 212,342 B at 8857aef, about 410 B of markup a cell (footnotes
// under the table, descriptions inline). On the content of 7 December
// (486 cells, 486 notes, some 107 KB of facts) it was 189,243 B, 94 B a
// cell besides the notes' 36 KB, then 179,904 B and 75 B a cell once the
// rows lost their test ids and the permalink's class, the support classes
// became caniuse's letters, the descriptions moved out of a <details> per
// row behind one "descriptions" box and the page's own links went relative
// to its folder. The rest a cell is the row's id, its feature link and
// permalink, the <td> and its class; see issue 16's note. Then 170,850 B
// and 60 B a cell, with the need picker a box that takes a name (site.js
// suggests the rows' names), the column controls queries relative to the
// page (?left=x), the notes opened by their value rather than a number,
// quotes in text left unescaped, and fewer attributes on the repeated
// elements (no scope="row", no test ids on bodies and columns).
const markupPerCell = 61

// textEscaper escapes text content as the compare page does (web's
// textContent): &, < and >, not quotes.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// TestComparePageWeight: the bundled six-system compare page carries every
// fact of its JSON export (each value, note, via, since and source, each
// feature's name and description, escaped as the page writes them), each
// note once at its cell (opened by the cell's value), and little markup
// around them.
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
		e := textEscaper.Replace(s)
		if !strings.Contains(body, e) {
			t.Errorf("the page lacks %s %q", what, s)
		}
		facts += len(e)
	}
	cells := 0
	shown := map[int]string{} // a note's number: the value its cell shows
	for _, c := range doc.Categories {
		for _, r := range c.Rows {
			want("the name", r.Name)
			want("the description", r.Description)
			for _, c := range r.Cells {
				cells++
				v := c.Value
				if c.Support != "" {
					v = web.SupportLabel(c.Support)
				}
				want("the value", v)
				if c.Footnote != 0 {
					shown[c.Footnote] = v
				}
			}
		}
	}
	if got, want := strings.Count(body, "<details><summary>"), len(doc.Footnotes); got != want {
		t.Errorf("the page has %d notes' markers, want %d, one at each noted cell", got, want)
	}
	noteMarkup := 0
	for _, n := range doc.Footnotes {
		v, ok := shown[n.N]
		if !ok {
			t.Errorf("note %d is no cell's", n.N)
		}
		marker := "<details><summary>" + textEscaper.Replace(v) + "</summary>" + textEscaper.Replace(n.Note)
		if !strings.Contains(body, marker) {
			t.Errorf("note %d does not open from its cell's value: the page lacks %q", n.N, marker)
		}
		want("a note", n.Note)
		want("a via", n.Via)
		want("a since", n.Since)
		want("a source", n.Source)
		want("a checked date", n.Checked)
		// What a note's markup must be, whatever the content: its marker,
		// the labels and separators between its parts, its source link.
		noteMarkup += len("<details><summary></summary></details>")
		parts := 0
		for _, p := range []struct{ label, v string }{{"", n.Note}, {"via ", n.Via}, {"since ", n.Since}, {"checked ", n.Checked}} {
			if p.v != "" {
				noteMarkup += len(p.label)
				parts++
			}
		}
		noteMarkup += len(" · ") * max(parts-1, 0)
		if n.Source != "" {
			noteMarkup += len(` <a href="">source</a>`)
		}
	}
	if cells == 0 || len(doc.Footnotes) == 0 {
		t.Fatalf("%d cells and %d notes: the bundled page is not the one measured", cells, len(doc.Footnotes))
	}
	// The rest is the page's own: its head and controls, and the rows'
	// and cells' elements, which is what markupPerCell bounds, so that more
	// notes in the content do not read as heavier markup.
	markup := len(body) - facts - noteMarkup
	t.Logf("%s: %d B, of which %d B facts, %d B the notes' markers, labels and links, %d B the rest (%d B a cell, %d cells, %d notes)",
		sixPage, len(body), facts, noteMarkup, markup, markup/cells, cells, len(doc.Footnotes))
	if markup > markupPerCell*cells {
		t.Errorf("markup besides the notes' is %d B a cell, want at most %d", markup/cells, markupPerCell)
	}
}
