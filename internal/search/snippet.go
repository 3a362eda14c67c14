package search

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// snippetLen is about how many bytes of text a snippet shows: two lines.
const snippetLen = 220

// snippetContext is how far before its first match a snippet may start.
const snippetContext = 60

type span struct{ start, end int }

// snippet cuts the passage of text with the most distinct query terms, then
// the most matches, and marks the matching words. The index keeps no term
// positions (they would slow the build); analysing a few hundred bytes per
// hit again is cheaper. terms maps each query term to its bit.
func snippet(text string, m *matcher) []Fragment {
	text = clip(text)
	sc := scanWords(text, m)
	if len(sc.ws) == 0 {
		return nil
	}
	first := sc.start()
	last, sentence := sc.end(first)
	return sc.fragments(first, last, sentence)
}

// wordScan is a text's words and which of them match the query.
type wordScan struct {
	text string
	ws   []span
	hits []int    // indexes into ws of matching words
	hbit []uint32 // the term bit of each hit
}

func scanWords(text string, m *matcher) *wordScan {
	sc := &wordScan{text: text}
	words(text, func(w string, start, end int) {
		sc.ws = append(sc.ws, span{start, end})
		if b := m.match(w); b != 0 {
			sc.hits = append(sc.hits, len(sc.ws)-1)
			sc.hbit = append(sc.hbit, b)
		}
	})
	return sc
}

// start is the first word shown: a few words before the window of
// snippetLen bytes with the most distinct terms, then the most hits, back
// to its sentence's start; the text's first word when nothing matches.
func (sc *wordScan) start() int {
	ws, hits, hbit := sc.ws, sc.hits, sc.hbit
	if len(hits) == 0 {
		return 0
	}
	// Slide a window over the hits, counting the terms in it.
	var count [32]int
	best, bestScore, distinct, j := 0, -1, 0, 0
	for i := range hits {
		for ; j < len(hits) && ws[hits[j]].end-ws[hits[i]].start <= snippetLen; j++ {
			b := bits.TrailingZeros32(hbit[j])
			if count[b] == 0 {
				distinct++
			}
			count[b]++
		}
		if s := distinct*1000 + j - i; s > bestScore {
			best, bestScore = i, s
		}
		if b := bits.TrailingZeros32(hbit[i]); count[b] > 0 {
			count[b]--
			if count[b] == 0 {
				distinct--
			}
		}
	}
	first := hits[best]
	// Some words before the match, back to its sentence's start.
	for first > 0 && ws[hits[best]].start-ws[first-1].start <= snippetContext &&
		!strings.ContainsAny(sc.text[ws[first-1].end:ws[first].start], ".!?;\n") {
		first--
	}
	return first
}

// end is the last word shown, snippetLen bytes on from first, or earlier at
// a sentence's end if one is near (sentence), keeping the matches shown.
func (sc *wordScan) end(first int) (last int, sentence bool) {
	ws := sc.ws
	last = first
	for last+1 < len(ws) && ws[last+1].end-ws[first].start <= snippetLen {
		last++
	}
	keep := first
	for _, h := range sc.hits {
		if h <= last {
			keep = max(keep, h)
		}
	}
	if last+1 < len(ws) {
		for l := last; l >= keep && ws[l].end-ws[first].start > snippetLen*2/3; l-- {
			if gap := sc.text[ws[l].end:ws[l+1].start]; strings.ContainsAny(gap, ".!?") {
				return l, true
			}
		}
	}
	return last, false
}

// fragments are the words first to last, the hits marked, with an ellipsis
// where the text goes on.
func (sc *wordScan) fragments(first, last int, sentence bool) []Fragment {
	text, ws := sc.text, sc.ws
	var out []Fragment
	plain := func(s string) {
		if s == "" {
			return
		}
		s = strings.ReplaceAll(s, "\n", " ")
		if n := len(out); n > 0 && !out[n-1].Mark {
			out[n-1].Text += s
			return
		}
		out = append(out, Fragment{Text: s})
	}
	if first > 0 {
		plain("…")
	}
	pos := ws[first].start
	if first == 0 {
		pos = len(text) - len(strings.TrimLeft(text, " \n\t"))
	}
	for _, h := range sc.hits {
		if h < first || h > last {
			continue
		}
		plain(text[pos:ws[h].start])
		out = append(out, Fragment{Text: text[ws[h].start:ws[h].end], Mark: true})
		pos = ws[h].end
	}
	end := ws[last].end
	switch {
	case last == len(ws)-1:
		end = max(ws[last].end, len(strings.TrimRight(text, " \n\t")))
	case sentence:
		gap := text[ws[last].end:ws[last+1].start]
		end += strings.IndexAny(gap, ".!?") + 1
	}
	plain(text[pos:end])
	if last < len(ws)-1 && !sentence {
		plain("…")
	}
	return out
}

// maxSnippetScan bounds the text analysed for a snippet or a section.
const maxSnippetScan = 64 << 10

// clip cuts text to maxSnippetScan bytes, at a character's start.
func clip(text string) string {
	if len(text) <= maxSnippetScan {
		return text
	}
	n := maxSnippetScan
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

// bestSection returns the section of a document that holds several which
// best matches the query: the most distinct terms, then BM25-like weight
// in its text and heading.
func bestSection(text string, secs []secInfo, m *matcher, w *weights) secInfo {
	best, bestScore := secs[0], float32(-1)
	tf := make([]float32, len(w.bit))
	for _, s := range secs {
		clear(tf)
		var seen uint32
		score := float32(0)
		words(s.heading, func(word string, _, _ int) {
			if b := m.match(word); b != 0 && seen&b == 0 {
				seen |= b
				score += w.bit[bits.TrailingZeros32(b)][titleField]
			}
		})
		words(clip(text[s.start:s.end]), func(word string, _, _ int) {
			if b := m.match(word); b != 0 {
				seen |= b
				tf[bits.TrailingZeros32(b)]++
			}
		})
		for i, f := range tf {
			score += w.bit[i][textField] * f / (f + bm25K1)
		}
		score *= float32(1 + bits.OnesCount32(seen))
		if score > bestScore {
			best, bestScore = s, score
		}
	}
	return best
}
