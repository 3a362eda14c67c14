package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"versa/internal/history"
	"versa/internal/kb"
	"versa/internal/link"
	"versa/web"
)

// A change list's scope and how it words and links its changes: what the
// page (changes.go), the feed and the JSON (changes_feed.go) share. It
// calls into neither.

// changeScope is what one change list is of, resolved from its URL.
type changeScope struct {
	topic   kb.Topic
	names   map[string]string       // system slug -> name, for the words
	moved   map[string]string       // an old system slug -> the slug it has now
	title   string                  // "Python web frameworks", "Flask", "Django vs Flask"
	crumbs  []web.Crumb             // up to the page the list belongs to
	of      web.Crumb               // that page
	path    func(ext string) string // the list's path: "" for the page, ".atom"
	filter  url.Values              // the compare view's categories= and need=
	filters string                  // those in words
	q       history.Query
	systems []apiSystemRef // for the JSON: the systems of a system or compare list
	rowURL  func(system, feature string) string

	// The topic's feature names and category titles by key, made on
	// first use: a list words many changes of a topic of many features.
	featureNames, categoryTitles map[string]string
}

// current is the slug a system has now, "" when it is gone.
func (sc *changeScope) current(slug string) string {
	if _, ok := sc.names[slug]; ok {
		return slug
	}
	return sc.moved[slug]
}

// olderURL is the link to the page after page, which shows entries: its
// before= seeks past the last of them.
func (sc *changeScope) olderURL(ext string, r *http.Request, page int, entries []history.Entry) string {
	u := sc.listURL(ext, r, page+1)
	if len(entries) == 0 {
		return u
	}
	return u + "&before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
}

