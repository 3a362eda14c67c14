package content

import (
	"os"
	"testing"
)

// BenchmarkLoad parses a generated corpus: set VERSA_BENCH_CORPUS to a
// content folder written by shared/bench/gen_corpus.py, e.g.
//
//	python3 ../shared/bench/gen_corpus.py /tmp/corpus --articles 2000
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test -run x -bench Load ./internal/content
func BenchmarkLoad(b *testing.B) {
	dir := os.Getenv("VERSA_BENCH_CORPUS")
	if dir == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a generated content folder")
	}
	fsys := os.DirFS(dir)
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			if _, err := Read(fsys); err != nil {
				b.Fatal(err)
			}
		}
	})
	tree, err := Read(fsys)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			c, problems := Parse(tree)
			if len(problems) > 0 {
				b.Fatalf("%d problems, first %s", len(problems), problems[0])
			}
			b.ReportMetric(float64(len(c.Articles)+len(c.Systems)), "files/op")
		}
	})
}
