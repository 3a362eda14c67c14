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
	"time"

	"versa/internal/history"
	"versa/internal/ingest"
	"versa/internal/sqlite"
)

// BenchmarkReloadHistory is a reload that changes 10,020 cells of the
// generated corpus (every cell of 167 systems, back and forth), by a
// loader without history and one recording it, each on its own copy of the
// folder and its own store. The history records after the reload, in the
// background: "served" is the reload until the new content is served,
// "recorded" until its changes are recorded too (Wait). On a shared
// machine the times of runs apart vary by more than what is measured, so
// each iteration reloads both loaders, in turn order alternating, and the
// ratios are the medians of each iteration's pair:
//
//	served/off-ratio    what recording adds to the reload (1.00 = nothing)
//	recorded/off-ratio  the reload and its recording, against the reload
//
//	python3 ../shared/bench/gen_corpus.py /tmp/corpus --articles 20
//	VERSA_BENCH_CORPUS=/tmp/corpus/versa/content go test -run '^$' -bench ReloadHistory -benchtime 15x ./internal/ingest
func BenchmarkReloadHistory(b *testing.B) {
	src := os.Getenv("VERSA_BENCH_CORPUS")
	if src == "" {
		b.Skip("set VERSA_BENCH_CORPUS to a generated content folder")
	}
	ctx := context.Background()
	off, on := newFlipSite(b, src, false), newFlipSite(b, src, true)
	var offT, servedT, recordedT []time.Duration
	i := 0
	for b.Loop() {
		i++
		sites := []*flipSite{off, on}
		if i%2 == 0 {
			sites = []*flipSite{on, off}
		}
		for _, fs := range sites {
			fs.flip(b, i)
			start := time.Now()
			res, err := fs.l.Reload(ctx, fs.paths)
			served := time.Since(start)
			if err != nil || !res.Applied || len(res.Problems) > 0 {
				b.Fatalf("reload: %+v, %v", res, err)
			}
			fs.l.Wait()
			if fs == off {
				offT = append(offT, served)
			} else {
				servedT = append(servedT, served)
				recordedT = append(recordedT, time.Since(start))
			}
		}
	}
	b.StopTimer()
	revs, err := on.db.Revisions(ctx, 1, 0)
	if err != nil || len(revs) != 1 || revs[0].Changes != on.cells {
		b.Fatalf("latest revision %+v, %v; want %d changes", revs, err, on.cells)
	}
	entries, err := on.db.Changes(ctx, history.Query{Limit: 1})
	if err != nil || len(entries) != 1 || entries[0].Kind != history.CellChanged {
		b.Fatalf("changes: %+v, %v", entries, err)
	}
	if revs, err := off.db.Revisions(ctx, 0, 0); err != nil || len(revs) != 0 {
		b.Fatalf("the loader without history recorded %d revisions, %v", len(revs), err)
	}
	ratio := func(a, base []time.Duration) float64 {
		r := make([]float64, len(a))
		for j := range a {
			r[j] = float64(a[j]) / float64(base[j])
		}
		slices.Sort(r)
		return r[len(r)/2]
	}
	median := func(d []time.Duration) float64 {
		d = slices.Clone(d)
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds()) / 1000
	}
	b.ReportMetric(median(offT), "off-ms")
	b.ReportMetric(median(servedT), "served-ms")
	b.ReportMetric(median(recordedT), "recorded-ms")
	b.ReportMetric(ratio(servedT, offT), "served/off-ratio")
	b.ReportMetric(ratio(recordedT, offT), "recorded/off-ratio")
	b.ReportMetric(float64(on.cells), "cells/op")
}

// flipSite is a copy of a generated content folder loaded into its own
// store, whose first 167 system files flip between two versions.
type flipSite struct {
	l        *ingest.Loader
	db       *sqlite.DB
	files    []string
	paths    []string
	versions [2][][]byte
	cells    int
}

func newFlipSite(b *testing.B, src string, record bool) *flipSite {
	b.Helper()
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
	fs := &flipSite{files: files[:167]}
	for _, f := range fs.files {
		a, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		flipped, n := flipCells(string(a))
		fs.cells += n
		fs.versions[0] = append(fs.versions[0], a)
		fs.versions[1] = append(fs.versions[1], []byte(flipped))
		rel, _ := filepath.Rel(dir, f)
		fs.paths = append(fs.paths, filepath.ToSlash(rel))
	}
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "versa.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	fs.db = db
	fs.l = ingest.New(os.DirFS(dir), db, nil, nil)
	if record {
		fs.l.SetHistory(db, dir)
	}
	if _, err := fs.l.Load(ctx); err != nil {
		b.Fatal(err)
	}
	fs.l.Wait()
	return fs
}

// flip writes version i%2 of the files.
func (fs *flipSite) flip(b *testing.B, i int) {
	b.Helper()
	for j, f := range fs.files {
		if err := os.WriteFile(f, fs.versions[i%2][j], 0o644); err != nil {
			b.Fatal(err)
		}
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
