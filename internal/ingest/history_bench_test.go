package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"versa/internal/history"
	"versa/internal/ingest"
	"versa/internal/sqlite"
)

// BenchmarkReloadHistory is a reload that changes 10,020 cells of the
// generated corpus (every cell of 167 systems, back and forth), without
// and with the history recording it. The history records after the
// reload, in the background: "history on" is the reload until the new
// content is served (what recording adds to it), "history on, recorded"
// until its changes are recorded too (Wait).
//
//	python3 ../shared/bench/gen_corpus.py /tmp/corpus --articles 20
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test -run '^$' -bench ReloadHistory -count 5 ./internal/ingest
func BenchmarkReloadHistory(b *testing.B) {
	src := os.Getenv("VERSA_BENCH_CORPUS")
	if src == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a generated content folder")
	}
	for _, mode := range []string{"history off", "history on", "history on, recorded"} {
		record := mode != "history off"
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			dir := filepath.Join(b.TempDir(), "content")
			if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
				b.Fatal(err)
			}
			files, err := filepath.Glob(filepath.Join(dir, "*", "systems", "*.md"))
			if err != nil || len(files) < 167 {
				b.Fatalf("%d system files in %s, want 167 or more", len(files), dir)
			}
			slices.Sort(files)
			files = files[:167]
			var versions [2][][]byte
			var paths []string
			cells := 0
			for _, f := range files {
				a, err := os.ReadFile(f)
				if err != nil {
					b.Fatal(err)
				}
				flipped, n := flipCells(string(a))
				cells += n
				versions[0] = append(versions[0], a)
				versions[1] = append(versions[1], []byte(flipped))
				rel, _ := filepath.Rel(dir, f)
				paths = append(paths, filepath.ToSlash(rel))
			}
			db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "versa.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			l := ingest.New(os.DirFS(dir), db, nil, nil)
			if record {
				l.SetHistory(db, dir)
			}
			if _, err := l.Load(ctx); err != nil {
				b.Fatal(err)
			}
			l.Wait()
			i := 0
			for b.Loop() {
				b.StopTimer()
				l.Wait() // the last reload's recording, when not timed
				i++
				for j, f := range files {
					if err := os.WriteFile(f, versions[i%2][j], 0o644); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				res, err := l.Reload(ctx, paths)
				if err != nil || !res.Applied || len(res.Problems) > 0 {
					b.Fatalf("reload: %+v, %v", res, err)
				}
				if mode == "history on, recorded" {
					l.Wait()
				}
			}
			b.StopTimer()
			l.Wait()
			if record {
				revs, err := db.Revisions(ctx, 1, 0)
				if err != nil || len(revs) != 1 || revs[0].Changes != cells {
					b.Fatalf("latest revision %+v, %v; want %d changes", revs, err, cells)
				}
				entries, err := db.Changes(ctx, history.Query{Limit: 1})
				if err != nil || len(entries) != 1 || entries[0].Kind != history.CellChanged {
					b.Fatalf("changes: %+v, %v", entries, err)
				}
			}
			b.ReportMetric(float64(cells), "cells/op")
		})
	}
}

var cellLine = regexp.MustCompile(`(?m)^  (feat-\d+): (.*)$`)

var flipSupport = map[string]string{"yes": "no", "no": "yes", "partial": "plugin", "plugin": "partial", "unknown": "yes"}

// flipCells changes every cell of a generated system file: support levels
// to another, numbers by one, text by a word; it returns the file and how
// many cells it changed.
func flipCells(s string) (string, int) {
	n := 0
	out := cellLine.ReplaceAllStringFunc(s, func(line string) string {
		m := cellLine.FindStringSubmatch(line)
		key, v := m[1], m[2]
		n++
		if rest, ok := strings.CutPrefix(v, "{support: "); ok {
			level, tail, _ := strings.Cut(rest, ",")
			return "  " + key + ": {support: " + flipSupport[level] + "," + tail
		}
		if f, ok := flipSupport[v]; ok {
			return "  " + key + ": " + f
		}
		if x, err := strconv.Atoi(v); err == nil {
			return "  " + key + ": " + strconv.Itoa(x+1)
		}
		return "  " + key + ": " + v + " more"
	})
	return out, n
}
