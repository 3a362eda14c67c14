package server

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"versa/internal/kb"
	"versa/web"
)

// rowBudget is how many feature rows a page shows at most. A table with
// more (a topic of thousands of features) shows the index of its groups
// instead, and one group at a time, a page of rowBudget rows each, so no
// page grows with the content; the API and the exports are never cut.
var rowBudget = 300

// cellBudget bounds the cells of a compare page's rows: side by side, many
// systems make each row long (24 systems of 300 rows, a note on every
// fourth cell, is 1.3 MB), so a page of n systems shows at most
// cellBudget/n rows (125 for 24), and never fewer than minRows.
var cellBudget = 3000

const minRows = 25

// compareBudget is the rows a compare page of n systems shows at most.
func compareBudget(n int) int {
	return min(rowBudget, max(cellBudget/max(n, 1), minRows))
}

// listBudget is the same for the topic page's feature list, whose entries
// are lighter than table rows (a name, a type and a line of description),
// and collapsed by category: the spec's 550 features stay on one page.
var listBudget = 1000

// maxIndexChildren bounds how many key groups of one too-long group the
// index lists; a group with more is paged through instead.
const maxIndexChildren = 200

// rowView is the part of a table page's query that picks its rows: a group
// (a category key, or category:prefix for the dotted keys under a prefix)
// and a page of it.
type rowView struct {
	group string
	page  int // 1-based; 0 is the first
}

// parseRowView reads group= and page=; a page that is not a positive whole
// number is a bad request.
func parseRowView(v url.Values) (rowView, error) {
	rv := rowView{group: strings.TrimSpace(v.Get("group"))}
	var err error
	rv.page, err = pageParam(v, "page")
	return rv, err
}

// pageParam reads a page number parameter: 0 when absent or 1, a bad
// request when not a positive whole number.
func pageParam(v url.Values, name string) (int, error) {
	p := v.Get(name)
	if p == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 {
		return 0, &pageError{message: fmt.Sprintf("The page %.40q is not a page number (1, 2, ...).", p), err: fmt.Errorf("%s %.40q: %w", name, p, kb.ErrInvalid)}
	}
	if n == 1 {
		n = 0
	}
	return n, nil
}

// topicCellBudget bounds the cells of the topic page's table of systems: a
// page of it shows at most topicCellBudget/columns systems (every one of
// 500 at the 5 default columns, 250 at the most columns, 24), and the rest
// on further pages (?spage=2), in the same order.
var topicCellBudget = 6000

// encodeSystemsPage appends the topic page's page of systems to a canonical
// query or URL.
func encodeSystemsPage(page int, query string) string {
	if page <= 1 {
		return query
	}
	sep := "?"
	if strings.Contains(query, "?") {
		sep = "&"
	}
	return query + sep + "spage=" + strconv.Itoa(page)
}

// budgetSystemRows cuts the topic page's systems to the page asked for
// when they are more than one page of the table shows; link builds the
// URL of a page. A page past the last is a 404.
func budgetSystemRows(v *web.TopicView, page int, link func(page int) string) error {
	v.Kept = len(v.Rows)
	per := max(topicCellBudget/max(len(v.Columns), 1), minRows)
	pages := max((len(v.Rows)+per-1)/per, 1)
	page = max(page, 1)
	if page > pages {
		return notFoundf("The systems of this view fill %d pages, not %d.", pages, page)
	}
	if pages == 1 {
		return nil
	}
	from, to := (page-1)*per, min(page*per, len(v.Rows))
	p := &web.Pager{Page: page, Pages: pages, From: from + 1, To: to, Of: len(v.Rows),
		Label: "Pages of the systems", Rows: "Systems"}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	v.Rows, v.SystemsPager = v.Rows[from:to], p
	return nil
}

