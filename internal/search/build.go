package search

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"

	"versa/internal/kb"
)

// batchSize is how many documents of a shard make one segment before the
// final merge. On the benchmark corpus (26,000 documents, two shards),
// 4,000 built fastest: 2,000 merges more, 8,000 and more hold more in
// memory and spend longer in the one big segment build.
const batchSize = 4000

// Build indexes what feed sends to its sink (topics first, then systems,
// then articles, as content.Stream does, one call at a time) into a new
// folder, then swaps it in: searches in flight finish on the old index,
// which is then closed and removed. On error the old index stays. The
// caller should not call Build when revision equals Revision(): the index
// already holds that content. The new index replaces the overlay of
// Updates too: feed must stream the content with every change passed to
// Update before Build was called.
func (ix *Index) Build(ctx context.Context, revision string, feed func(kb.Sink) error) error {
	ix.build.Lock()
	defer ix.build.Unlock()
	ix.mu.RLock()
	closed := ix.closed
	ix.mu.RUnlock()
	if closed {
		return errors.New("search: build on a closed index")
	}
	start := time.Now()
	name := fmt.Sprintf("%s%d", folderPrefix, time.Now().UnixNano())
	dir := filepath.Join(ix.dir, name)
	g, err := buildGeneration(ctx, dir, revision, feed, ix.log)
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("search: build index: %w", err)
	}
	if err := writeCurrent(ix.dir, name); err != nil {
		g.close()
		os.RemoveAll(dir)
		return fmt.Errorf("search: build index: %w", err)
	}
	// Updates are serialised with builds, so the content fed to this one
	// holds every change the overlay had: it goes with the old index.
	ix.mu.Lock()
	old := ix.cur
	ix.cur, ix.ov = g, nil
	ix.mu.Unlock()
	ix.log.Info("search index built", "revision", short(revision), "docs", g.docs(), "shards", len(g.shards), "took", time.Since(start))
	if old != nil {
		old.inflight.Wait()
		if err := old.close(); err != nil {
			ix.log.Warn("closing the old search index", "err", err)
		}
	}
	ix.removeStale(name)
	return nil
}

func buildGeneration(ctx context.Context, dir, revision string, feed func(kb.Sink) error, log *slog.Logger) (*generation, error) {
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, dir: dir, revision: revision, topicID: map[string]uint32{},
		systemID: map[string]uint32{}, features: map[string]map[string]kb.Feature{}}
	if err := b.start(numShards()); err != nil {
		return nil, err
	}
	err := feed(kb.Sink{Topic: b.topic, System: b.system, Article: b.article})
	fed := time.Now()
	if err := b.finish(err); err != nil {
		return nil, err
	}
	finished := time.Now()
	g, err := openGeneration(dir)
	log.Debug("search index build", "feed", fed.Sub(start), "finish", finished.Sub(fed), "open", time.Since(finished))
	return g, err
}

// source is one document to index: its table entry, its text and the
// fields that are searched besides the text.
type source struct {
	info  docInfo
	text  string
	title string   // the page's title and the section's heading
	lead  string   // the first words of each list item
	names []string // matched whole, lower-cased; on the first document of a page
}

// builder feeds the shards. Its sink methods run on the feed's goroutine.
type builder struct {
	ctx      context.Context
	dir      string
	revision string
	topics   []string
	systems  []string
	topicID  map[string]uint32
	systemID map[string]uint32
	features map[string]map[string]kb.Feature // topic → key → feature
	shards   []*shardBuilder
	emit     func([]source) error // instead of the shards, for tests
	failed   atomic.Bool
	wg       sync.WaitGroup
}

func (b *builder) start(n int) error {
	mj, err := json.Marshal(indexMapping())
	if err != nil {
		return err
	}
	for i := range n {
		sb := &shardBuilder{b: b, i: i, in: make(chan []source, 32), st: newStemmer(1 << 18)}
		b.shards = append(b.shards, sb)
		if err := sb.open(mj); err != nil {
			b.finish(err)
			return err
		}
	}
	for _, sb := range b.shards {
		b.wg.Add(1)
		go sb.run()
	}
	return nil
}

// send hands a file's documents to its shard.
func (b *builder) send(docs []source) error {
	if err := b.ctx.Err(); err != nil {
		return err
	}
	if b.failed.Load() {
		return errors.New("indexing failed")
	}
	if len(docs) == 0 {
		return nil
	}
	if b.emit != nil {
		return b.emit(docs)
	}
	// A file's shard depends on its name only, so a build is repeatable.
	h := fnv.New32a()
	h.Write([]byte(docs[0].info.slug))
	h.Write([]byte{0})
	h.Write([]byte(b.topics[docs[0].info.topic]))
	sb := b.shards[h.Sum32()%uint32(len(b.shards))]
	select {
	case sb.in <- docs:
		return nil
	case <-b.ctx.Done():
		return b.ctx.Err()
	}
}

