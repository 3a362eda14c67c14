package web

import "strings"

// FoldAt is how many rows a group (one category of a page) shows with its
// key trees open: a group of more rows shows each tree of dotted keys
// (api.fetch.keepalive and api.fetch.signal under api.fetch) folded to its
// prefix row, which opens in place.
const FoldAt = 30

// keyNode is one node of the tree of a group's dotted feature keys: a
// feature, or a prefix that two or more features share.
type keyNode struct {
	Key   string // the feature's key, or the dotted prefix
	At    int    // the index of the feature's row; -1 for a prefix that is no feature
	Count int    // the features under it (its own row not counted)
	Kids  []*keyNode
}

// keyTree nests keys (a group's rows, in order) under their dotted
// prefixes. A prefix that only one feature has is no node of its own, the
// group's common prefix is no node either (a group is often one prefix
// already), and a feature that is also a prefix heads its node. Rows keep
// their order, except that a node's rows follow its first one. Nil when no
// key nests under another.
func keyTree(keys []string) []*keyNode {
	dotted := false
	for _, k := range keys {
		if strings.IndexByte(k, '.') > 0 {
			dotted = true
			break
		}
	}
	if !dotted {
		return nil
	}
	root := &keyNode{At: -1}
	nodes := make(map[string]*keyNode, len(keys))
	for i, k := range keys {
		parent := root
		for j := 1; j < len(k)-1; j++ {
			if k[j] != '.' || k[j-1] == '.' || k[j+1] == '.' {
				continue // a.b.c nests under a and a.b; a..b under nothing
			}
			p := k[:j]
			n := nodes[p]
			if n == nil {
				n = &keyNode{Key: p, At: -1}
				nodes[p] = n
				parent.Kids = append(parent.Kids, n)
			}
			parent = n
		}
		switch n := nodes[k]; {
		case n == nil:
			n = &keyNode{Key: k, At: i}
			nodes[k] = n
			parent.Kids = append(parent.Kids, n)
		case n.At < 0:
			n.At = i // a prefix whose feature comes after its first row
		default:
			parent.Kids = append(parent.Kids, &keyNode{Key: k, At: i}) // a repeated key stays a row
		}
	}
	squash(root)
	for len(root.Kids) == 1 && root.Kids[0].At < 0 {
		root = root.Kids[0]
	}
	for _, n := range root.Kids {
		if len(n.Kids) > 0 {
			return root.Kids
		}
	}
	return nil
}

// squash takes out the prefixes with one child and counts each node's rows.
func squash(n *keyNode) {
	n.Count = 0
	for i, k := range n.Kids {
		squash(k)
		for k.At < 0 && len(k.Kids) == 1 {
			k = k.Kids[0]
		}
		n.Kids[i] = k
		n.Count += k.Count
		if k.At >= 0 {
			n.Count++
		}
	}
}

// TreeRow is one row of a table laid out as a tree: a feature's row (At is
// its index in the group) or the row of a prefix that is no feature (At is
// -1), at a depth, heading Count rows when it is a node.
type TreeRow struct {
	At    int
	Key   string
	Depth int
	Count int
}

// Label is what a prefix row that is no feature shows: its key and ".*".
func (r TreeRow) Label() string { return r.Key + ".*" }

// TreeBlock is a run of a table's rows in one <tbody>: the rows outside
// any tree, or one tree, its head row first, which folds (Open false) to
// that row.
type TreeBlock struct {
	Node bool
	Open bool
	Rows []TreeRow
}

