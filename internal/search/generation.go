package search

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Names in the index folder.
const (
	currentFile  = "current"       // in the parent: the live folder's name
	manifestFile = "manifest.json" // written last: its absence means an unfinished build
	wordsFile    = "words"
	folderPrefix = "index-"
	formatV      = 1
	// revisionKey is the bleve internal key holding the content revision.
	revisionKey = "versa.revision"
)

// manifest describes a built index folder.
type manifest struct {
	Format   int               `json:"format"`
	Revision string            `json:"revision"`
	Topics   []string          `json:"topics"`
	Systems  []string          `json:"systems"` // system slugs (a slug may exist in several topics)
	Shards   []shardMeta       `json:"shards"`
	Files    map[string]string `json:"files"` // path in the folder → "size:crc32c"
}

type shardMeta struct {
	Docs       int     `json:"docs"`
	FieldTerms []int64 `json:"field_terms"` // terms per scored field, in textFields order
	FieldDocs  []int64 `json:"field_docs"`  // documents with the field
}

// generation is one built index folder, open for searches.
type generation struct {
	dir      string
	revision string
	tables
	shards   []*shard
	words    map[string]string // term → the shortest word that gives it
	vocab    []vocabEntry      // words and terms, sorted, for prefixes
	ndocs    int               // in all shards
	avgLen   []float64         // average terms per scored field, over all shards
	inflight sync.WaitGroup    // searches using this generation
	stemmers sync.Pool         // *stemmer for query analysis and snippets
	// pages finds the documents of a page or a topic for Update; built on
	// the first one, as a server that never edits has no use for it.
	pages     *pageIndex
	pagesOnce sync.Once
}

// tables name the topics and systems that documents refer to by id.
type tables struct {
	topics   []string
	systems  []string // system slugs (a slug may exist in several topics)
	topicID  map[string]uint32
	systemID map[string]uint32
}

// shard is one bleve index with its document table and text.
type shard struct {
	idx      bleve.Index
	reader   index.IndexReader // the index never changes: one snapshot for life
	seg      segment.Segment   // its only segment, which searches read
	docs     []docInfo
	text     *os.File
	meta     []docMeta
	sys      []uint32             // the systems of every document, see docMeta
	features []uint32             // the feature documents (typFeature)
	norm     [numScored][]float32 // [field][doc]: BM25 length normalisation
	scratch  sync.Pool            // *scratch
}

func shardDir(dir string, i int) string { return filepath.Join(dir, "shard-"+strconv.Itoa(i)) }
func tablePath(dir string, i int) string {
	return filepath.Join(dir, "shard-"+strconv.Itoa(i)+".docs")
}
func textPath(dir string, i int) string { return filepath.Join(dir, "shard-"+strconv.Itoa(i)+".text") }

// readCurrent returns the name of the live index folder.
func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, folderPrefix) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("%s names %q, not an index folder", currentFile, name)
	}
	return name, nil
}

// writeCurrent points the parent folder at name, atomically.
func writeCurrent(dir, name string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	if err := os.WriteFile(tmp, []byte(name+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, currentFile))
}

// removeStale removes index folders other than keep: the old ones of
// earlier builds, interrupted builds and corrupt ones.
func (ix *Index) removeStale(keep string) {
	entries, err := os.ReadDir(ix.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), folderPrefix) && e.Name() != keep {
			if err := os.RemoveAll(filepath.Join(ix.dir, e.Name())); err != nil {
				ix.log.Warn("cannot remove old search index", "dir", e.Name(), "err", err)
			}
		}
	}
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum returns "size:crc32c" of a file.
func checksum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	n, err := io.Copy(h, f)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d:%08x", n, h.Sum32()), nil
}

// checksums returns the checksum of every file under dir but the manifest.
func checksums(dir string) (map[string]string, error) {
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == manifestFile {
			return nil
		}
		sum, err := checksum(p)
		sums[filepath.ToSlash(rel)] = sum
		return err
	})
	return sums, err
}

