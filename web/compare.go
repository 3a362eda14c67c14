package web

import "strings"

// CompareView is a side-by-side table of systems of one topic. The server
// computes everything, including every control's URL, so that each control
// is a plain link or GET form and the URL always says what is on screen.
type CompareView struct {
	Site         Site
	TopicSlug    string
	TopicTitle   string
	Title        string // "Django vs Flask"
	CanonicalURL string
	Systems      []CompareColumn
	Groups       []CompareGroup
	// Index lists the table's groups when it has more rows than a page
	// shows; Groups then holds the group opened (Pager its page), or none.
	Index     *GroupIndex
	Pager     *Pager
	Footnotes []Footnote
	Diff      bool
	RowPrefix string // a row's id is RowPrefix + feature key ("feature-" on the compare page)
	DiffURL   string // the same view with "differences only" toggled
	Hidden    int    // rows hidden by differences only
	Same      int    // rows the same in every column, which differences only hides
	// InPage: Hidden and Same count the rows of the page shown, not of the
	// whole table (a page of a table over its row budget, whose other rows
	// were not read).
	InPage     bool
	Categories []CategoryOption
	AllCatsURL string // the view without a category filter
	Needs      []NeedChip
	// AddNeed: some feature is not a need yet, so the page offers a box
	// to add one by its name (site.js suggests the names of the table's
	// rows).
	AddNeed    bool
	AddOptions []Option // systems of the topic not in the table
	Path       string   // the path the GET forms submit to
	Query      Query
	// The same view, filters included, as CSV, JSON and a Markdown table;
	// the download links are shown when CSVURL is set.
	CSVURL      string
	JSONURL     string
	MarkdownURL string
	// PinURL is the view's path and query, which the "Pin this comparison"
	// form posts to /s; empty hides the form.
	PinURL string
	// ImageURL is the path of the view's link-preview PNG; empty for none.
	ImageURL string
	// ChangesURL is the change list of the view's systems and rows; empty
	// when none is kept.
	ChangesURL string
}

// Query is the filter part of a compare URL, for the GET forms' hidden fields.
type Query struct {
	Diff       bool
	Categories string // comma-separated
	Need       string // comma-separated
}

// CompareColumn is one system's column.
type CompareColumn struct {
	Slug string
	Name string
	URL  string
	// The column controls' links are queries alone (?right=django),
	// relative to the page, which the server answers with a redirect to
	// the view they ask for: a full URL per control would repeat every
	// system of the table, three times a column.
	RemoveURL string // empty when removing would leave fewer than two
	LeftURL   string // empty for the first column
	RightURL  string // empty for the last column
	Score     *NeedScore
}

// NeedScore is how a system meets the requirement profile.
type NeedScore struct {
	Meets, Partial, Of int
}

// CompareGroup is one category's rows.
type CompareGroup struct {
	Key   string
	Title string
	Rows  []CompareRow
}

// CompareRow is one feature across the systems.
type CompareRow struct {
	Key         string
	Name        string
	Description string
	Needed      bool
	Cells       []CompareCell
}

// CompareCell is one system's value for one feature.
type CompareCell struct {
	Support  string // yes, partial, plugin, no, unknown; empty for a value
	Value    string // for text, number, year and list features
	Footnote int    // the number of its note, 0 if none
	Checked  string // the day it was last checked, YYYY-MM-DD; "" if not given
}

// Footnote is the note, via, since and source of one cell, and the day it
// was last checked (YYYY-MM-DD, "" when not given).
type Footnote struct {
	N       int
	System  string
	Feature string
	Note    string
	Via     string
	Since   string
	Source  string
	Checked string
}

// CategoryOption is a category checkbox of the filter form.
type CategoryOption struct {
	Key     string
	Title   string
	Checked bool
}

// NeedChip is one feature of the requirement profile.
type NeedChip struct {
	Key       string
	Name      string
	RemoveURL string
}

// Option is a value and label of a select.
type Option struct {
	Value string
	Label string
}

// SupportLabel is the word shown with a support level's icon (pages, the
// preview image and the snapshot diff say the same words).
func SupportLabel(s string) string {
	switch s {
	case "yes":
		return "Yes"
	case "partial":
		return "Partial"
	case "plugin":
		return "Plugin"
	case "no":
		return "No"
	}
	return "unknown"
}

