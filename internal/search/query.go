package search

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// BM25 parameters.
const (
	bm25K1 = 1.2
	// nameWeight scores a query word or the whole query equal to a slug,
	// name, key or alias, on top of the words found in title and text.
	nameWeight = 2.0
	// maxTerms bounds the words of a query that are searched; each has a
	// bit in the match mask, the top bit is the whole-name match.
	maxTerms     = 24
	wholeNameBit = 1 << 31
)

// docWeight multiplies the score of a document by what it is: a pros, cons
// or use-cases bullet naming the term beats a paragraph mentioning it, and
// a section beats a one-line cell note.
var docWeight = [typNone + 1][numKinds]float32{
	typSystem:  {kindPros: 1.5, kindCons: 1.5, kindUseCases: 1.5, kindBody: 1.0, kindFeature: 0.4},
	typArticle: {kindPros: 1.3, kindCons: 1.3, kindUseCases: 1.3, kindBody: 0.9, kindFeature: 0.9},
	typFeature: {kindPros: 0.35, kindCons: 0.35, kindUseCases: 0.35, kindBody: 0.35, kindFeature: 0.35},
	typNone:    {},
}

// plan is a query analysed once for every shard.
type plan struct {
	terms []string // distinct terms, in query order, then the last word's expansions
	// bits is each term's bit in the match mask: the expansions of the
	// last word as a prefix share its bit, so a document has the word if
	// it has any of them. boost weighs each term: 1, less for an expansion.
	bits  []uint32
	boost []float32
	nbits int      // distinct bits
	names []string // names[0] is the whole query; then its words as typed
	all   uint32   // the mask of documents with every term
	kind  int      // -1: any
	topic int64    // -1: any
	sys   int64    // -1: any
	keep  int      // best hits to keep: Page × PerPage
	// named is set when some feature has every word of the query in its
	// name: the query is about that feature, and hits rank in tiers (see
	// tier) before score.
	named bool
}

// Ranking tiers of a query that names a feature: first what says who has
// it (the feature itself, pros, use cases, the systems' cells), then the
// rest (cons, other sections), each tier best score first. "async" shows
// FastAPI's "Native async" pro and the "Async views" feature before five
// cons bullets that mention async.
const (
	tierHas uint8 = iota
	tierRest
)

// namedBoost raises the score of a feature the query names, whose
// document weight is otherwise that of a short description.
const namedBoost = 1.5

// tier is the ranking tier of a document, and the factor of its score.
// inTitle says it has every word of the query in its title field.
func (p *plan) tier(typ, kind uint8, inTitle bool) (uint8, float32) {
	switch {
	case !p.named:
		return tierHas, 1 // one tier: score alone
	case typ == typFeature && inTitle:
		return tierHas, namedBoost
	case kind == kindPros || kind == kindUseCases || kind == kindFeature:
		return tierHas, 1
	}
	return tierRest, 1
}

// scratch holds a shard's per-document accumulators for one search.
type scratch struct {
	acc   []float32
	mask  []uint32
	tmask []uint32 // the terms found in the title field
}

type scored struct {
	tier  uint8 // plan.tier: lower ranks first
	score float32
	rank  uint32 // docInfo.rank: equal scores in content order
	shard uint16
	whole bool // the whole query is the page's name
	num   uint32
}

func better(a, b scored) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.score != b.score {
		return a.score > b.score
	}
	return a.rank < b.rank
}

func compareScored(a, b scored) int {
	switch {
	case better(a, b):
		return -1
	case better(b, a):
		return 1
	}
	return 0
}

// shardResult is what one shard found.
type shardResult struct {
	total   int
	kinds   [numKinds]int
	topics  []int
	systems []int
	top     []scored // best first
}

