package ingest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"versa/internal/kb"
)

// A model's state is what the history store keeps of the content of its
// latest recorded revision, so that the first load after a start (or on a
// replica with a fresh read model) diffs against what was recorded last
// instead of recording a baseline: gzip'd JSON of what diff reads, nothing
// more (a feature's description is not compared, so not kept).

// stateVersion is the layout of an encoded state; a state of another
// layout is not read (that load is recorded as a baseline, as before
// states were kept).
const stateVersion = 1

type stateDoc struct {
	V        int            `json:"v"`
	Topics   []stateTopic   `json:"t"`
	Systems  []stateSystem  `json:"s"`
	Articles []stateArticle `json:"a"`
}

type stateTopic struct {
	Slug       string      `json:"s"`
	Categories [][2]string `json:"c"` // key, title
	Features   [][4]string `json:"f"` // key, name, category, type
}

type stateSystem struct {
	Topic   string      `json:"t"`
	Slug    string      `json:"s"`
	Name    string      `json:"n"`
	Aliases []string    `json:"a,omitempty"`
	Cells   [][8]string `json:"c"` // feature, support, value, note, since, via, source, checked
}

type stateArticle struct {
	Topic   string   `json:"t"`
	Slug    string   `json:"s"`
	Title   string   `json:"n"`
	Aliases []string `json:"a,omitempty"`
	Updated string   `json:"u,omitempty"` // RFC 3339, "" when none
	Hash    []byte   `json:"h"`
}

// encodeState returns m's state.
func encodeState(m *model) ([]byte, error) {
	doc := stateDoc{V: stateVersion}
	for _, slug := range slices.Sorted(maps.Keys(m.topics)) {
		tm := m.topics[slug]
		t := stateTopic{Slug: slug, Categories: make([][2]string, len(tm.categories)), Features: make([][4]string, len(tm.features))}
		for i, c := range tm.categories {
			t.Categories[i] = [2]string{c.Key, c.Title}
		}
		for i, f := range tm.features {
			t.Features[i] = [4]string{f.Key, f.Name, f.Category, string(f.Type)}
		}
		doc.Topics = append(doc.Topics, t)
	}
	for _, k := range sortedKeyList(m.systems, nil) {
		sm := m.systems[k]
		s := stateSystem{Topic: k.Topic, Slug: k.Slug, Name: sm.name, Aliases: sm.aliases, Cells: make([][8]string, len(sm.cells))}
		for i, c := range sm.cells {
			s.Cells[i] = [8]string{c.Feature, string(c.Support), c.Value, c.Note, c.Since, c.Via, c.Source, c.CheckedDate()}
		}
		doc.Systems = append(doc.Systems, s)
	}
	for _, k := range sortedKeyList(m.articles, nil) {
		am := m.articles[k]
		a := stateArticle{Topic: k.Topic, Slug: k.Slug, Title: am.title, Aliases: am.aliases, Hash: am.hash[:]}
		if !am.updated.IsZero() {
			a.Updated = am.updated.Format(time.RFC3339Nano)
		}
		doc.Articles = append(doc.Articles, a)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(zw).Encode(doc); err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("encode state: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeState reads a state encodeState wrote back into a model.
func decodeState(b []byte) (*model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	var doc stateDoc
	if err := json.NewDecoder(zr).Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, fmt.Errorf("decode state: %w", err)
	}
	if doc.V != stateVersion {
		return nil, fmt.Errorf("decode state: layout %d, want %d", doc.V, stateVersion)
	}
	m := newModel()
	for _, t := range doc.Topics {
		tm := &topicModel{categories: make([]kb.Category, len(t.Categories)), features: make([]kb.Feature, len(t.Features))}
		for i, c := range t.Categories {
			tm.categories[i] = kb.Category{Key: c[0], Title: c[1]}
		}
		for i, f := range t.Features {
			tm.features[i] = kb.Feature{Key: f[0], Name: f[1], Category: f[2], Type: kb.FeatureType(f[3])}
		}
		m.topics[t.Slug] = tm
	}
	for _, s := range doc.Systems {
		sm := &systemModel{name: s.Name, aliases: s.Aliases, cells: make([]kb.Cell, len(s.Cells))}
		for i, c := range s.Cells {
			checked, err := kb.ParseChecked(c[7])
			if err != nil {
				return nil, fmt.Errorf("decode state: %s/%s: %w", s.Topic, s.Slug, err)
			}
			sm.cells[i] = kb.Cell{Feature: c[0], Support: kb.Support(c[1]), Value: c[2], Note: c[3], Since: c[4], Via: c[5], Source: c[6], Checked: checked}
		}
		m.systems[kb.Key{Topic: s.Topic, Slug: s.Slug}] = sm
	}
	for _, a := range doc.Articles {
		am := &articleModel{title: a.Title, aliases: a.Aliases}
		if len(a.Hash) != len(am.hash) {
			return nil, fmt.Errorf("decode state: %s/%s: hash of %d bytes", a.Topic, a.Slug, len(a.Hash))
		}
		copy(am.hash[:], a.Hash)
		if a.Updated != "" {
			if am.updated, err = time.Parse(time.RFC3339Nano, a.Updated); err != nil {
				return nil, fmt.Errorf("decode state: %s/%s: %w", a.Topic, a.Slug, err)
			}
		}
		m.articles[kb.Key{Topic: a.Topic, Slug: a.Slug}] = am
	}
	return m, nil
}
