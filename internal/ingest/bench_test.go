package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"versa/internal/ingest"
	"versa/internal/search"
	"versa/internal/sqlite"
)

// BenchmarkColdLoad loads a generated corpus into a fresh store, and into a
// fresh search index from the same parse: the work of a cold `versa build`. Set VERSA_BENCH_CORPUS to a
// content folder written by shared/bench/gen_corpus.py:
//
//	python3 ../shared/bench/gen_corpus.py /tmp/corpus --articles 2000
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test -run x -bench ColdLoad -benchtime 5x ./internal/ingest
func BenchmarkColdLoad(b *testing.B) {
	dir := os.Getenv("VERSA_BENCH_CORPUS")
	if dir == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a generated content folder")
	}
	ctx := context.Background()
	for _, withIndex := range []bool{false, true} {
		name := "store"
		if withIndex {
			name = "store+index"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				tmp := b.TempDir()
				db, err := sqlite.Open(ctx, filepath.Join(tmp, "versa.db"))
				if err != nil {
					b.Fatal(err)
				}
				var index ingest.Index
				var ix *search.Index
				if withIndex {
					if ix, err = search.Open(filepath.Join(tmp, "index"), nil); err != nil {
						b.Fatal(err)
					}
					index = ix
				}
				b.StartTimer()
				res, err := ingest.New(os.DirFS(dir), db, index, nil).Load(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if !res.Applied || len(res.Problems) > 0 {
					b.Fatalf("load: %+v", res)
				}
				if res.Indexed != nil {
					if err := <-res.Indexed; err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				db.Close()
				if ix != nil {
					ix.Close()
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkWarmStart is a restart on unchanged content: the folder is read
// and hashed, and the store is reused without parsing.
func BenchmarkWarmStart(b *testing.B) {
	dir := os.Getenv("VERSA_BENCH_CORPUS")
	if dir == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a generated content folder")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "versa.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := ingest.New(os.DirFS(dir), db, nil, nil).Load(ctx); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := ingest.New(os.DirFS(dir), db, nil, nil).Load(ctx)
		if err != nil || !res.Reused {
			b.Fatalf("warm load: %+v, %v; want reused", res, err)
		}
	}
}

// BenchmarkReloadOne is the store's part of a live edit on a large folder:
// one article rewritten, then reloaded incrementally (re-read, parse, drop
// and insert in one transaction).
func BenchmarkReloadOne(b *testing.B) {
	src := os.Getenv("VERSA_BENCH_CORPUS")
	if src == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a generated content folder")
	}
	ctx := context.Background()
	dir := filepath.Join(b.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "versa.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	l := ingest.New(os.DirFS(dir), db, nil, nil)
	if _, err := l.Load(ctx); err != nil {
		b.Fatal(err)
	}
	articles, err := filepath.Glob(filepath.Join(dir, "*", "articles", "*.md"))
	if err != nil || len(articles) == 0 {
		b.Fatalf("no articles in %s", dir)
	}
	i := 0
	for b.Loop() {
		p := articles[i%len(articles)]
		i++
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, append(data, "\nMore.\n"...), 0o644); err != nil {
			b.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		res, err := l.Reload(ctx, []string{filepath.ToSlash(rel)})
		if err != nil || !res.Applied || res.Parsed != 1 {
			b.Fatalf("reload: %+v, %v", res, err)
		}
	}
}
