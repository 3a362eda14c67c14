package search

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"versa/internal/kb"
)

// Incremental updates. A Build writes a whole index, seconds of work; an
// editor saving a file wants to see the change at once. Update leaves the
// built index (the base) as it is and puts an overlay on it, in memory:
// the base documents that the change drops are hidden, and the documents
// it adds are analysed as a build would and kept beside the base. A search
// scores both with the same BM25, the base's statistics with the overlay's
// documents added, and merges their hits and facets. The overlay is
// replaced, never modified, so a search sees one Update whole or not at
// all; the next Build, whose content holds every change, drops it.
//
// The overlay's documents are in segments, small inverted indexes: each
// Update adds one, and merges the last ones while they are of about the
// same size, as a log-structured merge does, up to maxSegment documents.
// A search looks each term up once per segment, of which there are a few
// dozen at most, rather than once per document.

// overlayShard is the shard number of an overlay document in a scored hit.
const overlayShard = math.MaxUint16

// maxSegment bounds the documents of a segment made by merging, and so
// the time an Update spends merging: a few milliseconds at most.
const maxSegment = 512

// overlay is what Updates changed since its generation was built. Once a
// search can see it, nothing in it changes: an Update makes a new one that
// shares what did not change.
type overlay struct {
	revision string
	// tables are the generation's, with the topics and systems that only
	// the overlay has at the end; ids never change while the base stays.
	tables
	hidden  [][]uint64 // per shard, a bit per base document dropped; nil: none
	nhidden int
	segs    []*liveSegment
	dead    [][]uint64 // per segment, a bit per document dropped since; nil: none
	offs    []int      // offs[i]: the position of segs[i]'s first document
	ndocs   int        // documents in segments, dead ones included
	nlive   int
	seq     uint32 // numbers the documents of the next Update
	rank0   uint32 // a document ranks rank0 + its seq, after every base one
}

// liveSegment is an inverted index of overlay documents.
type liveSegment struct {
	docs  []*liveDoc
	terms map[string][]posting // term → the documents with it, in order
	names map[string][]int32
}

type posting struct {
	doc  int32
	freq [numScored]uint32 // in each scored field
}

// liveDoc is a document indexed by an Update.
type liveDoc struct {
	info    docInfo // topic and systems are ids in the overlay's tables
	topic   string
	systems []string
	text    string
	norm    [numScored]float32 // BM25 length normalisation by field
	seq     uint32
}

// OverlaySize is how many of the documents served (sections, features and
// cells) Updates indexed since the last Build. Searches read them beside
// the built index: on the benchmark corpus (10,000 articles, 26,000
// documents), 200 cost a query nothing measurable, 5,000 about 0.7 ms
// (2.4 ms instead of 1.7 at the median). A caller that edits for long
// should build the index whole, in the background, when it passes a few
// thousand; the Build drops the overlay.
func (ix *Index) OverlaySize() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.ov == nil {
		return 0
	}
	return ix.ov.nlive
}

// Update applies an incremental change: it removes every document of what
// drop names, then indexes what feed streams into its sink (topics, systems,
// articles, as in Build; every system/article fed is also listed in drop),
// and sets the revision. It is cheap (proportional to the change, not the corpus).
//
// Dropping a topic drops all its documents: features, cells, systems and
// articles. A system or article fed replaces the one indexed even when
// drop does not name it, and a topic fed replaces the topic's features.
// Searches running meanwhile see the index before the change or after it.
// Update waits for a running Build and applies on top of it. Before the
// first Build it fails with ErrNotReady. The change lives in memory only:
// after a restart the index serves the last Build, and Revision says so.
// On the benchmark corpus, an Update of one article takes about 0.2 ms;
// the first one after a Build 10 ms more, to index the pages.
func (ix *Index) Update(ctx context.Context, revision string, drop kb.Drop, feed func(kb.Sink) error) error {
	ix.build.Lock()
	defer ix.build.Unlock()
	ix.mu.RLock()
	g, ov, closed := ix.cur, ix.ov, ix.closed
	ix.mu.RUnlock()
	switch {
	case closed:
		return errors.New("search: update on a closed index")
	case g == nil:
		return fmt.Errorf("search: update: %w", ErrNotReady)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("search: update: %w", err)
	}
	if ov == nil {
		ov = &overlay{revision: g.revision, tables: g.tables, hidden: make([][]uint64, len(g.shards)), rank0: uint32(g.ndocs)}
	}
	ds := newDropSet(drop)
	var docs []analysed
	if feed != nil {
		if ix.st == nil {
			ix.st = newStemmer(1 << 16)
		}
		var err error
		if docs, err = analyse(ctx, g, ov, ds, feed, ix.st); err != nil {
			return fmt.Errorf("search: update: %w", err)
		}
	}
	next := ov.apply(g, revision, ds, docs)
	ix.mu.Lock()
	ix.ov = next
	ix.mu.Unlock()
	return nil
}