// search runs q on the generation and, if not nil, the overlay on it.
func (g *generation) search(ctx context.Context, q Query, ov *overlay) (Results, error) {
	st := g.stemmers.Get().(*stemmer)
	defer g.stemmers.Put(st)
	if st.full() {
		st.reset()
	}
	tb := &g.tables
	if ov != nil {
		tb = &ov.tables
	}
	p, termBits, ok := newPlan(q, st, tb, func(pre string) []string { return g.expand(pre, ov) })
	if !ok {
		return Results{}, nil
	}
	r := &run{g: g, ov: ov, tb: tb, p: p, scr: make([]*scratch, len(g.shards))}
	defer r.release()
	res, err := r.rank(ctx)
	if err != nil {
		return Results{}, err
	}
	if r.w.known != p.all {
		res.Suggestion = g.suggest(q.Text, p, r.w.known, st)
	}
	if (res.Total == 0 || res.Partial) && res.Suggestion != "" && !q.Verbatim {
		// A typo answered with results, as web search engines do: the
		// corrected query, when it finds documents with all its words.
		r.release()
		cq := q
		cq.Text, cq.Verbatim = res.Suggestion, true
		fixed, err := g.search(ctx, cq, ov)
		if err != nil {
			return Results{}, err
		}
		if fixed.Total > 0 && !fixed.Partial {
			fixed.Suggestion, fixed.Corrected = res.Suggestion, true
			return fixed, nil
		}
	}
	res.Hits, err = r.page(q, newMatcher(st, termBits))
	if err != nil {
		return Results{}, err
	}
	return res, nil
}

// newPlan reads q into a plan: its stemmed terms (at most maxTerms, each
// with its bit), the names it may be, and its filters as table ids. It
// reports false when nothing can match: no term and no name, or a topic or
// system filter the tables do not know.
func newPlan(q Query, st *stemmer, tb *tables, expand func(prefix string) []string) (*plan, map[string]uint32, bool) {
	p := &plan{kind: -1, topic: -1, sys: -1, keep: q.Page * q.PerPage}
	termBits := map[string]uint32{}
	last, lastTerm := "", ""
	words(q.Text, func(w string, _, _ int) {
		last, lastTerm = w, ""
		if p.nbits == maxTerms {
			return
		}
		if t := st.term(w); t != "" {
			lastTerm = t
			if _, ok := termBits[t]; !ok {
				termBits[t] = 1 << p.nbits
				p.terms = append(p.terms, t)
				p.bits = append(p.bits, 1<<p.nbits)
				p.boost = append(p.boost, 1)
				p.nbits++
			}
		}
	})
	// The last word as a prefix: "asyn" finds async as the reader types.
	if pre := strings.ToLower(last); expand != nil && len(pre) >= minPrefix && (lastTerm != "" || p.nbits < maxTerms) {
		bit, ok := termBits[lastTerm]
		for _, t := range expand(pre) {
			if _, dup := termBits[t]; dup {
				continue
			}
			if !ok {
				bit, ok = 1<<p.nbits, true
				p.nbits++
			}
			termBits[t] = bit
			p.terms = append(p.terms, t)
			p.bits = append(p.bits, bit)
			p.boost = append(p.boost, prefixBoost)
		}
	}
	p.all = uint32(1)<<p.nbits - 1
	p.names = queryNames(q.Text)
	if len(p.terms) == 0 && len(p.names) == 0 {
		return nil, nil, false
	}
	if q.Kind != "" {
		p.kind = int(kindID(q.Kind))
	}
	if q.Topic != "" {
		id, ok := tb.topicID[q.Topic]
		if !ok {
			return nil, nil, false
		}
		p.topic = int64(id)
	}
	if q.System != "" {
		id, ok := tb.systemID[q.System]
		if !ok {
			return nil, nil, false
		}
		p.sys = int64(id)
	}
	return p, termBits, true
}

// run is one query's pass over the shards and the overlay: the scores and
// what each shard found.
type run struct {
	g       *generation
	ov      *overlay
	tb      *tables
	p       *plan
	w       *weights
	om      *overlayMatches
	scr     []*scratch    // per shard, returned to its pool by release
	results []shardResult // per shard, then the overlay's
}

// release gives the shards their scratch space back; twice is once.
func (r *run) release() {
	for i, s := range r.scr {
		if s != nil {
			r.g.shards[i].scratch.Put(s)
			r.scr[i] = nil
		}
	}
}

// hidden is the overlay's mask of shard i's documents it replaced.
func (r *run) hidden(i int) []uint64 {
	if r.ov == nil {
		return nil
	}
	return r.ov.hidden[i]
}