// treeBlocks lays out a group's rows (their keys, in order) as runs of
// rows and trees; the trees are folded when the group has more than FoldAt
// rows and more than one tree or row at the top.
func treeBlocks(keys []string) []TreeBlock {
	top := keyTree(keys)
	if top == nil {
		rows := make([]TreeRow, len(keys))
		for i, k := range keys {
			rows[i] = TreeRow{At: i, Key: k}
		}
		return []TreeBlock{{Open: true, Rows: rows}}
	}
	open := len(keys) <= FoldAt || len(top) == 1
	var out []TreeBlock
	for _, n := range top {
		if len(n.Kids) == 0 {
			if len(out) == 0 || out[len(out)-1].Node {
				out = append(out, TreeBlock{Open: true})
			}
			last := &out[len(out)-1]
			last.Rows = append(last.Rows, TreeRow{At: n.At, Key: n.Key})
			continue
		}
		b := TreeBlock{Node: true, Open: open}
		b.Rows = flatten(b.Rows, n, 0)
		out = append(out, b)
	}
	return out
}

func flatten(rows []TreeRow, n *keyNode, depth int) []TreeRow {
	rows = append(rows, TreeRow{At: n.At, Key: n.Key, Depth: depth, Count: n.Count})
	for _, k := range n.Kids {
		rows = flatten(rows, k, depth+1)
	}
	return rows
}

// rowKeys is the keys of a group's rows, for treeBlocks.
func rowKeys[T any](rows []T, key func(T) string) []string {
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = key(r)
	}
	return keys
}

// blocks is the group's rows as the system table lays them out.
func (g FeatureGroup) blocks() []TreeBlock {
	return treeBlocks(rowKeys(g.Rows, func(r FeatureValue) string { return r.Key }))
}

// blocks is the group's rows as the compare table lays them out: "Your
// needs" keeps the needs' order, untreed.
func (g CompareGroup) blocks() []TreeBlock {
	if g.Key == NeedsKey {
		rows := make([]TreeRow, len(g.Rows))
		for i, r := range g.Rows {
			rows[i] = TreeRow{At: i, Key: r.Key}
		}
		return []TreeBlock{{Open: true, Rows: rows}}
	}
	return treeBlocks(rowKeys(g.Rows, func(r CompareRow) string { return r.Key }))
}

// featureRun is a run of the topic page's feature list: entries in one
// <dl> (Node nil), or one node's entries folded behind its summary.
type featureRun struct {
	Entries []*keyNode
	Node    *keyNode
}

// featureRuns splits nodes into runs for the topic page's list: a prefix
// that is a feature is listed in its run, its node's features follow in
// a <details>.
func featureRuns(nodes []*keyNode) []featureRun {
	var out []featureRun
	for _, n := range nodes {
		if n.At >= 0 {
			if len(out) == 0 || out[len(out)-1].Node != nil {
				out = append(out, featureRun{})
			}
			out[len(out)-1].Entries = append(out[len(out)-1].Entries, n)
		}
		if len(n.Kids) > 0 {
			out = append(out, featureRun{Node: n})
		}
	}
	return out
}

// featureTree is the topic page's list of a category's features as a
// tree, and whether its nodes show open; nil nodes for a flat list.
func featureTree(fs []FeatureInfo) ([]*keyNode, bool) {
	top := keyTree(rowKeys(fs, func(f FeatureInfo) string { return f.Key }))
	return top, len(fs) <= FoldAt || len(top) == 1
}

// treeClass and treeTestID mark a tree's <tbody> for site.css and tests.
func treeClass(b TreeBlock) string {
	if b.Node {
		return "tree"
	}
	return "rows"
}

func treeTestID(b TreeBlock) string {
	if b.Node {
		return "feature-tree"
	}
	return "feature-rows"
}

// rowClass is a table row's classes: its depth in a tree (d1, d2, ...,
// at most d4) and whether it is one of the needs.
func rowClass(r TreeRow, needed bool) string {
	var c string
	if r.Depth > 0 {
		c = "d" + string(rune('0'+min(r.Depth, 4)))
	}
	if needed {
		if c != "" {
			c += " "
		}
		c += "needed"
	}
	return c
}

// prefixClass is the classes of the row of a prefix that is no feature.
func prefixClass(r TreeRow) string {
	if c := rowClass(r, false); c != "" {
		return "prefix " + c
	}
	return "prefix"
}