func (b *builder) id(ids map[string]uint32, list *[]string, s string) uint32 {
	if id, ok := ids[s]; ok {
		return id
	}
	id := uint32(len(*list))
	ids[s] = id
	*list = append(*list, s)
	return id
}

// topic indexes the topic's features: name, key and description.
func (b *builder) topic(t kb.Topic) error {
	tid := b.id(b.topicID, &b.topics, t.Slug)
	cats := map[string]string{}
	for _, c := range t.Categories {
		cats[c.Key] = c.Title
	}
	feats := map[string]kb.Feature{}
	docs := make([]source, 0, len(t.Features))
	for _, f := range t.Features {
		feats[f.Key] = f
		docs = append(docs, source{
			info: docInfo{typ: typFeature, kind: kindFeature, topic: tid,
				title: f.Name, heading: cats[f.Category], anchor: "feature-" + f.Key},
			text:  f.Description,
			title: f.Name, // the category is shown, not searched: it is shared
			names: []string{f.Key, strings.ToLower(f.Name)},
		})
	}
	b.features[t.Slug] = feats
	return b.send(docs)
}

// system indexes each section of a system, its summary and tags with the
// lead section, and each cell with a note, a value or a "via".
func (b *builder) system(s kb.System) error {
	tid := b.id(b.topicID, &b.topics, s.Topic)
	sid := b.id(b.systemID, &b.systems, s.Slug)
	sys := []uint32{sid}
	names := append([]string{s.Slug, strings.ToLower(s.Name)}, s.Aliases...)
	lead := s.Summary
	if len(s.Tags) > 0 {
		lead += "\n" + strings.Join(s.Tags, ", ")
	}
	docs := make([]source, 0, len(s.Sections)+len(s.Cells)/2+1)
	doc := func(sec kb.Section, text string) source {
		return source{
			info: docInfo{typ: typSystem, kind: kindOf(sec.Kind), topic: tid, systems: sys, slug: s.Slug,
				title: s.Name, heading: sec.Heading, anchor: sec.Anchor, items: uint32(len(sec.Items))},
			text: text, title: joinTitle(s.Name, sec.Heading), lead: leads(sec),
		}
	}
	if len(s.Sections) == 0 || s.Sections[0].Heading != "" {
		docs = append(docs, doc(kb.Section{Kind: kb.KindBody}, lead))
	}
	for i, sec := range s.Sections {
		text := sec.Text
		if i == 0 && sec.Heading == "" {
			text = lead + "\n" + text
		}
		docs = append(docs, doc(sec, text))
	}
	feats := b.features[s.Topic]
	for _, c := range s.Cells {
		text := cellText(c)
		if text == "" {
			continue
		}
		f := feats[c.Feature]
		name := f.Name
		if name == "" {
			name = c.Feature
		}
		docs = append(docs, source{
			info: docInfo{typ: typSystem, kind: kindFeature, topic: tid, systems: sys, slug: s.Slug,
				title: s.Name, heading: name, anchor: "feature-" + c.Feature},
			text: text, title: joinTitle(s.Name, name),
		})
	}
	docs[0].names = names
	return b.send(docs)
}

// leads returns the lead of each list item of a pros, cons or use-cases
// section: its first sentence, at most leadWords words. Editors open a
// bullet with what it is about ("**The admin site is free.**"), so a term
// there says more than one further on.
func leads(sec kb.Section) string {
	if sec.Kind == kb.KindBody || len(sec.Items) == 0 {
		return ""
	}
	var b strings.Builder
	for _, it := range sec.Items {
		n, end := 0, -1
		words(it, func(_ string, start, e int) {
			switch {
			case end >= 0:
			case n == leadWords:
				end = start
			default:
				n++
				if e < len(it) && strings.IndexByte(".:;!?", it[e]) >= 0 {
					end = e
				}
			}
		})
		if end < 0 {
			end = len(it)
		}
		b.WriteString(strings.TrimSpace(it[:end]))
		b.WriteByte('\n')
	}
	return b.String()
}

const leadWords = 8

// cellText is what a cell says beyond its support level.
func cellText(c kb.Cell) string {
	var parts []string
	if c.Value != "" {
		parts = append(parts, c.Value+".")
	}
	if c.Via != "" {
		parts = append(parts, "Via "+c.Via+".")
	}
	if c.Note != "" {
		parts = append(parts, c.Note)
	}
	return strings.Join(parts, " ")
}