// rank weighs the terms over the whole index (BM25 statistics are those of
// the whole index, not of a shard, so a score does not depend on where a
// document was put), scores every shard and the overlay, and merges the
// counts; with no document having every word, those with the most rank.
func (r *run) rank(ctx context.Context) (Results, error) {
	g, p := r.g, r.p
	counts := make([]*docFreqs, len(g.shards))
	err := g.eachShard(func(i int, sh *shard) (err error) {
		counts[i], err = sh.docFreqs(ctx, p)
		return err
	})
	if err != nil {
		return Results{}, err
	}
	ndocs := g.ndocs
	if r.ov != nil {
		// The overlay's documents count in the statistics. The base's
		// hidden ones still count in its postings, so in the number of
		// documents too: with fewer documents than some term has, its
		// idf would be negative.
		var df *docFreqs
		r.om, df = r.ov.match(p)
		counts = append(counts, df)
		ndocs += r.ov.nlive
	}
	r.w = g.weights(p, counts, ndocs)
	r.results = make([]shardResult, len(g.shards), len(g.shards)+1)
	err = g.eachShard(func(i int, sh *shard) error {
		s, err := sh.score(ctx, p, r.w)
		r.scr[i] = s
		return err
	})
	if err != nil {
		return Results{}, err
	}
	if r.ov != nil {
		r.om.score(p, r.w)
		p.named = r.om.namesFeature(p)
	}
	for i, sh := range g.shards {
		p.named = p.named || sh.namesFeature(p, r.scr[i], r.hidden(i))
	}
	err = g.eachShard(func(i int, sh *shard) error {
		r.results[i] = sh.collect(r.tb, i, p, r.scr[i], false, r.hidden(i))
		return nil
	})
	if err != nil {
		return Results{}, err
	}
	if r.ov != nil {
		r.results = append(r.results, r.om.collect(p, false))
	}
	res := merge(r.results, r.tb)
	if res.Total == 0 && p.nbits > 1 {
		// No document has every word: rank those with the most.
		g.eachShard(func(i int, sh *shard) error {
			r.results[i] = sh.collect(r.tb, i, p, r.scr[i], true, r.hidden(i))
			return nil
		})
		if r.ov != nil {
			r.results[len(g.shards)] = r.om.collect(p, true)
		}
		res = merge(r.results, r.tb)
		res.Partial = res.Total > 0
	}
	return res, nil
}

// page is the hits of q's page, best first, with their snippets.
func (r *run) page(q Query, m *matcher) ([]Hit, error) {
	top := mergeTop(r.results, r.p.keep)
	from := (q.Page - 1) * q.PerPage
	if from >= len(top) {
		return nil, nil
	}
	top = top[from:]
	hits := make([]Hit, 0, min(len(top), q.PerPage))
	for _, s := range top[:min(len(top), q.PerPage)] {
		h, err := r.g.hit(r.tb, r.ov, s, m, r.w)
		if err != nil {
			return nil, err
		}
		hits = append(hits, h)
	}
	return hits, nil
}