// openGeneration opens a built index folder after checking every file
// against the manifest, so a damaged index is found here rather than by a
// search. bleve panics on some damage; that is an error here too.
func openGeneration(dir string) (g *generation, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("damaged index: %v", r)
		}
		if err != nil && g != nil {
			g.close()
			g = nil
		}
	}()
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	if m.Format != formatV || len(m.Shards) == 0 || len(m.Files) == 0 {
		return nil, fmt.Errorf("manifest: format %d with %d shards, want format %d", m.Format, len(m.Shards), formatV)
	}
	sums, err := checksums(dir)
	if err != nil {
		return nil, err
	}
	for name, want := range m.Files {
		if sums[name] != want {
			return nil, fmt.Errorf("%s: checksum %q, want %q", name, sums[name], want)
		}
	}
	for name := range sums {
		if _, ok := m.Files[name]; !ok {
			return nil, fmt.Errorf("%s: not in the manifest", name)
		}
	}
	g = &generation{dir: dir, revision: m.Revision, tables: tables{topics: m.Topics, systems: m.Systems,
		topicID: idMap(m.Topics), systemID: idMap(m.Systems)}}
	g.stemmers.New = func() any { return newStemmer(1 << 14) }
	for i, sm := range m.Shards {
		sh, err := openShard(dir, i, sm, &m)
		if sh != nil {
			g.shards = append(g.shards, sh)
		}
		if err != nil {
			return g, fmt.Errorf("shard %d: %w", i, err)
		}
	}
	if g.words, g.vocab, err = readWords(filepath.Join(dir, wordsFile)); err != nil {
		return g, err
	}
	for fi := range textFields {
		var terms, docs int64
		for _, sm := range m.Shards {
			terms += sm.FieldTerms[fi]
			docs += sm.FieldDocs[fi]
		}
		g.avgLen = append(g.avgLen, max(1, float64(terms)/float64(max(docs, 1))))
	}
	g.ndocs = g.docs()
	g.rankDocs()
	for _, sh := range g.shards {
		sh.prepare(g.avgLen)
	}
	return g, nil
}

// docMeta is what ranking, filters and facets read of every matching
// document: small and contiguous, unlike docInfo.
type docMeta struct {
	weight float32 // docWeight of its type and kind; 0 for a placeholder
	rank   uint32
	topic  uint32
	sysOff uint32 // its systems are shard.sys[sysOff : sysOff+sysN]
	sysN   uint16
	kind   uint8
	typ    uint8
}

// prepare computes what searches read: docMeta and the BM25 length
// normalisation of every document and field, k1 × (1 - b + b × len/avg).
func (sh *shard) prepare(avgLen []float64) {
	sh.meta = make([]docMeta, len(sh.docs))
	for fi := range textFields {
		sh.norm[fi] = make([]float32, len(sh.docs))
	}
	for i := range sh.docs {
		d := &sh.docs[i]
		sh.meta[i] = docMeta{weight: docWeight[d.typ][d.kind], rank: d.rank, topic: d.topic,
			sysOff: uint32(len(sh.sys)), sysN: uint16(len(d.systems)), kind: d.kind, typ: d.typ}
		if d.typ == typFeature {
			sh.features = append(sh.features, uint32(i))
		}
		sh.sys = append(sh.sys, d.systems...)
		for fi := range textFields {
			sh.norm[fi][i] = norm(d, fi, avgLen)
		}
	}
}

// norm is the BM25 length normalisation of a document's field.
func norm(d *docInfo, fi int, avgLen []float64) float32 {
	l := float64(d.lens[fi])
	if fi == textField {
		// A list section is scored like one of its items, so a pros
		// bullet naming a term is not outweighed by a short note for
		// being in a longer list, and an article's sections held
		// together like one of them.
		switch {
		case d.kind <= kindUseCases && d.items > 1:
			l /= float64(d.items)
		case len(d.sections) > 1:
			l /= float64(len(d.sections))
		}
	}
	b := textFields[fi].b
	return float32(bm25K1 * (1 - b + b*l/avgLen[fi]))
}

// rankDocs numbers every document in an order that depends on the
// content only (topic, page, anchor...), to order equal scores the same way
// in every build.
func (g *generation) rankDocs() {
	type ref struct {
		d   *docInfo
		key string
	}
	var all []ref
	for _, sh := range g.shards {
		for i := range sh.docs {
			d := &sh.docs[i]
			topic := ""
			if d.typ != typNone {
				topic = g.topics[d.topic]
			}
			all = append(all, ref{d, rankKey(topic, d)})
		}
	}
	slices.SortStableFunc(all, func(a, b ref) int { return strings.Compare(a.key, b.key) })
	for i, r := range all {
		r.d.rank = uint32(i)
	}
}

// rankKey orders documents by content: topic, page, anchor...
func rankKey(topic string, d *docInfo) string {
	return strings.Join([]string{topic, string('0' + d.typ), d.slug, string('0' + d.kind), d.anchor, d.heading, d.title}, "\x00")
}

func idMap(list []string) map[string]uint32 {
	m := make(map[string]uint32, len(list))
	for i, s := range list {
		m[s] = uint32(i)
	}
	return m
}

