package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"versa/internal/kb"
	"versa/internal/server/preview"
	"versa/web"
)

// Exports of a compare view. /compare/{topic}/{a}-vs-{b}.csv, .json and .md
// are the view of the same path without the extension: the same systems in
// the same order and the same diff, categories and need filters. They are
// laid out from the web.CompareView that buildCompare computes for the HTML
// page, so the rows and cells can never disagree with it.
//
//   - CSV: a header row "Feature key, Feature, Category, <system name>..."
//     and one row per feature, in the table's order; a cell is the support
//     word (yes, partial, plugin, no, unknown) or the value. Notes, sources
//     and need scores are left to JSON and Markdown, so that every cell is
//     one plain value a spreadsheet can sort and filter.
//   - JSON: apiCompare, the same document as /api/compare/...
//   - Markdown: a GitHub-flavoured table with a bold row per category, the
//     need scores under the header, "✔ Yes"-style support cells with "[n]"
//     note markers, and the notes as a numbered list below.

// exportExts maps an export's extension to its content type.
var exportExts = map[string]string{
	".csv":  "text/csv; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".md":   "text/markdown; charset=utf-8",
	".png":  "image/png", // the link preview (ogimage.go)
}

// splitExportExt splits a known export extension off the systems part of a
// compare path. Slugs never contain a dot, so anything else stays and is
// reported as an unknown system.
func splitExportExt(spec string) (rest, ext string) {
	if i := strings.LastIndexByte(spec, '.'); i >= 0 {
		if _, ok := exportExts[spec[i:]]; ok {
			return spec[:i], spec[i:]
		}
	}
	return spec, ""
}