// queryNames returns what of the query may be a name typed whole: the
// query, lower-cased, then each of its space-separated words.
func queryNames(text string) []string {
	fs := strings.Fields(strings.ToLower(text))
	if len(fs) == 0 {
		return nil
	}
	trim := func(s string) string { return strings.Trim(s, `"'()[]{}<>.,;:!?*`) }
	whole := trim(strings.Join(fs, " "))
	var out []string
	seen := map[string]bool{"": true}
	for _, n := range append([]string{whole}, fs...) {
		n = trim(n)
		if !seen[n] && len(n) <= maxNameBytes && len(out) < maxTerms {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 || out[0] != whole {
		return append([]string{""}, out...) // keep names[0] the whole query
	}
	return out
}

// eachShard runs fn on every shard, in parallel, recovering from a panic of
// a damaged index as an error.
func (g *generation) eachShard(fn func(i int, sh *shard) error) error {
	errs := make([]error, len(g.shards))
	run := func(i int) {
		defer func() {
			if r := recover(); r != nil {
				errs[i] = fmt.Errorf("search: damaged index: %v", r)
			}
		}()
		errs[i] = fn(i, g.shards[i])
	}
	var wg sync.WaitGroup
	for i := 1; i < len(g.shards); i++ {
		wg.Go(func() { run(i) })
	}
	run(0)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// docFreqs counts, in a shard, the documents with each term in each field
// and with each name.
type docFreqs struct {
	terms [][]uint64 // [term][field]
	names []uint64
}

func (sh *shard) docFreqs(ctx context.Context, p *plan) (*docFreqs, error) {
	count := func(term, field string) (uint64, error) {
		d, err := sh.seg.Dictionary(field)
		if err != nil {
			return 0, err
		}
		pl, err := d.PostingsList([]byte(term), nil, nil)
		if err != nil {
			return 0, err
		}
		return pl.Count(), nil
	}
	df := &docFreqs{terms: make([][]uint64, len(p.terms)), names: make([]uint64, len(p.names))}
	var err error
	for i, t := range p.terms {
		df.terms[i] = make([]uint64, len(textFields))
		for fi, f := range textFields {
			if df.terms[i][fi], err = count(t, f.name); err != nil {
				return nil, err
			}
		}
	}
	for i, n := range p.names {
		if n != "" {
			if df.names[i], err = count(n, nameField); err != nil {
				return nil, err
			}
		}
	}
	return df, nil
}

// weights are a query's BM25 factors from the statistics of all shards.
type weights struct {
	term  [][]float32 // [term][field]: field weight × idf × (k1 + 1); 0 if absent
	bit   [][]float32 // [bit][field]: the greatest term weight of the bit's terms
	name  []float32
	k1    []float32 // [field]: k1 × (1 - b)
	k1l   []float32 // [field]: k1 × b / average length
	known uint32    // terms that some document has
}

func (g *generation) weights(p *plan, dfs []*docFreqs, ndocs int) *weights {
	n := float64(ndocs)
	idf := func(c uint64) float64 { return math.Log(1 + (n-float64(c)+0.5)/(float64(c)+0.5)) }
	w := &weights{term: make([][]float32, len(p.terms)), bit: make([][]float32, p.nbits), name: make([]float32, len(p.names))}
	for i := range w.bit {
		w.bit[i] = make([]float32, len(textFields))
	}
	for fi, f := range textFields {
		w.k1 = append(w.k1, float32(bm25K1*(1-f.b)))
		w.k1l = append(w.k1l, float32(bm25K1*f.b/g.avgLen[fi]))
	}
	for i := range p.terms {
		w.term[i] = make([]float32, len(textFields))
		for fi, f := range textFields {
			var c uint64
			for _, df := range dfs {
				c += df.terms[i][fi]
			}
			if c > 0 {
				w.known |= p.bits[i]
				w.term[i][fi] = float32(f.weight*idf(c)*(bm25K1+1)) * p.boost[i]
				b := bits.TrailingZeros32(p.bits[i])
				w.bit[b][fi] = max(w.bit[b][fi], w.term[i][fi])
			}
		}
	}
	for i := range p.names {
		var c uint64
		for _, df := range dfs {
			c += df.names[i]
		}
		if c > 0 {
			w.name[i] = float32(idf(c))
			if i == 0 {
				w.name[i] *= nameWeight
			}
		}
	}
	return w
}

// score adds up BM25 per field for every term into per-document
// accumulators, term at a time, and marks which terms each document has.
func (sh *shard) score(ctx context.Context, p *plan, w *weights) (*scratch, error) {
	s := sh.newScratch()
	acc, mask, tmask := s.acc, s.mask, s.tmask
	for i, t := range p.terms {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		bit := p.bits[i]
		for fi, f := range textFields {
			wt := w.term[i][fi]
			if wt == 0 {
				continue
			}
			norm := sh.norm[fi]
			err := sh.postings(t, f.name, func(num int, freq uint64) {
				tf := float32(freq)
				acc[num] += wt * tf / (tf + norm[num])
				mask[num] |= bit
			})
			if err == nil && fi == titleField {
				// Again for the title's few postings: which features
				// the query names (see namesFeature).
				err = sh.postings(t, f.name, func(num int, _ uint64) { tmask[num] |= bit })
			}
			if err != nil {
				return s, err
			}
		}
	}
	for i, name := range p.names {
		wn := w.name[i]
		if wn == 0 {
			continue
		}
		bit := nameBit(i)
		err := sh.postings(name, nameField, func(num int, _ uint64) {
			acc[num] += wn
			mask[num] |= bit
		})
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

// newScratch takes cleared accumulators for one search of the shard from
// its pool.
func (sh *shard) newScratch() *scratch {
	n := len(sh.docs)
	s, _ := sh.scratch.Get().(*scratch)
	if s == nil || len(s.acc) != n {
		return &scratch{acc: make([]float32, n), mask: make([]uint32, n), tmask: make([]uint32, n)}
	}
	clear(s.acc)
	clear(s.mask)
	clear(s.tmask)
	return s
}

// postings calls fn for each document of the shard that has term in
// field, with the term's frequency there.
//
// The postings are read from the segment: bleve's TermFieldReader costs a
// third more per posting, and a search is mostly postings. Norms are not
// read: the table has every field's length. Nothing is reused between
// postings lists: zap's reuse goes wrong when a field has no dictionary in
// the segment.
func (sh *shard) postings(term, field string, fn func(num int, tf uint64)) error {
	n := uint64(len(sh.docs))
	d, err := sh.seg.Dictionary(field)
	if err != nil {
		return err
	}
	pl, err := d.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return err
	}
	it := pl.Iterator(true, false, false, nil)
	for {
		p, err := it.Next()
		if err != nil || p == nil {
			return err
		}
		num := p.Number()
		if num >= n {
			return fmt.Errorf("search: document %d past the table's %d", num, n)
		}
		fn(int(num), p.Frequency())
	}
}

// collect filters, counts and ranks the scored documents of a shard,
// skipping those hidden by an overlay. With partial, documents with any
// term count, ranked by how many they have.
func (sh *shard) collect(tb *tables, shardNo int, p *plan, s *scratch, partial bool, hidden []uint64) shardResult {
	r := shardResult{topics: make([]int, len(tb.topics)), systems: make([]int, len(tb.systems))}
	h := topN{keep: p.keep}
	meta, acc := sh.meta, s.acc
	for num, m := range s.mask {
		if m == 0 || !p.matches(m, partial) {
			continue
		}
		if hidden != nil && hidden[num>>6]&(1<<(num&63)) != 0 {
			continue
		}
		d := &meta[num]
		systems := sh.sys[d.sysOff : d.sysOff+uint32(d.sysN)]
		if d.weight == 0 || !p.admits(d.kind, d.topic, systems) {
			continue
		}
		// As r.add does, written out: this loop is a search's hottest.
		tier, boost := p.tier(d.typ, d.kind, s.tmask[num]&p.all == p.all)
		score := acc[num] * d.weight * boost
		if partial {
			c := float32(bits.OnesCount32(m&p.all)) / float32(p.nbits)
			score *= c * c
		}
		r.total++
		r.kinds[d.kind]++
		r.topics[d.topic]++
		for _, sy := range systems {
			r.systems[sy]++
		}
		if len(h.h) < h.keep || tier < h.h[0].tier || tier == h.h[0].tier && score >= h.h[0].score {
			h.push(scored{tier: tier, score: score, rank: d.rank, shard: uint16(shardNo), num: uint32(num), whole: m&wholeNameBit != 0})
		}
	}
	r.top = h.sorted()
	return r
}

// namesFeature reports whether a feature of the shard, not hidden, has every
// term of the query in its name (the title field).
func (sh *shard) namesFeature(p *plan, s *scratch, hidden []uint64) bool {
	if p.nbits == 0 {
		return false
	}
	for _, num := range sh.features {
		if s.tmask[num]&p.all == p.all && (hidden == nil || hidden[num>>6]&(1<<(num&63)) == 0) {
			return true
		}
	}
	return false
}

// matches reports whether a document with the terms of mask m is a hit: it
// has every term or is named by the whole query; with partial, it has some
// but not all terms (when none has all).
func (p *plan) matches(m uint32, partial bool) bool {
	if partial {
		return m&p.all != p.all // the full search found nothing with all
	}
	return m&p.all == p.all || m&wholeNameBit != 0
}

// admits reports whether a document passes the query's filters.
func (p *plan) admits(kind uint8, topic uint32, systems []uint32) bool {
	return (p.kind < 0 || int(kind) == p.kind) &&
		(p.topic < 0 || int64(topic) == p.topic) &&
		(p.sys < 0 || slices.Contains(systems, uint32(p.sys)))
}

// add counts a hit in the totals and facets and offers it to the best.
func (r *shardResult) add(h *topN, p *plan, s scored, m uint32, partial bool, kind uint8, topic uint32, systems []uint32) {
	if partial {
		c := float32(bits.OnesCount32(m&p.all)) / float32(p.nbits)
		s.score *= c * c
	}
	r.total++
	r.kinds[kind]++
	r.topics[topic]++
	for _, sy := range systems {
		r.systems[sy]++
	}
	if len(h.h) < h.keep || !better(h.h[0], s) {
		h.push(s)
	}
}

// merge adds up the shards' totals and facets.
func merge(rs []shardResult, tb *tables) Results {
	var (
		res     Results
		kinds   [numKinds]int
		topics  = make([]int, len(tb.topics))
		systems = make([]int, len(tb.systems))
	)
	for _, r := range rs {
		res.Total += r.total
		for i, c := range r.kinds {
			kinds[i] += c
		}
		for i, c := range r.topics {
			topics[i] += c
		}
		for i, c := range r.systems {
			systems[i] += c
		}
	}
	res.Facets.Kind = facet(kinds[:], kindNames)
	res.Facets.Topic = facet(topics, tb.topics)
	res.Facets.System = facet(systems, tb.systems)
	return res
}

func facet(counts []int, names []string) []FacetCount {
	var out []FacetCount
	for i, c := range counts {
		if c > 0 {
			out = append(out, FacetCount{Value: names[i], Count: c})
		}
	}
	slices.SortFunc(out, func(a, b FacetCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
	return out
}

// mergeTop merges the shards' best hits.
func mergeTop(rs []shardResult, keep int) []scored {
	var all []scored
	for _, r := range rs {
		all = append(all, r.top...)
	}
	slices.SortFunc(all, compareScored)
	return all[:min(len(all), keep)]
}

// hit builds a result from a scored document of a shard or the overlay.
func (g *generation) hit(tb *tables, ov *overlay, s scored, m *matcher, w *weights) (Hit, error) {
	var (
		d    *docInfo
		text string
	)
	if s.shard == overlayShard {
		ld := ov.doc(int(s.num))
		d, text = &ld.info, ld.text
	} else {
		sh := g.shards[s.shard]
		d = &sh.docs[s.num]
		var err error
		if text, err = readText(sh.text, d); err != nil {
			return Hit{}, err
		}
	}
	h := Hit{
		Doc:     typNames[d.typ],
		Topic:   tb.topics[d.topic],
		Title:   d.title,
		Kind:    kindNames[d.kind],
		Heading: d.heading,
		Anchor:  d.anchor,
		Score:   float64(s.score),
	}
	if len(d.sections) > 1 {
		// The page named by the query is shown from its top.
		sec := d.sections[0]
		if !s.whole {
			sec = bestSection(text, d.sections, m, w)
		}
		text, h.Heading, h.Anchor = text[sec.start:sec.end], sec.heading, sec.anchor
	}
	h.Snippet = snippet(text, m)
	switch d.typ {
	case typSystem:
		h.System = d.slug
	case typArticle:
		h.Article = d.slug
	}
	return h, nil
}

// topN keeps the best keep documents in a min-heap.
type topN struct {
	keep int
	h    []scored
}

func (t *topN) push(s scored) {
	if len(t.h) < t.keep {
		t.h = append(t.h, s)
		for i := len(t.h) - 1; i > 0; {
			parent := (i - 1) / 2
			if !better(t.h[parent], t.h[i]) {
				break
			}
			t.h[parent], t.h[i] = t.h[i], t.h[parent]
			i = parent
		}
		return
	}
	if len(t.h) == 0 || !better(s, t.h[0]) {
		return
	}
	t.h[0] = s
	for i := 0; ; {
		l, r, worst := 2*i+1, 2*i+2, i
		if l < len(t.h) && better(t.h[worst], t.h[l]) {
			worst = l
		}
		if r < len(t.h) && better(t.h[worst], t.h[r]) {
			worst = r
		}
		if worst == i {
			break
		}
		t.h[i], t.h[worst] = t.h[worst], t.h[i]
		i = worst
	}
}

func (t *topN) sorted() []scored {
	out := slices.Clone(t.h)
	slices.SortFunc(out, compareScored)
	return out
}

// nameBit is the mask bit of a hit on the i-th name of a query: the whole
// name (i == 0) marks its bit, a single word of it none.
func nameBit(i int) uint32 {
	if i == 0 {
		return wholeNameBit
	}
	return 0
}