// encode appends rv in its one canonical form to a canonical query or URL
// (with its query, if any).
func (rv rowView) encode(query string) string {
	var parts []string
	if rv.group != "" {
		parts = append(parts, "group="+url.QueryEscape(rv.group))
	}
	if rv.page > 1 {
		parts = append(parts, "page="+strconv.Itoa(rv.page))
	}
	if len(parts) == 0 {
		return query
	}
	sep := "?"
	if strings.Contains(query, "?") {
		sep = "&"
	}
	return query + sep + strings.Join(parts, "&")
}

// tableCategory is one category of a table page as the budget sees it: its
// rows' feature keys, in the page's order.
type tableCategory struct {
	key, title string
	keys       []string
}

// budgeted is what of a table a page shows: for each category the indexes
// of the rows kept, the index of groups when the table is too long for one
// page (nil otherwise), and the pages of the group shown.
type budgeted struct {
	keep  [][]int
	index *web.GroupIndex
	pager *web.Pager
}

// applyBudget decides which rows of cats a page shows under rv. A table
// within the budget shows whole (a group or page asked for is then an
// error, as it names nothing); a longer one shows its group index, and the
// group rv names, a page at a time. link builds the URL of a view.
func applyBudget(cats []tableCategory, budget int, rv rowView, link func(rowView) string) (budgeted, error) {
	total := 0
	for _, c := range cats {
		total += len(c.keys)
	}
	b := budgeted{keep: make([][]int, len(cats))}
	if total <= budget {
		if rv.group != "" || rv.page > 1 {
			return b, notFoundf("This table fits on one page: it has no group %.80q or page %d.", rv.group, max(rv.page, 1))
		}
		for i, c := range cats {
			b.keep[i] = make([]int, len(c.keys))
			for j := range c.keys {
				b.keep[i][j] = j
			}
		}
		return b, nil
	}
	ix := &web.GroupIndex{Total: total, Budget: budget, AllURL: link(rowView{})}
	for _, c := range cats {
		if len(c.keys) > 0 {
			indexGroup(ix, c, "", 0, budget, rv.group, link)
		}
	}
	b.index = ix
	if rv.group == "" {
		if rv.page > 1 {
			return b, notFoundf("Page %d names no group: open a group first.", rv.page)
		}
		return b, nil
	}
	cat, prefix, _ := strings.Cut(rv.group, ":")
	ci := slices.IndexFunc(cats, func(c tableCategory) bool { return c.key == cat })
	if ci < 0 {
		return b, notFoundf("This table has no group %.80q.", rv.group)
	}
	var rows []int
	for j, k := range cats[ci].keys {
		if inGroup(k, prefix) {
			rows = append(rows, j)
		}
	}
	if len(rows) == 0 {
		return b, notFoundf("This table has no group %.80q.", rv.group)
	}
	pages := (len(rows) + budget - 1) / budget
	page := max(rv.page, 1)
	if page > pages {
		return b, notFoundf("The group %.80q has %d pages, not %d.", rv.group, pages, page)
	}
	from, to := (page-1)*budget, min(page*budget, len(rows))
	b.keep[ci] = rows[from:to]
	ix.Open = groupTitle(cats[ci], prefix)
	p := &web.Pager{Page: page, Pages: pages, From: from + 1, To: to, Of: len(rows)}
	if page > 1 {
		p.PrevURL = link(rowView{group: rv.group, page: page - 1})
	}
	if page < pages {
		p.NextURL = link(rowView{group: rv.group, page: page + 1})
	}
	b.pager = p
	return b, nil
}

// inGroup reports whether key is in the group of the dotted prefix ("" is
// the whole category).
func inGroup(key, prefix string) bool {
	return prefix == "" || strings.HasPrefix(key, prefix) && (len(key) == len(prefix) || key[len(prefix)] == '.')
}

func groupTitle(c tableCategory, prefix string) string {
	if prefix == "" {
		return c.title
	}
	return c.title + " › " + prefix + ".*"
}