// article indexes an article as one document per kind of section: its
// body sections (with the summary and tags) together, its use-cases
// sections together, and so on. Articles are most of the text, and one
// document for their prose makes half the postings of one per section; a
// hit still shows its best section (see bestSection).
func (b *builder) article(a kb.Article) error {
	tid := b.id(b.topicID, &b.topics, a.Topic)
	var sys []uint32
	for _, s := range a.Systems {
		sys = append(sys, b.id(b.systemID, &b.systems, s))
	}
	lead := a.Summary
	if len(a.Tags) > 0 {
		lead += "\n" + strings.Join(a.Tags, ", ")
	}
	secs := a.Sections
	if len(secs) == 0 || secs[0].Heading != "" {
		secs = append([]kb.Section{{Kind: kb.KindBody}}, secs...)
	}
	var (
		docs  []source
		group = map[uint8]int{} // kind → index in docs
		// Pointers: a Builder must not be copied once written to, as
		// growing a []strings.Builder would when an article goes back to
		// a kind after another (body, use cases, body).
		text  []*strings.Builder
		title []*strings.Builder
		lists []*strings.Builder
	)
	for i, sec := range secs {
		k := kindOf(sec.Kind)
		g, ok := group[k]
		if !ok {
			g = len(docs)
			group[k] = g
			docs = append(docs, source{info: docInfo{typ: typArticle, kind: k, topic: tid, systems: sys,
				slug: a.Slug, title: a.Title, heading: sec.Heading, anchor: sec.Anchor}})
			text = append(text, new(strings.Builder))
			title = append(title, new(strings.Builder))
			lists = append(lists, new(strings.Builder))
			title[g].WriteString(a.Title)
		}
		d := &docs[g]
		t := sec.Text
		if i == 0 {
			t = strings.TrimSpace(lead + "\n" + t)
		}
		if text[g].Len() > 0 {
			text[g].WriteString("\n")
		}
		start := text[g].Len()
		text[g].WriteString(t)
		d.info.sections = append(d.info.sections, secInfo{heading: sec.Heading, anchor: sec.Anchor,
			start: uint32(start), end: uint32(text[g].Len())})
		d.info.items += uint32(len(sec.Items))
		if sec.Heading != "" {
			title[g].WriteString("\n" + sec.Heading)
		}
		lists[g].WriteString(leads(sec))
	}
	for g := range docs {
		d := &docs[g]
		d.text, d.title, d.lead = text[g].String(), title[g].String(), lists[g].String()
		if len(d.info.sections) == 1 {
			d.info.sections = nil // the document is the section
		}
	}
	docs[0].names = append([]string{a.Slug, strings.ToLower(a.Title)}, a.Aliases...)
	return b.send(docs)
}

func joinTitle(title, heading string) string {
	if heading == "" {
		return title
	}
	return title + "\n" + heading
}

// finish waits for the shards, merges their segments and writes the
// document tables, the words and, last, the manifest.
func (b *builder) finish(feedErr error) error {
	if feedErr != nil {
		b.failed.Store(true) // the shards stop, rather than merge for nothing
	}
	for _, sb := range b.shards {
		if sb.in != nil {
			close(sb.in)
		}
	}
	b.wg.Wait()
	errs := []error{feedErr}
	for _, sb := range b.shards {
		errs = append(errs, sb.err)
	}
	if err := errors.Join(errs...); err != nil {
		for _, sb := range b.shards {
			sb.abort()
		}
		return err
	}
	m := manifest{Format: formatV, Revision: b.revision, Topics: b.topics, Systems: b.systems}
	words := map[string]string{} // word → term
	for _, sb := range b.shards {
		m.Shards = append(m.Shards, sb.meta())
		for w, id := range sb.st.cache {
			if id >= 0 {
				words[strings.ToLower(w)] = sb.st.terms[id].s
			}
		}
	}
	if m.Topics == nil {
		m.Topics = []string{}
	}
	if m.Systems == nil {
		m.Systems = []string{}
	}
	if err := writeWords(filepath.Join(b.dir, wordsFile), words); err != nil {
		return err
	}
	sums, err := checksums(b.dir)
	if err != nil {
		return err
	}
	m.Files = sums
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(b.dir, manifestFile), mj, 0o644)
}

// The scored fields, as indexes into textFields.
const (
	textField = iota
	titleField
	leadField
	numScored
)

// Fields of the bleve documents, scored with BM25; every field a document
// has costs indexing time, so the heading shares the title's field. The
// field name holds whole slugs, names, keys and aliases, on the first
// document of each page.
var textFields = []struct {
	name   string
	weight float64
	b      float64 // BM25 length normalisation
}{
	{"text", 1, 0.75},
	{"title", 2.5, 0.5},
	{"lead", 1, 0.5},
}

const nameField = "name"