// analyse indexes what feed sends as a build would, into documents, and
// adds the pages it sends to ds: what is fed replaces what was there.
func analyse(ctx context.Context, g *generation, ov *overlay, ds *dropSet, feed func(kb.Sink) error, st *stemmer) ([]analysed, error) {
	var srcs []source
	b := &builder{ctx: ctx, topicID: map[string]uint32{}, systemID: map[string]uint32{},
		features: map[string]map[string]kb.Feature{}}
	b.emit = func(d []source) error { srcs = append(srcs, d...); return nil }
	err := feed(kb.Sink{
		Topic: func(t kb.Topic) error {
			ds.pages[pageKey{typFeature, t.Slug, ""}] = true
			return b.topic(t)
		},
		System: func(s kb.System) error {
			ds.pages[pageKey{typSystem, s.Topic, s.Slug}] = true
			if _, ok := b.features[s.Topic]; !ok {
				// A cell shows its feature's name: the topic was not fed,
				// so the name is the one indexed.
				b.features[s.Topic] = ov.features(g, s.Topic, ds)
			}
			return b.system(s)
		},
		Article: func(a kb.Article) error {
			ds.pages[pageKey{typArticle, a.Topic, a.Slug}] = true
			return b.article(a)
		},
	})
	if err != nil {
		return nil, err
	}
	docs := make([]analysed, len(srcs))
	for i := range srcs {
		docs[i] = analyse1(&srcs[i], b.topics, b.systems, st)
	}
	return docs, nil
}

// analysed is a document with its terms, before it goes in a segment.
type analysed struct {
	doc   *liveDoc
	terms map[string][numScored]uint32
	names []string
}

// analyse1 analyses a document as shardBuilder.index does; topics and
// systems name the ids of its info.
func analyse1(s *source, topics, systems []string, st *stemmer) analysed {
	d := &liveDoc{info: s.info, topic: topics[s.info.topic], text: s.text}
	for _, id := range s.info.systems {
		d.systems = append(d.systems, systems[id])
	}
	a := analysed{doc: d, terms: map[string][numScored]uint32{}}
	for i, f := range textFields {
		v := [numScored]string{s.text, s.title, s.lead}[i]
		if v == "" {
			continue
		}
		fl := &field{name: f.name, text: v, st: st}
		fl.Analyze()
		d.info.lens[i] = uint32(fl.length)
		for t, tf := range fl.freqs {
			e := a.terms[t]
			e[i] = uint32(tf.Frequency())
			a.terms[t] = e
		}
	}
	if len(s.names) > 0 {
		fl := &field{name: nameField, names: s.names}
		fl.Analyze()
		a.names = slices.Sorted(maps.Keys(fl.freqs))
	}
	return a
}

// pageKey names the documents of one page: a system's (sections and
// cells), an article's, or a topic's features (typFeature, no slug).
type pageKey struct {
	typ   uint8
	topic string
	slug  string
}

// docRef is a document of a shard.
type docRef struct {
	shard uint16
	num   uint32
}

// pageIndex finds a generation's documents by page and by topic.
type pageIndex struct {
	pages  map[pageKey][]docRef
	topics map[string][]docRef
}

func (g *generation) pageIndex() *pageIndex {
	g.pagesOnce.Do(func() {
		pi := &pageIndex{pages: map[pageKey][]docRef{}, topics: map[string][]docRef{}}
		for si, sh := range g.shards {
			for num := range sh.docs {
				d := &sh.docs[num]
				if d.typ == typNone {
					continue
				}
				r := docRef{uint16(si), uint32(num)}
				k := pageKey{d.typ, g.topics[d.topic], d.slug}
				pi.pages[k] = append(pi.pages[k], r)
				pi.topics[k.topic] = append(pi.topics[k.topic], r)
			}
		}
		g.pages = pi
	})
	return g.pages
}

// dropSet is what an Update removes: whole topics, and pages.
type dropSet struct {
	topics map[string]bool
	pages  map[pageKey]bool
}

func newDropSet(d kb.Drop) *dropSet {
	ds := &dropSet{topics: map[string]bool{}, pages: map[pageKey]bool{}}
	for _, t := range d.Topics {
		ds.topics[t] = true
	}
	for _, k := range d.Systems {
		ds.pages[pageKey{typSystem, k.Topic, k.Slug}] = true
	}
	for _, k := range d.Articles {
		ds.pages[pageKey{typArticle, k.Topic, k.Slug}] = true
	}
	return ds
}