// writeExport writes the compare view v of c in the format of ext.
func (s *server) writeExport(w http.ResponseWriter, r *http.Request, ext string, c *compareTarget, v web.CompareView) error {
	var body []byte
	switch ext {
	case ".csv":
		b, err := compareCSV(v)
		if err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
		body = b
	case ".json":
		s.writeJSONAs(w, r, http.StatusOK, exportHeaders(c, ext), newAPICompare(c, v))
		return nil
	case ".md":
		body = compareMarkdown(c, v)
	case ".png":
		return preview.Write(r.Context(), w, v, strings.Join(c.slugs, "-vs-")+ext, s.metrics.ObservePreview)
	default:
		return fmt.Errorf("export %q: %w", ext, kb.ErrNotFound)
	}
	h := w.Header()
	for k, vals := range exportHeaders(c, ext) {
		h[k] = vals
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a failed write means the client left
	return nil
}

// exportHeaders are an export's Content-Type and Content-Disposition; the
// file name is the systems in order, as in django-vs-flask.csv.
func exportHeaders(c *compareTarget, ext string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", exportExts[ext])
	h.Set("Content-Disposition", `inline; filename="`+strings.Join(c.slugs, "-vs-")+ext+`"`)
	return h
}

// writeJSONAs is writeJSON with extra headers.
func (s *server) writeJSONAs(w http.ResponseWriter, r *http.Request, status int, extra http.Header, v any) {
	for k, vals := range extra {
		w.Header()[k] = vals
	}
	s.writeJSON(w, r, status, v)
}

// cellWord is a cell as one plain word or value.
func cellWord(c web.CompareCell) string {
	if c.Support != "" {
		return c.Support
	}
	return c.Value
}

// compareCSV lays v out as CSV. When any cell has a checked date, a
// column "<system> checked" per system follows the systems' columns, with
// each cell's date (YYYY-MM-DD) or nothing.
func compareCSV(v web.CompareView) ([]byte, error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	head := []string{"Feature key", "Feature", "Category"}
	for _, s := range v.Systems {
		head = append(head, spreadsheetSafe(s.Name))
	}
	dated := anyChecked(v)
	if dated {
		for _, s := range v.Systems {
			head = append(head, spreadsheetSafe(s.Name+" checked"))
		}
	}
	if err := cw.Write(head); err != nil {
		return nil, err
	}
	for _, g := range v.Groups {
		for _, row := range g.Rows {
			rec := []string{row.Key, spreadsheetSafe(row.Name), spreadsheetSafe(g.Title)}
			for _, c := range row.Cells {
				rec = append(rec, spreadsheetSafe(cellWord(c)))
			}
			if dated {
				for _, c := range row.Cells {
					rec = append(rec, c.Checked)
				}
			}
			if err := cw.Write(rec); err != nil {
				return nil, err
			}
		}
	}
	cw.Flush()
	return buf.Bytes(), cw.Error()
}

// anyChecked reports whether a cell of the view has a checked date.
func anyChecked(v web.CompareView) bool {
	for _, g := range v.Groups {
		for _, r := range g.Rows {
			for _, c := range r.Cells {
				if c.Checked != "" {
					return true
				}
			}
		}
	}
	return false
}

// checkedSummary is, per system, the oldest and newest checked date of
// its cells in the view and how many have none: "Django 2026-12-01; Flask
// 2026-11-20 (3 of 4 cells not dated)". "" when no cell is dated.
func checkedSummary(v web.CompareView) string {
	if !anyChecked(v) {
		return ""
	}
	var parts []string
	for i, s := range v.Systems {
		var lo, hi string
		undated, n := 0, 0
		for _, g := range v.Groups {
			for _, r := range g.Rows {
				if i >= len(r.Cells) {
					continue
				}
				n++
				d := r.Cells[i].Checked
				switch {
				case d == "":
					undated++
				case lo == "":
					lo, hi = d, d
				default:
					lo, hi = min(lo, d), max(hi, d)
				}
			}
		}
		p := mdEscape(s.Name) + " "
		switch {
		case lo == "":
			p += "not dated"
		case lo == hi:
			p += lo
		default:
			p += lo + " to " + hi
		}
		if lo != "" && undated > 0 {
			p += fmt.Sprintf(" (%d of %d cells not dated)", undated, n)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// spreadsheetSafe keeps a spreadsheet from reading a text as a formula: a
// text starting with =, @, a tab or a carriage return, or with + or - and
// not a number, gets a leading apostrophe. Numbers such as -5 stay numbers.
func spreadsheetSafe(v string) string {
	v = web.StripBidi(v)
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "'" + v
		}
	}
	return v
}

// compareMarkdown lays v out as a GitHub-flavoured Markdown table with its
// notes below.
func compareMarkdown(c *compareTarget, v web.CompareView) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", mdEscape(v.Title))
	b.WriteString(mdEscape(v.TopicTitle))
	if f := filterSummary(c); f != "" {
		b.WriteString(" · " + mdEscape(f))
	}
	b.WriteString("\n\n")
	mdHeader(&b, v, len(c.q.need) > 0)
	for _, g := range v.Groups {
		mdGroup(&b, g, len(v.Systems))
	}
	if v.Hidden > 0 {
		fmt.Fprintf(&b, "\n%d rows that are the same everywhere are hidden.\n", v.Hidden)
	}
	if s := checkedSummary(v); s != "" {
		fmt.Fprintf(&b, "\nChecked: %s.\n", s)
	}
	if len(v.Footnotes) > 0 {
		b.WriteString("\n")
		for _, f := range v.Footnotes {
			mdFootnote(&b, f)
		}
	}
	return []byte(b.String())
}

// mdHeader writes the table's head: the systems, and with needs the row
// of scores.
func mdHeader(b *strings.Builder, v web.CompareView, needs bool) {
	b.WriteString("| Feature |")
	for _, s := range v.Systems {
		b.WriteString(" " + mdEscape(s.Name) + " |")
	}
	b.WriteString("\n|---|")
	for range v.Systems {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	if !needs {
		return
	}
	b.WriteString("| *Meets needs* |")
	for _, s := range v.Systems {
		if s.Score == nil {
			b.WriteString(" |")
			continue
		}
		fmt.Fprintf(b, " %d of %d", s.Score.Meets, s.Score.Of)
		if s.Score.Partial > 0 {
			fmt.Fprintf(b, " (%d partial)", s.Score.Partial)
		}
		b.WriteString(" |")
	}
	b.WriteString("\n")
}

// mdGroup writes a category's band row and its rows.
func mdGroup(b *strings.Builder, g web.CompareGroup, systems int) {
	b.WriteString("| **" + mdEscape(g.Title) + "** |")
	for range systems {
		b.WriteString(" |")
	}
	b.WriteString("\n")
	for _, row := range g.Rows {
		name := mdEscape(row.Name)
		if row.Needed {
			name = "★ " + name
		}
		b.WriteString("| " + name + " |")
		for _, cell := range row.Cells {
			b.WriteString(" " + mdCell(cell) + " |")
		}
		b.WriteString("\n")
	}
}

// mdFootnote writes one numbered note: what backs a cell.
func mdFootnote(b *strings.Builder, f web.Footnote) {
	var parts []string
	if f.Note != "" {
		parts = append(parts, mdEscape(f.Note))
	}
	if f.Via != "" {
		parts = append(parts, "via "+mdEscape(f.Via))
	}
	if f.Since != "" {
		parts = append(parts, "since "+mdEscape(f.Since))
	}
	if f.Checked != "" {
		parts = append(parts, "checked "+f.Checked)
	}
	if f.Source != "" {
		parts = append(parts, mdLink("source", f.Source))
	}
	fmt.Fprintf(b, "%d. **%s, %s:** %s\n", f.N, mdEscape(f.System), mdEscape(f.Feature), strings.Join(parts, " · "))
}

// filterSummary says in words which filters shape the view.
func filterSummary(c *compareTarget) string {
	var parts []string
	if c.q.diff {
		parts = append(parts, "differences only")
	}
	title := func(key string) string {
		for _, x := range c.topic.Categories {
			if x.Key == key {
				return x.Title
			}
		}
		return key
	}
	name := func(key string) string {
		for _, f := range c.topic.Features {
			if f.Key == key {
				return f.Name
			}
		}
		return key
	}
	if len(c.q.categories) > 0 {
		var ts []string
		for _, k := range c.q.categories {
			ts = append(ts, title(k))
		}
		parts = append(parts, "categories: "+strings.Join(ts, ", "))
	}
	if len(c.q.need) > 0 {
		var ns []string
		for _, k := range c.q.need {
			ns = append(ns, name(k))
		}
		parts = append(parts, "needs: "+strings.Join(ns, ", "))
	}
	return strings.Join(parts, "; ")
}

// supportMarkdown is a support level as its symbol and word.
var supportMarkdown = map[string]string{
	"yes":     "✔ Yes",
	"partial": "◐ Partial",
	"plugin":  "⊕ Plugin",
	"no":      "✘ No",
	"unknown": "– unknown",
}

// mdCell is one cell of the Markdown table.
func mdCell(c web.CompareCell) string {
	out := mdEscape(c.Value)
	if c.Support != "" {
		out = supportMarkdown[c.Support]
		if out == "" {
			out = mdEscape(c.Support)
		}
	}
	if c.Footnote > 0 {
		out += " [" + strconv.Itoa(c.Footnote) + "]"
	}
	return out
}

// mdReplacer escapes what would end a table cell or turn text into
// markup: pipes, backslashes, emphasis, code, links and HTML. Line breaks
// become <br>, which GitHub renders inside a table cell.
var mdReplacer = strings.NewReplacer(
	"\\", "\\\\",
	"|", "\\|",
	"`", "\\`",
	"*", "\\*",
	"_", "\\_",
	"[", "\\[",
	"]", "\\]",
	"<", "&lt;",
	">", "&gt;",
	"\r\n", "<br>",
	"\r", "<br>",
	"\n", "<br>",
)

func mdEscape(s string) string { return mdReplacer.Replace(web.StripBidi(s)) }

// mdLink is a Markdown link to an http or https URL; anything else is
// written as escaped text.
func mdLink(text, raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return mdEscape(text + " " + raw)
	}
	// u.String percent-encodes spaces and the like; parentheses, pipes and
	// angle brackets would end the link or the cell.
	href := strings.NewReplacer("(", "%28", ")", "%29", "|", "%7C", "<", "%3C", ">", "%3E", " ", "%20").Replace(u.String())
	return "[" + mdEscape(text) + "](" + href + ")"
}
