package search

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// Prefix matching of the last word. A query's last word may be one the
// reader is still typing, so it also stands for the terms of the index
// that begin with it: "asyn" finds async, "migratio" migrations. The words
// file lists every word of the index with its term; the vocabulary is
// those words and the terms themselves, sorted, so that a prefix of either
// finds the term ("migratio" is a prefix of the word, not of the stem
// "migrat").

// minPrefix is the shortest last word that is expanded: one letter would
// stand for a good part of the vocabulary.
const minPrefix = 2

// maxExpand bounds the terms a prefix stands for, the shortest first (the
// word being typed is more likely "async" than "asynchronously").
const maxExpand = 6

// prefixBoost weighs an expansion against a word typed whole, so that a
// complete word's own documents rank first.
const prefixBoost = 0.7

// maxPrefixScan bounds the vocabulary entries read for one prefix.
const maxPrefixScan = 4096

// vocabEntry is a word or term of the index and the term it stands for.
type vocabEntry struct{ word, term string }

// sortVocab sorts entries by word and drops repeats.
func sortVocab(v []vocabEntry) []vocabEntry {
	slices.SortFunc(v, func(a, b vocabEntry) int {
		return cmp.Or(strings.Compare(a.word, b.word), strings.Compare(a.term, b.term))
	})
	return slices.Compact(v)
}

// expand returns the terms, in the generation and the overlay on it, that
// a word or term beginning with pre gives, at most maxExpand of them, the
// shortest words first.
func (g *generation) expand(pre string, ov *overlay) []string {
	type cand struct {
		term string
		n    int // length of the shortest word giving it
	}
	best := map[string]int{}
	add := func(term string, n int) {
		if cur, ok := best[term]; !ok || n < cur {
			best[term] = n
		}
	}
	i := sort.Search(len(g.vocab), func(i int) bool { return g.vocab[i].word >= pre })
	for k := 0; i < len(g.vocab) && k < maxPrefixScan && strings.HasPrefix(g.vocab[i].word, pre); i, k = i+1, k+1 {
		add(g.vocab[i].term, len(g.vocab[i].word))
	}
	if ov != nil {
		for _, sg := range ov.segs {
			for t := range sg.terms {
				if strings.HasPrefix(t, pre) {
					add(t, len(t))
				}
			}
		}
	}
	cs := make([]cand, 0, len(best))
	for t, n := range best {
		cs = append(cs, cand{t, n})
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Or(a.n-b.n, strings.Compare(a.term, b.term)) })
	out := make([]string, 0, min(len(cs), maxExpand))
	for _, c := range cs[:min(len(cs), maxExpand)] {
		out = append(out, c.term)
	}
	return out
}