// rel is u, a link of the compare page's own controls, relative to the
// page's folder when it lies in it ("django-vs-flask?diff=1" for
// "/compare/t/django-vs-flask?diff=1" on a page of /compare/t/): a page of
// six systems holds some thirty such links. It is for the controls only
// the compare page shows (the column controls, which pinned and article
// tables clear, the filters and downloads), never a table on another page.
func (v CompareView) rel(u string) string {
	dir := v.Path[:strings.LastIndex(v.Path, "/")+1]
	rest, ok := strings.CutPrefix(u, dir)
	// A first segment with a colon would read as a scheme; an empty one
	// (or a query alone) would be the page itself, whatever its query.
	if !ok || dir == "" || rest == "" || strings.ContainsAny(rest[:1], "?#") || strings.Contains(rest, ":") {
		return u
	}
	return rest
}

// SupportClass is the class that draws a support level's icon and colour
// (site.css). It repeats in hundreds of cells a page, so it is one letter,
// caniuse's: y(es), n(o), a (partial, "almost"), p(lugin, caniuse's
// polyfill), u(nknown).
func SupportClass(s string) string {
	switch s {
	case "yes":
		return "y"
	case "partial":
		return "a"
	case "plugin":
		return "p"
	case "no":
		return "n"
	}
	return "u"
}

// note is the footnote numbered n, or nil for 0. The notes of one view are
// numbered in a run (after those of earlier tables on the page), so the
// number gives the index.
func (v CompareView) note(n int) *Footnote {
	if n <= 0 || len(v.Footnotes) == 0 {
		return nil
	}
	if i := n - v.Footnotes[0].N; i >= 0 && i < len(v.Footnotes) && v.Footnotes[i].N == n {
		return &v.Footnotes[i]
	}
	for i := range v.Footnotes {
		if v.Footnotes[i].N == n {
			return &v.Footnotes[i]
		}
	}
	return nil
}

// NeedsKey is the key of the "Your needs" group that leads the table when
// the view has needs.
const NeedsKey = "your-needs"

// shownGroups are the groups as the table shows them: the rows of the
// needs asked for pulled out of their categories into a first group, "Your
// needs", in the order the needs were asked; the other rows stay where
// they were. The exports keep the topic's order.
func (v CompareView) shownGroups() []CompareGroup {
	if len(v.Needs) == 0 {
		return v.Groups
	}
	needed := map[string]CompareRow{}
	out := make([]CompareGroup, 0, len(v.Groups)+1)
	out = append(out, CompareGroup{Key: NeedsKey, Title: "Your needs"})
	for _, g := range v.Groups {
		rest := make([]CompareRow, 0, len(g.Rows))
		for _, r := range g.Rows {
			if r.Needed {
				needed[r.Key] = r
			} else {
				rest = append(rest, r)
			}
		}
		if len(rest) > 0 {
			out = append(out, CompareGroup{Key: g.Key, Title: g.Title, Rows: rest})
		}
	}
	for _, n := range v.Needs {
		if r, ok := needed[n.Key]; ok {
			out[0].Rows = append(out[0].Rows, r)
		}
	}
	if len(out[0].Rows) == 0 {
		return out[1:]
	}
	return out
}

// orNote is a noted cell's summary: its value, or "note" for a cell that
// has a note and no value, so the marker is never empty.
func orNote(value string) string {
	if strings.TrimSpace(value) == "" {
		return "note"
	}
	return value
}

// noteText is a cell's note, via, since and checked date in one run of text, ending in
// the separator before the source link when there is one.
func noteText(n *Footnote) string {
	var parts []string
	if n.Note != "" {
		parts = append(parts, n.Note)
	}
	if n.Via != "" {
		parts = append(parts, "via "+n.Via)
	}
	if n.Since != "" {
		parts = append(parts, "since "+n.Since)
	}
	if n.Checked != "" {
		parts = append(parts, "checked "+n.Checked)
	}
	// The " · " before the source link is the stylesheet's (td details >
	// a::before): it repeats in hundreds of notes a page.
	return strings.Join(parts, " · ")
}

// supportIcon is the symbol shown before the word on search cards; it is
// decorative, the word carries the meaning. (The compare, system, topic and
// feature pages draw the icons from the stylesheet instead.)
func supportIcon(s string) string {
	switch s {
	case "yes":
		return "✔"
	case "partial":
		return "◐"
	case "plugin":
		return "⊕"
	case "no":
		return "✘"
	}
	return "–"
}
