package ingest

import (
	"os"
	"reflect"
	"testing"

	"versa/internal/content"
)

// modelOf parses the folder at dir into a model, as a load builds it.
func modelOf(tb testing.TB, dir string) *model {
	tb.Helper()
	tree, err := content.Read(os.DirFS(dir))
	if err != nil {
		tb.Fatal(err)
	}
	m := newModel()
	if _, err := content.StreamState(tree, m.sink(discard)); err != nil {
		tb.Fatal(err)
	}
	return m
}

// A state read back is the model it was written from: diffing one against
// the other finds nothing, field by field (checked dates, updated times,
// aliases, article hashes).
func TestStateRoundTrip(t *testing.T) {
	m := modelOf(t, "../content/testdata/valid")
	b, err := encodeState(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeState(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := diff(m, back, m); len(got) != 0 {
		t.Errorf("a state read back differs: %+v", got)
	}
	for k, s := range m.systems {
		if !reflect.DeepEqual(s, back.systems[k]) {
			t.Errorf("system %v: %+v, read back %+v", k, s, back.systems[k])
		}
	}
	for k, a := range m.articles {
		if b := back.articles[k]; b == nil || a.hash != b.hash || !a.updated.Equal(b.updated) || a.title != b.title || !reflect.DeepEqual(a.aliases, b.aliases) {
			t.Errorf("article %v: %+v, read back %+v", k, a, b)
		}
	}
	for slug, tm := range m.topics {
		bt := back.topics[slug]
		if bt == nil || !reflect.DeepEqual(tm.categories, bt.categories) || len(tm.features) != len(bt.features) {
			t.Fatalf("topic %s: %+v, read back %+v", slug, tm, bt)
		}
		for i, f := range tm.features {
			g := bt.features[i]
			if f.Key != g.Key || f.Name != g.Name || f.Category != g.Category || f.Type != g.Type {
				t.Errorf("topic %s feature %d: %+v, read back %+v", slug, i, f, g)
			}
		}
	}
	for _, bad := range [][]byte{nil, []byte("not gzip"), b[:len(b)/2]} {
		if _, err := decodeState(bad); err == nil {
			t.Errorf("decodeState(%d bytes) = nil error", len(bad))
		}
	}
}

// BenchmarkState is what keeping the state adds to each recording (encode)
// and to the first load after a start (decode), on the generated corpus:
//
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test -run '^$' -bench State -benchtime 10x ./internal/ingest
func BenchmarkState(b *testing.B) {
	src := os.Getenv("VERSA_BENCH_CORPUS")
	if src == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a generated content folder")
	}
	m := modelOf(b, src)
	enc, err := encodeState(m)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := encodeState(m); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(enc)), "state-bytes")
	})
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeState(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
