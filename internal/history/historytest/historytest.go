// Package historytest holds what the history stores' tests share: a
// recording of changes of every kind, on which each engine's ranks are
// checked against history.Ranks.
package historytest

import (
	"strconv"

	"versa/internal/history"
)

// RankedChanges are changes of every kind over two topics, n cells of
// distinct features among them, in the order recorded.
func RankedChanges(n int) []history.Change {
	var out []history.Change
	for i := range n {
		topic, sys := "web", []string{"flask", "django", "tornado"}[i%3]
		if i%5 == 4 {
			topic = "db"
		}
		out = append(out, history.Change{Kind: history.CellChanged, Topic: topic, System: sys, Feature: "f" + strconv.Itoa(i%(n/2+1)), Category: "c"})
		switch i % 9 {
		case 2:
			out = append(out, history.Change{Kind: history.FeatureAdded, Topic: topic, Feature: "f" + strconv.Itoa(i)})
		case 4:
			out = append(out, history.Change{Kind: history.ArticleUpdated, Topic: "web", Article: "intro", OldSlug: "flask"})
		case 6:
			out = append(out, history.Change{Kind: history.CategoryChanged, Topic: topic, Category: "c"},
				history.Change{Kind: history.SystemRenamed, Topic: "web", System: "flask", OldSlug: "flask-old"})
		case 8:
			out = append(out, history.Change{Kind: history.SystemAdded, Topic: topic, System: "tornado"})
		}
	}
	return out
}