func (ds *dropSet) has(d *liveDoc) bool {
	return ds.topics[d.topic] || ds.pages[pageKey{d.info.typ, d.topic, d.info.slug}]
}

// isSet reports whether a bitset, nil when empty, has bit n.
func isSet(set []uint64, n int) bool {
	return set != nil && set[n>>6]&(1<<(n&63)) != 0
}

// live calls fn for each document of the overlay not dropped since.
func (ov *overlay) live(fn func(d *liveDoc)) {
	for si, sg := range ov.segs {
		for j, d := range sg.docs {
			if !isSet(ov.dead[si], j) {
				fn(d)
			}
		}
	}
}

// features returns the features of a topic that the index holds after ds,
// by key, with their names.
func (ov *overlay) features(g *generation, topic string, ds *dropSet) map[string]kb.Feature {
	feats := map[string]kb.Feature{}
	if ds.topics[topic] || ds.pages[pageKey{typFeature, topic, ""}] {
		return feats
	}
	add := func(d *docInfo) {
		key := strings.TrimPrefix(d.anchor, "feature-")
		feats[key] = kb.Feature{Key: key, Name: d.title}
	}
	for _, r := range g.pageIndex().pages[pageKey{typFeature, topic, ""}] {
		if !isSet(ov.hidden[r.shard], int(r.num)) {
			add(&g.shards[r.shard].docs[r.num])
		}
	}
	ov.live(func(d *liveDoc) {
		if d.info.typ == typFeature && d.topic == topic {
			add(&d.info)
		}
	})
	return feats
}

// apply returns a new overlay: ov with what ds names dropped and docs
// added, at revision. ov itself is not changed: it shares what apply does
// not touch, and copies a table or bitset before its first change.
func (ov *overlay) apply(g *generation, revision string, ds *dropSet, docs []analysed) *overlay {
	next := &overlay{revision: revision, tables: ov.tables, hidden: slices.Clone(ov.hidden), nhidden: ov.nhidden,
		segs: slices.Clone(ov.segs), dead: slices.Clone(ov.dead), nlive: ov.nlive, seq: ov.seq, rank0: ov.rank0}
	if len(ds.topics)+len(ds.pages) > 0 {
		next.drop(g, ds)
	}
	next.number(g, docs)
	if len(docs) > 0 {
		next.segs = append(next.segs, newSegment(docs))
		next.dead = append(next.dead, nil)
		next.nlive += len(docs)
	}
	next.compact()
	for _, sg := range next.segs {
		next.offs = append(next.offs, next.ndocs)
		next.ndocs += len(sg.docs)
	}
	return next
}

// drop hides the base's documents and the overlay's that ds names.
func (ov *overlay) drop(g *generation, ds *dropSet) {
	pi := g.pageIndex()
	owned := make([]bool, len(ov.hidden))
	hide := func(refs []docRef) {
		for _, r := range refs {
			if setBit(ov.hidden, owned, int(r.shard), int(r.num), len(g.shards[r.shard].docs)) {
				ov.nhidden++
			}
		}
	}
	for t := range ds.topics {
		hide(pi.topics[t])
	}
	for k := range ds.pages {
		hide(pi.pages[k])
	}
	owned = make([]bool, len(ov.segs))
	for si, sg := range ov.segs {
		for j, d := range sg.docs {
			if ds.has(d) && setBit(ov.dead, owned, si, j, len(sg.docs)) {
				ov.nlive--
			}
		}
	}
}

// setBit sets bit n of bitset i of bits, which holds size bits, copying
// the bitset on its first change (owned[i] says it is ov's own). It
// reports whether the bit was clear.
func setBit(bits [][]uint64, owned []bool, i, n, size int) bool {
	if !owned[i] {
		b := make([]uint64, (size+63)/64)
		copy(b, bits[i])
		bits[i], owned[i] = b, true
	}
	b, bit := bits[i], uint64(1)<<(n&63)
	if b[n>>6]&bit != 0 {
		return false
	}
	b[n>>6] |= bit
	return true
}

// number gives the new documents their topic and system numbers, lengths
// and sequence, copying the name tables on their first new name.
func (ov *overlay) number(g *generation, docs []analysed) {
	ownTopics, ownSystems := false, false
	for _, a := range docs {
		d := a.doc
		d.info.topic = intern(&ov.topicID, &ov.topics, &ownTopics, d.topic)
		d.info.systems = nil
		for _, s := range d.systems {
			d.info.systems = append(d.info.systems, intern(&ov.systemID, &ov.systems, &ownSystems, s))
		}
		for fi := range textFields {
			d.norm[fi] = norm(&d.info, fi, g.avgLen)
		}
		d.seq = ov.seq
		ov.seq++
	}
}