// listURL is the list's path with ext (".atom"), its filters and, from r
// when set, its since=, at page (the first page has no page parameter).
func (sc *changeScope) listURL(ext string, r *http.Request, page int) string {
	q := url.Values{}
	for k, v := range sc.filter {
		q[k] = v
	}
	if r != nil {
		if since := r.URL.Query().Get("since"); since != "" {
			q.Set("since", since)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	p := sc.path(ext)
	if len(q) == 0 {
		return p
	}
	// Keys in a fixed order and the lists' commas literal, as compare URLs have them.
	var parts []string
	for _, k := range []string{"categories", "need", "since", "page"} {
		if v := q.Get(k); v != "" {
			if k == "categories" || k == "need" {
				parts = append(parts, k+"="+escapeList(strings.Split(v, ",")))
			} else {
				parts = append(parts, k+"="+url.QueryEscape(v))
			}
		}
	}
	return p + "?" + strings.Join(parts, "&")
}

// featureName and systemName name a row and a column as the tables do,
// falling back on what the change recorded for those that are gone.
func (sc *changeScope) featureName(key, recorded string) string {
	if sc.featureNames == nil {
		sc.featureNames = make(map[string]string, len(sc.topic.Features))
		for _, f := range sc.topic.Features {
			sc.featureNames[f.Key] = f.Name
		}
	}
	return nameOr(sc.featureNames, key, recorded)
}

func (sc *changeScope) systemName(slug string) string {
	return nameOr(sc.names, sc.current(slug), slug)
}

func (sc *changeScope) categoryTitle(key, recorded string) string {
	if sc.categoryTitles == nil {
		sc.categoryTitles = make(map[string]string, len(sc.topic.Categories))
		for _, c := range sc.topic.Categories {
			sc.categoryTitles[c.Key] = c.Title
		}
	}
	return nameOr(sc.categoryTitles, key, recorded)
}

// nameOr is the name of key in names; for a key it lacks, what the change
// recorded, else the key itself.
func nameOr(names map[string]string, key, recorded string) string {
	if n, ok := names[key]; ok {
		return n
	}
	if recorded != "" {
		return recorded
	}
	return key
}

// item is a change as the page shows it.
func (sc *changeScope) item(e history.Entry) web.ChangeItem {
	c := e.Change
	t := sc.topic.Slug
	it := web.ChangeItem{ID: c.ID, Kind: c.Kind}
	switch c.Kind {
	case history.CellChanged:
		it.Title = sc.systemName(c.System) + " · " + sc.featureName(c.Feature, "")
		if now := sc.current(c.System); now != "" {
			it.URL = sc.rowURL(now, c.Feature)
		}
		old, new := webCell(kbCell(c.Old)), webCell(kbCell(c.New))
		it.Old, it.New = &old, &new
		it.Notes = cellNotes(c.Old, c.New)
	case history.FeatureAdded, history.FeatureRemoved, history.FeatureChanged:
		name := sc.featureName(c.Feature, cmpOr(c.NewName, c.OldName))
		it.Label, it.Title = changeLabel(c.Kind, "Feature"), name
		if c.Kind != history.FeatureRemoved {
			it.URL = link.FeatureRow(t, c.Feature)
		}
		if c.Kind == history.FeatureChanged && c.OldName != c.NewName {
			it.Detail = "was named " + quote(c.OldName)
		}
		if c.Kind == history.FeatureAdded {
			it.Detail = "in " + sc.categoryTitle(c.Category, "")
		}
	case history.SystemAdded, history.SystemRemoved, history.SystemRenamed:
		it.Label, it.Title = changeLabel(c.Kind, "System"), cmpOr(c.NewName, c.OldName, c.System)
		if now := sc.current(c.System); c.Kind != history.SystemRemoved && now != "" {
			it.URL = link.System(t, now)
		}
		if c.Kind == history.SystemRenamed {
			it.Detail = "was " + quote(c.OldName) + " at " + c.OldSlug + ", now " + quote(c.NewName) + " at " + c.System
		}
	case history.CategoryAdded, history.CategoryRemoved, history.CategoryChanged:
		it.Label, it.Title = changeLabel(c.Kind, "Category"), sc.categoryTitle(c.Category, cmpOr(c.NewName, c.OldName))
		if c.Kind != history.CategoryRemoved {
			it.URL = link.Category(t, c.Category)
		}
		if c.Kind == history.CategoryChanged {
			it.Detail = "was titled " + quote(c.OldName)
		}
	case history.ArticleAdded, history.ArticleUpdated, history.ArticleRemoved:
		it.Label, it.Title = changeLabel(c.Kind, "Article"), cmpOr(c.NewName, c.OldName, c.Article)
		if c.Kind != history.ArticleRemoved {
			it.URL = link.Article(t, c.Article)
		}
		if !c.Updated.IsZero() && c.Kind != history.ArticleRemoved {
			it.Detail = "dated " + c.Updated.UTC().Format("2 January 2006")
		}
		if c.OldSlug != "" {
			it.Detail = strings.TrimPrefix(it.Detail+", moved from "+c.OldSlug, ", ")
		}
	default:
		it.Title = c.Kind // a kind a newer version recorded
	}
	return it
}

// summary is a change in one line of words, for feed titles and JSON.
func (sc *changeScope) summary(e history.Entry) string {
	it := sc.item(e)
	s := it.Title
	if it.Label != "" {
		s = it.Label + ": " + s
	}
	if it.Old != nil {
		s += ": " + historyWords(e.Old) + " → " + historyWords(e.New)
	}
	if it.Detail != "" {
		s += " (" + it.Detail + ")"
	}
	return s
}

// changeLabel is the word for what happened to a thing ("Feature added").
func changeLabel(kind, thing string) string {
	_, what, _ := strings.Cut(kind, "_")
	return thing + " " + what
}

func cmpOr(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func quote(s string) string { return "“" + s + "”" }

// kbCell is one side of a recorded cell change as a kb.Cell, to show it as
// the tables do.
func kbCell(c history.Cell) kb.Cell {
	checked, _ := kb.ParseChecked(c.Checked) // recorded from a valid load; a bad one reads as none
	return kb.Cell{Support: kb.Support(c.Support), Value: c.Value, Note: c.Note, Since: c.Since, Via: c.Via, Source: c.Source, Checked: checked}
}

// historyWords is a cell's value in words: the support level's word, or the value.
func historyWords(c history.Cell) string {
	w := webCell(kbCell(c))
	if w.Value != "" {
		return w.Value
	}
	return web.SupportLabel(w.Support)
}

// cellNotes says what else of a cell changed than its value: its note,
// since, via, source or checked date.
func cellNotes(o, n history.Cell) []string {
	var out []string
	for _, f := range []struct{ name, old, new string }{
		{"note", o.Note, n.Note}, {"since", o.Since, n.Since}, {"via", o.Via, n.Via},
		{"source", o.Source, n.Source}, {"checked", o.Checked, n.Checked},
	} {
		switch {
		case f.old == f.new:
		case f.old == "":
			out = append(out, f.name+" now "+quote(f.new))
		case f.new == "":
			out = append(out, f.name+" removed (was "+quote(f.old)+")")
		default:
			out = append(out, f.name+" was "+quote(f.old)+", now "+quote(f.new))
		}
	}
	return out
}
