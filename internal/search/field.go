package search

import (
	"strings"

	index "github.com/blevesearch/bleve_index_api"
)

// maxNameBytes bounds a name matched whole.
const maxNameBytes = 128

// field is an indexed-only text field analysed by this package's analysis
// straight into term frequencies, without bleve's token streams.
type field struct {
	name   string
	text   string
	st     *stemmer
	length int
	freqs  index.TokenFrequencies
	names  []string // instead of text: whole terms, lower-cased (slugs, names)
}

func (f *field) Name() string                                     { return f.name }
func (f *field) Value() []byte                                    { return nil }
func (f *field) ArrayPositions() []uint64                         { return nil }
func (f *field) EncodedFieldType() byte                           { return 't' }
func (f *field) Options() index.FieldIndexingOptions              { return index.IndexField }
func (f *field) AnalyzedLength() int                              { return f.length }
func (f *field) AnalyzedTokenFrequencies() index.TokenFrequencies { return f.freqs }
func (f *field) NumPlainTextBytes() uint64                        { return uint64(len(f.text)) }

// Analyze computes the field's terms once; the index builder calls it
// again, for free.
func (f *field) Analyze() {
	if f.freqs != nil {
		return
	}
	if f.names != nil {
		f.freqs = make(index.TokenFrequencies, len(f.names))
		for _, n := range f.names {
			n = strings.ToLower(strings.TrimSpace(n))
			if n == "" || len(n) > maxNameBytes || f.freqs[n] != nil {
				continue
			}
			tf := &index.TokenFreq{Term: []byte(n)}
			tf.SetFrequency(1)
			f.freqs[n] = tf
			f.length++
		}
		return
	}
	// Count by term id in the stemmer's scratch: one map lookup a word
	// (its term id) instead of two.
	st := f.st
	if st.full() {
		st.reset()
	}
	words(f.text, func(w string, _, _ int) {
		id := st.id(w)
		if id < 0 {
			return
		}
		f.length++
		if int(id) >= len(st.counts) {
			st.counts = append(st.counts, make([]int32, int(id)+1024-len(st.counts))...)
		}
		if st.counts[id] == 0 {
			st.touched = append(st.touched, id)
		}
		st.counts[id]++
	})
	f.freqs = make(index.TokenFrequencies, len(st.touched))
	slab := make([]index.TokenFreq, len(st.touched))
	for i, id := range st.touched {
		tf, e := &slab[i], &st.terms[id]
		tf.Term = e.b // shared by every document with the term; bleve only reads it
		tf.SetFrequency(int(st.counts[id]))
		f.freqs[e.s] = tf
		st.counts[id] = 0
	}
	st.touched = st.touched[:0]
}

// Size is what bleve's memory accounting asks of a field.
func (f *field) Size() int { return 64 + len(f.name) + len(f.text) + 48*len(f.freqs) }
