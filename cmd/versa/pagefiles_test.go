package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPageFileDir checks that serve starts with an empty page-file folder,
// whatever an earlier process left, and says so when it cannot make one.
func TestPageFileDir(t *testing.T) {
	data := t.TempDir()
	left := filepath.Join(data, "pages", "7.page")
	if err := os.MkdirAll(filepath.Dir(left), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(left, []byte("an earlier process's page"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := pageFileDir(data)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(data, "pages") {
		t.Errorf("folder %q, want pages/ in the data folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("folder keeps %d files from before, want none", len(entries))
	}

	// A data "folder" that is a file: the error names the page folder.
	notDir := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := pageFileDir(notDir); err == nil {
		t.Error("no error for a data folder that is a file")
	}
}