// indexGroup adds the group of c under prefix to the index and, when it is
// too long for one page, the groups of its keys' next segment (api.fetch
// under api), when there are between two and maxIndexChildren of them.
func indexGroup(ix *web.GroupIndex, c tableCategory, prefix string, depth, budget int, current string, link func(rowView) string) {
	id := c.key
	if prefix != "" {
		id += ":" + prefix
	}
	var count int
	var kids, in []string
	seen := map[string]bool{}
	for _, k := range c.keys {
		if !inGroup(k, prefix) {
			continue
		}
		count++
		in = append(in, k)
		rest := k
		if prefix != "" {
			rest = strings.TrimPrefix(strings.TrimPrefix(k, prefix), ".")
		}
		if seg, more, ok := strings.Cut(rest, "."); ok && more != "" {
			kid := seg
			if prefix != "" {
				kid = prefix + "." + seg
			}
			if !seen[kid] {
				seen[kid] = true
				kids = append(kids, kid)
			}
		}
	}
	title := c.title
	if prefix != "" {
		title = prefix + ".*"
	}
	ix.Entries = append(ix.Entries, web.GroupEntry{ID: id, Title: title, Depth: depth, Count: count,
		URL: link(rowView{group: id}), Current: id == current})
	if count <= budget || len(kids) < 2 || len(kids) > maxIndexChildren {
		return
	}
	// The groups under this one look through its keys only.
	sub := tableCategory{key: c.key, title: c.title, keys: in}
	for _, kid := range kids {
		indexGroup(ix, sub, kid, depth+1, budget, current, link)
	}
}

// notFoundf is a 404 whose message is the formatted text.
func notFoundf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return notFound(msg, nil, fmt.Errorf("%s", msg))
}

// pick keeps the elements of s at the indexes keep.
func pick[T any](s []T, keep []int) []T {
	out := make([]T, 0, len(keep))
	for _, i := range keep {
		out = append(out, s[i])
	}
	return out
}

// budgetFeatures applies the row budget to a table whose rows are the
// features of cats, whatever their cells: it returns the features a page
// shows, in order, for the store to read only their cells, or nil when the
// whole table fits on one page.
func budgetFeatures(cats []categoryFeatures, budget int, rv rowView, link func(rowView) string) ([]kb.Feature, budgeted, error) {
	tc := make([]tableCategory, len(cats))
	for i, c := range cats {
		tc[i] = tableCategory{key: c.key, title: c.title, keys: keysOf(c.features)}
	}
	b, err := applyBudget(tc, budget, rv, link)
	if err != nil || b.index == nil {
		return nil, b, err
	}
	shown := []kb.Feature{}
	for i, c := range cats {
		shown = append(shown, pick(c.features, b.keep[i])...)
	}
	return shown, b, nil
}

// keysOf is the keys of fs, nil for nil.
func keysOf(fs []kb.Feature) []string {
	if fs == nil {
		return nil
	}
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.Key
	}
	return keys
}

// budgetTopic cuts a topic page's feature list to its row budget. The
// column and need pickers then offer the features listed and those shown.
func budgetTopic(v *web.TopicView, rv rowView, link func(rowView) string) error {
	cats := make([]tableCategory, len(v.Features))
	for i, c := range v.Features {
		cats[i] = tableCategory{key: c.Key, title: c.Title, keys: make([]string, len(c.Features))}
		for j, f := range c.Features {
			cats[i].keys[j] = f.Key
		}
	}
	b, err := applyBudget(cats, listBudget, rv, link)
	if err != nil || b.index == nil {
		return err
	}
	v.Index, v.Pager = b.index, b.pager
	var list []web.FeatureCategory
	offered := map[string]bool{}
	for _, col := range v.Columns {
		offered[col.Key] = true
	}
	for i, c := range v.Features {
		if len(b.keep[i]) > 0 {
			c.Features = pick(c.Features, b.keep[i])
			for _, f := range c.Features {
				offered[f.Key] = true
			}
			list = append(list, c)
		}
	}
	v.Features = list
	v.Options = slices.DeleteFunc(v.Options, func(o web.Option) bool { return !offered[o.Value] })
	return nil
}
