package search

import (
	"strings"

	index "github.com/blevesearch/bleve_index_api"
)

// suggest rewrites text with every word whose term no document has
// replaced by the closest word of the index (edit distance 1 for short
// words, 2 otherwise, then the most documents), or returns "" when it
// finds none.
func (g *generation) suggest(text string, p *plan, known uint32, st *stemmer) string {
	var b strings.Builder
	pos, changed := 0, false
	words(text, func(w string, start, end int) {
		t := st.term(w)
		if t == "" {
			return
		}
		i := -1
		for k, pt := range p.terms {
			if pt == t {
				i = k
			}
		}
		if i < 0 || known&p.bits[i] != 0 {
			return
		}
		if fix := g.closest(t); fix != "" {
			b.WriteString(text[pos:start])
			b.WriteString(fix)
			pos, changed = end, true
		}
	})
	if !changed {
		return ""
	}
	b.WriteString(text[pos:])
	return strings.Join(strings.Fields(b.String()), " ")
}

// closest returns the word of the index closest to term, or "".
func (g *generation) closest(term string) string {
	fuzziness := 2
	if len(term) <= 4 {
		fuzziness = 1
	}
	dist := map[string]uint8{} // candidate term → edit distance
	for _, sh := range g.shards {
		fr, ok := sh.reader.(index.IndexReaderFuzzy)
		if !ok {
			return ""
		}
		for _, f := range []string{"text", "title"} {
			d, a, err := fr.FieldDictFuzzyAutomaton(f, term, fuzziness, "")
			if err != nil {
				continue
			}
			for len(dist) < 100 {
				e, err := d.Next()
				if err != nil || e == nil {
					break
				}
				_, ed := a.MatchAndDistance(e.Term)
				dist[e.Term] = ed
			}
			d.Close()
		}
	}
	var (
		best      string
		bestDist  uint8 = 255
		bestCount uint64
	)
	for t, ed := range dist {
		if ed > bestDist {
			continue
		}
		// The fuzzy dictionary does not count documents: ask the postings.
		var count uint64
		for _, sh := range g.shards {
			for _, f := range []string{"text", "title"} {
				if d, err := sh.seg.Dictionary(f); err == nil {
					if pl, err := d.PostingsList([]byte(t), nil, nil); err == nil {
						count += pl.Count()
					}
				}
			}
		}
		if ed < bestDist || count > bestCount || count == bestCount && t < best {
			best, bestDist, bestCount = t, ed, count
		}
	}
	if best == "" {
		return ""
	}
	if w, ok := g.words[best]; ok {
		return w
	}
	return best
}