// intern returns the number of name s in ids and list, adding it if new;
// own says whether the tables are already copies of their own.
func intern(ids *map[string]uint32, list *[]string, own *bool, s string) uint32 {
	if id, ok := (*ids)[s]; ok {
		return id
	}
	if !*own {
		*ids, *list, *own = maps.Clone(*ids), slices.Clone(*list), true
		if *ids == nil {
			*ids = map[string]uint32{}
		}
	}
	id := uint32(len(*list))
	(*ids)[s] = id
	*list = append(*list, s)
	return id
}

// newSegment indexes analysed documents.
func newSegment(docs []analysed) *liveSegment {
	sg := &liveSegment{terms: map[string][]posting{}, names: map[string][]int32{}}
	for j, a := range docs {
		sg.docs = append(sg.docs, a.doc)
		for t, f := range a.terms {
			sg.terms[t] = append(sg.terms[t], posting{int32(j), f})
		}
		for _, n := range a.names {
			sg.names[n] = append(sg.names[n], int32(j))
		}
	}
	return sg
}

// compact drops the segments with no live document and merges the last
// ones while each is at least half the size of the one before, so that
// sizes fall geometrically and there are few segments. It rewrites a
// segment alone when most of it is dead.
func (ov *overlay) compact() {
	live := func(i int) int {
		n := len(ov.segs[i].docs)
		for _, w := range ov.dead[i] {
			n -= bits.OnesCount64(w)
		}
		return n
	}
	for i := 0; i < len(ov.segs); {
		switch n := live(i); {
		case n == 0:
			ov.segs, ov.dead = slices.Delete(ov.segs, i, i+1), slices.Delete(ov.dead, i, i+1)
			continue
		case 2*n < len(ov.segs[i].docs):
			ov.segs[i], ov.dead[i] = merge1(ov.segs[i:i+1], ov.dead[i:i+1]), nil
		}
		i++
	}
	for n := len(ov.segs); n >= 2; n = len(ov.segs) {
		a, b := live(n-2), live(n-1)
		if 2*b < a || a+b > maxSegment {
			break
		}
		ov.segs[n-2], ov.dead[n-2] = merge1(ov.segs[n-2:], ov.dead[n-2:]), nil
		ov.segs, ov.dead = ov.segs[:n-1], ov.dead[:n-1]
	}
}

// merge1 makes one segment of the live documents of segs.
func merge1(segs []*liveSegment, dead [][]uint64) *liveSegment {
	out := &liveSegment{}
	first := 0
	if dead[0] == nil {
		// The first segment's documents keep their numbers: share its
		// postings, capped so that an append copies them.
		first = 1
		out.docs = slices.Clip(segs[0].docs)
		out.terms = make(map[string][]posting, len(segs[0].terms)+len(segs[0].terms)/4)
		for t, ps := range segs[0].terms {
			out.terms[t] = slices.Clip(ps)
		}
		out.names = make(map[string][]int32, len(segs[0].names))
		for n, ds := range segs[0].names {
			out.names[n] = slices.Clip(ds)
		}
	} else {
		out.terms, out.names = make(map[string][]posting, len(segs[0].terms)), map[string][]int32{}
	}
	for si := first; si < len(segs); si++ {
		sg := segs[si]
		num := make([]int32, len(sg.docs)) // new numbers; -1: dead
		for j, d := range sg.docs {
			num[j] = -1
			if !isSet(dead[si], j) {
				num[j] = int32(len(out.docs))
				out.docs = append(out.docs, d)
			}
		}
		for t, ps := range sg.terms {
			dst := out.terms[t]
			for _, p := range ps {
				if n := num[p.doc]; n >= 0 {
					dst = append(dst, posting{n, p.freq})
				}
			}
			if len(dst) > 0 {
				out.terms[t] = dst
			}
		}
		for name, ds := range sg.names {
			dst := out.names[name]
			for _, j := range ds {
				if n := num[j]; n >= 0 {
					dst = append(dst, n)
				}
			}
			if len(dst) > 0 {
				out.names[name] = dst
			}
		}
	}
	return out
}

// doc returns the document at a position of the overlay.
func (ov *overlay) doc(pos int) *liveDoc {
	si := sort.Search(len(ov.offs), func(i int) bool { return ov.offs[i] > pos }) - 1
	return ov.segs[si].docs[pos-ov.offs[si]]
}