func openShard(dir string, i int, sm shardMeta, m *manifest) (*shard, error) {
	if len(sm.FieldTerms) != len(textFields) || len(sm.FieldDocs) != len(textFields) {
		return nil, errors.New("manifest: field lengths missing")
	}
	idx, err := bleve.OpenUsing(shardDir(dir, i), map[string]any{"read_only": true})
	if err != nil {
		return nil, err
	}
	sh := &shard{idx: idx}
	rev, err := idx.GetInternal([]byte(revisionKey))
	if err != nil {
		return sh, err
	}
	if string(rev) != m.Revision {
		return sh, fmt.Errorf("index revision %q, manifest %q", rev, m.Revision)
	}
	adv, err := idx.Advanced()
	if err != nil {
		return sh, err
	}
	if sh.reader, err = adv.Reader(); err != nil {
		return sh, err
	}
	snap, ok := sh.reader.(*scorch.IndexSnapshot)
	if !ok || len(snap.Segments()) != 1 {
		return sh, errors.New("not one scorch segment: not built by this version")
	}
	ss := snap.Segments()[0]
	if del := ss.Deleted(); del != nil && !del.IsEmpty() {
		return sh, errors.New("deleted documents: not built by this version")
	}
	sh.seg = ss.Segment()
	if n, err := sh.reader.DocCount(); err != nil || n != uint64(sm.Docs) {
		return sh, fmt.Errorf("%d documents, manifest %d (%v)", n, sm.Docs, err)
	}
	if sh.text, err = os.Open(textPath(dir, i)); err != nil {
		return sh, err
	}
	st, err := sh.text.Stat()
	if err != nil {
		return sh, err
	}
	if sh.docs, err = readTable(tablePath(dir, i), len(m.Topics), len(m.Systems), st.Size()); err != nil {
		return sh, err
	}
	if len(sh.docs) != sm.Docs {
		return sh, fmt.Errorf("document table has %d documents, manifest %d", len(sh.docs), sm.Docs)
	}
	// Postings name documents by bleve's internal number, which is not
	// the order of indexing (a batch is a map): put the table in that order.
	docs := make([]docInfo, len(sh.docs))
	seen := make([]bool, len(sh.docs))
	for k := range docs {
		id, err := sh.reader.ExternalID(docNumID(uint64(k)))
		if err != nil {
			return sh, err
		}
		n, err := strconv.ParseUint(id, 36, 32)
		if err != nil || n >= uint64(len(docs)) || seen[n] {
			return sh, fmt.Errorf("document %d has id %q", k, id)
		}
		seen[n] = true
		docs[k] = sh.docs[n]
	}
	sh.docs = docs
	return sh, nil
}

// docNumID is bleve's (scorch's) internal id of a document number.
func docNumID(n uint64) index.IndexInternalID {
	return binary.BigEndian.AppendUint64(nil, n)
}

func (g *generation) docs() int {
	n := 0
	for _, sh := range g.shards {
		n += len(sh.docs)
	}
	return n
}

func (g *generation) close() error {
	var errs []error
	for _, sh := range g.shards {
		if sh.reader != nil {
			errs = append(errs, sh.reader.Close())
		}
		if sh.text != nil {
			errs = append(errs, sh.text.Close())
		}
		errs = append(errs, sh.idx.Close())
	}
	return errors.Join(errs...)
}

// readWords reads the words file: every word of the index with its term,
// a line each. It returns the shortest word of each term, for spelling
// suggestions, and every word and term, sorted, for prefixes.
func readWords(path string) (map[string]string, []vocabEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	m := map[string]string{}
	var vocab []vocabEntry
	for line := range bytes.SplitSeq(b, []byte{'\n'}) {
		t, w, ok := bytes.Cut(line, []byte{'\t'})
		if !ok {
			continue
		}
		term, word := string(t), string(w)
		if cur, ok := m[term]; !ok || len(word) < len(cur) || len(word) == len(cur) && word < cur {
			m[term] = word
		}
		vocab = append(vocab, vocabEntry{word, term})
	}
	for t := range m {
		vocab = append(vocab, vocabEntry{t, t})
	}
	return m, sortVocab(vocab), nil
}

// writeWords writes every word (word → term) as "term\tword" lines, sorted.
func writeWords(path string, words map[string]string) error {
	keys := make([]string, 0, len(words))
	for k := range words {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(strings.Compare(words[a], words[b]), strings.Compare(a, b))
	})
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, k := range keys {
		w.WriteString(words[k])
		w.WriteByte('\t')
		w.WriteString(k)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// numShards is how many shards a build makes: one per core, up to four.
func numShards() int { return max(1, min(runtime.GOMAXPROCS(0), 4)) }
