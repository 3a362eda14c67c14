package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryCommand: two builds of different content print two revisions,
// the baseline last; a third build of the same content adds none.
func TestHistoryCommand(t *testing.T) {
	ctx := context.Background()
	content := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(content, os.DirFS("../../internal/content/testdata/valid")); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	build := func() {
		t.Helper()
		out.Reset()
		if err := run(ctx, []string{"build", "--content", content, "--data", data}, &out, &out); err != nil {
			t.Fatalf("build: %v\n%s", err, out.String())
		}
	}
	build()
	p := filepath.Join(content, "web", "systems", "flask.md")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte("csrf: plugin"), []byte("csrf: yes"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	build()
	build()
	out.Reset()
	if err := run(ctx, []string{"history", data}, &out, &out); err != nil {
		t.Fatalf("history: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("history printed %q, want two revisions", out.String())
	}
	// The second load ran in a new process: it could not tell what changed.
	if !strings.HasPrefix(lines[0], "2\t") || !strings.HasPrefix(lines[1], "1\t") || strings.Split(lines[1], "\t")[3] != "baseline" {
		t.Errorf("history printed %q", out.String())
	}
}