// overlayMatches are the postings of a query's words and names in the
// overlay, and the scores of its documents by position.
type overlayMatches struct {
	ov    *overlay
	terms [][][]posting // [segment][term]
	names [][][]int32   // [segment][name]
	acc   []float32
	mask  []uint32
	tmask []uint32 // the terms found in the title field
}

// namesFeature is shard.namesFeature for the overlay's live feature documents.
func (om *overlayMatches) namesFeature(p *plan) bool {
	if p.nbits == 0 {
		return false
	}
	for si, sg := range om.ov.segs {
		for j, ld := range sg.docs {
			if ld.info.typ == typFeature && om.tmask[om.ov.offs[si]+j]&p.all == p.all && !isSet(om.ov.dead[si], j) {
				return true
			}
		}
	}
	return false
}

// match looks the query's words and names up in the overlay, and counts
// the live documents with them as docFreqs does.
func (ov *overlay) match(p *plan) (*overlayMatches, *docFreqs) {
	df := &docFreqs{terms: make([][]uint64, len(p.terms)), names: make([]uint64, len(p.names))}
	for i := range df.terms {
		df.terms[i] = make([]uint64, len(textFields))
	}
	om := &overlayMatches{ov: ov, terms: make([][][]posting, len(ov.segs)), names: make([][][]int32, len(ov.segs))}
	for si, sg := range ov.segs {
		dead := ov.dead[si]
		om.terms[si] = make([][]posting, len(p.terms))
		for i, t := range p.terms {
			ps := sg.terms[t]
			om.terms[si][i] = ps
			for _, q := range ps {
				if isSet(dead, int(q.doc)) {
					continue
				}
				for fi, n := range q.freq {
					if n > 0 {
						df.terms[i][fi]++
					}
				}
			}
		}
		om.names[si] = make([][]int32, len(p.names))
		for i, n := range p.names {
			ds := sg.names[n]
			om.names[si][i] = ds
			for _, j := range ds {
				if !isSet(dead, int(j)) {
					df.names[i]++
				}
			}
		}
	}
	return om, df
}

// score is shard.score for the overlay; dead documents are scored too,
// and skipped by collect.
func (om *overlayMatches) score(p *plan, w *weights) {
	ov := om.ov
	om.acc, om.mask, om.tmask = make([]float32, ov.ndocs), make([]uint32, ov.ndocs), make([]uint32, ov.ndocs)
	for si, sg := range ov.segs {
		acc, mask, tmask := om.acc[ov.offs[si]:], om.mask[ov.offs[si]:], om.tmask[ov.offs[si]:]
		for i, ps := range om.terms[si] {
			bit := p.bits[i]
			for fi := range textFields {
				wt := w.term[i][fi]
				if wt == 0 {
					continue
				}
				for _, q := range ps {
					if q.freq[fi] > 0 {
						tf := float32(q.freq[fi])
						acc[q.doc] += wt * tf / (tf + sg.docs[q.doc].norm[fi])
						mask[q.doc] |= bit
						if fi == titleField {
							tmask[q.doc] |= bit
						}
					}
				}
			}
		}
		for i, ds := range om.names[si] {
			wn := w.name[i]
			if wn == 0 {
				continue
			}
			bit := nameBit(i)
			for _, j := range ds {
				acc[j] += wn
				mask[j] |= bit
			}
		}
	}
}

// collect is shard.collect for the overlay.
func (om *overlayMatches) collect(p *plan, partial bool) shardResult {
	ov := om.ov
	r := shardResult{topics: make([]int, len(ov.topics)), systems: make([]int, len(ov.systems))}
	h := topN{keep: p.keep}
	for si, sg := range ov.segs {
		off := ov.offs[si]
		for j, ld := range sg.docs {
			m := om.mask[off+j]
			if m == 0 || !p.matches(m, partial) || isSet(ov.dead[si], j) {
				continue
			}
			d := &ld.info
			weight := docWeight[d.typ][d.kind]
			if weight == 0 || !p.admits(d.kind, d.topic, d.systems) {
				continue
			}
			tier, boost := p.tier(d.typ, d.kind, om.tmask[off+j]&p.all == p.all)
			s := scored{tier: tier, score: om.acc[off+j] * weight * boost, rank: ov.rank0 + ld.seq, shard: overlayShard,
				num: uint32(off + j), whole: m&wholeNameBit != 0}
			r.add(&h, p, s, m, partial, d.kind, d.topic, d.systems)
		}
	}
	r.top = h.sorted()
	return r
}