// indexMapping describes the documents for bleve tools; documents are made
// by this package, not mapped from values. Nothing is stored or in _all.
func indexMapping() mapping.IndexMapping {
	m := mapping.NewIndexMapping()
	dm := mapping.NewDocumentStaticMapping()
	for _, f := range textFields {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = "en" // analyze.go does what it does, faster
		fm.Store, fm.IncludeInAll, fm.IncludeTermVectors, fm.DocValues = false, false, false, false
		dm.AddFieldMappingsAt(f.name, fm)
	}
	km := mapping.NewKeywordFieldMapping()
	km.Store, km.IncludeInAll, km.IncludeTermVectors, km.DocValues = false, false, false, false
	dm.AddFieldMappingsAt(nameField, km)
	m.DefaultMapping = dm
	m.DefaultAnalyzer = "en"
	return m
}

// shardBuilder builds one shard on its own goroutine.
type shardBuilder struct {
	b     *builder
	i     int
	in    chan []source
	st    *stemmer
	bl    *scorch.Builder
	table tableWriter
	textF *os.File
	text  *bufio.Writer
	off   int64
	lens  []int64 // total terms per scored field
	nlens []int64 // documents with the field
	err   error
}

func (sb *shardBuilder) open(mappingJSON []byte) error {
	dir := shardDir(sb.b.dir, sb.i)
	if err := os.MkdirAll(filepath.Join(dir, "store"), 0o755); err != nil {
		return err
	}
	// What bleve.Open expects beside the store.
	meta := []byte(`{"storage":"scorch","index_type":"scorch"}`)
	if err := os.WriteFile(filepath.Join(dir, "index_meta.json"), meta, 0o644); err != nil {
		return err
	}
	bl, err := scorch.NewBuilder(map[string]any{
		"path":            filepath.Join(dir, "store"),
		"buildPathPrefix": dir, // not /tmp: segments are renamed into place
		"batchSize":       batchSize,
		"mergeMax":        32,
		"internal": map[string][]byte{
			"_mapping":  mappingJSON,
			revisionKey: []byte(sb.b.revision),
		},
	})
	if err != nil {
		return err
	}
	sb.bl = bl
	f, err := os.Create(textPath(sb.b.dir, sb.i))
	if err != nil {
		return err
	}
	sb.textF, sb.text = f, bufio.NewWriterSize(f, 1<<16)
	sb.lens, sb.nlens = make([]int64, len(textFields)), make([]int64, len(textFields))
	return nil
}

func (sb *shardBuilder) run() {
	defer sb.b.wg.Done()
	for docs := range sb.in {
		if sb.err != nil || sb.b.failed.Load() {
			continue // drain, so the feed never blocks
		}
		for i := range docs {
			if err := sb.index(&docs[i]); err != nil {
				sb.err = err
				sb.b.failed.Store(true)
				break
			}
		}
	}
	if sb.err == nil && !sb.b.failed.Load() {
		sb.err = sb.close()
	}
}

func (sb *shardBuilder) index(s *source) error {
	n := len(sb.table.docs)
	doc := document.NewDocument(strconv.FormatUint(uint64(n), 36))
	for i, f := range textFields {
		var v string
		switch i {
		case textField:
			v = s.text
		case titleField:
			v = s.title
		case leadField:
			v = s.lead
		}
		if v == "" {
			continue
		}
		fl := &field{name: f.name, text: v, st: sb.st}
		fl.Analyze() // now, for the lengths; the builder's call is then free
		if fl.length == 0 {
			continue
		}
		s.info.lens[i] = uint32(fl.length)
		sb.lens[i] += int64(fl.length)
		sb.nlens[i]++
		doc.AddField(fl)
	}
	if len(s.names) > 0 {
		doc.AddField(&field{name: nameField, names: s.names})
	}
	if sb.off+int64(len(s.text)) > math.MaxUint32 {
		return errors.New("more than 4 GB of text in one shard")
	}
	s.info.off, s.info.n = uint32(sb.off), uint32(len(s.text))
	sb.text.WriteString(s.text)
	sb.off += int64(len(s.text))
	sb.table.add(s.info)
	return sb.bl.Index(doc)
}

func (sb *shardBuilder) close() error {
	err := sb.text.Flush()
	if cerr := sb.textF.Close(); err == nil {
		err = cerr
	}
	sb.textF = nil
	if err != nil {
		return err
	}
	if len(sb.table.docs) == 0 {
		// bleve's builder cannot make an empty index: index a placeholder
		// that no search can reach.
		sb.table.add(docInfo{typ: typNone, kind: kindFeature})
		doc := document.NewDocument("0")
		if err := sb.bl.Index(doc); err != nil {
			return err
		}
	}
	if err := sb.bl.Close(); err != nil {
		return err
	}
	sb.bl = nil
	return sb.table.writeTo(tablePath(sb.b.dir, sb.i))
}

func (sb *shardBuilder) abort() {
	if sb.textF != nil {
		sb.textF.Close()
	}
}

func (sb *shardBuilder) meta() shardMeta {
	return shardMeta{Docs: len(sb.table.docs), FieldTerms: sb.lens, FieldDocs: sb.nlens}
}
