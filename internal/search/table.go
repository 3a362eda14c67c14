package search

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"versa/internal/kb"
)

// Document types and kinds as stored in the table.
const (
	typSystem uint8 = iota
	typArticle
	typFeature
	typNone // a placeholder in an empty shard, never a hit
)

var typNames = []string{DocSystem, DocArticle, DocFeature}

const (
	kindPros uint8 = iota
	kindCons
	kindUseCases
	kindBody
	kindFeature
	numKinds
)

var kindNames = []string{string(kb.KindPros), string(kb.KindCons), string(kb.KindUseCases), string(kb.KindBody), KindFeature}

func kindOf(k kb.SectionKind) uint8 {
	switch k {
	case kb.KindPros:
		return kindPros
	case kb.KindCons:
		return kindCons
	case kb.KindUseCases:
		return kindUseCases
	}
	return kindBody
}

func kindID(name string) uint8 {
	for i, n := range kindNames {
		if n == name {
			return uint8(i)
		}
	}
	return numKinds
}

// docInfo is what a hit shows of a document and what facets and filters
// read. Topics and systems are ids into the generation's tables.
type docInfo struct {
	typ     uint8
	kind    uint8
	topic   uint32
	systems []uint32 // the systems the document is about
	slug    string   // the system's or article's slug; "" for a feature
	title   string
	heading string
	anchor  string
	off, n  uint32            // the document's text in the shard's text file
	items   uint32            // list items of a pros, cons or use-cases section
	lens    [numScored]uint32 // terms in each scored field
	rank    uint32            // breaks ties between equal scores; set at open
	// sections are the sections of a document that holds several (an
	// article's body sections), in the order of the text; nil when the
	// document is one section.
	sections []secInfo
}

// secInfo is one section of a document, with its place in the text.
type secInfo struct {
	heading, anchor string
	start, end      uint32 // byte offsets in the document's text
}

const tableMagic = "versa-search-docs-1\n"

// tableWriter writes a shard's document table; strings are written once.
type tableWriter struct {
	docs    []docInfo
	strings map[string]uint32
	order   []string
}

func (t *tableWriter) add(d docInfo) {
	if t.strings == nil {
		t.strings = map[string]uint32{}
	}
	t.intern(d.slug, d.title, d.heading, d.anchor)
	for _, s := range d.sections {
		t.intern(s.heading, s.anchor)
	}
	t.docs = append(t.docs, d)
}

func (t *tableWriter) intern(ss ...string) {
	for _, s := range ss {
		if _, ok := t.strings[s]; !ok {
			t.strings[s] = uint32(len(t.order))
			t.order = append(t.order, s)
		}
	}
}

func (t *tableWriter) writeTo(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	var buf []byte
	uv := func(v uint64) { buf = binary.AppendUvarint(buf[:0], v); w.Write(buf) }
	w.WriteString(tableMagic)
	uv(uint64(len(t.order)))
	for _, s := range t.order {
		uv(uint64(len(s)))
		w.WriteString(s)
	}
	uv(uint64(len(t.docs)))
	for _, d := range t.docs {
		w.WriteByte(d.typ)
		w.WriteByte(d.kind)
		uv(uint64(d.topic))
		uv(uint64(len(d.systems)))
		for _, s := range d.systems {
			uv(uint64(s))
		}
		for _, s := range []string{d.slug, d.title, d.heading, d.anchor} {
			uv(uint64(t.strings[s]))
		}
		uv(uint64(d.off))
		uv(uint64(d.n))
		uv(uint64(d.items))
		for _, l := range d.lens {
			uv(uint64(l))
		}
		uv(uint64(len(d.sections)))
		for _, s := range d.sections {
			uv(uint64(t.strings[s.heading]))
			uv(uint64(t.strings[s.anchor]))
			uv(uint64(s.start))
			uv(uint64(s.end))
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var errTable = errors.New("document table is damaged")

// readTable reads a table written by tableWriter. Bounds are checked so a
// damaged file is an error, never a panic.
func readTable(path string, topics, systems int, textSize int64) ([]docInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(data) < len(tableMagic) || string(data[:len(tableMagic)]) != tableMagic {
		return nil, errTable
	}
	r := &byteReader{b: data[len(tableMagic):]}
	ns := r.uvarint()
	if ns > uint64(len(data)) {
		return nil, errTable
	}
	strs := make([]string, ns)
	for i := range strs {
		strs[i] = r.str()
	}
	nd := r.uvarint()
	if nd > uint64(len(data)) {
		return nil, errTable
	}
	docs := make([]docInfo, nd)
	str := func() string {
		i := r.uvarint()
		if i >= uint64(len(strs)) {
			r.err = errTable
			return ""
		}
		return strs[i]
	}
	for i := range docs {
		d := &docs[i]
		d.typ, d.kind = r.byte(), r.byte()
		d.topic = uint32(r.uvarint())
		n := r.uvarint()
		if n > uint64(systems) {
			return nil, errTable
		}
		if n > 0 {
			d.systems = make([]uint32, n)
			for j := range d.systems {
				d.systems[j] = uint32(r.uvarint())
				if int(d.systems[j]) >= systems {
					return nil, errTable
				}
			}
		}
		d.slug, d.title, d.heading, d.anchor = str(), str(), str(), str()
		d.off, d.n, d.items = uint32(r.uvarint()), uint32(r.uvarint()), uint32(r.uvarint())
		for j := range d.lens {
			d.lens[j] = uint32(r.uvarint())
		}
		ns := r.uvarint()
		if ns > uint64(len(r.b)) {
			return nil, errTable
		}
		if ns > 0 {
			d.sections = make([]secInfo, ns)
			for j := range d.sections {
				s := &d.sections[j]
				s.heading, s.anchor = str(), str()
				s.start, s.end = uint32(r.uvarint()), uint32(r.uvarint())
				if s.start > s.end || s.end > d.n {
					return nil, errTable
				}
			}
		}
		if r.err != nil || d.typ > typNone || d.kind >= numKinds || (d.typ != typNone && int(d.topic) >= topics) ||
			int64(d.off)+int64(d.n) > textSize {
			return nil, errTable
		}
	}
	if r.err != nil || len(r.b) != 0 {
		return nil, errTable
	}
	return docs, nil
}

type byteReader struct {
	b   []byte
	err error
}

func (r *byteReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTable
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *byteReader) byte() byte {
	if len(r.b) == 0 {
		r.err = errTable
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *byteReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errTable
		r.b = nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// readText reads a document's text from a shard's text file.
func readText(f io.ReaderAt, d *docInfo) (string, error) {
	buf := make([]byte, d.n)
	if _, err := f.ReadAt(buf, int64(d.off)); err != nil {
		return "", fmt.Errorf("read document text: %w", err)
	}
	return string(buf), nil
}
